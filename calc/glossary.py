"""The modifier glossary: what each modifier on a claim line means, with its source.

The entries live in ``calc/data/modifier_glossary.toml``, where a compliance person
can edit them. Every modifier the rule book can put on a line (its ``[order]``) must
have an entry, so a claim result can link each modifier it shows to its definition.

>>> glossary = load_glossary()
>>> glossary.require("GX").name
'Notice of liability issued, voluntary under payer policy'
>>> anchor("GX"), glossary.questions[0].id
('modifier-gx', 'zelis')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from calc._data import (
    ANSWERED_AS_SOURCE,
    check_keys,
    plain,
    read_toml,
    want,
    want_confidence,
    want_date,
    want_id,
    want_text,
)
from calc.errors import CalcError
from calc.modifiers import load_modifier_rules
from calc.sources import Citation, Cited, read_citation, source

DATA_FILE = "modifier_glossary.toml"


def anchor(modifier: str) -> str:
    """The id of a modifier's entry on the glossary page.

    >>> anchor("59")
    'modifier-59'
    """
    return f"modifier-{modifier.lower()}"


@dataclass(frozen=True)
class Definition(Cited):
    code: str
    name: str
    meaning: str
    on_claims: str
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    url: str
    confidence: str
    reviewed: dt.date

    def as_dict(self) -> dict[str, Any]:
        return {**plain(self), "anchor": anchor(self.code)}


@dataclass(frozen=True)
class Question(Cited):
    id: str
    title: str
    answer: str
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    urls: tuple[str, ...]
    confidence: str
    reviewed: dt.date

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class Glossary:
    modifiers: tuple[Definition, ...]
    questions: tuple[Question, ...]

    def __iter__(self) -> Iterator[Definition]:
        return iter(self.modifiers)

    def require(self, code: str) -> Definition:
        for entry in self.modifiers:
            if entry.code == code:
                return entry
        raise CalcError("unknown_modifier", f"No glossary entry for modifier {code!r}.")

    def as_dict(self) -> dict[str, Any]:
        return {
            "modifiers": [m.as_dict() for m in self.modifiers],
            "questions": [q.as_dict() for q in self.questions],
        }


def _links(cite: Citation) -> tuple[str, ...]:
    """The addresses of an entry's sources, from the registry, in the order cited."""
    return tuple(s.href for s in cite.sources() if s.href)


def _document(where: str, raw: Mapping[str, Any], cite: Citation) -> str:
    """The address a modifier's entry opens: its ``document`` (one of its sources), else
    the first of its sources with a public address ("" when none has one)."""
    if "document" not in raw:
        return next(iter(_links(cite)), "")
    chosen = want_id(where, "document", raw["document"])
    if chosen not in cite.ids or source(chosen).href is None:
        raise CalcError(
            "bad_data", f"{where}: 'document' must be one of its sources with a public address"
        )
    return str(source(chosen).href)


def parse_glossary(
    name: str, data: Mapping[str, Any], required: Iterable[str] | None = None
) -> Glossary:
    """Validate the parsed TOML; ``required``: the modifiers that must have an entry
    (default: every modifier of the rule book's ``[order]``).

    >>> parse_glossary("g.toml", {"modifier": [], "question": []}, required=["GP"])
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: g.toml: no entry for modifier 'GP' (the claim builder can put it on a line)
    """  # noqa: E501
    check_keys(name, data, ["modifier", "question"])
    entries = []
    for i, raw in enumerate(want(name, "modifier", data["modifier"], list), start=1):
        where = f"{name}, modifier {i}"
        want(where, "modifier", raw, dict)
        if isinstance(raw.get("code"), str):
            where = f"{name}, modifier {raw['code']!r}"
        keys = ["code", "name", "meaning", "on_claims", "sources", "confidence", "reviewed"]
        check_keys(where, raw, keys, ["document", "where"])
        cite = read_citation(where, raw)
        entries.append(
            Definition(
                code=want_text(where, "code", raw["code"]).upper(),
                name=want_text(where, "name", raw["name"]),
                meaning=want_text(where, "meaning", raw["meaning"]),
                on_claims=want_text(where, "on_claims", raw["on_claims"]),
                cite=cite,
                url=_document(where, raw, cite),
                confidence=want_confidence(where, raw["confidence"]),
                reviewed=want_date(where, "reviewed", raw["reviewed"]),
            )
        )
    questions = []
    for i, raw in enumerate(want(name, "question", data["question"], list), start=1):
        where = f"{name}, question {i}"
        want(where, "question", raw, dict)
        keys = ["id", "title", "answer", "sources", "confidence", "reviewed"]
        check_keys(where, raw, keys, ["where"])
        cite = read_citation(where, raw)
        questions.append(
            Question(
                id=want_id(where, "id", raw["id"]),
                title=want_text(where, "title", raw["title"]),
                answer=want_text(where, "answer", raw["answer"]),
                cite=cite,
                urls=_links(cite),
                confidence=want_confidence(where, raw["confidence"]),
                reviewed=want_date(where, "reviewed", raw["reviewed"]),
            )
        )
    codes = [e.code for e in entries]
    for code in codes:
        if codes.count(code) > 1:
            raise CalcError("bad_data", f"{name}: modifier {code!r} is listed twice")
    wanted = load_modifier_rules().order.modifiers if required is None else tuple(required)
    for code in wanted:
        if code not in codes:
            raise CalcError(
                "bad_data",
                f"{name}: no entry for modifier {code!r} (the claim builder can put it on a line)",
            )
    return Glossary(tuple(entries), tuple(questions))


@cache
def load_glossary() -> Glossary:
    """The glossary shipped with the package (read once, then cached)."""
    return parse_glossary(DATA_FILE, read_toml(DATA_FILE))
