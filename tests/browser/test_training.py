"""The training page in Chromium: answers typed into the form are graded exactly as
CPython's calc.api "grade" grades them (a right answer right, a wrong answer wrong), deep
links open the named scenario, an unknown or hostile id is shown as text, the session's
score counts first answers, nothing is stored or sent; and the trainer's key prints with
the page breaks between scenarios."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, Request, expect

from calc import api
from tests.browser.conftest import Site

pytestmark = pytest.mark.browser
TRAINING = "training/"
READY_MS = 60_000
LISTED = api.call("scenarios", {"answers": False})["scenarios"]
SCENARIOS = [s["id"] for s in LISTED]


def open_scenario(page: Page, scenario: str) -> Locator:
    """Wait for the scenario on screen; return the widget."""
    widget = page.locator(".calc-widget[data-calc=training]")
    area = widget.locator(".calc-training-scenario")
    expect(area).to_have_attribute("data-scenario", scenario, timeout=READY_MS)
    expect(area).to_have_attribute("data-state", "ok")
    return widget


def grade(widget: Locator) -> dict[str, Any]:
    """Submit the answer; the engine's grade, from the result's data-result."""
    box = widget.locator(".calc-result")
    widget.get_by_role("button", name="Check my answer").click()
    expect(box).to_have_attribute("data-state", re.compile("ok|error"), timeout=READY_MS)
    data: dict[str, Any] = json.loads(box.get_attribute("data-result") or "null")
    return data


def answer_line(widget: Locator, code: str, units: str, modifiers: str | None = None) -> None:
    row = widget.locator(f".calc-row[data-code='{code}']")
    row.get_by_label(f"Units for {code}").fill(units)
    if modifiers is not None:
        row.get_by_label(f"Modifiers for {code}").fill(modifiers)


def score(widget: Locator) -> tuple[str | None, str | None]:
    box = widget.locator(".calc-training-score")
    return box.get_attribute("data-right"), box.get_attribute("data-tried")


def test_right_and_wrong_answers_are_graded_as_the_engine_grades(page: Page, site: Site) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    first = "bcbsnc-cmt-97112"
    page.goto(site.page(f"{TRAINING}?scenario={first}"))
    widget = open_scenario(page, first)
    requests: list[Request] = []
    page.on("request", lambda r: requests.append(r))
    storage = "JSON.stringify([{...localStorage}, {...sessionStorage}, document.cookie])"
    stored_before = page.evaluate(storage)  # Material's own: the colour scheme
    expect(widget.locator(".calc-training-title")).to_have_text(
        api.call("scenarios", {"scenario": first})["scenarios"][0]["title"]
    )
    assert score(widget) == ("0", "0")

    # the HNS seed's case, answered right: 98941 × 1, 97112-59-GP × 2
    answer_line(widget, "98941", "1", "")
    answer_line(widget, "97112", "2", "59-GP")
    result = grade(widget)
    attempt = {
        "lines": [
            {"code": "98941", "units": "1"},
            {"code": "97112", "units": "2", "modifiers": "59-GP"},
        ]
    }
    assert result == api.call("grade", {"scenario": first, "attempt": attempt})
    assert result["correct"] is True
    marks = widget.locator(".calc-marks > li")
    expect(marks).to_have_count(2)
    assert marks.evaluate_all("els => els.map(e => e.dataset.status)") == ["right", "right"]
    expect(widget.locator(".calc-verdict")).to_contain_text("All right")
    expect(widget.locator(".calc-learning-point")).to_contain_text(result["learning_point"])
    assert score(widget) == ("1", "1")

    # a second try at the same scenario does not change the score
    answer_line(widget, "97112", "1", "GP-59")
    again = grade(widget)
    assert again["correct"] is False and score(widget) == ("1", "1")

    # the next scenario, answered wrong: units only, no modifiers
    widget.get_by_role("button", name="Next scenario").click()
    second = SCENARIOS[SCENARIOS.index(first) + 1]
    widget = open_scenario(page, second)
    # the address follows (Material's navigation.tracking may add the section's #anchor)
    assert page.url.split("#")[0] == site.page(f"{TRAINING}?scenario={second}")
    codes = api.call("scenarios", {"scenario": second})["scenarios"][0]["codes"]
    for code in codes:
        answer_line(widget, code["code"], "1", "")
    result = grade(widget)
    attempt = {"lines": [{"code": c["code"], "units": "1"} for c in codes]}
    assert result == api.call("grade", {"scenario": second, "attempt": attempt})
    assert result["correct"] is False
    wrong = [m for m in result["lines"] if not m["right"]]
    assert wrong
    for mark in wrong:  # each wrong answer: marked, with what was expected
        item = widget.locator(f".calc-marks > li[data-code='{mark['code']}']")
        expect(item).to_have_attribute("data-status", mark["status"])
        expect(item).to_contain_text(mark["message"])
    assert score(widget) == ("1", "2")
    expect(widget.locator(".calc-training-score")).to_contain_text("1 of 2 scenarios")

    # a link within the page (table of contents) leaves the widget as it is
    page.locator(".md-sidebar--secondary a[href$='#grading']").first.click()
    expect(widget.locator(".calc-result")).to_have_attribute("data-state", "ok")
    expect(widget.locator(".calc-training-scenario")).to_have_attribute("data-scenario", second)

    widget.get_by_role("button", name="Copy link").click()
    assert page.evaluate("navigator.clipboard.readText()") == site.page(
        f"{TRAINING}?scenario={second}"
    )
    # nothing stored, nothing sent (the page fetches nothing with the answers)
    assert page.evaluate(storage) == stored_before
    # (Material fetches this page again, by its address, on the first link followed
    # within it: that request carries the scenario's id, never an answer)
    this_page = site.page(f"{TRAINING}?scenario=")
    sent = [
        (r.method, r.url)
        for r in requests
        if r.method != "GET"
        or r.post_data
        or (urlsplit(r.url).query and not r.url.startswith(this_page))
    ]
    assert sent == []
    assert dialogs == []


def test_deep_links_and_the_other_kinds_of_scenario(page: Page, site: Site) -> None:
    review = "review-no-goal-no-volume"
    page.goto(site.page(f"{TRAINING}?scenario={review}"))
    widget = open_scenario(page, review)
    expect(widget.get_by_label("Scenario", exact=True)).to_have_value(review)
    missing = api.call("scenarios", {"scenario": review})["scenarios"][0]["answer"]["missing"]
    for item in missing:
        widget.locator(f"label[data-item='{item['id']}'] input").check()
    result = grade(widget)
    attempt = {"missing": [i["id"] for i in missing]}
    assert result == api.call("grade", {"scenario": review, "attempt": attempt})
    assert result["correct"] is True

    # a units scenario chosen from the list, with a code marked "not billed"
    units = "cms-example-4"
    widget.get_by_label("Scenario", exact=True).select_option(units)
    widget = open_scenario(page, units)
    expect(widget.get_by_label("Modifiers for 97110")).to_have_count(0)  # units only
    for code, n in (("97110", "1"), ("97140", "1"), ("97116", "1")):
        answer_line(widget, code, n)
    widget.locator(".calc-row[data-code='97035']").get_by_label("Not billed").check()
    expect(widget.get_by_label("Units for 97035")).to_be_disabled()
    result = grade(widget)
    attempt = {
        "lines": [
            {"code": "97110", "units": "1"},
            {"code": "97140", "units": "1"},
            {"code": "97116", "units": "1"},
            {"code": "97035", "units": 0},
        ]
    }
    assert result == api.call("grade", {"scenario": units, "attempt": attempt})
    assert result["correct"] is True
    assert score(widget) == ("2", "2")

    # the page's own list of scenarios links to each: the widget opens the one clicked,
    # and the session's score stays
    last = next(s["id"] for s in reversed(LISTED) if s["kind"] not in ("review", "audit"))
    page.locator(f"article a[href$='?scenario={last}']").click()
    widget = open_scenario(page, last)
    assert page.url.split("#")[0] == site.page(f"{TRAINING}?scenario={last}")
    assert score(widget) == ("2", "2")
    # an empty answer gets the engine's message, and is not counted
    result = grade(widget)
    assert result["error"]["code"] == "bad_attempt"
    expect(widget.locator(".calc-result")).to_contain_text(result["error"]["message"])
    assert score(widget) == ("2", "2")


@pytest.mark.parametrize("scenario", ["<img src=x onerror=alert(1)>", "no-such-scenario"])
def test_an_unknown_or_hostile_id_is_shown_as_text(page: Page, site: Site, scenario: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site.page(f"{TRAINING}?scenario={quote(scenario)}"))
    widget = page.locator(".calc-widget[data-calc=training]")
    area = widget.locator(".calc-training-scenario")
    expect(area).to_have_attribute("data-state", "error", timeout=READY_MS)
    error = api.call("scenarios", {"scenario": scenario, "answers": False})["error"]
    assert error["code"] == "unknown_scenario"
    assert json.loads(area.get_attribute("data-result") or "null") == {"error": error}
    expect(area).to_contain_text(error["message"])
    assert widget.locator("img").count() == 0
    expect(widget.get_by_label("Scenario", exact=True)).to_have_value("")
    # the list still works
    widget.get_by_label("Scenario", exact=True).select_option(SCENARIOS[0])
    open_scenario(page, SCENARIOS[0])
    assert dialogs == []


def test_trainers_key_prints_with_breaks_between_scenarios(browser: Browser, site: Site) -> None:
    page = browser.new_page()
    page.goto(site.page("training-key/"))
    page.emulate_media(media="print")
    sections = page.locator(".training-key-scenario")
    expect(sections).to_have_count(len(SCENARIOS))
    breaks = sections.evaluate_all("els => els.map(e => getComputedStyle(e).breakInside)")
    assert set(breaks) == {"avoid"}
    pdf = page.pdf(format="Letter", print_background=True)
    page.close()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert len(SCENARIOS) // 2 <= pages <= len(SCENARIOS) + 2, pages


def test_feedback_says_what_was_expected_and_what_was_entered(page: Page, site: Site) -> None:
    """Issue 14: "Wrong: 97112-59-GP × 2" alone does not say what was wrong; the mark
    names the expected line and the one entered (HNS CPT 97112 policy: 59 first, then GP)."""
    page.goto(site.page(TRAINING + "?scenario=bcbsnc-cmt-97112"))
    widget = open_scenario(page, "bcbsnc-cmt-97112")
    answer_line(widget, "98941", "1", "")
    answer_line(widget, "97112", "2", "GP-59")
    grade(widget)
    mark = widget.locator(".calc-mark[data-code='97112']")
    expect(mark).to_contain_text("the line is 97112-59-GP × 2")
    expect(mark).to_contain_text("you entered 97112-GP-59 × 2")
    expect(mark).to_contain_text("59-GP, not GP-59")


def test_the_same_region_scenario_does_not_give_its_answer_away(page: Page, site: Site) -> None:
    page.goto(site.page(TRAINING + "?scenario=bcbsnc-same-region"))
    widget = open_scenario(page, "bcbsnc-same-region")
    facts = widget.locator(".calc-training-facts").inner_text()
    assert "region" not in facts.lower(), facts
    expect(widget.locator(".calc-training-story")).to_contain_text("just adjusted")
