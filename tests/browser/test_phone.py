"""On a phone (Chromium's mobile emulation, 390 px wide, touch): no page is wider than the
screen, every calculator control is a touch target of at least 44 px, codes and minutes
bring up the number pad, and "Back to top" never sits over a form field (issue 14)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import Site

pytestmark = pytest.mark.browser
READY_MS = 90_000
CALCULATORS = [
    "calculators/units/",
    "calculators/claim/",
    "calculators/documentation/",
    "training/",
]
TARGET = 44  # px: WCAG 2.5.5 (target size), and the platforms' own guidance


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def open_page(page: Page, site: Site, path: str) -> None:
    page.goto(site.page(path))
    if path in CALCULATORS:
        page.wait_for_function(
            "() => window.calcEngine.status.state === 'ready' && "
            "document.querySelector('.calc-widget form .calc-submit, "
            ".calc-widget .calc-training-form')",
            timeout=READY_MS,
        )
        page.wait_for_timeout(300)  # the engine's lists (payers, codes, scenarios) go in


def all_pages(site: Site) -> list[str]:
    found = sorted(
        p.parent.relative_to(site.root).as_posix() + "/"
        for p in site.root.rglob("index.html")
        if "billing" not in p.relative_to(site.root).parts
    )
    return ["" if p == "./" else p for p in found]


def test_no_page_is_wider_than_the_phone(phone: Page, site: Site) -> None:
    wide = []
    for path in all_pages(site):
        open_page(phone, site, path)
        width, screen = phone.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if width > screen:
            wide.append(f"/{path}: {width} px on a {screen} px screen")
    assert not wide, "\n".join(wide)


@pytest.mark.parametrize("path", CALCULATORS)
def test_calculator_controls_are_touch_targets(phone: Page, site: Site, path: str) -> None:
    open_page(phone, site, path)
    small = phone.evaluate(
        """(target) => [...document.querySelectorAll(
              '.calc-widget :is(input, select, button, textarea)')]
            .filter((e) => e.offsetParent && e.type !== 'hidden')
            .map((e) => {
              // a checkbox or radio button is pressed through its label
              const box = (['checkbox', 'radio'].includes(e.type) && e.closest('label')) || e;
              const r = box.getBoundingClientRect();
              return [e.outerHTML.slice(0, 80), Math.round(r.width), Math.round(r.height)];
            })
            .filter(([, w, h]) => w < target - 0.5 || h < target - 0.5)""",
        TARGET,
    )
    assert not small, small


@pytest.mark.parametrize("path", ["calculators/units/", "calculators/claim/"])
def test_codes_and_minutes_bring_up_the_number_pad(phone: Page, site: Site, path: str) -> None:
    open_page(phone, site, path)
    modes = phone.locator(".calc-widget [name=code], .calc-widget [name=minutes]").evaluate_all(
        "inputs => inputs.map(i => i.inputMode)"
    )
    assert modes and set(modes) == {"numeric"}, modes


def test_back_to_top_never_covers_a_form_field(phone: Page, site: Site) -> None:
    open_page(phone, site, "calculators/claim/")
    # Material shows "Back to top" when the page scrolls up after scrolling down
    phone.mouse.wheel(0, 1500)
    phone.wait_for_timeout(300)
    phone.mouse.wheel(0, -400)
    phone.wait_for_timeout(500)
    covered = phone.evaluate(
        """() => {
          const top = document.querySelector('.md-top');
          if (!top || getComputedStyle(top).display === 'none' || top.hidden) return [];
          const t = top.getBoundingClientRect();
          return [...document.querySelectorAll('.calc-widget input, .calc-widget select')]
            .filter((e) => { const r = e.getBoundingClientRect();
              return r.bottom > t.top && r.top < t.bottom
                && r.right > t.left && r.left < t.right; })
            .map((e) => e.outerHTML.slice(0, 80));
        }"""
    )
    assert covered == [], covered
