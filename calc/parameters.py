"""Dated amounts (``calc/data/parameters.toml``): the value in force on a date of service.

>>> kx = load_parameters().require("medicare-kx-threshold-pt-slp")
>>> kx.on(dt.date(2025, 6, 1)).shown, kx.on(dt.date(2026, 1, 1)).shown
('$2,410', '$2,480')
>>> kx.on(dt.date(2023, 12, 31)) is None
True
"""

from __future__ import annotations

import datetime as dt
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
    want_confidence,
    want_date,
    want_id,
    want_text,
)
from calc.dates import Applied, Change, Period, check_no_overlap, want_period
from calc.errors import CalcError
from calc.payers import load_payers
from calc.sources import Citation, Cited, read_citation

DATA_FILE = "parameters.toml"
UNITS = ("usd",)


@dataclass(frozen=True)
class Value(Cited):
    """One amount and the days it applies to."""

    period: Period
    amount: int
    unit: str
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    change: str | None

    @property
    def shown(self) -> str:
        """The amount as billers write it (``$2,410``)."""
        return f"${self.amount:,}"

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.period.as_dict(),
            "period": self.period.describe(),
            "amount": self.amount,
            "shown": self.shown,
            "source": self.source,
            "confidence": self.confidence,
            "change": self.change,
        }


@dataclass(frozen=True)
class Parameter:
    id: str
    title: str
    unit: str
    values: tuple[Value, ...]
    reviewed: dt.date
    payer: str | None = None  # the payer it is about (None: every payer)

    def on(self, day: dt.date) -> Value | None:
        """The value in force on ``day`` (None: the rule book has none for that date)."""
        return next((v for v in self.values if v.period.contains(day)), None)

    def applied(self, value: Value) -> Applied:
        return Applied(
            f"{self.title}: {value.shown}",
            value.period,
            value.source,
            value.confidence,
        )

    def changes(self) -> Iterator[Change]:
        for value in self.values:
            if value.period.start is not None:
                text = value.change or f"{self.title}: {value.shown}."
                name = load_payers().require(self.payer).name if self.payer else None
                yield Change(
                    value.period.start, text, self.payer, name, (), value.source, value.confidence
                )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "unit": self.unit,
            "values": [v.as_dict() for v in self.values],
            "reviewed": self.reviewed.isoformat(),
            "payer": self.payer,
        }


@dataclass(frozen=True)
class Parameters:
    parameters: tuple[Parameter, ...]

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.parameters)

    def __contains__(self, parameter_id: object) -> bool:
        return any(p.id == parameter_id for p in self.parameters)

    def require(self, parameter_id: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.id == parameter_id:
                return parameter
        raise KeyError(parameter_id)


def parse_parameters(name: str, data: Mapping[str, Any]) -> Parameters:
    """Validate the parsed TOML; every problem names the file, the parameter and the value.

    >>> parse_parameters("parameters.toml", {"parameter": [{"id": "kx", "title": "KX",
    ...     "unit": "usd", "reviewed": dt.date(2026, 1, 1), "value": [
    ...     {"from": dt.date(2025, 1, 1), "amount": 1, "sources": [], "where": "s",
    ...      "confidence": "high"},
    ...     {"from": dt.date(2026, 1, 1), "amount": 2, "sources": [], "where": "s",
    ...      "confidence": "high"}]}]})
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: parameters.toml, parameter 'kx': value 1 (from 2025-01-01) and value 2 (from 2026-01-01) overlap
    """  # noqa: E501
    check_keys(name, data, ["parameter"])
    found: list[Parameter] = []
    for where, entry in entries(name, "parameter", data["parameter"]):
        check_keys(where, entry, ["id", "title", "unit", "value", "reviewed"], ["payer"])
        payer = None
        if "payer" in entry:
            payer = want_text(where, "payer", entry["payer"])
            if payer not in load_payers():
                raise CalcError("bad_data", f"{where}: unknown payer {payer!r} (payers.toml)")
        unit = want_choice(where, "unit", entry["unit"], UNITS)
        values = []
        for j, raw in enumerate(want(where, "value", entry["value"], list), start=1):
            at = f"{where}, value {j}"
            want(at, "value", raw, dict)
            check_keys(
                at, raw, ["amount", "sources", "confidence"], ["from", "until", "change", "where"]
            )
            amount = want(at, "amount", raw["amount"], int)
            if amount < 0:
                raise CalcError("bad_data", f"{at}: 'amount' must not be negative")
            values.append(
                Value(
                    period=want_period(at, raw),
                    amount=amount,
                    unit=unit,
                    cite=read_citation(at, raw),
                    confidence=want_confidence(at, raw["confidence"]),
                    change=want_text(at, "change", raw["change"]) if "change" in raw else None,
                )
            )
        if not values:
            raise CalcError("bad_data", f"{where}: no values listed")
        check_no_overlap(where, ((f"value {j}", v.period) for j, v in enumerate(values, 1)))
        parameter_id = want_id(where, "id", entry["id"])
        if any(p.id == parameter_id for p in found):
            raise CalcError("bad_data", f"{where}: listed twice")
        found.append(
            Parameter(
                id=parameter_id,
                title=want_text(where, "title", entry["title"]),
                unit=unit,
                values=tuple(sorted(values, key=lambda v: v.period.start or dt.date.min)),
                reviewed=want_date(where, "reviewed", entry["reviewed"]),
                payer=payer,
            )
        )
    return Parameters(tuple(found))


@cache
def load_parameters() -> Parameters:
    """The dated amounts shipped with the package (read once, then cached)."""
    return parse_parameters(DATA_FILE, read_toml(DATA_FILE))
