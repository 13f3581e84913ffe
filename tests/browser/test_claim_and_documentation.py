"""The claim builder and the documentation review in Chromium, through their forms and
(claim) deep links. Expected answers: the HNS seed's BCBSNC + CMT case (97112-59-GP, 59
first) and the complete record of tests/golden/documentation_complete.json, compared
with what CPython's calc.api answers for the same input."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Locator, Page, Request, expect

from calc import api
from tests.browser.conftest import Site
from tests.conftest import golden

pytestmark = pytest.mark.browser
CLAIM = "calculators/claim/"
REVIEW = "calculators/documentation/"
READY_MS = 60_000


def answer(page: Page, state: str = "ok") -> dict[str, Any]:
    box = page.locator(".calc-widget .calc-result")
    expect(box).to_have_attribute("data-state", state, timeout=READY_MS)
    data: dict[str, Any] = json.loads(box.get_attribute("data-result") or "null")
    return data


def dos_of(result: dict[str, Any]) -> str:
    """The date the page sent: today's, unless the link said otherwise (test_dates.py)."""
    date: str = result["date_of_service"]["date"]
    return date


def claim_lines(page: Page) -> list[str]:
    return page.locator(".calc-widget .calc-claim-line").all_text_contents()


def test_claim_through_its_form(page: Page, site: Site) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(site.page(CLAIM))
    widget = page.locator(".calc-widget[data-calc=claim]")
    payer = widget.get_by_label("Payer")
    expect(payer.locator("option[value=bcbsnc]")).to_have_count(1, timeout=READY_MS)
    payer.select_option("bcbsnc")
    rows = widget.locator(".calc-row")
    rows.nth(0).locator("[name=code]").fill("98941")
    rows.nth(1).locator("[name=code]").fill("97112")
    rows.nth(1).locator("[name=minutes]").fill("23")
    widget.get_by_role("button", name="Build the claim").click()
    page.wait_for_function(
        "() => (document.querySelector('.calc-result') || {}).dataset?.result?.includes('23')"
    )
    result = answer(page)
    assert [line["display"] for line in result["lines"]] == ["98941 × 1", "97112-59-GP × 2"]
    assert result == api.call(
        "claim", {"payer": "bcbsnc", "lines": "98941,97112:23", "dos": dos_of(result)}
    )
    assert claim_lines(page) == ["98941 × 1", "97112-59-GP × 2"]
    # the engine's copy formats (issue 14): a PM system's, tab-separated, and as shown
    for button, text in [
        ("Copy for the PM system", "98941 1\n97112 59 GP 2"),
        ("Copy tab-separated", "98941\t\t\t\t\t1\n97112\t59\tGP\t\t\t2"),
        ("Copy as shown", "98941 × 1\n97112-59-GP × 2"),
    ]:
        widget.get_by_role("button", name=button).click()
        assert page.evaluate("navigator.clipboard.readText()") == text
    widget.get_by_role("button", name="Copy link").click()
    link = page.evaluate("navigator.clipboard.readText()")
    # the copied link pins the date of service (today's, from the field)
    want = f"?payer=bcbsnc&lines=98941,97112:23&dos={dos_of(result)}"
    assert link == site.page(CLAIM + want)
    # the same-region answer: the therapy is left off, with the reason shown
    widget.get_by_label("Every therapy treated the same body region", exact=False).check()
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('.calc-result').dataset.result)"
        ".not_billed.length === 1"
    )
    assert claim_lines(page) == ["98941 × 1"]
    expect(widget.locator(".calc-not-billed")).to_contain_text("not separately reportable")


