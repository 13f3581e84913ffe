"""Dates of service (issue 12): boundaries of every dated change, the loader checks,
bad dates, and every answer naming its date. Every test pins its dates."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calc import api
from calc._data import read_toml
from calc.changes import reviewed_entries, rule_changes
from calc.dates import Period, load_rulebook_dates, parse_dos
from calc.errors import CalcError
from calc.parameters import parse_parameters
from calc.payers import parse_payers

DAY = dt.timedelta(days=1)


def claim(payer: str, lines: str, dos: str, **extra: Any) -> dict[str, Any]:
    out = api.call("claim", {"payer": payer, "lines": lines, "dos": dos, **extra})
    assert "error" not in out, out
    return out


def codes_warned(out: dict[str, Any]) -> list[str]:
    return [w["message"] for w in out["warnings"]]


# --- the changes the issue names, on the day before, the day of and the day after ----


@pytest.mark.parametrize(
    ("dos", "aetna_era"),
    [("2024-12-31", False), ("2025-01-01", True), ("2025-01-02", True), ("2024-06-01", False)],
)
def test_shp_answer_follows_the_administrator_change(dos: str, aetna_era: bool) -> None:
    """Source: State Health Plan, Aetna TPA from 2025-01-01 (shpnc.org)."""
    out = claim("nc-shp", "98941,97112:38", dos)
    assert out["date_of_service"]["date"] == dos
    assert [line["display"] for line in out["lines"]] == ["98941 × 1", "97112-59-GP × 3"]
    verify = [n["message"] for n in out["notes"] if n["code"] == "payer-verify"]
    if aetna_era:
        assert out["confidence"] == "verify"
        assert verify and "Aetna" in verify[0]
    else:
        bcbsnc = claim("bcbsnc", "98941,97112:38", dos)
        assert not any("Aetna" in v for v in verify)
        assert out["confidence"] == bcbsnc["confidence"]
        assert any("administrator" in c["text"] for c in out["date_of_service"]["changes"]) == (
            dos == "2024-12-31"
        )


@pytest.mark.parametrize(
    ("dos", "warned"), [("2024-11-30", False), ("2024-12-01", True), ("2024-12-02", True)]
)
def test_bcbsnc_97012_non_coverage_and_prior_authorization(dos: str, warned: bool) -> None:
    """Source: HNS news 10/31/2024 (BCBSNC fully insured, DOS from 12/1/2024)."""
    out = claim("bcbsnc", "98941,97012,97112:23", dos)
    messages = codes_warned(out)
    assert any("non-covered" in m for m in messages) == warned
    assert any("prior authorization" in m for m in messages) == warned
    prior = [w for w in out["warnings"] if "prior authorization" in w["message"]]
    assert all("97112" in w["lines"] for w in prior)


@pytest.mark.parametrize(
    ("dos", "amount"),
    [
        ("2023-12-31", None),
        ("2024-01-01", "$2,330"),
        ("2024-12-31", "$2,330"),
        ("2025-01-01", "$2,410"),
        ("2025-12-31", "$2,410"),
        ("2026-01-01", "$2,480"),
        ("2026-12-31", "$2,480"),
        ("2027-01-01", None),
    ],
)
def test_kx_threshold_by_year(dos: str, amount: str | None) -> None:
    """Sources: NGS CY 2024 ($2,330); secondary sources for 2025 and 2026."""
    out = claim("medicare", "97112:38", dos, provider="pt")
    (kx,) = [n for n in out["notes"] if n["code"] == "medicare-kx-threshold"]
    if amount is None:
        assert "no amount is recorded" in kx["message"] and kx["confidence"] == "verify"
    else:
        assert amount in kx["message"]
        assert kx["confidence"] == ("high" if amount == "$2,330" else "medium")
        assert any(amount in a["what"] for a in out["date_of_service"]["applied"])


@pytest.mark.parametrize(
    ("dos", "gp"), [("2020-06-30", False), ("2020-07-01", True), ("2020-07-02", True)]
)
def test_uhc_gp_on_always_therapy_from_2020_07_01(dos: str, gp: bool) -> None:
    """Source: UnitedHealthcare commercial PM&R policy (DOS on or after July 1, 2020)."""
    out = claim("uhc", "97112:23", dos)
    assert ("GP" in out["lines"][0]["modifiers"]) == gp
    assert out["date_of_service"]["warnings"], "before the covered range: warned"


# --- every answer names its date --------------------------------------------------------


def test_answers_name_their_date_or_the_default() -> None:
    as_of = load_rulebook_dates().as_of.isoformat()
    for name, request in (
        ("units", {"lines": "97112:24"}),
        ("claim", {"payer": "bcbsnc", "lines": "97112:24"}),
        ("review", {"minutes": 24}),
    ):
        given = api.call(name, {**request, "dos": "2025-03-04"})
        assert (
            given["date_of_service"]["date"] == "2025-03-04" and given["date_of_service"]["given"]
        )
        assert given["steps"][0].startswith("Date of service: 2025-03-04.")
        default = api.call(name, request)
        block = default["date_of_service"]
        assert block["date"] == as_of and block["given"] is False
        assert "No date of service was given" in block["statement"]


def test_changes_within_90_days_are_listed() -> None:
    out = claim("nc-shp", "97112:23", "2025-03-31")  # 89 days after 2025-01-01
    assert any(
        c["said"].startswith("Changed on 2025-01-01") for c in out["date_of_service"]["changes"]
    )
    out = claim("nc-shp", "97112:23", "2025-04-02")  # 91 days after
    assert not any(c["on"] == "2025-01-01" for c in out["date_of_service"]["changes"])


def test_dates_outside_the_covered_range_are_warned() -> None:
    book = load_rulebook_dates()
    for day, warned in (
        (book.covered_from - DAY, True),
        (book.covered_from, False),
        (book.reviewed_until, False),
        (book.reviewed_until + DAY, True),
    ):
        out = claim("commercial", "97112:23", day.isoformat())
        assert bool(out["date_of_service"]["warnings"]) == warned, day
        assert ("date-coverage" in {w["code"] for w in out["warnings"]}) == warned


# --- bad dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    ["2025-02-30", "12/01/2025", "1989-12-31", "2101-01-01", "2025-1-1", "tomorrow", 20250101],
)
def test_bad_dates_are_refused(bad: object) -> None:
    for name, request in (
        ("units", {"lines": "97112:24"}),
        ("claim", {"payer": "bcbsnc", "lines": "97112:24"}),
        ("review", {"minutes": 24}),
    ):
        assert api.call(name, {**request, "dos": bad})["error"]["code"] == "bad_date"


def test_cli_bad_date_exits_2_with_one_error_line() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "calc",
            "claim",
            "--payer",
            "bcbsnc",
            "97112=23",
            "--dos",
            "2025-02-30",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error: '2025-02-30'") and proc.stderr.count("\n") == 1


def test_cli_states_today_when_no_date_is_given() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "calc", "units", "97112=23", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    block = json.loads(proc.stdout)["date_of_service"]
    assert block["cli_note"] == "today: no --dos was given"
    assert (
        block["date"] == dt.date.today().isoformat()
        or block["date"] == (dt.date.today() - DAY).isoformat()
    )  # the test may straddle midnight


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_real_date_in_range_is_read_back(day: dt.date) -> None:
    assert parse_dos(day.isoformat()) == day


# --- the loader checks -------------------------------------------------------------------------


def test_overlapping_payer_periods_are_refused_naming_the_entry() -> None:
    data = copy.deepcopy(read_toml("payers.toml"))
    shp = next(p for p in data["payer"] if p["id"] == "nc-shp")
    shp["period"][1]["from"] = dt.date(2024, 12, 31)
    with pytest.raises(CalcError, match=r"payers.toml, payer 'nc-shp': period 1 .* overlap"):
        parse_payers("payers.toml", data)


def test_reversed_periods_are_refused() -> None:
    data = copy.deepcopy(read_toml("payers.toml"))
    note = data["payer"][0]["code_note"][0]
    note["until"] = dt.date(2024, 11, 30)
    with pytest.raises(CalcError, match="code_note 1: 'until' 2024-11-30 is before 'from'"):
        parse_payers("payers.toml", data)


def test_overlapping_amounts_are_refused() -> None:
    data = copy.deepcopy(read_toml("parameters.toml"))
    data["parameter"][0]["value"][1]["from"] = dt.date(2024, 12, 31)
    with pytest.raises(CalcError, match=r"value 1 .* and value 2 .* overlap"):
        parse_parameters("parameters.toml", data)


def test_kx_values_leave_no_gap() -> None:
    values = parse_parameters("parameters.toml", read_toml("parameters.toml")).parameters[0].values
    for before, after in itertools.pairwise(values):
        assert before.period.end is not None and after.period.start == before.period.end + DAY


def test_as_of_is_not_older_than_any_review() -> None:
    as_of = load_rulebook_dates().as_of
    assert max(e.reviewed for e in reviewed_entries()) <= as_of


@given(st.dates(), st.dates(), st.dates())
def test_period_overlap_is_symmetric(a: dt.date, b: dt.date, c: dt.date) -> None:
    p, q = Period(min(a, b), max(a, b)), Period(c, None)
    assert p.overlaps(q) == q.overlaps(p)
    assert p.overlaps(q) == any(q.contains(d) for d in (p.start, p.end) if d) or (
        p.start is not None and p.end is not None and p.start <= c <= p.end
    )


def test_changes_newest_first_and_since() -> None:
    found = rule_changes()
    assert [c.on for c in found] == sorted((c.on for c in found), reverse=True)
    since = api.call("changes", {"since": "2025-01-01"})["changes"]
    assert {c["on"] for c in since} == {"2025-01-01", "2026-01-01"}
    assert api.call("changes", {"since": "2025-13-01"})["error"]["code"] == "bad_date"


def test_review_due_after_twelve_months() -> None:
    oldest = min(e.reviewed for e in reviewed_entries())
    newest = max(e.reviewed for e in reviewed_entries())
    assert api.call("due", {"on": oldest.replace(year=oldest.year + 1).isoformat()})["due"] == []
    last = newest.replace(year=newest.year + 1) + DAY
    assert len(api.call("due", {"on": last.isoformat()})["due"]) == len(reviewed_entries())
