"""Search (Material's lunr index, in Chromium): a learner who searches a rule finds the
policy pages first, never the trainer's key (issue 14)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Site

pytestmark = pytest.mark.browser
#: the pages a search for a modifier should lead to first; the modifier glossary (issue
#: 14) is the page that says what each modifier means
POLICY_PAGES = ["help-sheet/", "policy/", "payers/", "modifiers/"]
#: pages that rank below the policy pages (front matter search.boost)
BELOW = ["training-key/", "sources/"]


def search(page: Page, site: Site, words: str) -> list[str]:
    """The pages of the search results for `words`, in their order (each page once)."""
    page.goto(site.page(""))
    page.locator(".md-search__input").click()
    page.keyboard.type(words)
    page.wait_for_selector(".md-search-result__item", timeout=30_000)
    hrefs: list[str] = page.locator(".md-search-result__item > a").evaluate_all(
        "links => links.map(a => a.href)"
    )
    pages = [urlsplit(h).path.removeprefix(urlsplit(site.url).path) for h in hrefs]
    return list(dict.fromkeys(pages))


# (for "GP" more pages match than the results list shows, the glossary among them, and
# the key falls past the end of it: below, as it should be; the other words show it is
# still in the index)
@pytest.mark.parametrize(("words", "key_shown"), [("GY", True), ("GP", False), ("59", True)])
def test_the_policy_pages_rank_above_the_key_and_the_appendix(
    page: Page, site: Site, words: str, key_shown: bool
) -> None:
    found = search(page, site, words)
    if key_shown:
        assert "training-key/" in found, found  # found, only lower
    first_below = min((found.index(p) for p in BELOW if p in found), default=len(found))
    for policy in POLICY_PAGES:
        if policy in found:
            assert found.index(policy) < first_below, found
    assert found[0] in POLICY_PAGES, found