def test_claim_through_deep_links(page: Page, site: Site) -> None:
    page.goto(site.page(CLAIM + "?payer=bcbsnc&lines=98941,97112:23"))
    result = answer(page)
    assert claim_lines(page) == ["98941 × 1", "97112-59-GP × 2"]
    assert result == api.call(
        "claim", {"payer": "bcbsnc", "lines": "98941,97112:23", "dos": dos_of(result)}
    )
    # the form shows the link's inputs
    widget = page.locator(".calc-widget")
    expect(widget.get_by_label("Payer")).to_have_value("bcbsnc")
    # every source and confidence flag the engine gave is on the page
    for note in result["notes"] + result["warnings"]:
        expect(widget.locator(".calc-result")).to_contain_text(note["source"])
    # the claim's mark is that of its least sure line: GP on 97112 rests on Blue Cross
    # NC's profile (medium); the payer's verify note is folded with the background
    expect(widget.locator(".calc-answer .badge-medium")).to_be_visible()
    expect(widget.locator(".calc-more-notes .badge-verify").first).to_be_attached()

    link = "?payer=bcbsnc&lines=98941,97112:23&same_region=1&phase=initial&provider=dc"
    page.goto(site.page(CLAIM + link))
    result = answer(page)
    assert [x["code"] for x in result["not_billed"]] == ["97112"]
    expect(
        widget.get_by_label("Every therapy treated the same body region", exact=False)
    ).to_be_checked()
    expect(widget.get_by_label("Phase of care")).to_have_value("initial")

    page.goto(site.page(CLAIM + "?payer=medicare&lines=98941,97112:23"))
    result = answer(page)
    assert claim_lines(page) == [line["display"] for line in result["lines"]]
    assert any(line["excluded"] for line in result["lines"])
    expect(widget.locator(".calc-excluded")).to_have_count(1)

    # Medicare maintenance CMT with an ABN: GA, from the link and then from the form
    page.goto(site.page(CLAIM + "?payer=medicare&lines=98941&care=maintenance&abn=1"))
    result = answer(page)
    assert claim_lines(page) == ["98941-GA × 1"]
    assert result == api.call(
        "claim",
        {
            "payer": "medicare",
            "lines": "98941",
            "care": "maintenance",
            "abn": "1",
            "dos": dos_of(result),
        },
    )
    widget.get_by_label("The patient signed the ABN for the maintenance CMT", exact=False).uncheck()
    page.wait_for_function(
        "() => document.querySelector('.calc-claim-line')?.textContent === '98941-GZ × 1'"
    )
    widget.get_by_label("The CMT is maintenance care", exact=False).uncheck()
    page.wait_for_function(
        "() => document.querySelector('.calc-claim-line')?.textContent === '98941-AT × 1'"
    )


def test_claim_hostile_link_is_text(page: Page, site: Site) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    hostile = quote("<img src=x onerror=alert(1)>")
    page.goto(site.page(f"{CLAIM}?payer={hostile}&lines=97112:23&phase={hostile}"))
    result = answer(page, state="error")
    expect(page.locator(".calc-widget .calc-result")).to_contain_text(result["error"]["message"])
    assert page.locator(".calc-widget img").count() == 0
    # the payer list shows the link's value as text, not as markup
    expect(page.locator(".calc-widget select option").first).to_have_text(
        "<img src=x onerror=alert(1)>", timeout=READY_MS
    )
    page.wait_for_timeout(200)
    assert dialogs == []


def fill_record(form: Locator, record: dict[str, Any]) -> None:
    """Type a record into the review form as a person would, field by field, using the
    labels the engine gives (calc.api "checklist")."""
    fields = {f["name"]: f for f in api.call("checklist", {})["fields"]}
    for name, value in record.items():
        field = fields[name]
        label, kind = field["label"], field["kind"]
        if kind == "choices":
            group = form.locator("fieldset", has=form.page.locator(f"legend:text-is('{label}')"))
            for choice in value:
                group.get_by_label(choice, exact=True).check()
        elif kind == "codes":
            group = form.locator("fieldset.calc-codes")
            for i, line in enumerate(value):
                if i:
                    group.get_by_role("button", name="Add code").click()
                row = group.locator(".calc-row").nth(i)
                row.locator("[name=code]").fill(line["code"])
                if "minutes" in line:
                    row.locator("[name=minutes]").fill(str(line["minutes"]))
        elif kind == "yes-no":
            if value:
                form.get_by_label(label, exact=True).check()
        elif kind == "choice":
            form.get_by_label(label, exact=True).select_option(value)
        elif kind == "list":
            form.get_by_label(label, exact=True).fill("\n".join(value))
        else:
            form.get_by_label(label, exact=True).fill(str(value))


