"""The linking page: the stable page addresses, anchors and calculator links the wiki
may use, from ``docs/linking-contract.json``.

>>> page_source("payers/")
'payers.md'
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from calc.payers import load_payers
from docsgen.markdown import SITE_URL_TOKEN, cell, header, table

ROOT = Path(__file__).resolve().parent.parent


LINKING_CONTRACT = ROOT / "docs" / "linking-contract.json"


# --- the linking contract ------------------------------------------------------------


def load_contract(path: Path = LINKING_CONTRACT) -> dict[str, Any]:
    contract: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return contract


def page_source(url: str) -> str:
    """The Markdown file behind a site URL: '' → index.md, 'calculators/units/' →
    'calculators/units.md'.

    >>> page_source(""), page_source("calculators/units/")
    ('index.md', 'calculators/units.md')
    """
    return url.rstrip("/") + ".md" if url else "index.md"


def linking_pages() -> str:
    """The stable page URLs, as a table for wiki editors."""
    rows = [
        [f"[{cell(p['title'])}]({page_source(p['url'])})", f"`{SITE_URL_TOKEN}{p['url']}`"]
        for p in load_contract()["pages"]
    ]
    return "\n".join(
        [header("docs/linking-contract.json"), "", table(["Page", "Address"], rows), ""]
    )


def linking_anchors() -> str:
    """The stable anchors, one table per page."""
    parts = [header("docs/linking-contract.json"), ""]
    for p in load_contract()["pages"]:
        rows = [
            [
                f"[{cell(title)}]({page_source(p['url'])}#{anchor})",
                f"`{SITE_URL_TOKEN}{p['url']}#{anchor}`",
            ]
            for anchor, title in p["anchors"].items()
        ]
        parts += [f"**{cell(p['title'])}**", "", table(["Section", "Address"], rows), ""]
    return "\n".join(parts)


def _param_choices(name: str) -> str:
    """The values a link parameter takes, where the rules data lists them."""
    if name == "payer":
        return " (one of: " + ", ".join(f"`{p.id}`" for p in load_payers()) + ")"
    return ""


def _calculator_links(calc: dict[str, Any], root: str) -> list[str]:
    """One calculator's link parameters and worked examples; ``root`` leads from the
    page they are shown on to the site's root."""
    base = SITE_URL_TOKEN
    parts = []
    if calc["params"]:
        rows = [
            [f"`{name}`", cell(text) + _param_choices(name)]
            for name, text in calc["params"].items()
        ]
        parts += [table(["Parameter", "Value"], rows), ""]
    else:
        parts += ["No parameters.", ""]
    for example in calc["examples"]:
        href = html.escape(root + example["link"])
        shown = html.escape(base + example["link"])
        parts += [f'- <a href="{href}"><code>{shown}</code></a>: {cell(example["what"])}']
    return [*parts, ""]


def linking_calculators() -> str:
    """The calculator links: parameters and worked examples."""
    parts = [header("docs/linking-contract.json"), ""]
    for calc in load_contract()["calculator_links"]:
        parts += [f"**`{SITE_URL_TOKEN}{calc['url']}`**", ""]
        parts += _calculator_links(calc, "../")  # linking.md is built at linking/
    return "\n".join(parts)


def calculator_links(url: str) -> str:
    """The link parameters and examples of the calculator at ``url``, for its own page
    (built at ``url``, two levels below the root for calculators/x/).

    >>> "`method`" in calculator_links("calculators/units/")
    True
    """
    calc = next(c for c in load_contract()["calculator_links"] if c["url"] == url)
    root = "../" * url.count("/")
    return "\n".join([header("docs/linking-contract.json"), "", *_calculator_links(calc, root)])
