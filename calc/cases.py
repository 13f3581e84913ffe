"""Worked cases: the one copy of each example with the answer its source accepts
(``calc/data/cases/``). The tests check the engine against them, the site works the
CMS examples step by step, and a training scenario may pose one (``case = ID``).

>>> case = load_units_cases().require("cms-example-2")
>>> case.request
{'lines': '97112:20,97110:20', 'method': 'cms'}
>>> len(case.accepted), case.example
(2, 2)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from calc._data import (
    ANSWERED_AS_SOURCE,
    check_keys,
    entries,
    read_toml,
    want,
    want_choice,
    want_id,
    want_text,
)
from calc.codes import normalize
from calc.errors import CalcError
from calc.sources import Citation, Cited, read_citation
from calc.units import METHODS

UNITS_FILE = "cases/units.toml"
UNITS_KEYS = ("id", "method", "minutes", "total_units", "accepted", "why", "sources")


@dataclass(frozen=True)
class UnitsCase(Cited):
    """A visit's minutes, and every allocation of units its source accepts."""

    id: str
    example: int | None  # the example's number in CMS Pub. 100-04 Ch. 5 §20.2, if one
    method: str
    lines: tuple[tuple[str, int], ...]  # (code, minutes), in the order entered
    total_units: int
    accepted: tuple[Mapping[str, int], ...]
    why: str
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)

    @property
    def request(self) -> dict[str, Any]:
        """The ``units`` call's request for the case."""
        lines = ",".join(f"{code}:{minutes}" for code, minutes in self.lines)
        return {"lines": lines, "method": self.method}


@dataclass(frozen=True)
class UnitsCases:
    cases: tuple[UnitsCase, ...]

    def __iter__(self) -> Iterator[UnitsCase]:
        return iter(self.cases)

    def require(self, case_id: str) -> UnitsCase:
        found = next((c for c in self.cases if c.id == case_id), None)
        if found is None:
            raise CalcError("bad_data", f"{UNITS_FILE}: no case {case_id!r}")
        return found

    @property
    def cms_examples(self) -> tuple[UnitsCase, ...]:
        """The numbered examples of the CMS manual, in the manual's order."""
        return tuple(sorted((c for c in self.cases if c.example), key=lambda c: c.example or 0))


def _counts(where: str, key: str, value: Any, least: int) -> dict[str, int]:
    """``{ 97112 = 24, ... }``: codes to whole numbers (TOML keeps the order written)."""
    want(where, key, value, dict)
    out: dict[str, int] = {}
    for code, n in value.items():
        if not isinstance(n, int) or isinstance(n, bool) or n < least:
            raise CalcError("bad_data", f"{where}: '{key}' {code}: {n!r} is not a whole number")
        out[normalize(code)] = n
    if not out:
        raise CalcError("bad_data", f"{where}: '{key}' lists no code")
    return out


def parse_units_cases(name: str, data: Mapping[str, Any]) -> UnitsCases:
    """Validate the parsed TOML; every problem names the file, the case and the key.

    >>> parse_units_cases("u.toml", {"case": [{"id": "x", "method": "cms"}]})
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: u.toml, case 'x': missing key 'minutes'
    """
    check_keys(name, data, ["case"])
    cases: list[UnitsCase] = []
    for where, entry in entries(name, "case", data["case"]):
        check_keys(where, entry, UNITS_KEYS, ["example", "where"])
        case_id = want_id(where, "id", entry["id"])
        if any(c.id == case_id for c in cases):
            raise CalcError("bad_data", f"{where}: listed twice")
        minutes = _counts(where, "minutes", entry["minutes"], 1)
        accepted = tuple(
            _counts(where, "accepted", a, 0)
            for a in want(where, "accepted", entry["accepted"], list)
        )
        if not accepted or any(set(a) != set(minutes) for a in accepted):
            raise CalcError(
                "bad_data", f"{where}: each answer in 'accepted' gives units to every code"
            )
        total = want(where, "total_units", entry["total_units"], int)
        if any(sum(a.values()) != total for a in accepted):
            raise CalcError("bad_data", f"{where}: an accepted answer does not add up to {total}")
        example = entry.get("example")
        if example is not None:
            want(where, "example", example, int)
        cases.append(
            UnitsCase(
                id=case_id,
                example=example,
                method=want_choice(where, "method", entry["method"], METHODS),
                lines=tuple(minutes.items()),
                total_units=total,
                accepted=accepted,
                why=want_text(where, "why", entry["why"]),
                cite=read_citation(where, entry),
            )
        )
    return UnitsCases(tuple(cases))


@cache
def load_units_cases() -> UnitsCases:
    """The worked minutes -> units cases shipped with the package (cached)."""
    return parse_units_cases(UNITS_FILE, read_toml(UNITS_FILE))
