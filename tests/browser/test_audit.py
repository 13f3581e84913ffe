"""The claim file audit page in Chromium: the generated file with planted errors of every
kind gets exactly those findings (as from CPython), no request carries the file, the
column map, the bad-row list, the claim builder links and the findings download."""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from calc.audit import audit_text, findings_csv
from tests.browser.conftest import Site
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from audit_file import HEADER, generate

pytestmark = pytest.mark.browser
AUDIT = "calculators/audit/"
READY_MS = 90_000


def open_audit(page: Page, site: Site) -> None:
    page.goto(site.page(AUDIT))
    expect(page.locator(".calc-widget[data-calc=audit] .calc-status")).to_have_attribute(
        "data-state", "ready", timeout=READY_MS
    )


def run(page: Page, state: str = "ok") -> dict[str, Any]:
    page.get_by_role("button", name="Check the file").click()
    box = page.locator(".calc-widget .calc-result")
    expect(box).to_have_attribute("data-state", state, timeout=READY_MS)
    return {
        "summary": json.loads(box.get_attribute("data-summary") or "null"),
        "findings": json.loads(box.get_attribute("data-findings") or "null"),
    }


def test_planted_file_gets_exactly_its_findings_and_never_leaves_the_page(
    page: Page, site: Site
) -> None:
    lines, expected = generate(1200, planted_every=10)
    text = "\n".join(lines) + "\n"
    open_audit(page, site)
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    page.locator(".calc-widget input[type=file]").set_input_files(
        {"name": "claims.csv", "mimeType": "text/csv", "buffer": text.encode()}
    )
    got = run(page)
    assert Counter(tuple(f) for f in got["findings"]) == Counter(
        (e.visit_id, e.kind) for e in expected
    )
    assert got["summary"] == audit_text(text).summary.as_dict()  # as CPython answers
    # the file never left the page: no request has a body or names a visit or patient
    assert requests, "the audit module itself is fetched on first use"
    for request in requests:
        assert request.method == "GET" and request.post_data is None, request.url
        assert "V0000" not in request.url and "P0000" not in request.url
        assert request.url.startswith(site.origin)
    # each finding links to the claim builder with its visit
    first = page.locator(".calc-audit-table tbody tr").first
    link = first.locator("a.calc-audit-open").get_attribute("href") or ""
    assert link.startswith(site.page("calculators/claim/?payer="))
    # the findings download is calc's CSV, made in the page
    with page.expect_download() as download:
        page.get_by_role("button", name="Download findings (CSV)").click()
    report = audit_text(text).as_dict()
    path = download.value.path()
    assert path.read_text(encoding="utf-8") == findings_csv(report["findings"], [])
    # nothing of the file stored (the theme keeps its own settings there)
    stored = page.evaluate(
        "JSON.stringify([{...localStorage}, {...sessionStorage}, document.cookie])"
    )
    assert "V0000" not in stored and "P0000" not in stored and "97112" not in stored


def test_filters_and_the_claim_builder_link(page: Page, site: Site) -> None:
    lines, _ = generate(300, planted_every=5)
    open_audit(page, site)
    page.locator(".calc-widget textarea").first.fill("\n".join(lines))
    run(page)
    rows = page.locator(".calc-audit-table tbody tr")
    total = rows.count()
    page.get_by_label("Severity").select_option("reminder")
    assert 0 < rows.count() < total
    assert set(rows.evaluate_all("rows => rows.map(r => r.dataset.severity)")) == {"reminder"}
    page.get_by_label("Severity").select_option("")
    page.get_by_label("Rule").select_option("units-cms")
    assert set(rows.evaluate_all("rows => rows.map(r => r.dataset.kind)")) <= {
        "units-over",
        "units-under",
    }
    rows.first.locator("a.calc-audit-open").click()
    expect(page.locator(".calc-widget[data-calc=claim] .calc-result")).to_have_attribute(
        "data-state", "ok", timeout=READY_MS
    )


def test_bad_rows_are_listed_and_their_own_column_names_can_be_mapped(
    page: Page, site: Site
) -> None:
    open_audit(page, site)
    theirs = "Claim,Member,Service Date,Plan,Prov,CPT,Mins,Qty,Mods"
    page.locator(".calc-widget textarea").first.fill(
        theirs
        + "\nC1,M1,2026-01-05,bcbsnc,dc,97112,ten,2,\nC2,M1,2026-01-06,bcbsnc,dc,97112,23,3,\n"
    )
    page.get_by_role("button", name="Check the file").click()
    box = page.locator(".calc-widget .calc-result")
    expect(box).to_have_attribute("data-error", "missing_column", timeout=READY_MS)
    for ours, their in zip(HEADER.split(",")[:9], theirs.split(","), strict=True):
        box.locator(f"select[name={ours}]").select_option(their)
    box.get_by_role("button", name="Use these columns and check again").click()
    expect(box).to_have_attribute("data-state", "ok", timeout=READY_MS)
    problem = box.locator(".calc-audit-problems tbody tr")
    expect(problem).to_have_count(1)
    assert problem.get_attribute("data-code") == "bad_minutes"
    expect(problem).to_contain_text("7 (minutes)")
    assert json.loads(box.get_attribute("data-findings") or "[]") == [["C2", "units-over"]]


def test_a_file_that_is_not_csv_gets_a_clear_message(page: Page, site: Site) -> None:
    open_audit(page, site)
    page.locator(".calc-widget input[type=file]").set_input_files(
        {"name": "claims.csv", "mimeType": "text/csv", "buffer": HEADER.replace(",", ";").encode()}
    )
    run(page, "error")
    expect(page.locator(".calc-widget .calc-result")).to_contain_text("between columns")


def test_the_audit_training_scenario_is_graded_by_the_engine(page: Page, site: Site) -> None:
    from calc import api
    from tests.browser.test_training import TRAINING, grade, open_scenario

    page.goto(site.page(f"{TRAINING}?scenario=audit-day-batch"))
    widget = open_scenario(page, "audit-day-batch")
    expect(widget).to_contain_text("C2,PT-02,2026-03-02,bcbsnc,dc,97112,30,3,GP-59")
    for kind in ("units-over", "modifier-order", "not-covered"):
        widget.locator(f"input[name=missing][value={kind}]").check()
    result = grade(widget)
    attempt = {"missing": ["units-over", "modifier-order", "not-covered"]}
    assert result == api.call("grade", {"scenario": "audit-day-batch", "attempt": attempt})
    assert result["correct"] is False
    assert {(m["id"], m["status"]) for m in result["items"]} >= {
        ("units-over", "right"),
        ("not-covered", "extra"),
        ("59-on-em", "missed"),
    }


def test_a_visit_whose_rows_are_apart_is_checked_as_one(page: Page, site: Site) -> None:
    """The worker reads the pasted text a second time for V1 (engine-audit.mjs)."""
    text = (
        HEADER
        + "\nV1,P1,2026-01-05,bcbsnc,dc,98941,,1,,,,,,"
        + "\nV2,P2,2026-01-05,bcbsnc,dc,98941,,1,,,,,,"
        + "\nV1,P1,2026-01-05,bcbsnc,dc,97112,23,3,59-GP,,,,,\n"
    )
    open_audit(page, site)
    page.locator(".calc-widget textarea").first.fill(text)
    got = run(page)
    assert got["findings"] == [["V1", "units-over"]]
    assert got["summary"] == audit_text(text).summary.as_dict()
    assert got["summary"]["split_visits"] == 1 and got["summary"]["problems"] == 0
    expect(page.locator(".calc-audit-summary")).to_contain_text(
        "1 visit had rows apart in the file: checked as one."
    )
