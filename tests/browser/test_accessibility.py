"""Accessibility: axe-core (npm, pinned in package.json) reports no WCAG 2.1 A/AA
violation on any page of the built site, in the light and the dark palette, the
calculators included with their results, their preview and their failure notice shown."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.conftest import ROOT, Site
from tests.conftest import golden

pytestmark = pytest.mark.browser
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: the rules whose outcome depends on the colours (the only ones run again in dark mode)
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
READY_MS = 60_000
SCHEMES = {"light": "default", "dark": "slate"}  # prefers-color-scheme → Material's scheme

RUN_AXE = """async ([tags, rules]) => {
  // transitions first run to their end (Material's header fades its title in on scroll:
  // half-way through, its colours are neither the one nor the other)
  const finite = (a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity;
  await Promise.all(document.getAnimations().filter(finite).map((a) => a.finished.catch(() => {})));
  const options = rules ? { runOnly: { type: "rule", values: rules } }
                        : { runOnly: { type: "tag", values: tags } };
  const result = await axe.run(document, options);
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""


def site_pages(site: Site) -> list[str]:
    """Every page of the built site, from its sitemap (what the nav lists)."""
    sitemap = (site.root / "sitemap.xml").read_text(encoding="utf-8")
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert urls, "the sitemap lists no page"
    return [url.removeprefix(site.url) for url in urls]


def violations(page: Page, where: str) -> list[str]:
    """axe-core's violations on the page as it is now, in both palettes, as readable lines."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    found: list[str] = []
    for scheme, material in SCHEMES.items():
        page.emulate_media(color_scheme=scheme)  # Material follows the system preference
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", material)
        rules = None if scheme == "light" else COLOUR_RULES
        for v in page.evaluate(RUN_AXE, [TAGS, rules]):
            for node in v["nodes"]:
                summary = " ".join(node["summary"].split())
                found.append(f"{where} [{scheme}] {v['id']}: {node['target']}: {summary}")
    page.emulate_media(color_scheme="light")
    return found


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.emulate_media(color_scheme="light")
        yield page
    finally:
        context.close()


def follow_link(page: Page, href: str) -> None:
    """Open a page as the site's links do (instant navigation: the same document, so axe
    stays loaded and the engine keeps running)."""
    same_page = page.evaluate(
        """(href) => { const url = new URL(href);
                       document.querySelector('.md-content article').dataset.old = '1';
                       const a = document.createElement('a'); a.href = href;
                       a.textContent = 'test link';
                       document.querySelector('.md-content').append(a); a.click(); a.remove();
                       return url.pathname === location.pathname; }""",
        href,
    )
    page.wait_for_url(href)
    if not same_page:  # the new page's content has replaced the old one
        page.wait_for_function("() => !document.querySelector('article[data-old]')")


def result(page: Page, state: str = "ok") -> dict[str, Any]:
    box = page.locator(".calc-widget .calc-result")
    expect(box).to_have_attribute("data-state", state, timeout=READY_MS)
    data: dict[str, Any] = json.loads(box.get_attribute("data-result") or "null")
    return data


def test_axe_core_is_pinned_exactly() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    pinned = package["devDependencies"]["axe-core"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "pin axe-core exactly (no ^ or ~)"
    assert lock["packages"]["node_modules/axe-core"]["version"] == pinned
    assert AXE.is_file(), "run npm ci (tools/setup.sh)"


def test_every_page_has_no_violations(axe_page: Page, site: Site) -> None:
    pages = site_pages(site)
    assert {"", "policy/", "help-sheet/", "calculators/units/"} <= set(pages)
    axe_page.goto(site.page(pages[0]))
    found = violations(axe_page, "/" + pages[0])
    for path in pages[1:]:
        follow_link(axe_page, site.page(path))
        found += violations(axe_page, "/" + path)
    assert not found, "\n".join(found)


def test_calculators_with_their_results_have_no_violations(axe_page: Page, site: Site) -> None:
    page = axe_page
    # units: a tie, an untimed code and a warning on screen
    page.goto(site.page("calculators/units/?lines=97112:10,97110:10,98941,97530:0"))
    units = result(page)
    assert units["tie"] and units["warnings"]
    found = violations(page, "units with a tie and a warning")
    # claim builder: the seed's BCBSNC case, then a line the payer excludes
    # (marks and warning links under the lines), a mixed visit with the per-line choice
    # and the unit method shown, and Medicare 97014 with its G0283 warning
    for link in (
        "payer=bcbsnc&lines=98941,97112:23",
        "payer=medicare&lines=98941,97112:23",
        "payer=commercial&lines=98941,97112:23:same-region,97140:15&method=cms",
        "payer=medicare&lines=98941,97014",
    ):
        follow_link(page, site.page(f"calculators/claim/?{link}"))
        page.wait_for_function(
            "(link) => { const r = document.querySelector('.calc-widget[data-calc=claim] "
            ".calc-result'); return r && r.dataset.state === 'ok' && location.search.endsWith"
            "(link.slice(-10)); }",
            arg=link,
            timeout=READY_MS,
        )
        found += violations(page, f"claim ?{link}")
    # documentation review: the empty form's message, then a partly filled record's
    # (missing items listed first)
    follow_link(page, site.page("calculators/documentation/"))
    widget = page.locator(".calc-widget[data-calc=documentation]")
    expect(widget).to_have_class(re.compile("calc-form-ready"), timeout=READY_MS)
    widget.get_by_role("button", name="Review").click()
    result(page, "error")
    found += violations(page, "documentation, empty form")
    record = golden("documentation_complete.json")["record"]
    form = widget.locator("form")
    form.get_by_label("Functional goal", exact=True).fill(record["functional_goal"])
    form.get_by_label("Time", exact=True).fill(str(record["minutes"]))
    form.get_by_label("balance", exact=True).check()
    widget.get_by_role("button", name="Review").click()
    page.wait_for_function(
        "(goal) => (document.querySelector('.calc-result').dataset.result || '').includes(goal)",
        arg=record["functional_goal"][:20],
        timeout=READY_MS,
    )
    found += violations(page, "documentation, filled record")
    assert not found, "\n".join(found)


def test_the_preview_and_the_failure_notice_have_no_violations(axe_page: Page, site: Site) -> None:
    page = axe_page
    held: list[Route] = []
    # the engine never arrives: the deep link's preview and the progress bar stay on screen
    page.route("**/engine-worker.mjs", lambda route: held.append(route))
    page.goto(site.page("calculators/units/?lines=97112:38"))
    expect(page.locator(".calc-widget .calc-preview")).to_be_visible(timeout=READY_MS)
    expect(page.locator(".calc-widget .calc-status")).to_be_visible()
    found = violations(page, "units preview while the engine loads")
    # the engine cannot load: the failure notice
    page.unroute("**/engine-worker.mjs")
    page.route("**/*.wasm", lambda route: route.abort())
    page.goto(site.page("calculators/units/?lines=97112:38"))
    expect(page.locator(".calc-widget .calc-status")).to_have_attribute(
        "data-state", "failed", timeout=READY_MS
    )
    result(page, state="error")
    found += violations(page, "units, engine failed")
    assert held, "the engine's worker was never requested"
    assert not found, "\n".join(found)
