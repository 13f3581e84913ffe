"""What loads when, in Chromium: a single-code deep link shows its units from the
build-time preview table before Python is ready, and the engine's identical answer then
replaces it; pages without a calculator never download the runtime."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Site

pytestmark = pytest.mark.browser
UNITS = "calculators/units/"
READY_MS = 60_000

# Notes, at the moment the preview appears, what the engine's status was then.
PREVIEW_WATCH = """
(() => {
  window.__preview = null;
  new MutationObserver(() => {
    const shown = document.querySelector(".calc-widget .calc-result .calc-preview");
    if (shown && !window.__preview) {
      window.__preview = {
        at: performance.now(),
        engine: window.calcEngine ? window.calcEngine.status.state : "absent",
        units: shown.dataset.units, code: shown.dataset.code, text: shown.textContent,
      };
    }
  }).observe(document, { subtree: true, childList: true });
})();
"""


def engine_answer(page: Page) -> dict[str, Any]:
    box = page.locator(".calc-widget[data-calc=units] .calc-result")
    expect(box).to_have_attribute("data-state", "ok", timeout=READY_MS)
    data: dict[str, Any] = json.loads(box.get_attribute("data-result") or "null")
    return data


@pytest.mark.parametrize(
    ("link", "code", "units"),
    [("?lines=97112:38", "97112", 3), ("?lines=97110=8&method=per-code", "97110", 1)],
)
def test_a_deep_link_is_previewed_before_the_engine_is_ready(
    browser: Browser, site: Site, link: str, code: str, units: int
) -> None:
    context = browser.new_context()  # an empty cache: the engine takes seconds to load
    try:
        context.add_init_script(PREVIEW_WATCH)
        page = context.new_page()
        page.goto(site.page(UNITS + link))
        page.wait_for_function("() => window.__preview", timeout=READY_MS)
        preview = page.evaluate("window.__preview")
        assert preview["engine"] != "ready", "the preview came after the engine"
        assert (preview["code"], preview["units"]) == (code, str(units))
        assert "Preview" in preview["text"] and f"{code} × {units}" in preview["text"]
        assert "engine's full answer" in preview["text"]  # says what replaces it
        # then the engine's own answer replaces it, with the same units
        answer = engine_answer(page)
        result = page.locator(".calc-widget .calc-result")
        expect(result.locator(".calc-preview")).to_have_count(0)
        assert result.get_attribute("data-preview") is None
        assert [(line["code"], line["units"]) for line in answer["lines"]] == [(code, units)]
        expect(result.locator(".calc-total")).to_have_text(str(units))
        ready = page.evaluate("window.calcEngine.timings.ready")
        assert preview["at"] < ready
    finally:
        context.close()


def test_other_links_wait_for_the_engine(browser: Browser, site: Site) -> None:
    context = browser.new_context()
    try:
        context.add_init_script(PREVIEW_WATCH)
        page = context.new_page()
        page.goto(site.page(UNITS + "?lines=97112:24,97110:23"))
        assert engine_answer(page)["total_units"] == 3
        assert page.evaluate("window.__preview") is None
    finally:
        context.close()


def test_pages_without_a_calculator_do_not_download_the_runtime(
    browser: Browser, site: Site
) -> None:
    context = browser.new_context()
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    try:
        page = context.new_page()
        for path in ("", "policy/", "help-sheet/", "eight-minute-rule/", "quick-reference/"):
            page.goto(site.page(path), wait_until="networkidle")
            page.wait_for_timeout(300)  # an idle moment, when a prefetch would start
            assert page.evaluate("window.calcEngine.workerStarts") == 0
        # and by the site's own links (instant navigation), still nothing
        page.locator("a[href$='help-sheet/']").first.click()
        page.wait_for_url("**/help-sheet/")
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    runtime = [url for url in seen if "/assets/pyodide/" in url or url.endswith(".wasm")]
    assert not runtime, runtime
    assert any(url.endswith("/help-sheet/") for url in seen)
