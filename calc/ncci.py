"""NCCI procedure-to-procedure pairs (RULES.md §3.3), for the help sheet and the claim.

The rows live in ``calc/data/ncci_pairs.toml``. A row lists column 1 and column 2
codes; every combination is one edit. Rows marked "none found" record pairs that were
looked for and not found: they are kept apart, and no modifier follows from them.

>>> ncci = load_ncci_pairs()
>>> edit = ncci.edit("98941", "97112")
>>> edit.indicator, edit.modifier, edit.confidence
('1', '59', 'high')
>>> ncci.edit("97112", "98941") is None  # the order matters: column 1, then column 2
True
>>> ncci.none_found_for("98941", "97110").confidence
'verify'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from calc._data import check_keys, plain, read_toml, want, want_confidence, want_date, want_text
from calc.codes import CodeTable, load_codes, want_codes
from calc.errors import CalcError

DATA_FILE = "ncci_pairs.toml"
INDICATORS = ("0", "1", "unknown")
PAIR_MODIFIERS = ("59", "25")


@dataclass(frozen=True)
class NcciPair:
    """One row: every column 1 code with every column 2 code."""

    column1: tuple[str, ...]
    column2: tuple[str, ...]
    indicator: str  # "0", "1" or "unknown"
    modifier: str  # what bypasses it on the column 2 code: "59" (or X) or "25"
    source: str
    confidence: str
    reviewed: dt.date
    notes: str

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class NoEditFound:
    """Pairs looked for and not found as edits (not an edit; confidence says how sure)."""

    codes: tuple[str, ...]
    against: tuple[str, ...]
    source: str
    confidence: str
    reviewed: dt.date
    notes: str

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class NcciData:
    caveat: str
    pairs: tuple[NcciPair, ...]
    none_found: tuple[NoEditFound, ...]
    _edits: dict[tuple[str, str], NcciPair] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        edits = {(c1, c2): row for row in self.pairs for c1 in row.column1 for c2 in row.column2}
        object.__setattr__(self, "_edits", edits)

    def edit(self, column1: str, column2: str) -> NcciPair | None:
        """The row that pairs these two codes in this order, if any."""
        return self._edits.get((column1, column2))

    def none_found_for(self, a: str, b: str) -> NoEditFound | None:
        """The "none found" row covering these two codes (either order), if any."""
        for row in self.none_found:
            if (a in row.codes and b in row.against) or (b in row.codes and a in row.against):
                return row
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "caveat": self.caveat,
            "pairs": [p.as_dict() for p in self.pairs],
            "none_found": [n.as_dict() for n in self.none_found],
        }


def parse_ncci(name: str, data: Mapping[str, Any], codes: CodeTable | None = None) -> NcciData:
    """Validate the parsed TOML; every problem names the file, the row and the key.

    >>> parse_ncci("ncci_pairs.toml", {"caveat": "c", "pair": [{"column1": ["98941"],
    ...   "column2": ["9711"], "indicator": 1, "modifier": "59", "source": "s",
    ...   "confidence": "high", "reviewed": "2026-11-27"}]})
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: ncci_pairs.toml, pair 1: unknown code '9711' in 'column2'
    """
    codes = codes or load_codes()
    check_keys(name, data, ["caveat", "pair"], ["none_found"])
    pairs = []
    seen: dict[tuple[str, str], int] = {}
    for i, entry in enumerate(want(name, "pair", data["pair"], list), start=1):
        where = f"{name}, pair {i}"
        want(where, "pair", entry, dict)
        check_keys(
            where,
            entry,
            ["column1", "column2", "indicator", "modifier", "source", "confidence", "reviewed"],
            ["notes"],
        )
        column1 = want_codes(where, "column1", entry["column1"], codes)
        column2 = want_codes(where, "column2", entry["column2"], codes)
        raw = entry["indicator"]
        indicator = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
        if indicator not in INDICATORS:
            raise CalcError("bad_data", f"{where}: 'indicator' must be 0, 1 or \"unknown\"")
        modifier = want_text(where, "modifier", entry["modifier"])
        if modifier not in PAIR_MODIFIERS:
            raise CalcError("bad_data", f'{where}: \'modifier\' must be "59" or "25"')
        confidence = want_confidence(where, entry["confidence"])
        if indicator == "unknown" and confidence != "verify":
            raise CalcError("bad_data", f"{where}: an unknown indicator needs confidence 'verify'")
        for c2 in column2:
            is_em = codes.require(c2).category == "em"
            if is_em != (modifier == "25"):
                raise CalcError(
                    "bad_data",
                    f"{where}: column 2 code {c2!r} needs modifier "
                    f"{'25 (an E/M never takes 59)' if is_em else '59 (25 is for an E/M only)'}",
                )
        for c1 in column1:
            for c2 in column2:
                if c1 == c2:
                    raise CalcError("bad_data", f"{where}: {c1!r} is paired with itself")
                if (c1, c2) in seen:
                    raise CalcError(
                        "bad_data", f"{where}: {c1}/{c2} is already in pair {seen[(c1, c2)]}"
                    )
                seen[(c1, c2)] = i
        pairs.append(
            NcciPair(
                column1=column1,
                column2=column2,
                indicator=str(indicator),
                modifier=modifier,
                source=want_text(where, "source", entry["source"]),
                confidence=confidence,
                reviewed=want_date(where, "reviewed", entry["reviewed"]),
                notes=want(where, "notes", entry.get("notes", ""), str),
            )
        )
    none_found = []
    for i, entry in enumerate(want(name, "none_found", data.get("none_found", []), list), 1):
        where = f"{name}, none_found {i}"
        want(where, "none_found", entry, dict)
        check_keys(
            where, entry, ["codes", "against", "source", "confidence", "reviewed"], ["notes"]
        )
        row = NoEditFound(
            codes=want_codes(where, "codes", entry["codes"], codes),
            against=want_codes(where, "against", entry["against"], codes),
            source=want_text(where, "source", entry["source"]),
            confidence=want_confidence(where, entry["confidence"]),
            reviewed=want_date(where, "reviewed", entry["reviewed"]),
            notes=want(where, "notes", entry.get("notes", ""), str),
        )
        for a in row.codes:
            for b in row.against:
                if (a, b) in seen or (b, a) in seen:
                    raise CalcError(
                        "bad_data", f"{where}: {a}/{b} is listed as an edit and as none found"
                    )
        none_found.append(row)
    return NcciData(
        caveat=want_text(name, "caveat", data["caveat"]),
        pairs=tuple(pairs),
        none_found=tuple(none_found),
    )


@cache
def load_ncci_pairs() -> NcciData:
    """The NCCI rows shipped with the package (read once, then cached)."""
    return parse_ncci(DATA_FILE, read_toml(DATA_FILE))
