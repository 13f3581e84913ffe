"""The engine's own statements (``calc/data/statements.toml``): the units methods it
cites, its input checks and its notes, each with a citation, a confidence and a review
date like every other rule, and the message text with its ``{fields}``.

>>> s = statement("ignored-abn")
>>> s.say(payer="Blue Cross NC")
'An ABN was marked, but an ABN is a Medicare notice: it changes nothing for Blue Cross NC.'
>>> s.source, s.confidence
('Calculator input check', 'high')
>>> statement("units-cms").source
'CMS, Medicare Claims Processing Manual, Pub. 100-04, Chapter 5 — §20.2'
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from calc._data import (
    ANSWERED_AS_SOURCE,
    check_keys,
    entries,
    read_toml,
    want_confidence,
    want_date,
    want_id,
    want_text,
    want_texts,
)
from calc.errors import CalcError
from calc.sources import Citation, Cited, read_citation

DATA_FILE = "statements.toml"
_KEYS = ("id", "title", "fields", "sources", "confidence", "reviewed")
_OPTIONAL = ("text", "where")


@dataclass(frozen=True)
class Statement(Cited):
    """One statement of the engine: what it says (``text``, with ``{fields}``), about
    what (``title``), and who says so."""

    id: str
    title: str
    text: str  # "" for a statement that is only cited (a units method)
    fields: tuple[str, ...]
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    reviewed: dt.date

    def say(self, **values: object) -> str:
        """The message with its fields filled in (every field it uses must be given)."""
        return self.text.format(**values)


def _used_fields(where: str, text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise CalcError("bad_data", f"{where}: 'text' has a stray brace ({exc})") from exc


def parse_statements(name: str, data: Mapping[str, Any]) -> tuple[Statement, ...]:
    """Check the parsed file; every problem names the file and the statement.

    >>> parse_statements("s.toml", {"statement": [{"id": "x", "title": "X", "text": "{who}",
    ...   "fields": [], "sources": ["ama-cpt"], "confidence": "high",
    ...   "reviewed": dt.date(2026, 11, 27)}]})
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: s.toml, statement 'x': 'text' uses {who}, not listed in 'fields'
    """
    check_keys(name, data, ["statement"])
    out: list[Statement] = []
    for where, entry in entries(name, "statement", data["statement"]):
        check_keys(where, entry, _KEYS, _OPTIONAL)
        statement_id = want_id(where, "id", entry["id"])
        if any(s.id == statement_id for s in out):
            raise CalcError("bad_data", f"{where}: listed twice")
        text = want_text(where, "text", entry["text"]) if "text" in entry else ""
        fields = want_texts(where, "fields", entry["fields"])
        unknown = sorted(_used_fields(where, text) - set(fields))
        if unknown:
            raise CalcError(
                "bad_data", f"{where}: 'text' uses {{{unknown[0]}}}, not listed in 'fields'"
            )
        out.append(
            Statement(
                id=statement_id,
                title=want_text(where, "title", entry["title"]),
                text=text,
                fields=fields,
                cite=read_citation(where, entry),
                confidence=want_confidence(where, entry["confidence"]),
                reviewed=want_date(where, "reviewed", entry["reviewed"]),
            )
        )
    return tuple(out)


@cache
def load_statements() -> tuple[Statement, ...]:
    """The engine's statements shipped with the package, checked (cached)."""
    return parse_statements(DATA_FILE, read_toml(DATA_FILE))


@cache
def _by_id() -> dict[str, Statement]:
    return {s.id: s for s in load_statements()}


def statement(statement_id: str) -> Statement:
    """One statement by id (the engine asks only for ids the file has: tested)."""
    return _by_id()[statement_id]
