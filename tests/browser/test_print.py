"""Printing: the quick reference card fits one page, no printed table is cut, and a
calculator prints its inputs and its answer (as a PDF from Chromium, read back as text)."""

from __future__ import annotations

import io
import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

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


# --- a calculator's answer on paper (issue 14) -------------------------------------------

READY_MS = 90_000


def printed(page: Page) -> tuple[list[str], list[tuple[float, float]]]:
    """The text of each page of the page printed as a PDF, and each page's size in points."""
    pdf = PdfReader(io.BytesIO(page.pdf(format="Letter")))
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in pdf.pages]
    return [p.extract_text() for p in pdf.pages], sizes


def one_line(texts: list[str]) -> str:
    return " ".join(" ".join(texts).split())


def test_a_claim_prints_its_inputs_lines_steps_and_notes(page: Page, site: Site) -> None:
    """The seed's case (HNS CPT 97112 policy: BCBSNC, CMT + 97112 → 59 then GP)."""
    page.goto(site.page("calculators/claim/?payer=bcbsnc&lines=98941,97112:23"))
    box = page.locator(".calc-result")
    expect(box).to_have_attribute("data-state", "ok", timeout=READY_MS)
    answer = json.loads(box.get_attribute("data-result") or "{}")
    texts, sizes = printed(page)
    text = one_line(texts)
    assert all(size == (612, 792) for size in sizes), sizes  # US Letter, portrait
    # the inputs
    assert "Payer Blue Cross NC" in text and "97112 23" in text
    # the claim lines, every step, every note
    for line in answer["lines"]:
        assert line["display"] in text
    for step in answer["steps"]:
        assert " ".join(step.split()) in text, step
    for note in answer["notes"] + answer["warnings"]:
        assert " ".join(note["message"].split())[:60] in text, note["message"]
    # not the help text around the calculator, nor its buttons
    assert "What you enter" not in text and "Build the claim" not in text
    assert "Copy for the PM system" not in text


def test_minutes_to_units_prints_its_table(page: Page, site: Site) -> None:
    page.goto(site.page("calculators/units/?lines=97112:24,97110:23"))
    box = page.locator(".calc-result")
    expect(box).to_have_attribute("data-state", "ok", timeout=READY_MS)
    text = one_line(printed(page)[0])
    assert "Bill: 97112 × 2, 97110 × 1" in text
    assert "47 min timed" in text  # the table's total row
    assert "Calculate" not in text


def test_a_documentation_review_prints_what_is_missing(page: Page, site: Site) -> None:
    page.goto(site.page("calculators/documentation/"))
    widget = page.locator(".calc-widget[data-calc=documentation]")
    expect(widget).to_have_class(re.compile("calc-form-ready"), timeout=READY_MS)
    widget.get_by_label("Functional goal", exact=True).fill("walk to the mailbox")
    widget.get_by_role("button", name="Review").click()
    box = widget.locator(".calc-result")
    expect(box).to_have_attribute("data-state", "ok", timeout=READY_MS)
    answer = json.loads(box.get_attribute("data-result") or "{}")
    text = one_line(printed(page)[0])
    assert "walk to the mailbox" in text  # the input, and the summary
    assert "Missing from the note" in text
    for item in answer["items"]:
        if item["status"] == "missing":
            assert " ".join(item["text"].split())[:50] in text
