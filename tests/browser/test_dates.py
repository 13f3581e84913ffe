"""The date of service in Chromium (issue 12): the field in the units calculator, the
claim builder and the documentation review starts at today's local date and says so,
dos= links pin the date, the answer names its date, and a bad date gets the engine's
message beside the field. The review's address keeps its date, never its record.
Cases: State Health Plan administrator change (shpnc.org, 2025-01-01); Blue Cross NC
97012/97014 (HNS news, DOS from 2024-12-01)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from calc import api
from tests.browser.conftest import Site

pytestmark = pytest.mark.browser
READY_MS = 60_000
UNITS = "calculators/units/"
CLAIM = "calculators/claim/"
REVIEW = "calculators/documentation/"
GOAL = "walk to the mailbox"


def result_of(page: Page, calc: str, state: str = "ok") -> dict[str, Any]:
    box = page.locator(f".calc-widget[data-calc={calc}] .calc-result")
    expect(box).to_have_attribute("data-state", state, timeout=READY_MS)
    data: dict[str, Any] = json.loads(box.get_attribute("data-result") or "null")
    return data


def browser_today(page: Page) -> str:
    today: str = page.evaluate(
        "() => { const d = new Date(); const p = (n) => String(n).padStart(2, '0');"
        " return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`; }"
    )
    return today


def test_units_field_defaults_to_today_and_the_answer_names_it(page: Page, site: Site) -> None:
    page.goto(site.page(UNITS + "?lines=97112:24"))
    today = browser_today(page)
    field = page.get_by_label("Date of service")
    expect(field).to_have_value(today)
    expect(page.locator(".calc-dos .calc-hint")).to_contain_text("today")
    result = result_of(page, "units")
    assert result["date_of_service"]["date"] == today and result["date_of_service"]["given"]
    assert result == api.call("units", {"lines": "97112:24", "dos": today})
    expect(page.locator(".calc-dos-statement")).to_have_text(
        f"Date of service: {today}. The answer uses the rules in force on that day."
    )


def test_units_link_with_dos_and_the_copied_link_keep_it(page: Page, site: Site) -> None:
    page.goto(site.page(UNITS + "?lines=97112:24&dos=2025-01-01"))
    expect(page.get_by_label("Date of service")).to_have_value("2025-01-01")
    assert result_of(page, "units")["date_of_service"]["date"] == "2025-01-01"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy link").click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "dos=2025-01-01" in copied and "lines=97112:24" in copied


@pytest.mark.parametrize(
    ("dos", "aetna"), [("2024-12-31", False), ("2025-01-01", True)], ids=["bcbsnc-era", "aetna"]
)
def test_claim_shp_by_date(page: Page, site: Site, dos: str, aetna: bool) -> None:
    page.goto(site.page(CLAIM + f"?payer=nc-shp&lines=98941,97112:38&dos={dos}"))
    result = result_of(page, "claim")
    assert result == api.call("claim", {"payer": "nc-shp", "lines": "98941,97112:38", "dos": dos})
    widget = page.locator(".calc-widget[data-calc=claim]")
    expect(widget.locator(".calc-dos-statement")).to_contain_text(f"Date of service: {dos}.")
    applied = widget.locator(".calc-dos-applied").inner_text()
    assert ("(from 2025-01-01)" in applied) == aetna and ("(until 2024-12-31)" in applied) != aetna
    verify = [n["message"] for n in result["notes"] if n["code"] == "payer-verify"]
    assert any("Aetna" in v for v in verify) == aetna
    changes = widget.locator(".calc-dos-changes").inner_text()
    assert ("Changes on 2025-01-01" if not aetna else "Changed on 2025-01-01") in changes


def test_claim_date_field_changes_the_answer(page: Page, site: Site) -> None:
    page.goto(site.page(CLAIM + "?payer=bcbsnc&lines=98941,97012,97112:23&dos=2024-11-30"))
    widget = page.locator(".calc-widget[data-calc=claim]")
    result = result_of(page, "claim")
    assert not any("non-covered" in w["message"] for w in result["warnings"])
    field = page.get_by_label("Date of service")
    field.fill("2024-12-01")
    field.press("Enter")
    page.wait_for_function(
        "() => (document.querySelector('.calc-result').dataset.result || '')"
        '.includes(\'"date":"2024-12-01"\')',
        timeout=READY_MS,
    )
    result = result_of(page, "claim")
    assert result["date_of_service"]["date"] == "2024-12-01"
    assert any("non-covered" in w["message"] for w in result["warnings"])
    expect(widget.locator(".calc-result")).to_contain_text("non-covered")


@pytest.mark.parametrize("bad", ["2025-02-30", "12/01/2025", "1989-01-01"])
def test_a_bad_date_is_explained_beside_the_field(page: Page, site: Site, bad: str) -> None:
    page.goto(site.page(CLAIM + f"?payer=bcbsnc&lines=97112:23&dos={bad}"))
    result = result_of(page, "claim", state="error")
    assert result["error"]["code"] == "bad_date"
    field = page.get_by_label("Date of service")
    expect(field).to_have_value(bad)
    expect(field).to_have_attribute("aria-invalid", "true")
    error = page.locator(".calc-dos .calc-field-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(result["error"]["message"])
    # corrected: the message goes
    field.fill("2025-02-28")
    field.press("Enter")
    result_of(page, "claim")
    expect(error).to_be_hidden()
    expect(field).not_to_have_attribute("aria-invalid", "true")


def test_a_link_without_dos_uses_today(page: Page, site: Site) -> None:
    page.goto(site.page(CLAIM + "?payer=bcbsnc&lines=98941,97112:23"))
    today = browser_today(page)
    expect(page.get_by_label("Date of service")).to_have_value(today)
    result = result_of(page, "claim")
    assert result == api.call("claim", {"payer": "bcbsnc", "lines": "98941,97112:23", "dos": today})


def review_ready(page: Page, address: str) -> Locator:
    page.goto(address)
    widget = page.locator(".calc-widget[data-calc=documentation]")
    expect(widget).to_have_class(re.compile("calc-form-ready"), timeout=READY_MS)
    return widget


def test_documentation_date_field_defaults_to_today_and_the_answer_names_it(
    page: Page, site: Site
) -> None:
    widget = review_ready(page, site.page(REVIEW))
    today = browser_today(page)
    field = widget.get_by_label("Date of service")
    expect(field).to_have_value(today)
    expect(widget.locator(".calc-dos .calc-hint")).to_contain_text("today")
    widget.get_by_label("Functional goal", exact=True).fill(GOAL)
    widget.get_by_role("button", name="Review").click()
    result = result_of(page, "documentation")
    assert result == api.call("review", {"functional_goal": GOAL, "dos": today})
    expect(widget.locator(".calc-dos-statement")).to_have_text(
        f"Date of service: {today}. The answer uses the rules in force on that day."
    )
    assert "?" not in page.url  # an undated page with today's date stays undated


def test_documentation_link_with_dos_and_the_address_keeps_only_the_date(
    page: Page, site: Site
) -> None:
    """calc/data/rulebook.toml: covered from 2024-01-01, so 2023-06-05 gets the warning."""
    widget = review_ready(page, site.page(REVIEW + "?dos=2023-06-05"))
    field = widget.get_by_label("Date of service")
    expect(field).to_have_value("2023-06-05")
    widget.get_by_label("Functional goal", exact=True).fill(GOAL)
    widget.get_by_role("button", name="Review").click()
    result = result_of(page, "documentation")
    assert result == api.call("review", {"functional_goal": GOAL, "dos": "2023-06-05"})
    (warning,) = result["date_of_service"]["warnings"]
    expect(widget.locator(".calc-dos-warning")).to_contain_text(warning)
    field.fill("2025-03-03")
    field.press("Enter")
    page.wait_for_function(
        "() => (document.querySelector('.calc-result').dataset.result || '')"
        '.includes(\'"date":"2025-03-03"\')',
        timeout=READY_MS,
    )
    assert result_of(page, "documentation")["date_of_service"]["warnings"] == []
    expect(widget.locator(".calc-dos-warning")).to_have_count(0)
    # the address carries the date and nothing of the record
    query = urlsplit(page.url).query
    assert query == "dos=2025-03-03"
    # Clear empties the record and keeps the date
    widget.get_by_role("button", name="Clear").click()
    expect(widget.get_by_label("Functional goal", exact=True)).to_have_value("")
    expect(field).to_have_value("2025-03-03")


def test_documentation_bad_date_is_explained_beside_the_field(page: Page, site: Site) -> None:
    widget = review_ready(page, site.page(REVIEW + "?dos=2025-02-30"))
    widget.get_by_label("Functional goal", exact=True).fill(GOAL)
    widget.get_by_role("button", name="Review").click()
    result = result_of(page, "documentation", state="error")
    assert result["error"]["code"] == "bad_date"
    field = widget.get_by_label("Date of service")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(widget.locator(".calc-dos .calc-field-error")).to_have_text(result["error"]["message"])
