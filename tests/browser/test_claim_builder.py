"""The claim builder as a biller uses it (issue 14, items 1, 4 and 5), in Chromium:
a therapy line's own relation to the CMT, the trust marks on the line they concern, the
unit method where the payer allows a choice, Medicare's two notices, 97014 → G0283 and
the modifier glossary. Every answer is compared with CPython's calc.api for the same
input; the rules are those of tests/test_claim_line_facts.py and test_claim_marks.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from calc import api
from tests.browser.conftest import Site

pytestmark = pytest.mark.browser
CLAIM = "calculators/claim/"
READY_MS = 60_000


def widget(page: Page) -> Locator:
    return page.locator(".calc-widget[data-calc=claim]")


def answer(page: Page, contains: str = "") -> dict[str, Any]:
    """The engine's answer on the page (the newest one containing `contains`)."""
    box = page.locator(".calc-widget .calc-result")
    expect(box).to_have_attribute("data-state", "ok", timeout=READY_MS)
    if contains:
        page.wait_for_function(
            "(text) => (document.querySelector('.calc-result').dataset.result || '')"
            ".includes(text)",
            arg=contains,
            timeout=READY_MS,
        )
    data: dict[str, Any] = json.loads(box.get_attribute("data-result") or "null")
    return data


def lines(page: Page) -> list[str]:
    return page.locator(".calc-widget .calc-claim-line").all_text_contents()


def ready_form(page: Page, site: Site, payer: str) -> Locator:
    page.goto(site.page(CLAIM))
    form = widget(page)
    choice = form.get_by_label("Payer")
    expect(choice.locator(f"option[value={payer}]")).to_have_count(1, timeout=READY_MS)
    choice.select_option(payer)
    return form


