"""The source registry: every document the rule book cites, once, with its title,
publisher, kind, address and date (``calc/data/sources.toml``), and the citations the
data files make by id.

A data entry cites ``sources = ["id", ...]`` and, optionally, ``where = "..."``: the
section, quote or detail those documents support. Answers render a citation in plain
words, one spelling per document:

>>> Citation(("cms-100-04-ch5",), "§20.2, Example 1").text
'CMS, Medicare Claims Processing Manual, Pub. 100-04, Chapter 5 — §20.2, Example 1'
>>> source("palmetto-jm-chiro-at-ga").date, source("palmetto-jm-chiro-at-ga").kind
('2020-05-29', 'primary')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from calc._data import check_keys, read_toml, want, want_choice, want_id, want_text
from calc.errors import CalcError

FILE = "sources.toml"
#: The kinds of source, in the order the sources page lists them.
KINDS = ("primary", "network-policy", "secondary", "project")
DATE_MEANINGS = ("published", "effective", "revised", "reviewed", "updated")
_KEYS = ("id", "title", "publisher", "kind")
_OPTIONAL = ("href", "date", "date_is", "note", "kept")
_PARTIAL_DATE = re.compile(r"\d{4}(-\d{2})?")


@dataclass(frozen=True)
class Source:
    """One document of the registry (or, of kind ``project``, one of the calculator's
    own checks)."""

    id: str
    title: str
    publisher: str
    kind: str
    href: str | None
    date: str | None  # ISO: 2020-05-29, or 2024-11 / 2023 when only that is known
    date_is: str | None  # what the date is: published, effective, reviewed, ...
    note: str | None
    kept: str | None = None  # why it is listed though no entry cites it

    @property
    def name(self) -> str:
        """How answers name it: publisher, title and date.

        >>> print(source("cms-mln1783722").name)
        CMS, Proper Use of Modifiers 59, XE, XP, XS, XU (MLN Fact Sheet MLN1783722) (published 2023)
        """
        if self.kind == "project":  # the calculator's own check: its title says it
            return self.title
        dated = f" ({self.date_is} {self.date})" if self.date else ""
        secondary = " (secondary source)" if self.kind == "secondary" else ""
        return f"{self.publisher}, {self.title}{dated}{secondary}"


@dataclass(frozen=True)
class Citation:
    """What one data entry cites: registry ids, and what exactly they support. Its
    ``text`` (also ``str()``) is the citation in plain words, each source named once
    the same way, then the detail:

    >>> print(Citation(("hns-97112", "cms-100-02-ch15"), "§220.3").text)
    HNS, CPT 97112 – Neuromuscular Reeducation; CMS, Medicare Benefit Policy Manual, Pub. 100-02, Chapter 15 — §220.3
    >>> str(Citation((), "Open question: no public source found"))
    'Open question: no public source found'
    """  # noqa: E501

    ids: tuple[str, ...]
    where: str | None = None
    text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = "; ".join(source(i).name for i in self.ids)
        text = f"{names} — {self.where}" if names and self.where else names or self.where or ""
        object.__setattr__(self, "text", text)

    def __str__(self) -> str:
        return self.text

    def sources(self) -> tuple[Source, ...]:
        return tuple(source(i) for i in self.ids)


class Cited:
    """A data entry with a citation (its ``cite`` field): ``source`` is its text, as
    the answers give it."""

    cite: Citation

    @property
    def source(self) -> str:
        return self.cite.text


def _date(where: str, raw: Any) -> str:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw.isoformat()
    if isinstance(raw, str) and _PARTIAL_DATE.fullmatch(raw):
        return raw
    raise CalcError(
        "bad_data",
        f"{where}: 'date' must be a date like 2020-05-29, or 2024-11 or 2023, got {raw!r}",
    )


def _source(where: str, entry: Mapping[str, Any]) -> Source:
    check_keys(where, entry, _KEYS, _OPTIONAL)
    date = _date(where, entry["date"]) if "date" in entry else None
    date_is = (
        want_choice(where, "date_is", entry["date_is"], DATE_MEANINGS)
        if "date_is" in entry
        else None
    )
    if (date is None) != (date_is is None):
        raise CalcError("bad_data", f"{where}: 'date' and 'date_is' go together")
    href = want_text(where, "href", entry["href"]) if "href" in entry else None
    if href is not None and not href.startswith("https://"):
        raise CalcError("bad_data", f"{where}: 'href' must be an https:// address, got {href!r}")
    return Source(
        id=want_id(where, "id", entry["id"]),
        title=want_text(where, "title", entry["title"]),
        publisher=want_text(where, "publisher", entry["publisher"]),
        kind=want_choice(where, "kind", entry["kind"], KINDS),
        href=href,
        date=date,
        date_is=date_is,
        note=want_text(where, "note", entry["note"]) if "note" in entry else None,
        kept=want_text(where, "kept", entry["kept"]) if "kept" in entry else None,
    )


def parse_sources(data: Mapping[str, Any], name: str = FILE) -> tuple[Source, ...]:
    """Check a parsed registry; an entry's error names the file and the entry.

    >>> parse_sources({"source": [{"id": "a", "title": "T", "publisher": "P", "kind": "law"}]})
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: sources.toml, source 'a': 'kind' must be one of primary, ..., got 'law'
    """
    check_keys(name, data, ["source"])
    out: list[Source] = []
    seen: set[str] = set()
    for n, entry in enumerate(want(name, "source", data["source"], list), 1):
        entry = want(f"{name}, source {n}", "source", entry, dict)
        label = entry.get("id", n)
        where = f"{name}, source {label!r}" if isinstance(label, str) else f"{name}, source {n}"
        found = _source(where, entry)
        if found.id in seen:
            raise CalcError("bad_data", f"{where}: id {found.id!r} is listed twice")
        seen.add(found.id)
        out.append(found)
    return tuple(out)


@cache
def load_sources() -> tuple[Source, ...]:
    """The registry, checked (cached)."""
    return parse_sources(read_toml(FILE))


@cache
def _by_id() -> dict[str, Source]:
    return {s.id: s for s in load_sources()}


def source(source_id: str) -> Source:
    """One registry entry by id; an unknown id is a ``bad_data`` error."""
    try:
        return _by_id()[source_id]
    except KeyError:
        raise CalcError("bad_data", f"unknown source id {source_id!r}") from None


def source_texts(answer: Any) -> Iterator[str]:
    """Every source text of an answer: its ``source`` and ``sources`` fields, at any depth."""
    if isinstance(answer, dict):
        for key, value in answer.items():
            if key == "source" and isinstance(value, str):
                yield value
            elif key == "sources" and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from source_texts(value)
    elif isinstance(answer, list):
        for value in answer:
            yield from source_texts(value)


def source_links(answer: Any) -> list[dict[str, str]]:
    """The public documents an answer's source texts name, for a page to link their
    names (each registry source is named one way, so its name finds it).

    >>> source_links({"sources": ["HNS, CPT 97112 – Neuromuscular Reeducation — x"]})
    [{'id': 'hns-97112', 'name': 'HNS, CPT 97112 – Neuromuscular Reeducation', \
'href': 'https://healthnetworksolutions.net/index.php/cpt-97112'}]
    """
    said = "\n".join(source_texts(answer))
    return [
        {"id": s.id, "name": s.name, "href": s.href}
        for s in load_sources()
        if s.href is not None and s.name in said
    ]


def read_citation(where: str, entry: Mapping[str, Any]) -> Citation:
    """The ``sources`` and ``where`` keys of a data entry, every id checked against the
    registry. An entry with no source must say why in ``where`` (an open question).

    >>> read_citation("codes.toml, code '97112'", {"sources": ["hns-97112", "cms-100-04"]})
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: codes.toml, code '97112': unknown source id 'cms-100-04' (the sources ...
    """
    ids = tuple(
        want_id(where, "sources", i) for i in want(where, "sources", entry["sources"], list)
    )
    known = _by_id()
    for i in ids:
        if i not in known:
            raise CalcError(
                "bad_data", f"{where}: unknown source id {i!r} (the sources are listed in {FILE})"
            )
    if len(set(ids)) != len(ids):
        raise CalcError("bad_data", f"{where}: 'sources' names a source twice")
    said = want_text(where, "where", entry["where"]) if "where" in entry else None
    if not ids and said is None:
        raise CalcError("bad_data", f"{where}: 'sources' is empty: say why in 'where'")
    return Citation(ids, said)
