"""Payer profiles: units method, modifier style, HNS and Medicare flags, verify marks.

The profiles live in ``calc/data/payers.toml``, where a compliance
person can read and edit them; this module loads and checks them.

>>> payers = load_payers()
>>> bcbs = payers.require("bcbsnc")
>>> bcbs.name, bcbs.units_method, bcbs.hns_59_gp_with_cmt
('Blue Cross NC', 'cms', True)
>>> payers.require("commercial").units_methods
('cms', 'per-code')
>>> payers.require("nc-shp").verify[0][:48]
"The NC State Health Plan's administrator changed"
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from calc._data import (
    ANSWERED_AS_SOURCE,
    check_keys,
    entries,
    plain,
    read_toml,
    want,
    want_confidence,
    want_date,
    want_text,
    want_texts,
)
from calc.codes import CodeTable, load_codes, want_codes
from calc.dates import ALWAYS, PERIOD_KEYS, Applied, Change, Period, check_no_overlap, want_period
from calc.errors import CalcError, shown
from calc.sources import Citation, Cited, read_citation
from calc.units import METHOD_NAMES, METHODS

DATA_FILE = "payers.toml"
MODIFIER_STYLES = ("59", "x")
#: The yes/no flags of a profile that modifier rules may select payers by.
PAYER_FLAGS = ("hns_59_gp_with_cmt", "medicare_part_b")


@dataclass(frozen=True)
class CodeNote(Cited):
    """A payer-specific warning shown when one of ``codes`` is on the claim (on the
    dates of service in ``period``)."""

    codes: tuple[str, ...]
    text: str
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    period: Period = ALWAYS

    def as_dict(self) -> dict[str, Any]:
        return {**plain(self), "period": self.period.describe(), **self.period.as_dict()}


#: The profile fields a [[payer.period]] may set for its dates (its citation: the keys
#: ``sources`` and ``where``).
PERIOD_FIELDS = ("notes", "verify", "cite", "confidence")
_PERIOD_DATA_KEYS = ("notes", "verify", "sources", "where", "confidence")


@dataclass(frozen=True)
class PayerPeriod:
    """What a payer profile says on the dates of ``period``; None = the profile's value."""

    period: Period
    change: str | None  # what changed on period.start, for the Rule changes page
    notes: tuple[str, ...] | None
    verify: tuple[str, ...] | None
    cite: Citation | None = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str | None

    @property
    def source(self) -> str | None:
        return None if self.cite is None else self.cite.text

    def as_dict(self) -> dict[str, Any]:
        return {**plain(self), "period": self.period.describe(), **self.period.as_dict()}


