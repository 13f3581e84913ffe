"""Medically Unlikely Edits (MUEs): the most units of a code CMS expects per day.

The limits live in ``calc/data/mue.toml``, read from one edition of the CMS Medicare
Practitioner Services MUE table. The MUE adjudication indicator (MAI) says how the
limit is applied; :meth:`MueLimit.explain` says it in plain words.

>>> mue = load_mue()
>>> limit = mue.limit("97112")
>>> limit.value, limit.mai
(4, 3)
>>> limit.exceeded_by(5)
1
>>> mue.limit("97039") is None  # no MUE in the data for this code
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
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
from calc.modifiers import Fired, Message
from calc.sources import Citation, Cited, read_citation
from calc.statements import statement

DATA_FILE = "mue.toml"
#: The MUE adjudication indicators, in plain words (CMS's names in brackets): the
#: statements mue-mai-1 to mue-mai-3 of calc/data/statements.toml.
MAIS = (1, 2, 3)


def mai_meaning(mai: int) -> str:
    """What an MUE adjudication indicator means, in plain words.

    >>> mai_meaning(2).startswith("an absolute limit per day")
    True
    """
    return statement(f"mue-mai-{mai}").text


@dataclass(frozen=True)
class MueLimit(Cited):
    """One code's MUE: at most ``value`` units (how it applies: ``mai``)."""

    code: str
    value: int
    mai: int
    rationale: str  # CMS's stated reason
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    reviewed: dt.date
    notes: str

    def exceeded_by(self, units: int) -> int:
        """How many units are over the limit (0 when within it)."""
        return max(0, units - self.value)

    def warning(self, units: int, edition: str = "") -> str | None:
        """What to tell the biller when ``units`` exceed the MUE (None when within it).

        >>> print(load_mue().limit("97112").warning(5))
        97112: 5 units exceed the MUE of 4 (CMS's most units per patient per day for one \
provider). This is a limit per day (MAI 3, "Date of Service Edit: Clinical"): units \
above it are denied, but medical review on appeal may pay them when the record \
documents that they were medically necessary. Medicare applies MUEs; other payers may \
too.
        """
        if self.exceeded_by(units) == 0:
            return None
        return statement("mue-exceeded").say(
            code=self.code,
            units=str(units),
            exceed="unit exceeds" if units == 1 else "units exceed",
            value=str(self.value),
            meaning=self.explain(),
            notes=f" {self.notes}" if self.notes else "",
        )

    def explain(self) -> str:
        """The MAI in plain words.

        >>> load_mue().limit("98941").explain().startswith("an absolute limit per day")
        True
        """
        return mai_meaning(self.mai)

    def as_dict(self) -> dict[str, Any]:
        return {**plain(self), "meaning": self.explain()}


@dataclass(frozen=True)
class MueData(Cited):
    title: str
    effective: dt.date
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    limits: tuple[MueLimit, ...]
    _by_code: dict[str, MueLimit] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {m.code: m for m in self.limits})

    def limit(self, code: str) -> MueLimit | None:
        """The code's MUE, if the data has one."""
        return self._by_code.get(code)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "effective": self.effective.isoformat(),
            "source": self.source,
            "limits": [m.as_dict() for m in self.limits],
        }


def parse_mue(name: str, data: Mapping[str, Any], codes: CodeTable | None = None) -> MueData:
    """Validate the parsed TOML; every problem names the file, the entry and the key.

    >>> parse_mue("mue.toml", {"edition": {"title": "t", "effective": "2024-04-01",
    ...   "sources": [], "where": "s", "confidence": "high", "reviewed": "2026-12-04"},
    ...   "mue": [{"code": "97112", "value": 4, "mai": 4, "rationale": "r"}]})
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: mue.toml, mue 1: 'mai' must be 1, 2 or 3, got 4
    """
    codes = codes or load_codes()
    check_keys(name, data, ["edition", "mue"])
    where = f"{name}, [edition]"
    edition = want(where, "edition", data["edition"], dict)
    check_keys(
        where, edition, ["title", "effective", "sources", "confidence", "reviewed"], ["where"]
    )
    cite = read_citation(where, edition)
    confidence = want_confidence(where, edition["confidence"])
    reviewed = want_date(where, "reviewed", edition["reviewed"])
    limits = []
    seen: set[str] = set()
    for i, entry in enumerate(want(name, "mue", data["mue"], list), start=1):
        where = f"{name}, mue {i}"
        want(where, "mue", entry, dict)
        check_keys(where, entry, ["code", "value", "mai", "rationale"], ["notes"])
        (code,) = want_codes(where, "code", [entry["code"]], codes)
        if code in seen:
            raise CalcError("bad_data", f"{where}: {code} is listed twice")
        seen.add(code)
        value = want(where, "value", entry["value"], int)
        if value < 0:
            raise CalcError("bad_data", f"{where}: 'value' must be 0 or more, got {value}")
        mai = want(where, "mai", entry["mai"], int)
        if mai not in MAIS:
            raise CalcError("bad_data", f"{where}: 'mai' must be 1, 2 or 3, got {mai}")
        limits.append(
            MueLimit(
                code=code,
                value=value,
                mai=mai,
                rationale=want_text(where, "rationale", entry["rationale"]),
                cite=cite,
                confidence=confidence,
                reviewed=reviewed,
                notes=want(where, "notes", entry.get("notes", ""), str),
            )
        )
    return MueData(
        title=want_text(f"{name}, [edition]", "title", edition["title"]),
        effective=want_date(f"{name}, [edition]", "effective", edition["effective"]),
        cite=cite,
        limits=tuple(limits),
    )


def mue_warnings(
    lines: Iterable[tuple[str, int]], data: MueData | None = None
) -> tuple[list[Message], list[Fired]]:
    """A warning for each code whose units on the claim (all its lines) exceed its MUE,
    and the MUE rows behind them (for the claim's sources).

    >>> warnings, fired = mue_warnings([("97112", 5), ("97110", 6)])
    >>> [w.code for w in warnings], [f.id for f in fired]
    (['mue-exceeded'], ['mue-97112'])
    """
    data = data or load_mue()
    units: dict[str, int] = {}
    for code, n in lines:
        units[code] = units.get(code, 0) + n
    warnings, fired = [], []
    for code, n in units.items():
        limit = data.limit(code)
        text = limit.warning(n) if limit is not None else None
        if limit is not None and text is not None:
            warnings.append(Message("mue-exceeded", text, limit.source, limit.confidence, (code,)))
            title = f"MUE {code}: at most {limit.value} units per day (MAI {limit.mai})"
            fired.append(
                Fired(f"mue-{code}", title, limit.source, limit.confidence, limit.reviewed)
            )
    return warnings, fired


@cache
def load_mue() -> MueData:
    """The MUE limits shipped with the package (read once, then cached)."""
    return parse_mue(DATA_FILE, read_toml(DATA_FILE))
