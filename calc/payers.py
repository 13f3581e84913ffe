"""Payer profiles: units method, modifier style, HNS and Medicare flags, verify marks.

The profiles live in ``calc/data/payers.toml`` (RULES.md §5), where a compliance
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

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from calc._data import (
    check_keys,
    plain,
    read_toml,
    want,
    want_confidence,
    want_date,
    want_text,
    want_texts,
)
from calc.codes import CodeTable, load_codes, want_codes
from calc.errors import CalcError, shown
from calc.units import METHOD_NAMES, METHODS

DATA_FILE = "payers.toml"
MODIFIER_STYLES = ("59", "x")
#: The yes/no flags of a profile that modifier rules may select payers by.
PAYER_FLAGS = ("hns_59_gp_with_cmt", "medicare_part_b")


@dataclass(frozen=True)
class CodeNote:
    """A payer-specific warning shown when one of ``codes`` is on the claim."""

    codes: tuple[str, ...]
    text: str
    source: str
    confidence: str

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class Payer:
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
    source: str
    confidence: str
    reviewed: dt.date

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
            "hns_59_gp_with_cmt": self.hns_59_gp_with_cmt,
            "medicare_part_b": self.medicare_part_b,
            "modifier_style": self.modifier_style,
            "notes": list(self.notes),
            "verify": list(self.verify),
            "code_notes": [n.as_dict() for n in self.code_notes],
            "source": self.source,
            "confidence": self.confidence,
            "reviewed": self.reviewed.isoformat(),
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
    check_keys(where, entry, ["codes", "text", "source", "confidence"])
    return CodeNote(
        codes=want_codes(where, "codes", entry["codes"], codes),
        text=want_text(where, "text", entry["text"]),
        source=want_text(where, "source", entry["source"]),
        confidence=want_confidence(where, entry["confidence"]),
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
    for i, entry in enumerate(want(name, "payer", data["payer"], list), start=1):
        where = f"{name}, payer {i}"
        want(where, "payer", entry, dict)
        if isinstance(entry.get("id"), str):
            where = f"{name}, payer {entry['id']!r}"
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
                "source",
                "confidence",
                "reviewed",
            ],
            ["notes", "verify", "code_note"],
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
                source=want_text(where, "source", entry["source"]),
                confidence=want_confidence(where, entry["confidence"]),
                reviewed=want_date(where, "reviewed", entry["reviewed"]),
            )
        )
    if not payers:
        raise CalcError("bad_data", f"{name}: no payers listed")
    return PayerTable(tuple(payers))


@cache
def load_payers() -> PayerTable:
    """The payer profiles shipped with the package (read once, then cached)."""
    return parse_payers(DATA_FILE, read_toml(DATA_FILE))
