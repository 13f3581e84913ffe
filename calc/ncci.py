"""NCCI procedure-to-procedure edits, for the help sheet and the claim.

The rows live in ``calc/data/ncci_pairs.toml``, read from one edition of the CMS
Medicare Practitioner PTP table (its ``[edition]``). A row lists column 1 and column 2
codes; every combination is one edit. A row with a deletion date is history: it applies
only to dates of service before that date. Rows marked "none found" record pairs the
table has no edit for: they are kept apart, and no modifier follows from them.

>>> ncci = load_ncci_pairs()
>>> edit = ncci.edit("98941", "97112")
>>> edit.indicator, edit.modifier, edit.confidence
('1', '59', 'high')
>>> ncci.edit("97112", "98941") is None  # the order matters: column 1, then column 2
True
>>> ncci.edit("98941", "97161").indicator  # PT evaluation with CMT: never payable
'0'
>>> ncci.edit("97140", "97530") is None  # deleted 2019-12-31 ...
True
>>> ncci.edit("97140", "97530", on=dt.date(2019, 6, 3)).deleted  # ... in force before
datetime.date(2019, 12, 31)
>>> ncci.none_found_for("98941", "97110").confidence
'high'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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
    want_text,
)
from calc.codes import CodeTable, load_codes, want_codes
from calc.errors import CalcError
from calc.sources import Citation, Cited, read_citation

DATA_FILE = "ncci_pairs.toml"
INDICATORS = ("0", "1")


@dataclass(frozen=True)
class Edition(Cited):
    """Which CMS table the rows were read from, and how sure we are of the copy."""

    title: str
    version: str
    effective: dt.date
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    reviewed: dt.date

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class NcciPair(Cited):
    """One row: every column 1 code with every column 2 code."""

    column1: tuple[str, ...]
    column2: tuple[str, ...]
    indicator: str  # "0" or "1"
    modifier: str  # what bypasses it on the column 2 code: "59" (or X), "25"; "" for 0
    rationale: str  # CMS's stated reason for the edit
    effective: dt.date | None  # None: not in the copy read (see the file's header)
    deleted: dt.date | None  # None: in force in this edition
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    reviewed: dt.date
    notes: str

    def in_force(self, on: dt.date | None = None) -> bool:
        """Whether the edit applies to a date of service (None: in this edition).

        In force from its effective date (when known) up to the day before its
        deletion date (the header of the data file says why).
        """
        if on is None:
            return self.deleted is None
        if self.effective is not None and on < self.effective:
            return False
        return self.deleted is None or on < self.deleted

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class NoEditFound(Cited):
    """Pairs the table has no edit in force for (not an edit; no modifier follows)."""

    codes: tuple[str, ...]
    against: tuple[str, ...]
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    reviewed: dt.date
    notes: str

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class NcciData:
    caveat: str
    edition: Edition
    pairs: tuple[NcciPair, ...]
    none_found: tuple[NoEditFound, ...]
    _edits: dict[tuple[str, str], tuple[NcciPair, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        edits: dict[tuple[str, str], list[NcciPair]] = {}
        for row in self.pairs:
            for c1 in row.column1:
                for c2 in row.column2:
                    edits.setdefault((c1, c2), []).append(row)
        object.__setattr__(self, "_edits", {k: tuple(v) for k, v in edits.items()})

    def edit(self, column1: str, column2: str, on: dt.date | None = None) -> NcciPair | None:
        """The edit pairing these two codes in this order that is in force on the date of
        service ``on`` (None: in force in this edition, i.e. not deleted), if any."""
        rows = [r for r in self._edits.get((column1, column2), ()) if r.in_force(on)]
        # rows of one pair do not overlap in time: the first one deleted after `on` is it
        return min(rows, key=lambda r: r.deleted or dt.date.max, default=None)

    def history(self, column1: str, column2: str) -> tuple[NcciPair, ...]:
        """Every row for these two codes in this order, deleted ones included."""
        return self._edits.get((column1, column2), ())

    def active(self) -> tuple[NcciPair, ...]:
        """The rows in force in this edition."""
        return tuple(r for r in self.pairs if r.deleted is None)

    def deleted(self) -> tuple[NcciPair, ...]:
        """The rows deleted before this edition (history)."""
        return tuple(r for r in self.pairs if r.deleted is not None)

    def none_found_for(self, a: str, b: str, on: dt.date | None = None) -> NoEditFound | None:
        """The "none found" row covering these two codes (either order), if any, and if
        no deleted edit of theirs was still in force on the date of service ``on``.

        >>> ncci = load_ncci_pairs()
        >>> ncci.none_found_for("97112", "97140") is not None
        True
        >>> ncci.none_found_for("97112", "97750", on=dt.date(2003, 9, 29)) is None
        True
        """
        if on is not None and (self.edit(a, b, on) or self.edit(b, a, on)):
            return None
        for row in self.none_found:
            if (a in row.codes and b in row.against) or (b in row.codes and a in row.against):
                return row
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "caveat": self.caveat,
            "edition": self.edition.as_dict(),
            "pairs": [p.as_dict() for p in self.pairs],
            "none_found": [n.as_dict() for n in self.none_found],
        }


def bypass_modifier(indicator: str, column2_is_em: bool) -> str:
    """The modifier that lets the column 2 code be paid: none for indicator 0, 25 on an
    E/M, otherwise 59 (or its X equivalent).

    >>> bypass_modifier("1", True), bypass_modifier("1", False), bypass_modifier("0", False)
    ('25', '59', '')
    """
    if indicator == "0":
        return ""
    return "25" if column2_is_em else "59"


def _edition(name: str, data: Any) -> Edition:
    where = f"{name}, [edition]"
    want(where, "edition", data, dict)
    keys = ["title", "version", "effective", "sources", "confidence", "reviewed"]
    check_keys(where, data, keys, ["where"])
    return Edition(
        title=want_text(where, "title", data["title"]),
        version=want_text(where, "version", data["version"]),
        effective=want_date(where, "effective", data["effective"]),
        cite=read_citation(where, data),
        confidence=want_confidence(where, data["confidence"]),
        reviewed=want_date(where, "reviewed", data["reviewed"]),
    )


def _optional_date(where: str, key: str, entry: Mapping[str, Any]) -> dt.date | None:
    return want_date(where, key, entry[key]) if key in entry else None


def parse_ncci(name: str, data: Mapping[str, Any], codes: CodeTable | None = None) -> NcciData:
    """Validate the parsed TOML; every problem names the file, the row and the key.

    >>> parse_ncci("ncci_pairs.toml", {"caveat": "c", "edition": {"title": "t",
    ...   "version": "30.1", "effective": "2024-04-01", "sources": [], "where": "s",
    ...   "confidence": "high", "reviewed": "2026-12-04"}, "pair": [{"column1": ["98941"],
    ...   "column2": ["9711"], "indicator": 1, "rationale": "r"}]})
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: ncci_pairs.toml, pair 1: unknown code '9711' in 'column2'
    """
    codes = codes or load_codes()
    check_keys(name, data, ["caveat", "edition", "pair"], ["none_found"])
    edition = _edition(name, data["edition"])
    pairs = []
    seen: dict[tuple[str, str, dt.date | None], int] = {}
    for i, entry in enumerate(want(name, "pair", data["pair"], list), start=1):
        where = f"{name}, pair {i}"
        want(where, "pair", entry, dict)
        check_keys(
            where,
            entry,
            ["column1", "column2", "indicator", "rationale"],
            ["effective", "deleted", "notes"],
        )
        column1 = want_codes(where, "column1", entry["column1"], codes)
        column2 = want_codes(where, "column2", entry["column2"], codes)
        raw = entry["indicator"]
        indicator = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
        if indicator not in INDICATORS:
            raise CalcError(
                "bad_data",
                f"{where}: 'indicator' must be 0 or 1 (indicator 9 rows are not edits: "
                "leave them out)",
            )
        em = {codes.require(c2).category == "em" for c2 in column2}
        if len(em) > 1:
            raise CalcError(
                "bad_data",
                f"{where}: 'column2' mixes E/M and other codes (their modifiers differ: "
                "25 on an E/M, 59 on the others); split the row",
            )
        effective = _optional_date(where, "effective", entry)
        deleted = _optional_date(where, "deleted", entry)
        if effective is not None and deleted is not None and deleted < effective:
            raise CalcError("bad_data", f"{where}: 'deleted' is before 'effective'")
        for c1 in column1:
            for c2 in column2:
                if c1 == c2:
                    raise CalcError("bad_data", f"{where}: {c1!r} is paired with itself")
                if (c1, c2, deleted) in seen:
                    raise CalcError(
                        "bad_data",
                        f"{where}: {c1}/{c2} is already in pair {seen[(c1, c2, deleted)]}",
                    )
                seen[(c1, c2, deleted)] = i
        pairs.append(
            NcciPair(
                column1=column1,
                column2=column2,
                indicator=str(indicator),
                modifier=bypass_modifier(str(indicator), em == {True}),
                rationale=want_text(where, "rationale", entry["rationale"]),
                effective=effective,
                deleted=deleted,
                cite=edition.cite,
                confidence=edition.confidence,
                reviewed=edition.reviewed,
                notes=want(where, "notes", entry.get("notes", ""), str),
            )
        )
    none_found = []
    for i, entry in enumerate(want(name, "none_found", data.get("none_found", []), list), 1):
        where = f"{name}, none_found {i}"
        want(where, "none_found", entry, dict)
        check_keys(where, entry, ["codes", "against"], ["notes"])
        row = NoEditFound(
            codes=want_codes(where, "codes", entry["codes"], codes),
            against=want_codes(where, "against", entry["against"], codes),
            cite=edition.cite,
            confidence=edition.confidence,
            reviewed=edition.reviewed,
            notes=want(where, "notes", entry.get("notes", ""), str),
        )
        for a in row.codes:
            for b in row.against:
                if (a, b, None) in seen or (b, a, None) in seen:
                    raise CalcError(
                        "bad_data", f"{where}: {a}/{b} is listed as an edit and as none found"
                    )
        none_found.append(row)
    return NcciData(
        caveat=want_text(name, "caveat", data["caveat"]),
        edition=edition,
        pairs=tuple(pairs),
        none_found=tuple(none_found),
    )


@cache
def load_ncci_pairs() -> NcciData:
    """The NCCI rows shipped with the package (read once, then cached)."""
    return parse_ncci(DATA_FILE, read_toml(DATA_FILE))
