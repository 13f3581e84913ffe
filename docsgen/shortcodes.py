"""Shortcodes in prose: a page cites the rule book instead of restating it.

``<!-- rule: ID -->`` becomes the rule-book entry ID (its statement, the dates of
service it applies to, its confidence and its source), ``<!-- source: ID -->`` a
citation of a document of the source registry, ``<!-- fact: ID -->`` a phrase of the
rule book for a sentence or a heading (``docsgen.facts``: a list of payers, a range of
codes, a threshold, a rule's title or modifiers). The ids and what they render to are
written at build time into ``docs/_generated/citations.json`` (``docsgen.citations``);
this module only puts them in, and needs nothing from ``calc``, so the MkDocs hook
(``hooks/shortcodes.py``) can run it in the build's own process.

An id the rule book does not have fails the build, naming the page, the line, the id
and the ids nearest to it:

>>> known = {"rule": {"payers/nc-shp": "NC State Health Plan."}, "source": {}}
>>> expand("SHP: <!-- rule: payers/nc-shp -->", "policy.md", known)
'SHP: NC State Health Plan.'
>>> expand("\\n<!-- rule: payers/nc-shpp -->", "policy.md", known)
Traceback (most recent call last):
...
docsgen.shortcodes.ShortcodeError: policy.md:2: unknown rule id 'payers/nc-shpp' (did you mean: payers/nc-shp?)
"""  # noqa: E501

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from pathlib import Path

#: The file the generator writes the ids into, under docs/_generated/.
CITATIONS_FILE = "citations.json"
SHORTCODE = re.compile(r"<!--\s*(rule|source|fact):\s*(\S*?)\s*-->")

Citations = Mapping[str, Mapping[str, str]]


class ShortcodeError(ValueError):
    """A shortcode the rule book cannot answer; the message names page, line and id."""


def near(wanted: str, known: Mapping[str, str]) -> list[str]:
    """The known ids nearest to an unknown one (at most three).

    >>> near("parameters/kx@2026-01-01", {"parameters/kx@2025-01-01": "", "codes/97112": ""})
    ['parameters/kx@2025-01-01']
    """
    return difflib.get_close_matches(wanted, list(known), n=3, cutoff=0.6)


def expand(markdown: str, page: str, citations: Citations) -> str:
    """The page's Markdown with every shortcode replaced by what it cites; every unknown
    id on the page is reported at once."""
    errors = []

    def put_in(match: re.Match[str]) -> str:
        kind, wanted = match[1], match[2]
        known = citations.get(kind, {})
        if wanted in known:
            return known[wanted]
        line = markdown.count("\n", 0, match.start()) + 1
        hint = near(wanted, known)
        suggestion = f" (did you mean: {', '.join(hint)}?)" if hint else ""
        errors.append(f"{page}:{line}: unknown {kind} id {wanted!r}{suggestion}")
        return match[0]

    expanded = SHORTCODE.sub(put_in, markdown)
    if errors:
        raise ShortcodeError("\n".join(errors))
    return expanded


def load_citations(path: Path) -> Citations:
    """The ids the generator wrote (``python -m docsgen`` must have run)."""
    data: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return data
