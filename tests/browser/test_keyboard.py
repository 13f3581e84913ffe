"""Each calculator works from the keyboard alone: Tab and Shift+Tab move between
controls, Enter and Space press buttons and tick boxes, text is typed. Two standard
keys of native controls are used where the control needs them: the arrow keys choose
within a radio group (Tab reaches only its checked radio) and a typed letter chooses an
option of a drop-down list. At every step the focused control shows a visible focus
ring, and focus leaves each widget again (no keyboard trap). The three calculators are
reached from the navigation with Tab and Enter, in one tab (one engine)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from calc import api
from tests.browser.conftest import Site
from tests.conftest import golden

pytestmark = pytest.mark.browser
READY_MS = 60_000
MAX_PRESSES = 250

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const fieldset = el.closest("fieldset");
  const legend = fieldset && fieldset.querySelector("legend");
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "", value: el.value || "",
    checked: !!el.checked, text: (el.textContent || "").trim(),
    label: (el.labels && el.labels[0] ? el.labels[0].textContent
            : el.getAttribute("aria-label") || "").trim(),
    legend: legend ? legend.textContent.trim() : "",
    href: el.getAttribute("href") || "",
    widget: !!el.closest(".calc-widget"),
    nav: !!el.closest(".md-nav"),
    focusVisible: el.matches(":focus-visible"),
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
          || style.boxShadow !== "none",
  };
}"""


def focused(page: Page) -> dict[str, Any]:
    info: dict[str, Any] | None = page.evaluate(FOCUSED)
    assert info is not None, "focus was lost (nothing focused)"
    if info["widget"]:
        assert info["focusVisible"] and info["ring"], f"no visible focus on {info}"
    return info


def press(page: Page, key: str) -> dict[str, Any]:
    page.keyboard.press(key)
    return focused(page)


def tab_until(page: Page, wanted: Any, key: str = "Tab") -> dict[str, Any]:
    """Press Tab (or Shift+Tab) until the focused control is the wanted one."""
    for _ in range(MAX_PRESSES):
        page.keyboard.press(key)
        info: dict[str, Any] | None = page.evaluate(FOCUSED)
        if info and wanted(info):
            return focused(page)
    raise AssertionError(f"{key} never reached the control")


def open_from_navigation(page: Page, path: str) -> None:
    """Shift+Tab back to the navigation's link to `path`, Enter (instant navigation)."""
    tab_until(page, lambda f: f["nav"] and f["href"].endswith(path), "Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{path}")


def leave_and_come_back(page: Page) -> None:
    """No keyboard trap: Tab leaves the widget forwards, Shift+Tab comes back into it."""
    tab_until(page, lambda f: not f["widget"])
    tab_until(page, lambda f: f["widget"], "Shift+Tab")


def answer(page: Page, calc: str, mentioning: str = "") -> dict[str, Any]:
    """The engine's answer shown by the widget (once it mentions `mentioning`)."""
    page.wait_for_function(
        "(text) => (document.querySelector('.calc-result').dataset.result || '').includes(text)",
        arg=mentioning,
        timeout=READY_MS,
    )
    box = page.locator(f".calc-widget[data-calc={calc}] .calc-result")
    expect(box).to_have_attribute("data-state", "ok", timeout=READY_MS)
    data: dict[str, Any] = json.loads(box.get_attribute("data-result") or "null")
    return data