@dataclass(frozen=True)
class Payer(Cited):
    id: str
    name: str
    units_method: str
    units_methods: tuple[str, ...]
    hns_59_gp_with_cmt: bool
    medicare_part_b: bool
    modifier_style: str
    notes: tuple[str, ...]
    verify: tuple[str, ...]
    code_notes: tuple[CodeNote, ...]
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    reviewed: dt.date
    periods: tuple[PayerPeriod, ...] = ()

    def period_on(self, day: dt.date) -> PayerPeriod | None:
        """The dated part of the profile in force on ``day``, if any."""
        return next((p for p in self.periods if p.period.contains(day)), None)

    def on(self, day: dt.date) -> Payer:
        """The profile as it stands on a date of service: its period's notes, verify
        marks, source and confidence, and only the code notes in force that day.

        >>> shp = load_payers().require("nc-shp")
        >>> shp.on(dt.date(2024, 12, 31)).confidence, shp.on(dt.date(2025, 1, 1)).confidence
        ('medium', 'verify')
        """
        found = self.period_on(day)
        changed: dict[str, Any] = {}
        if found is not None:
            changed = {k: getattr(found, k) for k in PERIOD_FIELDS if getattr(found, k) is not None}
        notes = tuple(n for n in self.code_notes if n.period.contains(day))
        return dataclasses.replace(self, **changed, code_notes=notes)

    def applied(self, day: dt.date) -> list[Applied]:
        """The dated parts of the profile that apply on ``day`` (for the answer)."""
        out = []
        found = self.period_on(day)
        if found is not None and found.period.dated:
            what = found.change or f"the profile as it stood {found.period.describe()}"
            out.append(
                Applied(
                    f"{self.name}: {what}",
                    found.period,
                    found.source or self.source,
                    found.confidence or self.confidence,
                )
            )
        return out

    def changes(self) -> list[Change]:
        """Every dated change of this profile and its code notes."""
        out = []
        for p in self.periods:
            if p.period.start is not None and p.change:
                out.append(
                    Change(
                        p.period.start,
                        p.change,
                        self.id,
                        self.name,
                        (),
                        p.source or self.source,
                        p.confidence or self.confidence,
                    )
                )
        for n in self.code_notes:
            if n.period.start is not None:
                out.append(
                    Change(
                        n.period.start, n.text, self.id, self.name, n.codes, n.source, n.confidence
                    )
                )
            if n.period.end is not None:
                out.append(
                    Change(
                        n.period.end + dt.timedelta(days=1),
                        f"No longer in force: {n.text}",
                        self.id,
                        self.name,
                        n.codes,
                        n.source,
                        n.confidence,
                    )
                )
        return out

    def has_flag(self, flag: str) -> bool:
        """A profile flag by name (``"hns_59_gp_with_cmt"`` or ``"medicare_part_b"``)."""
        if flag not in PAYER_FLAGS:
            raise KeyError(flag)
        return bool(getattr(self, flag))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "units_method": self.units_method,
            "units_method_name": METHOD_NAMES[self.units_method],
            "units_methods": list(self.units_methods),
            "units_method_names": {m: METHOD_NAMES[m] for m in self.units_methods},
            "hns_59_gp_with_cmt": self.hns_59_gp_with_cmt,
            "medicare_part_b": self.medicare_part_b,
            "modifier_style": self.modifier_style,
            "notes": list(self.notes),
            "verify": list(self.verify),
            "code_notes": [n.as_dict() for n in self.code_notes],
            "source": self.source,
            "confidence": self.confidence,
            "reviewed": self.reviewed.isoformat(),
            "periods": [p.as_dict() for p in self.periods],
        }


@dataclass(frozen=True)
class PayerTable:
    payers: tuple[Payer, ...]
    _index: dict[str, Payer] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {p.id: p for p in self.payers})

    def __iter__(self) -> Iterator[Payer]:
        return iter(self.payers)

    def __contains__(self, payer_id: object) -> bool:
        return isinstance(payer_id, str) and payer_id.strip().lower() in self._index

    def require(self, payer_id: object) -> Payer:
        """The payer, or a clear error listing the payers the calculator knows."""
        found = self._index.get(payer_id.strip().lower()) if isinstance(payer_id, str) else None
        if found is None:
            known = ", ".join(p.id for p in self.payers)
            if payer_id is None or (isinstance(payer_id, str) and not payer_id.strip()):
                raise CalcError("missing_payer", f"Choose a payer: one of {known}.")
            raise CalcError(
                "unknown_payer", f"Unknown payer {shown(payer_id)}: choose one of {known}."
            )
        return found


def _code_note(where: str, entry: Any, codes: CodeTable) -> CodeNote:
    want(where, "code_note", entry, dict)
    check_keys(where, entry, ["codes", "text", "sources", "confidence"], [*PERIOD_KEYS, "where"])
    return CodeNote(
        codes=want_codes(where, "codes", entry["codes"], codes),
        text=want_text(where, "text", entry["text"]),
        cite=read_citation(where, entry),
        confidence=want_confidence(where, entry["confidence"]),
        period=want_period(where, entry),
    )