def test_each_therapy_line_has_its_own_relation_to_the_cmt(page: Page, site: Site) -> None:
    """Item 1: 97112 on the manipulated region (not billed), 97140 on another (59)."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    form = ready_form(page, site, "commercial")
    rows = form.locator(".calc-row")
    rows.nth(0).locator("[name=code]").fill("98941")
    rows.nth(1).locator("[name=code]").fill("97112")
    rows.nth(1).locator("[name=minutes]").fill("23")
    form.get_by_label("Relation to the CMT, line 2").select_option("same-region")
    form.get_by_role("button", name="Add code").click()
    rows.nth(2).locator("[name=code]").fill("97140")
    rows.nth(2).locator("[name=minutes]").fill("15")
    form.get_by_role("button", name="Build the claim").click()
    result = answer(page, '"97140"')
    assert lines(page) == ["98941 × 1", "97140-59 × 1"]
    expected = api.call(
        "claim", {"payer": "commercial", "lines": "98941,97112:23:same-region,97140:15"}
    )
    assert result["lines"] == expected["lines"]
    assert result["not_billed"] == expected["not_billed"]
    # why 97112 is left off is said once, with its source (not again as a warning)
    reason = expected["not_billed"][0]["reason"]
    text = form.locator(".calc-result").inner_text()
    assert text.count(reason) == 1 and expected["not_billed"][0]["source"] in text
    form.get_by_role("button", name="Copy link").click()
    link = page.evaluate("navigator.clipboard.readText()")
    dos = result["date_of_service"]["date"]  # a copied link always names its date
    assert link == site.page(
        CLAIM + f"?payer=commercial&lines=98941,97112:23:same-region,97140:15&dos={dos}"
    )
    # the link gives the same answer, and the form shows the line's own choice
    page.goto(link)
    assert answer(page)["lines"] == expected["lines"]
    expect(widget(page).get_by_label("Relation to the CMT, line 2")).to_have_value("same-region")
    expect(widget(page).get_by_label("Relation to the CMT, line 3")).to_have_value("")


def test_marks_sit_on_the_line_they_concern(page: Page, site: Site) -> None:
    """Item 4: GP on 97112 for Blue Cross NC rests on a medium profile; the plain 98941
    line and a plain claim carry no doubt; background notes are folded away."""
    page.goto(site.page(CLAIM + "?payer=bcbsnc&lines=98941,97112:23"))
    result = answer(page)
    form = widget(page)
    therapy = form.locator(".calc-claim-lines li[data-code='97112']")
    expect(therapy.locator(".calc-line-check")).to_have_text(
        "medium confidence Confirm GP on 97112 with Blue Cross NC"
    )
    expect(form.locator(".calc-claim-lines li[data-code='98941'] .calc-line-check")).to_have_count(
        0
    )
    expect(form.locator(".calc-answer .badge")).to_have_text("medium confidence")
    folded = form.locator("details.calc-more-notes")
    secondary = [n for n in result["notes"] if n["level"] == "secondary"]
    expect(folded.locator("summary")).to_have_text(f"Background notes ({len(secondary)})")
    assert folded.get_attribute("open") is None
    expect(folded.locator(".admonition").first).to_be_hidden()

    page.goto(site.page(CLAIM + "?payer=nc-shp&lines=98941"))
    answer(page)
    expect(widget(page).locator(".calc-answer .badge")).to_have_text("high confidence")
    # no doubt on the claim or its line (the dated-rules list keeps its own mark on the
    # SHP administrator change: it is about that fact, not about this claim)
    expect(widget(page).locator(".calc-answer .badge-verify:visible")).to_have_count(0)
    expect(widget(page).locator(".calc-claim-lines .badge-verify:visible")).to_have_count(0)

    # a coverage warning names its codes and each of its lines links to it
    page.goto(site.page(CLAIM + "?payer=bcbsnc&lines=98941,97012,97014"))
    result = answer(page)
    (coverage,) = [w for w in result["warnings"] if w["code"] == "payer-code-note"]
    assert coverage["message"].startswith("97012 and 97014: ")
    for code in ("97012", "97014"):
        tags = widget(page).locator(
            f".calc-claim-lines li[data-code='{code}'] .calc-line-warnings a"
        )
        targets = [page.locator(a.get_attribute("href") or "") for a in tags.all()]
        assert any(coverage["message"] in t.inner_text() for t in targets), code


def test_unit_method_where_the_payer_allows_it(page: Page, site: Site) -> None:
    """Item 5: per code only for a payer whose profile allows it; a link's method is read."""
    page.goto(site.page(CLAIM + "?payer=commercial&lines=97110:10,97116:10&method=per-code"))
    result = answer(page)
    assert result["method"] == "per-code" and lines(page) == ["97110 × 1", "97116 × 1"]
    method = widget(page).get_by_label("Units method")
    expect(method).to_be_visible()
    expect(method).to_have_value("per-code")
    method.select_option("")
    result = answer(page, '"method":"cms"')  # CMS: 20 minutes in all is one unit
    assert result["method"] == "cms" and [x["units"] for x in result["lines"]] == [1]
    widget(page).get_by_label("Payer").select_option("bcbsnc")
    expect(method).to_be_hidden()


