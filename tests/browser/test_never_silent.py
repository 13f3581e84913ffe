"""Never silent (issue 14), in Chromium: a click before the engine is ready waits for it
and then runs, with the progress on screen; a missing payer or code gets a message
beside its field and the focus; what was entered survives Back and Forward (it is kept
in the address, in the link format)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route, expect

from tests.browser.conftest import Site

pytestmark = pytest.mark.browser
READY_MS = 90_000
RUNTIME = "**/assets/pyodide/**"


def answer(page: Page) -> dict[str, Any]:
    box = page.locator(".calc-widget .calc-result")
    expect(box).to_have_attribute("data-state", "ok", timeout=READY_MS)
    data: dict[str, Any] = json.loads(box.get_attribute("data-result") or "null")
    return data


#: put first in the list of held requests: the ones that follow go through
RELEASED: Any = object()


@dataclass
class Held:
    """A fresh browser context whose engine cannot finish loading until release()."""

    context: BrowserContext
    site: Site
    routes: list[Any] = field(default_factory=list)

    def hold(self, route: Route) -> None:
        if self.routes and self.routes[0] is RELEASED:
            route.continue_()
        else:
            self.routes.append(route)

    def open(self, calc: str) -> tuple[Page, Locator]:
        page = self.context.new_page()
        page.goto(self.site.page(f"calculators/{calc}/"))
        return page, page.locator(f".calc-widget[data-calc={calc}]")

    def release(self) -> None:
        waiting, self.routes[:] = list(self.routes), [RELEASED]
        for route in waiting:
            route.continue_()


@pytest.fixture
def held(browser: Browser, site: Site) -> Iterator[Held]:
    engine = Held(browser.new_context(), site)
    engine.context.route(RUNTIME, engine.hold)
    try:
        yield engine
    finally:
        engine.context.close()


def test_a_click_before_the_engine_is_ready_runs_when_it_is(held: Held) -> None:
    page, widget = held.open("units")
    widget.locator("[name=minutes]").first.fill("24")
    widget.get_by_role("button", name="Calculate").click()
    # the click is not lost: it says it waits, and the progress shows
    expect(widget.locator(".calc-queued")).to_contain_text("Waiting for the calculator engine")
    expect(widget.locator(".calc-status progress")).to_be_visible()
    assert page.evaluate("window.calcEngine.status.state") == "loading"
    held.release()
    result = answer(page)
    assert [(line["code"], line["units"]) for line in result["lines"]] == [("97112", 2)]
    expect(widget.locator(".calc-queued")).to_have_count(0)


def test_build_before_the_engine_is_ready_then_asks_for_the_payer(held: Held) -> None:
    page, widget = held.open("claim")
    widget.get_by_role("button", name="Build the claim").click()
    expect(widget.locator(".calc-queued")).to_be_visible()
    held.release()
    # once ready, the waiting click runs: no payer chosen, so it says so beside the field
    payer = widget.get_by_label("Payer", exact=True)
    expect(payer).to_be_focused(timeout=READY_MS)
    expect(payer).to_have_attribute("aria-invalid", "true")
    message = widget.locator(".calc-field-error").filter(has_text="Choose the payer")
    expect(message).to_be_visible()
    assert payer.get_attribute("aria-describedby") == message.get_attribute("id")
    expect(widget.locator(".calc-queued")).to_have_count(0)
    message_id = message.get_attribute("id")
    payer.select_option("bcbsnc")
    expect(page.locator(f"#{message_id}")).to_have_text("")
    assert payer.get_attribute("aria-invalid") is None
    widget.locator(".calc-row").nth(1).locator("[name=minutes]").fill("23")
    widget.get_by_role("button", name="Build the claim").click()
    assert "97112-59-GP × 2" in [line["display"] for line in answer(page)["lines"]]


def test_no_code_gets_a_message_beside_the_codes(page: Page, site: Site) -> None:
    page.goto(site.page("calculators/units/"))
    widget = page.locator(".calc-widget[data-calc=units]")
    page.wait_for_function("window.calcEngine.status.state === 'ready'", timeout=READY_MS)
    widget.locator("[name=code]").first.fill("")
    widget.get_by_role("button", name="Calculate").click()
    code = widget.locator("[name=code]").first
    expect(code).to_be_focused()
    expect(widget.locator(".calc-field-error").filter(has_text="at least one code")).to_be_visible()
    assert widget.locator(".calc-result").get_attribute("data-state") == "empty"


@pytest.mark.parametrize(
    ("path", "fill", "query"),
    [
        ("calculators/units/", "units", "?lines=97112:24,97110:23&method=cms"),
        ("calculators/claim/", "claim", "?payer=bcbsnc&lines=98941,97112:23"),
    ],
)
def test_the_form_survives_back_and_forward(
    page: Page, site: Site, path: str, fill: str, query: str
) -> None:
    page.goto(site.page(path))
    widget = page.locator(f".calc-widget[data-calc={fill}]")
    rows = widget.locator(".calc-row")
    if fill == "claim":
        payer = widget.get_by_label("Payer", exact=True)
        expect(payer.locator("option[value=bcbsnc]")).to_have_count(1, timeout=READY_MS)
        payer.select_option("bcbsnc")
        rows.nth(0).locator("[name=code]").fill("98941")
        rows.nth(1).locator("[name=code]").fill("97112")
        rows.nth(1).locator("[name=minutes]").fill("23")
    else:
        rows.nth(0).locator("[name=minutes]").fill("24")
        widget.get_by_role("button", name="Add code").click()
        rows.nth(1).locator("[name=code]").fill("97110")
        rows.nth(1).locator("[name=minutes]").fill("23")
    widget.get_by_role("button", name="Calculate" if fill == "units" else "Build the claim").click()
    before = answer(page)
    # the inputs are in the address, in the link format (no new history entry); the
    # theme may add the section in view (#calculator)
    assert page.url.split("#")[0] == site.page(path + query)
    # away by the site's own navigation, then Back: the same inputs, the same answer
    page.locator(".md-nav a[href$='policy/']").first.click()
    page.wait_for_url(re.compile(r"/policy/(#.*)?$"))
    page.go_back()
    page.wait_for_url("**" + path + "*")
    assert page.url.split("#")[0] == site.page(path + query)
    widget = page.locator(f".calc-widget[data-calc={fill}]")
    page.wait_for_function(
        "(s) => (document.querySelector(s + ' .calc-result') || {}).dataset?.state === 'ok'",
        arg=f".calc-widget[data-calc={fill}]",
        timeout=READY_MS,
    )
    assert answer(page) == before
    codes = widget.locator("[name=code]").evaluate_all("inputs => inputs.map(i => i.value)")
    assert codes == [line["code"] for line in before["lines"]]
    page.go_forward()
    page.wait_for_url(re.compile(r"/policy/(#.*)?$"))