def _payer_period(where: str, entry: Any) -> PayerPeriod:
    want(where, "period", entry, dict)
    check_keys(where, entry, [], [*PERIOD_KEYS, "change", *_PERIOD_DATA_KEYS])
    period = want_period(where, entry)
    if not period.dated:
        raise CalcError("bad_data", f"{where}: a period needs 'from', 'until' or both")
    if period.start is not None and "change" not in entry:
        raise CalcError("bad_data", f"{where}: say what changed on {period.start} in 'change'")
    if not set(_PERIOD_DATA_KEYS) & set(entry) and "change" not in entry:
        raise CalcError(
            "bad_data",
            f"{where}: a period must say what changed or set one of "
            + ", ".join(_PERIOD_DATA_KEYS),
        )
    if "where" in entry and "sources" not in entry:
        raise CalcError("bad_data", f"{where}: 'where' needs the 'sources' it is about")
    return PayerPeriod(
        period=period,
        change=want_text(where, "change", entry["change"]) if "change" in entry else None,
        notes=want_texts(where, "notes", entry["notes"]) if "notes" in entry else None,
        verify=want_texts(where, "verify", entry["verify"]) if "verify" in entry else None,
        cite=read_citation(where, entry) if "sources" in entry else None,
        confidence=want_confidence(where, entry["confidence"]) if "confidence" in entry else None,
    )


def parse_payers(name: str, data: Mapping[str, Any], codes: CodeTable | None = None) -> PayerTable:
    """Validate the parsed TOML; every problem names the file, the payer and the key.

    >>> parse_payers("payers.toml", {"payer": [{"id": "x"}]})
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: payers.toml, payer 'x': missing key 'name'
    """
    codes = codes or load_codes()
    check_keys(name, data, ["payer"])
    payers = []
    seen: set[str] = set()
    for where, entry in entries(name, "payer", data["payer"]):
        check_keys(
            where,
            entry,
            [
                "id",
                "name",
                "units_method",
                "units_methods",
                "hns_59_gp_with_cmt",
                "medicare_part_b",
                "modifier_style",
                "sources",
                "confidence",
                "reviewed",
            ],
            ["notes", "verify", "code_note", "period", "where"],
        )
        payer_id = want_text(where, "id", entry["id"])
        if payer_id != payer_id.strip().lower() or " " in payer_id:
            raise CalcError("bad_data", f"{where}: 'id' must be lower case without spaces")
        if payer_id in seen:
            raise CalcError("bad_data", f"{where}: listed twice")
        seen.add(payer_id)
        method = want_text(where, "units_method", entry["units_method"])
        methods = want_texts(where, "units_methods", entry["units_methods"])
        for m in (method, *methods):
            if m not in METHODS:
                raise CalcError(
                    "bad_data", f"{where}: unknown units method {m!r} (known: {', '.join(METHODS)})"
                )
        if method not in methods:
            raise CalcError(
                "bad_data", f"{where}: 'units_methods' must include units_method {method!r}"
            )
        style = want_text(where, "modifier_style", entry["modifier_style"])
        if style not in MODIFIER_STYLES:
            raise CalcError(
                "bad_data", f'{where}: \'modifier_style\' must be "59" or "x", got {style!r}'
            )
        notes = want(where, "code_note", entry.get("code_note", []), list)
        periods = tuple(
            _payer_period(f"{where}, period {j}", p)
            for j, p in enumerate(want(where, "period", entry.get("period", []), list), start=1)
        )
        check_no_overlap(where, ((f"period {j}", p.period) for j, p in enumerate(periods, 1)))
        payers.append(
            Payer(
                id=payer_id,
                name=want_text(where, "name", entry["name"]),
                units_method=method,
                units_methods=methods,
                hns_59_gp_with_cmt=want(
                    where, "hns_59_gp_with_cmt", entry["hns_59_gp_with_cmt"], bool
                ),
                medicare_part_b=want(where, "medicare_part_b", entry["medicare_part_b"], bool),
                modifier_style=style,
                notes=want_texts(where, "notes", entry.get("notes", [])),
                verify=want_texts(where, "verify", entry.get("verify", [])),
                code_notes=tuple(
                    _code_note(f"{where}, code_note {j}", n, codes)
                    for j, n in enumerate(notes, start=1)
                ),
                cite=read_citation(where, entry),
                confidence=want_confidence(where, entry["confidence"]),
                reviewed=want_date(where, "reviewed", entry["reviewed"]),
                periods=tuple(sorted(periods, key=lambda p: p.period.start or dt.date.min)),
            )
        )
    if not payers:
        raise CalcError("bad_data", f"{name}: no payers listed")
    return PayerTable(tuple(payers))


@cache
def load_payers() -> PayerTable:
    """The payer profiles shipped with the package (read once, then cached)."""
    return parse_payers(DATA_FILE, read_toml(DATA_FILE))