def units_form(page: Page) -> None:
    # into the widget: the date of service first (today, as the field shows), then the
    # method's checked radio
    f = tab_until(page, lambda f: f["widget"])
    assert f["label"] == "Date of service"
    f = press(page, "Tab")
    assert (f["type"], f["value"], f["checked"]) == ("radio", "cms", True)
    f = press(page, "ArrowDown")  # choose the other method
    assert (f["value"], f["checked"]) == ("per-code", True)
    f = press(page, "Tab")
    assert (f["label"], f["value"]) == ("Code, line 1", "97112")
    f = press(page, "Tab")
    assert f["label"] == "Minutes, line 1"
    page.keyboard.type("24")
    assert press(page, "Tab")["label"] == "Remove line 1"
    assert press(page, "Tab")["text"] == "Add code"
    page.keyboard.press("Enter")  # a new row, focus in its code box
    assert focused(page)["label"] == "Code, line 2"
    page.keyboard.type("97110")
    assert press(page, "Tab")["label"] == "Minutes, line 2"
    page.keyboard.type("23")
    assert press(page, "Tab")["label"] == "Remove line 2"
    assert press(page, "Tab")["text"] == "Add code"
    assert press(page, "Tab")["text"] == "Calculate"
    page.keyboard.press("Space")
    result = answer(page, "units", mentioning="97110")
    dos = result["date_of_service"]["date"]  # today's, from the field (tests/browser/test_dates.py)
    want = api.call("units", {"lines": "97112:24,97110:23", "method": "per-code", "dos": dos})
    assert result == want
    # read it: the answer is on screen, in a live region, and its steps open by keyboard
    region = page.locator(".calc-widget .calc-result")
    assert region.get_attribute("aria-live") == "polite"
    expect(region.locator(".calc-answer")).to_have_text("Bill: 97112 × 2, 97110 × 2")
    f = tab_until(page, lambda f: f["tag"] == "summary")
    assert f["text"] == "How this was worked out"
    page.keyboard.press("Enter")  # closes the steps
    expect(region.locator("details.calc-steps")).not_to_have_attribute("open", "")
    page.keyboard.press("Space")  # and opens them again
    expect(region.locator("details.calc-steps")).to_have_attribute("open", "")


def claim_form(page: Page) -> None:
    f = tab_until(page, lambda f: f["widget"])
    assert f["label"] == "Date of service"
    f = press(page, "Tab")
    assert (f["tag"], f["label"]) == ("select", "Payer")
    page.keyboard.type("B")  # the drop-down's own way: the payer starting with B
    expect(page.get_by_label("Payer")).to_have_value("bcbsnc")
    f = press(page, "Tab")
    assert (f["type"], f["value"], f["checked"]) == ("radio", "dc", True)
    f = press(page, "Tab")
    assert f["label"] == "Phase of care"
    page.keyboard.type("O")
    expect(page.get_by_label("Phase of care")).to_have_value("ongoing")
    # past the other choices, left as they are, to the codes (as the form starts)
    assert tab_until(page, lambda f: f["label"] == "Code, line 1")["value"] == "98941"
    assert press(page, "Tab")["label"] == "Minutes, line 1"
    assert press(page, "Tab")["label"] == "Relation to the CMT, line 1"
    assert press(page, "Tab")["label"] == "Remove line 1"
    assert press(page, "Tab")["value"] == "97112"
    assert press(page, "Tab")["label"] == "Minutes, line 2"
    page.keyboard.type("23")
    assert press(page, "Tab")["label"] == "Relation to the CMT, line 2"
    page.keyboard.type("S")  # the drop-down's own way: "Same region, same encounter"
    expect(page.get_by_label("Relation to the CMT, line 2")).to_have_value("same-region")
    assert press(page, "Tab")["label"] == "Remove line 2"
    assert press(page, "Tab")["text"] == "Add code"
    f = press(page, "Tab")  # the shorthand for every therapy line, left as it is
    assert f["type"] == "checkbox" and "Every therapy" in f["label"]
    assert tab_until(page, lambda f: f["tag"] == "button")["text"] == "Build the claim"
    page.keyboard.press("Enter")
    request = {
        "payer": "bcbsnc",
        "lines": [
            {"code": "98941", "minutes": ""},
            {"code": "97112", "minutes": "23", "same_region": True},
        ],
        "provider": "dc",
        "phase": "ongoing",
    }
    result = answer(page, "claim", mentioning="97112")
    assert result == api.call("claim", {**request, "dos": result["date_of_service"]["date"]})
    lines = page.locator(".calc-widget .calc-claim-line").all_text_contents()
    assert lines == [line["display"] for line in result["lines"]]
    # the claim lines' copy button is reachable and presses with Enter
    f = tab_until(page, lambda f: f["text"] == "Copy for the PM system")
    page.keyboard.press("Enter")
    expect(page.locator(".calc-result .calc-copy-status").first).not_to_have_text("")