def test_medicare_notices_are_two_inputs_and_97014_names_g0283(page: Page, site: Site) -> None:
    """Item 5: the ABN for maintenance CMT (GA) and the voluntary ABN (GX) apart; 97014
    for Medicare tells the biller to use G0283, on its line and in a warning."""
    page.goto(site.page(CLAIM + "?payer=medicare&lines=98941,97112:23&care=maintenance&abn=1"))
    answer(page)
    assert lines(page) == ["98941-GA × 1", "97112-GP-GY-GX × 2"]
    form = widget(page)
    form.get_by_label("The patient signed the ABN for the maintenance CMT", exact=False).uncheck()
    answer(page, "98941-GZ")
    assert lines(page) == ["98941-GZ × 1", "97112-GP-GY-GX × 2"]
    form.get_by_label("The patient signed a voluntary ABN", exact=False).uncheck()
    answer(page, "97112-GP-GY ×")
    assert lines(page) == ["98941-GZ × 1", "97112-GP-GY × 2"]

    page.goto(site.page(CLAIM + "?payer=medicare&lines=98941,97014"))
    result = answer(page)
    (warning,) = [w for w in result["warnings"] if w["code"] == "medicare-97014-is-g0283"]
    line = widget(page).locator(".calc-claim-lines li[data-code='97014']")
    expect(line.locator(".calc-line-check").first).to_contain_text("Bill G0283 instead of 97014")
    # the line names every warning about it; one of them is the G0283 warning
    targets = [a.get_attribute("href") or "" for a in line.locator(".calc-line-warnings a").all()]
    about = [t for t in targets if warning["message"] in page.locator(t).inner_text()]
    assert len(targets) == len([w for w in result["warnings"] if "97014" in w["lines"]])
    assert len(about) == 1
    expect(page.locator(about[0]).locator(".admonition-title")).to_contain_text("97014")


def test_every_modifier_shown_links_to_the_glossary(page: Page, site: Site) -> None:
    """Item 5: each modifier in a claim line is a link to its glossary entry."""
    page.goto(site.page(CLAIM + "?payer=bcbsnc&lines=98941,97112:23"))
    answer(page)
    links = widget(page).locator(".calc-claim-line a")
    expect(links).to_have_text(["59", "GP"])
    assert (links.nth(1).get_attribute("href") or "").endswith("/modifiers/#modifier-gp")
    links.nth(1).click()
    # (the theme then keeps the address in step with the section scrolled to)
    page.wait_for_url("**/modifiers/**")
    expect(page.locator("#modifier-gp")).to_be_in_viewport()
    expect(page.locator("#zelis")).to_contain_text("Zelis")


def test_each_cited_document_is_a_link_in_the_sources(page: Page, site: Site) -> None:
    """The source registry (issue 13): the answer's sources name each document one way,
    and the page links the name to the document (the engine's source_links)."""
    page.goto(site.page(CLAIM + "?payer=bcbsnc&lines=98941,97112:23&dos=2026-12-01"))
    found = answer(page)
    hns = next(link for link in found["source_links"] if link["id"] == "hns-97112")
    sources = widget(page).locator(".calc-sources li")
    expect(sources).to_have_count(len(found["sources"]))
    link = widget(page).locator(f'.calc-sources a.calc-source-link[href="{hns["href"]}"]')
    expect(link.first).to_have_text(hns["name"])
    # the words stay the engine's: each item reads exactly as its source text
    assert sources.all_text_contents() == found["sources"]
    expect(widget(page).locator(".calc-source a.calc-source-link").first).to_be_visible()


def test_a_payer_warning_names_only_the_billed_lines(page: Page, site: Site) -> None:
    """Blue Cross NC's PT prior authorization (from 2024-12-01) with 97140 on the CMT's
    region (left off): the warning is about 97112 alone, and only its line links to it."""
    lines_ = "98941,97112:23,97140:15:same-region"
    page.goto(site.page(CLAIM + f"?payer=bcbsnc&lines={lines_}&dos=2025-03-03"))
    result = answer(page)
    assert result == api.call("claim", {"payer": "bcbsnc", "lines": lines_, "dos": "2025-03-03"})
    (prior,) = [w for w in result["warnings"] if w["code"] == "payer-code-note"]
    assert prior["lines"] == ["97112"]
    box = widget(page).locator(".calc-result")
    heading = box.locator("p[data-code='payer-code-note']").locator("xpath=ancestor::*[@id][1]")
    expect(heading).to_contain_text("97112")
    expect(heading).not_to_contain_text("97140")
    expect(box.locator(".calc-claim-lines li[data-code='97140']")).to_have_count(0)
    expect(box).to_contain_text("97140 is not on the claim, so Blue Cross NC's note")
