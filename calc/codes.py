"""What each billing code is: timed (15-minute units) or service-based.

The facts live in ``calc/data/codes.toml``; this module loads and checks them.

>>> table = load_codes()
>>> table.get("97112").timed
True
>>> table.get("98941").category
'cmt'
>>> table.require(" 97112 ").code
'97112'
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
    plain,
    read_toml,
    want,
    want_confidence,
    want_date,
    want_text,
    want_texts,
)
from calc.errors import CalcError, shown
from calc.sources import Citation, Cited, read_citation

DATA_FILE = "codes.toml"
CATEGORIES = (
    "therapeutic-procedure",
    "tests-and-measurements",
    "orthotic-prosthetic",
    "constant-attendance-modality",
    "supervised-modality",
    "group-therapy",
    "evaluation",
    "cmt",
    "em",
    "unlisted",
)
#: Phases of care; HNS's two-therapies-per-visit rule applies in the initial phase.
PHASES = ("initial", "ongoing")
#: Categories HNS counts as "therapies or modalities" for its two-per-visit rule.
THERAPY_CATEGORIES = frozenset(
    {
        "therapeutic-procedure",
        "tests-and-measurements",
        "orthotic-prosthetic",
        "constant-attendance-modality",
        "supervised-modality",
        "group-therapy",
    }
)


@dataclass(frozen=True)
class Code(Cited):
    code: str
    name: str
    timed: bool
    category: str
    billable: bool
    notes: str
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    reviewed: dt.date

    @property
    def is_therapy(self) -> bool:
        """A therapy or modality (what HNS's two-per-visit rule counts)."""
        return self.category in THERAPY_CATEGORIES

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class CodeTable:
    codes: tuple[Code, ...]
    _index: dict[str, Code] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c.code: c for c in self.codes})

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def get(self, code: str) -> Code | None:
        return self._index.get(normalize(code))

    def require(self, code: str) -> Code:
        """The code, or a clear error that points to the list of known codes."""
        found = self.get(code)
        if found is None:
            raise CalcError(
                "unknown_code",
                f"Unknown code {shown(str(code).strip())}. Check the number; the codes the "
                "calculators know are listed on the Codes page.",
            )
        return found


def want_codes(where: str, key: str, value: Any, codes: CodeTable) -> tuple[str, ...]:
    """A data file's non-empty list of known codes, each written as the table writes it.

    >>> want_codes("ncci_pairs.toml, pair 1", "column2", ["97112", "9711"], load_codes())
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: ncci_pairs.toml, pair 1: unknown code '9711' in 'column2'
    """
    listed = want_texts(where, key, value)
    if not listed:
        raise CalcError("bad_data", f"{where}: {key!r} must list at least one code")
    for code in listed:
        if code not in codes:
            raise CalcError("bad_data", f"{where}: unknown code {code!r} in {key!r}")
    return tuple(codes.require(code).code for code in listed)


def normalize(code: str) -> str:
    """Codes are compared upper-case without surrounding spaces (``g0283`` = ``G0283``)."""
    return str(code).strip().upper()


def parse_codes(name: str, data: Mapping[str, Any]) -> CodeTable:
    """Validate the parsed TOML; every problem names the file and the entry."""
    check_keys(name, data, ["code"])
    entries = want(name, "code", data["code"], list)
    seen: set[str] = set()
    codes = []
    for i, entry in enumerate(entries, start=1):
        where = f"{name}, entry {i}"
        want(where, "entry", entry, dict)
        if "code" in entry:
            where = f"{name}, code {entry['code']!r}"
        check_keys(
            where,
            entry,
            ["code", "name", "timed", "category", "sources", "confidence", "reviewed"],
            ["billable", "notes", "where"],
        )
        code = normalize(want_text(where, "code", entry["code"]))
        if code in seen:
            raise CalcError("bad_data", f"{where}: listed twice")
        seen.add(code)
        category = want_text(where, "category", entry["category"])
        if category not in CATEGORIES:
            raise CalcError(
                "bad_data",
                f"{where}: unknown category {category!r} (known: {', '.join(CATEGORIES)})",
            )
        codes.append(
            Code(
                code=code,
                name=want_text(where, "name", entry["name"]),
                timed=want(where, "timed", entry["timed"], bool),
                category=category,
                billable=want(where, "billable", entry.get("billable", True), bool),
                notes=want(where, "notes", entry.get("notes", ""), str),
                cite=read_citation(where, entry),
                confidence=want_confidence(where, entry["confidence"]),
                reviewed=want_date(where, "reviewed", entry["reviewed"]),
            )
        )
    return CodeTable(tuple(codes))


@cache
def load_codes() -> CodeTable:
    """The code table shipped with the package (read once, then cached)."""
    return parse_codes(DATA_FILE, read_toml(DATA_FILE))
