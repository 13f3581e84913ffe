"""Printing: the quick reference card fits one page and no printed table is cut."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import Site

pytestmark = pytest.mark.browser


def test_quick_reference_card_prints_on_one_page(browser: Browser, site: Site) -> None:
    page = browser.new_page()
    page.goto(site.page("quick-reference/"))
    pdf = page.pdf(format="Letter", print_background=True)
    page.close()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


@pytest.mark.parametrize("url", ["help-sheet/", "quick-reference/", "codes/", "checklist/"])
def test_printed_tables_fit_the_page(page: Page, site: Site, url: str) -> None:
    """In print, no table is wider than the paper (portrait Letter minus margins)."""
    page.set_viewport_size({"width": 720, "height": 900})
    page.emulate_media(media="print")
    page.goto(site.page(url))
    widths = page.evaluate(
        """() => [...document.querySelectorAll('article table')].map(
               t => [t.getBoundingClientRect().right, document.documentElement.clientWidth])"""
    )
    hidden = page.evaluate(
        """() => ['.md-header', '.md-sidebar--primary', '.md-footer', '.md-search']
               .map(s => document.querySelector(s))
               .filter(e => e && getComputedStyle(e).display !== 'none').length"""
    )
    assert widths, "no table found"
    assert all(right <= width + 1 for right, width in widths), widths
    assert hidden == 0