def test_documentation_review_of_a_complete_record(page: Page, site: Site) -> None:
    record = golden("documentation_complete.json")["record"]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    requests: list[Request] = []
    page.goto(site.page(REVIEW))
    widget = page.locator(".calc-widget[data-calc=documentation]")
    expect(widget.locator(".calc-privacy")).to_contain_text("No patient identifiers")
    expect(widget).to_have_class(re.compile("calc-form-ready"), timeout=READY_MS)
    page.on("request", lambda r: requests.append(r))

    form = widget.locator("form")
    fill_record(form, record)
    widget.get_by_role("button", name="Review").click()
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('.calc-result').dataset.result).passed === true",
        timeout=READY_MS,
    )
    result = answer(page)
    # the page sends the date of service of its date field: today, the browser's date
    assert result == api.call("review", {**record, "dos": result["date_of_service"]["date"]})
    assert result["date_of_service"]["given"] and result["counts"]["missing"] == 0
    statuses = widget.locator(".calc-checklist li")
    assert statuses.count() == len(result["items"])
    expect(widget.locator(".calc-summary")).to_have_text(result["summary"])
    widget.get_by_role("button", name="Copy summary").click()
    assert page.evaluate("navigator.clipboard.readText()") == result["summary"]
    # nothing is sent anywhere (the browser may still fetch the favicon), nor kept
    sent = [
        (r.method, r.url)
        for r in requests
        if r.method != "GET" or r.post_data or urlsplit(r.url).query or r.resource_type == "fetch"
    ]
    assert sent == []
    stored = page.evaluate(
        "JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})"
    )
    assert record["functional_goal"] not in stored
    assert "?" not in page.url


def test_documentation_review_says_what_is_missing(page: Page, site: Site) -> None:
    page.goto(site.page(REVIEW))
    widget = page.locator(".calc-widget[data-calc=documentation]")
    expect(widget).to_have_class(re.compile("calc-form-ready"), timeout=READY_MS)
    widget.get_by_label("Sets", exact=True).fill("-3")
    widget.get_by_role("button", name="Review").click()
    result = answer(page, state="error")
    expect(widget.locator(".calc-result")).to_contain_text(result["error"]["message"])
    widget.get_by_label("Sets", exact=True).fill("3")
    widget.get_by_label("Functional goal", exact=True).fill("walk to the mailbox")
    widget.get_by_role("button", name="Review").click()
    page.wait_for_function(
        "() => document.querySelector('.calc-result').dataset.state === 'ok'", timeout=READY_MS
    )
    result = answer(page)
    entered = {"sets": "3", "functional_goal": "walk to the mailbox"}
    assert result == api.call("review", {**entered, "dos": result["date_of_service"]["date"]})
    missing = widget.locator(".calc-checklist li[data-status=missing]")
    assert missing.count() == result["counts"]["missing"] > 0
    met = widget.locator(".calc-checklist li[data-item=functional-goal]")
    expect(met).to_have_attribute("data-status", "met")
    # the missing items come first, before the checklist groups (issue 14)
    first = widget.locator(".calc-result > *").nth(1)
    expect(first).to_have_class(re.compile("calc-missing"))
    listed = first.locator("li").evaluate_all("items => items.map(i => i.dataset.item)")
    assert listed == [i["id"] for i in result["items"] if i["status"] == "missing"]
    # no units billed: the minutes cannot be held against them, so that item is not met
    minutes_units = widget.locator(".calc-checklist li[data-item=minutes-match-units]")
    expect(minutes_units).to_have_attribute("data-status", "missing")


def test_documentation_review_of_an_empty_form_says_so(page: Page, site: Site) -> None:
    """Review on an empty form: a message and the focus on the first field, no review."""
    page.goto(site.page(REVIEW))
    widget = page.locator(".calc-widget[data-calc=documentation]")
    expect(widget).to_have_class(re.compile("calc-form-ready"), timeout=READY_MS)
    box = widget.locator(".calc-result")
    expect(box).to_have_attribute("data-state", "empty")
    expect(box).to_contain_text("Enter what the visit note shows")
    widget.get_by_role("button", name="Review").click()
    error = answer(page, state="error")["error"]
    assert error["code"] == "empty_record"
    expect(box).to_contain_text("Nothing to review yet")
    assert widget.locator(".calc-checklist").count() == 0
    focused = page.evaluate("document.activeElement.closest('.calc-form') !== null")
    assert focused and page.evaluate("document.activeElement.tagName") != "BUTTON"
