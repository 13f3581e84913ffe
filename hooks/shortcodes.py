"""MkDocs hook: shortcodes in prose (``<!-- rule: ID -->``, ``<!-- source: ID -->``) put in
what the rule book says, from the ids ``python -m docsgen`` wrote beside the snippets
(``docs/_generated/citations.json``, by ``hooks/snippets.py``, listed before this hook).
The work is ``docsgen.shortcodes``; an unknown id fails the build with its page, line
and the nearest ids."""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a build from another folder: docsgen is beside hooks/
    sys.path.insert(0, str(ROOT))

from docsgen.shortcodes import (  # noqa: E402
    CITATIONS_FILE,
    Citations,
    ShortcodeError,
    expand,
    load_citations,
)

_citations: dict[str, Citations] = {}


def on_pre_build(config: MkDocsConfig) -> None:
    _citations.clear()  # each build (mkdocs serve) reads the file written for it


def _page_path(page: Page, config: MkDocsConfig) -> str:
    return f"{Path(config.docs_dir).name}/{page.file.src_uri}"  # docs/policy.md


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if "<!--" not in markdown:
        return markdown
    if "ids" not in _citations:
        _citations["ids"] = load_citations(Path(config.docs_dir) / "_generated" / CITATIONS_FILE)
    try:
        return expand(markdown, _page_path(page, config), _citations["ids"])
    except ShortcodeError as err:
        raise PluginError(f"shortcodes:\n{err}") from err
