"""Links to the calculators in Chromium (issue 16, cases 1 and 2): one reader for every
calculator page normalises a link's values as the engine does, shows them in the form,
and names the parameters it ignored ("ignored: sameregion — did you mean same_region?")."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Site
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
READY_MS = 60_000
CONTRACT = json.loads((ROOT / "docs" / "linking-contract.json").read_text(encoding="utf-8"))
EXAMPLES = [
    example["link"]
    for calculator in CONTRACT["calculator_links"]
    for example in calculator["examples"]
    if "?" in example["link"]
]


def mounted(page: Page, name: str) -> None:
    expect(page.locator(f".calc-widget[data-calc={name}]")).to_have_attribute(
        "data-calc-mounted", "ready", timeout=READY_MS
    )


def result(page: Page, name: str) -> dict[str, Any]:
    box = page.locator(f".calc-widget[data-calc={name}] .calc-result")
    expect(box).to_have_attribute("data-state", "ok", timeout=READY_MS)
    data: dict[str, Any] = json.loads(box.get_attribute("data-result") or "null")
    return data


def misspelt(name: str) -> str:
    """The name with one letter changed (its second)."""
    return name[0] + ("q" if name[1] != "q" else "z") + name[2:]


@pytest.mark.parametrize("link", EXAMPLES)
def test_every_contract_example_with_a_misspelt_parameter_says_so(
    page: Page, site: Site, link: str
) -> None:
    path, query = link.split("?", 1)
    pairs = parse_qsl(query, keep_blank_values=True)
    assert pairs, link
    for i, (name, _) in enumerate(pairs):
        wrong = misspelt(name)
        changed = [(wrong if j == i else k, v) for j, (k, v) in enumerate(pairs)]
        page.goto(site.page(path) + "?" + urlencode(changed, safe=":,"))
        calculator = page.locator(".calc-widget[data-calc]").get_attribute("data-calc")
        mounted(page, str(calculator))
        item = page.locator(f".calc-link-ignored li[data-ignored='{wrong}']")
        expect(item).to_be_visible()
        expect(item).to_have_text(f"ignored: {wrong} — did you mean {name}?")


def test_case_2_sameregion_and_methd_are_named_not_dropped(page: Page, site: Site) -> None:
    page.goto(site.page("calculators/claim/?payer=bcbsnc&lines=98941,97112:23&sameregion=1"))
    mounted(page, "claim")
    expect(page.locator(".calc-link-ignored")).to_contain_text(
        "ignored: sameregion — did you mean same_region?"
    )
    page.goto(site.page("calculators/units/?lines=97110:10,97116:10&methd=per-code"))
    mounted(page, "units")
    expect(page.locator(".calc-link-ignored")).to_contain_text(
        "ignored: methd — did you mean method?"
    )
    # a link that is right has no notice; nor does the site's own ?h= (search highlight)
    page.goto(site.page("calculators/units/?lines=97112:24&method=cms&h=units"))
    mounted(page, "units")
    expect(page.locator(".calc-link-ignored")).to_have_count(0)


def test_case_1_the_form_shows_the_links_values_as_the_engine_reads_them(
    page: Page, site: Site
) -> None:
    page.goto(
        site.page(
            "calculators/claim/?payer=BCBSNC&lines=98941,97112:23&modifier_style=X"
            "&phase=%20Initial&same_region=No"
        )
    )
    mounted(page, "claim")
    first = result(page, "claim")
    assert "97112-XS-GP" in [line["display"].split(" ")[0] for line in first["lines"]]
    widget = page.locator(".calc-widget[data-calc=claim]")
    selects = widget.locator("select")
    expect(selects.nth(0)).to_have_value("bcbsnc")
    expect(selects.nth(1)).to_have_value("initial")
    expect(selects.nth(2)).to_have_value("x")
    # "Build the claim" without touching anything: the very same answer
    page.evaluate(
        "() => document.querySelector('.calc-widget[data-calc=claim] .calc-result')"
        ".removeAttribute('data-result')"
    )
    widget.locator(".calc-submit").click()
    page.wait_for_function(
        "() => document.querySelector('.calc-widget[data-calc=claim] .calc-result')"
        ".hasAttribute('data-result')",
        timeout=READY_MS,
    )
    again = result(page, "claim")
    assert [line["display"] for line in again["lines"]] == [
        line["display"] for line in first["lines"]
    ]
    page.goto(site.page("calculators/units/?lines=97110:10,97116:10&method=%20Per-Code"))
    mounted(page, "units")
    expect(page.locator(".calc-widget[data-calc=units] input[value=per-code]")).to_be_checked()
    assert result(page, "units")["total_units"] == 2


def test_a_hostile_parameter_name_is_shown_escaped(page: Page, site: Site) -> None:
    page.goto(site.page("calculators/units/?lines=97112:24&%E2%80%AEEVIL%1B[2J=1"))
    mounted(page, "units")
    item = page.locator(".calc-link-ignored li code").first
    expect(item).to_have_text("\\u202eEVIL\\u001b[2J")
    assert urlsplit(page.url).path.endswith("/calculators/units/")


def test_case_4_an_error_on_the_page_shows_a_direction_override_escaped(
    page: Page, site: Site
) -> None:
    page.goto(site.page("calculators/units/?lines=%E2%80%AEEVIL:x"))
    box = page.locator(".calc-widget[data-calc=units] .calc-result")
    expect(box).to_have_attribute("data-state", "error", timeout=READY_MS)
    text = box.inner_text()
    assert "\u202e" not in text and "\\u202eEVIL" in text