def documentation_form(page: Page, record: dict[str, Any]) -> None:
    fields = api.call("checklist", {})["fields"]
    by_label = {f["label"]: f for f in fields}
    codes = next(f for f in fields if f["kind"] == "codes")
    visit_codes = record[codes["name"]]
    rows_added = 1
    expect(page.locator(".calc-widget[data-calc=documentation]")).to_have_class(
        "calc-widget calc-mounted calc-form-ready", timeout=READY_MS
    )
    # nothing entered: a hint, no review
    expect(page.locator(".calc-widget .calc-result")).to_have_attribute("data-state", "empty")
    f = tab_until(page, lambda f: f["widget"])
    for _ in range(MAX_PRESSES):
        field = by_label.get(f["legend"]) or by_label.get(f["label"])
        if f["tag"] == "button" and f["text"] == "Review":
            page.keyboard.press("Enter")
            break
        if f["label"].startswith("Code, line "):
            line = visit_codes[int(f["label"].rsplit(" ", 1)[1]) - 1]
            page.keyboard.type(line["code"])
        elif f["label"].startswith("Minutes, line "):
            line = visit_codes[int(f["label"].rsplit(" ", 1)[1]) - 1]
            page.keyboard.type(str(line.get("minutes", "")))
        elif f["text"] == "Add code" and rows_added < len(visit_codes):
            page.keyboard.press("Enter")
            rows_added += 1
            f = focused(page)
            continue  # focus is in the new row's code box
        elif f["tag"] == "button":
            pass  # Remove, or Add code once the rows are there: Tab on
        elif field is not None and field["name"] in record:
            value = record[field["name"]]
            if f["type"] == "checkbox" and field["kind"] == "choices":
                if f["value"] in value:
                    page.keyboard.press("Space")
            elif f["type"] == "checkbox":
                if value:
                    page.keyboard.press("Space")
            elif f["tag"] == "select":
                page.keyboard.type(str(value)[0])
                assert page.evaluate("document.activeElement.value") == value
            elif f["tag"] == "textarea":
                page.keyboard.type("\n".join(value))  # Enter starts the next line
            else:
                page.keyboard.type(str(value))
        f = press(page, "Tab")
    else:
        raise AssertionError("Tab never reached the Review button")
    page.wait_for_function(
        "() => (JSON.parse(document.querySelector('.calc-result').dataset.result || '{}'))"
        ".passed === true",
        timeout=READY_MS,
    )
    result = answer(page, "documentation")
    # the date field (passed over with Tab) holds today: the answer's date
    assert result == api.call("review", {**record, "dos": result["date_of_service"]["date"]})
    expect(page.locator(".calc-result .calc-answer")).to_contain_text("Every required item is met")
    f = tab_until(page, lambda f: f["text"] == "Copy summary")
    page.keyboard.press("Enter")
    expect(page.locator(".calc-result .calc-copy-status")).not_to_have_text("")


def test_every_calculator_works_from_the_keyboard_alone(page: Page, site: Site) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(site.page("calculators/units/"))
    page.wait_for_function(
        "() => window.calcEngine && window.calcEngine.status.state === 'ready'",
        timeout=READY_MS,
    )
    units_form(page)
    leave_and_come_back(page)

    open_from_navigation(page, "calculators/claim/")
    expect(page.locator(".calc-widget[data-calc=claim] .calc-status")).to_have_attribute(
        "data-state", "ready", timeout=READY_MS
    )
    expect(page.get_by_label("Payer").locator("option")).not_to_have_count(1)  # payers in
    claim_form(page)
    leave_and_come_back(page)

    open_from_navigation(page, "calculators/documentation/")
    documentation_form(page, golden("documentation_complete.json")["record"])
    leave_and_come_back(page)
    assert page.evaluate("window.calcEngine.workerStarts") == 1
