"""The dates on the generated pages (issue 12; docsgen.dates, .changes, .payers): the
"rules in force on BUILD DATE" line, the Rule changes page, payer histories and "review
due" marks. The build date is pinned with BUILD_DATE, so nothing here changes when the
calendar does."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from calc.changes import rule_changes
from calc.dates import load_rulebook_dates
from docsgen import changes, payers
from docsgen.build import render_all
from docsgen.dates import build_date
from tests.conftest import ROOT

Pin = Callable[[str], None]


@pytest.fixture
def build_on(monkeypatch: pytest.MonkeyPatch) -> Pin:
    def pin(day: str) -> None:
        monkeypatch.setenv("BUILD_DATE", day)

    return pin


def test_help_sheet_and_card_name_the_build_date(build_on: Pin) -> None:
    build_on("2026-12-04")
    line = changes.rules_in_force()
    assert "Rules in force on 2026-12-04" in line and "calculators/claim.md" in line
    for page in ("help-sheet.md", "quick-reference.md"):
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        assert "{!_generated/rules-in-force.md!}" in text, page


def test_rule_changes_page_lists_every_change_newest_first() -> None:
    page = changes.rule_changes_page()
    dates = [c.on.isoformat() for c in rule_changes()]
    positions = [page.index(f'<span class="nowrap">{d}</span>') for d in dict.fromkeys(dates)]
    assert positions == sorted(positions)
    assert "administrator changes from Blue Cross NC to Aetna" in page
    assert "$2,480 for 2026" in page and "97012, 97014" in page


def test_payer_profiles_show_the_build_date_and_the_history(build_on: Pin) -> None:
    build_on("2024-12-31")
    before = payers.payer_profiles()
    build_on("2025-01-01")
    after = payers.payer_profiles()
    shp_before = before[before.index("{#nc-shp}") : before.index("{#medcost}")]
    shp_after = after[after.index("{#nc-shp}") : after.index("{#medcost}")]
    assert "Blue Cross NC administers the State Health Plan" in shp_before
    assert "administrator changed from BCBSNC to Aetna" not in shp_before
    assert "administrator changed from BCBSNC to Aetna" in shp_after
    assert "History (dates of service" in shp_after and "from 2025-01-01" in shp_after


def test_review_due_marks_follow_the_build_date_and_never_fail_the_build(build_on: Pin) -> None:
    as_of = load_rulebook_dates().as_of
    build_on(as_of.isoformat())
    assert "review due" not in "".join(render_all().values())
    build_on(as_of.replace(year=as_of.year + 2).isoformat())
    rendered = render_all()
    for name in ("help-sheet-rules.md", "payer-profiles.md", "review-dates.md"):
        assert "review due" in rendered[name], name


def test_a_bad_build_date_is_refused(build_on: Pin) -> None:
    build_on("2025-02-30")
    with pytest.raises(ValueError, match="not a date of service"):
        build_date()
