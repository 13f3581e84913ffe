"""Minutes -> 15-minute units: the CMS total-time method and the per-code method.

CMS (Medicare Claims Processing Manual, Pub. 100-04, Ch. 5, §20.2) pools the minutes
of all *timed* codes of one visit, charts the total into units, gives each code its
full 15-minute units, then hands the units still owed to the codes with the most
minutes left over. The per-code method (AMA CPT mid-point rule) charts each code on
its own.

>>> r = compute_units([Entry("97112", 24), Entry("97110", 23)])
>>> [(line.code, line.units) for line in r.lines]
[('97112', 2), ('97110', 1)]
>>> r.steps[1]
'CMS chart: 47 min is in the 38–52 min row → 3 units in total.'
>>> [line.units for line in compute_units([Entry("97110", 10), Entry("97116", 10)],
...                                       method="per-code").lines]
[1, 1]
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations, islice
from typing import Any

from calc._data import plain
from calc.codes import CodeTable, load_codes, normalize
from calc.errors import CalcError, shown
from calc.inputs import ascii_number, flag
from calc.statements import Statement, statement

METHODS = ("cms", "per-code")
METHOD_NAMES = {"cms": "CMS total time (8-minute rule)", "per-code": "per code (AMA mid-point)"}
UNIT_MINUTES = 15
MINIMUM_MINUTES = 8  # the mid-point of 15 minutes is passed at 8
DAY_MINUTES = 1440  # a pool cannot hold more minutes than a day has
MAX_UNITS = DAY_MINUTES // UNIT_MINUTES  # so a day holds at most 96 units
LONG_DAY_MINUTES = 480  # > 8 hours of treatment in one day is implausible: warn
# Our threshold for "well under 15 minutes per unit" (CMS names none). Under the CMS
# method two or more units always average at least 11.5 min, so this fires mainly for
# per-code billing such as 8 + 8 + 8 min = 3 units.
LOW_AVERAGE_MINUTES = 10
MAX_ALTERNATIVES = 12  # equally correct tie allocations listed in full

#: The statements (calc/data/statements.toml) the units engine cites: each method's,
#: and the time that counts.
UNITS_STATEMENTS = ("units-cms", "units-per-code", "units-time-that-counts")


#: Each warning's statement (calc/data/statements.toml), by the warning's code.
NOTICE_STATEMENTS = {
    "duplicate_code_merged": "units-duplicate-merged",
    "long_day": "units-long-day",
    "zero_minutes": "units-zero-minutes",
    "under_8_minutes": "units-under-8",
    "capped_by_total": "units-capped-by-total",
    "low_average": "units-low-average",
}


def _notice(code: str, statement_id: str = "", /, **values: str) -> Notice:
    """A warning in the words of its statement (calc/data/statements.toml)."""
    return Notice(code, statement(statement_id or NOTICE_STATEMENTS[code]).say(**values))


def method_statement(method: str) -> Statement:
    """The rule a units method follows, with its source and confidence.

    >>> method_statement("per-code").source.startswith("AMA, CPT")
    True
    """
    return statement(f"units-{method}")


@dataclass(frozen=True)
class Entry:
    """One code as entered, with its minutes (None for an untimed code without minutes).

    ``facts``: what the claim builder needs to know about this line alone, such as
    ``"same_region"`` (see :data:`calc.claim.LINE_FACTS`); the units engine ignores them.
    """

    code: str
    minutes: int | None = None
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    timed: bool
    minutes: int | None
    units: int

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class Notice:
    """A warning with a stable code (for tests and scripts) and a plain message."""

    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return plain(self)


@dataclass(frozen=True)
class Tie:
    """CMS lets either code take a unit when leftovers are equal; we say which we chose."""

    leftover_minutes: int
    units: int
    candidates: tuple[str, ...]
    chosen: tuple[str, ...]
    alternatives: tuple[dict[str, int], ...]
    more_alternatives: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class UnitsResult:
    method: str
    total_minutes: int  # minutes of timed codes (the pool)
    timed_units: int
    total_units: int  # timed units + 1 per untimed code
    lines: tuple[Line, ...]
    tie: Tie | None
    steps: tuple[str, ...]
    warnings: tuple[Notice, ...]
    notes: tuple[str, ...]
    sources: tuple[str, ...]

    def units_of(self, code: str) -> int:
        return next((line.units for line in self.lines if line.code == normalize(code)), 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "method_name": METHOD_NAMES[self.method],
            "total_minutes": self.total_minutes,
            "timed_units": self.timed_units,
            "total_units": self.total_units,
            "lines": [line.as_dict() for line in self.lines],
            "tie": self.tie.as_dict() if self.tie else None,
            "steps": list(self.steps),
            "warnings": [w.as_dict() for w in self.warnings],
            "notes": list(self.notes),
            "sources": list(self.sources),
        }


# --- the chart ------------------------------------------------------------------


def chart_units(minutes: int) -> int:
    """Units for a number of minutes on the 15-minute chart (8–22 → 1, 23–37 → 2, …).

    >>> [chart_units(m) for m in (0, 7, 8, 22, 23, 37, 38, 52, 53)]
    [0, 0, 1, 1, 2, 2, 3, 3, 4]
    """
    return (minutes + UNIT_MINUTES - MINIMUM_MINUTES) // UNIT_MINUTES


def chart_row(units: int) -> tuple[int, int]:
    """The minutes range that charts to ``units``: 0 → (0, 7), 1 → (8, 22), 2 → (23, 37).

    >>> chart_row(0), chart_row(1), chart_row(4)
    ((0, 7), (8, 22), (53, 67))
    """
    if units == 0:
        return (0, MINIMUM_MINUTES - 1)
    low = UNIT_MINUTES * units - (UNIT_MINUTES - MINIMUM_MINUTES)
    return (low, low + UNIT_MINUTES - 1)


# --- input ------------------------------------------------------------------------

_CODE_LIKE = re.compile(r"[0-9A-Z]{1,8}", re.ASCII)


def _named(code: str) -> str:
    """A code as a message names it: as it is when it looks like a code, else quoted
    (it has not been checked yet: it may be long, or hold control characters)."""
    return code if _CODE_LIKE.fullmatch(code) else shown(code)


def whole_minutes(value: object, code: str) -> int | None:
    """Minutes as entered → a whole, non-negative number, or a clear error. Digits
    0-9 only (leading zeros are fine); any other digit is named.

    >>> whole_minutes("24", "97112"), whole_minutes(24, "97112"), whole_minutes("", "97010")
    (24, 24, None)
    >>> whole_minutes("0024", "97112")
    24
    >>> whole_minutes("ten", "97112")
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: 97112: minutes must be a whole number; got 'ten'.
    >>> whole_minutes("2٤", "97112")
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: 97112: minutes: use the digits 0-9 only: '٤' (ARABIC-INDIC DIGIT FOUR) is not one.
    """  # noqa: E501
    name = _named(code)
    if value is None:
        return None
    if isinstance(value, bool):
        raise CalcError("bad_minutes", f"{name}: minutes must be a number, not true/false.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise CalcError(
                "bad_minutes", f"{name}: minutes must be a whole number; got {shown(value)}."
            )
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if re.fullmatch(r"-\s*[0-9]+(\.[0-9]*)?", text, re.ASCII):
            raise CalcError(
                "bad_minutes", f"{name}: minutes cannot be negative; got {shown(text)}."
            )
        if re.fullmatch(r"[0-9]*[.,][0-9]+", text, re.ASCII):
            raise CalcError(
                "bad_minutes",
                f"{name}: minutes must be a whole number; got {shown(text)}. Round to "
                "the whole minutes actually spent in direct treatment.",
            )
        try:
            number = ascii_number(text)
        except CalcError as err:
            if err.code == "too_long":
                raise CalcError(
                    "day_too_long",
                    f"{name}: {shown(text)} minutes is more than a day ({DAY_MINUTES} minutes).",
                ) from None
            if err.code == "bad_digit":
                raise CalcError("bad_minutes", f"{name}: minutes: {err.message}.") from None
            raise CalcError(
                "bad_minutes", f"{name}: minutes must be a whole number; got {shown(text)}."
            ) from None
    else:
        raise CalcError("bad_minutes", f"{name}: minutes must be a whole number.")
    if number < 0:
        raise CalcError("bad_minutes", f"{name}: minutes cannot be negative; got {number}.")
    if number > DAY_MINUTES:
        raise CalcError(
            "day_too_long", f"{name}: {number} minutes is more than a day ({DAY_MINUTES})."
        )
    return number


def _fact_name(text: str) -> str:
    return text.strip().lower().replace("-", "_")


def _line_facts(where: str, names: Iterable[str], allowed: Collection[str]) -> tuple[str, ...]:
    """Per-line facts in a fixed order, each once; an unknown one is a clear error."""
    found = []
    for name in names:
        fact = _fact_name(name)
        if fact not in allowed:
            spelled = ", ".join(f.replace("_", "-") for f in allowed)
            raise CalcError(
                "bad_line_fact",
                f"{where}: unknown line fact {shown(name)}"
                + (f"; use {spelled}." if allowed else "; this calculator takes CODE:MINUTES."),
            )
        found.append(fact)
    return tuple(f for f in allowed if f in found)


def _text_entry(item: str, allowed: Collection[str]) -> Entry:
    """``97112:24``, ``97112=24``, ``97112=24:same-region`` or ``97112:24:same-region``."""
    head, *rest = item.split(":")
    code, _, minutes = head.partition("=")
    # The CLI's CODE=MINUTES, then ':FACT's. Otherwise ':' wins (a link's CODE:MINUTES),
    # so that a stray "=" inside a mistyped code cannot split it in the wrong place.
    if rest and not re.fullmatch(r"\s*[0-9]+\s*", minutes, re.ASCII):
        code, minutes = head, ""
        if _fact_name(rest[0]) not in allowed:  # a link's minutes, unless it is a fact
            minutes = rest.pop(0)
    code = code.strip()
    if not code:
        raise CalcError("bad_request", f"A line has minutes but no code: {shown(item)}.")
    code = normalize(code)
    facts = _line_facts(_named(code), [f for f in rest if f.strip()], allowed)
    return Entry(code, whole_minutes(minutes, code), facts)


def parse_entries(raw: object, facts: Collection[str] = ()) -> tuple[Entry, ...]:
    """Read codes and minutes from the forms people and links use.

    Accepts ``"97112:24,97110:23"`` (a link), ``["97112=24", "G0283"]`` (the CLI) or
    ``[{"code": "97112", "minutes": 24}]`` (JSON). ``facts`` names the per-line facts a
    caller accepts (the claim builder: ``97112=23:same-region``, or
    ``{"code": "97112", "minutes": 23, "same_region": true}``); any other is an error.

    >>> parse_entries("97112:24, 97110:23,G0283")
    (Entry(code='97112', minutes=24, facts=()), Entry(code='97110', minutes=23, facts=()), Entry(code='G0283', minutes=None, facts=()))
    >>> parse_entries(["97112=23:same-region"], facts=("same_region",))
    (Entry(code='97112', minutes=23, facts=('same_region',)),)
    """  # noqa: E501
    if raw is None:
        raise CalcError("empty_input", "Enter at least one code (for example 97112:24).")
    items: list[object]
    if isinstance(raw, str):
        items = [part for part in raw.split(",") if part.strip()]
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise CalcError("bad_request", "Lines must be a list of codes with minutes.")
    if len(items) > 50:
        raise CalcError("too_many_lines", f"{len(items)} lines is too many; enter at most 50.")
    entries = []
    for item in items:
        if isinstance(item, str):
            entries.append(_text_entry(item, facts))
        elif isinstance(item, dict):
            unknown = set(item) - {"code", "minutes", *facts}
            if unknown:
                raise CalcError(
                    "bad_request", f"Unknown field {shown(sorted(unknown)[0])} in a line."
                )
            raw_code = item.get("code")
            if not isinstance(raw_code, str) or not raw_code.strip():
                raise CalcError("bad_request", "Every line needs a code.")
            code = normalize(raw_code)
            named = [f for f in facts if _line_flag(code, f, item.get(f))]
            entries.append(Entry(code, whole_minutes(item.get("minutes"), code), tuple(named)))
        else:
            raise CalcError("bad_request", "Each line must be a code with minutes, like 97112:24.")
    if not entries:
        raise CalcError("empty_input", "Enter at least one code (for example 97112:24).")
    return tuple(entries)


def _line_flag(code: str, name: str, value: object) -> bool:
    """A per-line yes/no fact from JSON or a form: true/false, 1/0, "yes"/"no", absent."""
    try:
        return flag(name, value)
    except CalcError:
        raise CalcError(
            "bad_line_fact", f"{_named(code)}: {name} must be true or false; got {shown(value)}."
        ) from None


# --- the engine --------------------------------------------------------------------


def plural(n: int, one: str, many: str | None = None) -> str:
    """A count with its noun: ``1 unit``, ``3 units``, ``2 therapies or modalities``.

    >>> plural(1, "unit"), plural(3, "unit"), plural(0, "therapy", "therapies")
    ('1 unit', '3 units', '0 therapies')
    """
    return f"{n} {one if n == 1 else many or one + 's'}"


@dataclass(frozen=True)
class _Timed:
    code: str
    name: str
    minutes: int
    order: int


def compute_units(
    entries: Iterable[Entry], method: str = "cms", codes: CodeTable | None = None
) -> UnitsResult:
    """Units per code for one visit, with the steps that explain them.

    ``method`` is ``"cms"`` (total time, Pub. 100-04 Ch. 5 §20.2) or ``"per-code"``.
    Untimed codes get 1 unit and stay out of the timed pool. The same code entered
    twice is one line with its minutes added.

    >>> r = compute_units([Entry("97110", 33), Entry("97140", 7)])
    >>> r.units_of("97110"), r.units_of("97140")
    (2, 1)
    """
    codes = codes or load_codes()
    if method not in METHODS:
        raise CalcError("bad_method", f"Unknown method {shown(method)}: use 'cms' or 'per-code'.")
    entries = list(entries)
    if not entries:
        raise CalcError("empty_input", "Enter at least one code (for example 97112:24).")

    warnings: list[Notice] = []
    steps: list[str] = []
    # Merge repeats: one claim line per code per date of service.
    merged: dict[str, int | None] = {}
    known = {}
    for entry in entries:
        info = codes.require(entry.code)
        if not info.billable:
            raise CalcError(
                "not_billable",
                f"{info.code} ({info.name}) is not calculated: {info.notes or 'not billable'}",
            )
        if info.timed and entry.minutes is None:
            raise CalcError(
                "missing_minutes",
                f"{info.code} is a timed code: enter its minutes of direct treatment "
                f"(for example {info.code}:15).",
            )
        known[info.code] = info
        if info.code in merged:
            before = merged[info.code]
            added = before if entry.minutes is None else (before or 0) + entry.minutes
            merged[info.code] = added
            said = "no" if added is None else str(added)
            warnings.append(_notice("duplicate_code_merged", code=info.code, added=said))
        else:
            merged[info.code] = entry.minutes

    all_minutes = sum(m or 0 for m in merged.values())
    if all_minutes > DAY_MINUTES:
        raise CalcError(
            "day_too_long",
            f"The minutes add up to {all_minutes}, more than a day has ({DAY_MINUTES}). "
            "Check each entry.",
        )
    if all_minutes > LONG_DAY_MINUTES:
        hours = str(LONG_DAY_MINUTES // 60)
        warnings.append(_notice("long_day", minutes=str(all_minutes), hours=hours))

    timed = [
        _Timed(code, known[code].name, m or 0, i)
        for i, (code, m) in enumerate(merged.items())
        if known[code].timed
    ]
    total = sum(t.minutes for t in timed)
    units: dict[str, int] = {}
    tie: Tie | None = None

    if timed:
        listing = " + ".join(f"{t.code} {t.minutes}" for t in timed)
        steps.append(
            f"Timed minutes: {listing} = {total} min."
            if len(timed) > 1
            else f"Timed minutes: {timed[0].code} {total} min."
        )
    if method == "cms" and timed:
        tie = _allocate_cms(timed, total, units, steps)
    elif timed:
        steps.append("Per code (AMA mid-point): each code is charted on its own, no total cap.")
        for t in timed:
            units[t.code] = chart_units(t.minutes)
            low, high = chart_row(units[t.code])
            steps.append(
                f"{t.code}: {t.minutes} min is in the {low}–{high} min row → "
                f"{plural(units[t.code], 'unit')}."
            )

    for t in timed:
        got = units[t.code]
        if got:
            continue
        if t.minutes == 0:
            warnings.append(_notice("zero_minutes", code=t.code))
        elif t.minutes < MINIMUM_MINUTES and (method == "per-code" or len(timed) == 1):
            warnings.append(_notice("under_8_minutes", code=t.code, minutes=str(t.minutes)))
        elif t.minutes < MINIMUM_MINUTES:
            given = {"code": t.code, "minutes": str(t.minutes)}
            warnings.append(_notice("under_8_minutes", "units-under-8-total", **given))
        else:
            allowed = plural(chart_units(total), "unit")
            values = {"code": t.code, "minutes": str(t.minutes), "total": str(total)}
            warnings.append(_notice("capped_by_total", units=allowed, **values))

    timed_units = sum(units.values())
    lines = []
    for code, minutes in merged.items():
        info = known[code]
        if info.timed:
            lines.append(Line(code, info.name, True, minutes or 0, units[code]))
        else:
            lines.append(Line(code, info.name, False, minutes, 1))
            steps.append(
                f"{code} is untimed (service-based): 1 unit"
                + (", and its minutes stay out of the timed total." if minutes else ".")
            )

    if timed_units >= 2 and total / timed_units < LOW_AVERAGE_MINUTES:
        average = f"{total / timed_units:.1f}"
        counted = plural(timed_units, "unit")
        warnings.append(_notice("low_average", total=str(total), units=counted, average=average))

    billed = [f"{line.code} × {line.units}" for line in lines if line.units]
    steps.append("Bill: " + ", ".join(billed) + "." if billed else "Nothing to bill.")
    notes = [statement("units-pool").text] if method == "cms" and len(timed) > 1 else []
    sources = [method_statement(method).source]
    return UnitsResult(
        method=method,
        total_minutes=total,
        timed_units=timed_units,
        total_units=sum(line.units for line in lines),
        lines=tuple(lines),
        tie=tie,
        steps=tuple(steps),
        warnings=tuple(warnings),
        notes=tuple(notes),
        sources=tuple(sources),
    )


def leftover_order(minutes: Sequence[int]) -> list[int]:
    """Positions of the codes with minutes left over, in the order CMS hands out the
    units still owed: most leftover first; ties by more total minutes, then the order
    entered (CMS: "choose either code"; we must choose the same way every time).

    >>> leftover_order([24, 23])  # 9 and 8 min left
    [0, 1]
    >>> leftover_order([33, 7])  # 3 and 7 min left
    [1, 0]
    """
    return sorted(
        (i for i, m in enumerate(minutes) if m % UNIT_MINUTES),
        key=lambda i: (-(minutes[i] % UNIT_MINUTES), -minutes[i], i),
    )


def allocate(minutes: Sequence[int], method: str = "cms") -> tuple[int, ...]:
    """Just the numbers: units per timed code, in the order given (no explanation).

    >>> allocate([18, 13, 10, 8])  # CMS Example 4
    (1, 1, 1, 0)
    >>> allocate([7, 7, 7], "per-code")
    (0, 0, 0)
    """
    if method == "per-code":
        return tuple(chart_units(m) for m in minutes)
    units = [m // UNIT_MINUTES for m in minutes]
    remaining = chart_units(sum(minutes)) - sum(units)
    for i in leftover_order(minutes)[:remaining]:
        units[i] += 1
    return tuple(units)


def _allocate_cms(
    timed: Sequence[_Timed], total: int, units: dict[str, int], steps: list[str]
) -> Tie | None:
    """CMS §20.2: full units first, then the rest by largest leftover minutes."""
    owed = chart_units(total)
    low, high = chart_row(owed)
    steps.append(
        f"CMS chart: {total} min is in the {low}–{high} min row → {plural(owed, 'unit')} in total."
    )
    for t in timed:
        units[t.code] = t.minutes // UNIT_MINUTES
    full = sum(units.values())
    if len(timed) > 1:
        parts = "; ".join(
            f"{t.code} {t.minutes} min = {plural(t.minutes // UNIT_MINUTES, 'full unit')} + "
            f"{t.minutes % UNIT_MINUTES} min left"
            for t in timed
        )
        steps.append(
            f"Full {UNIT_MINUTES}-minute units first: {parts}. That is {plural(full, 'unit')}."
        )
    remaining = owed - full
    if remaining == 0:
        if len(timed) > 1:
            steps.append("No units left to give: the minutes left over do not add a unit.")
        return None
    ranked = [timed[i] for i in leftover_order([t.minutes for t in timed])]
    winners = ranked[:remaining]
    for t in winners:
        units[t.code] += 1
    if len(timed) == 1:
        steps.append(
            f"{timed[0].code}: {plural(full, 'full unit')} + {timed[0].minutes % UNIT_MINUTES} "
            f"min left, which earns 1 more unit ({MINIMUM_MINUTES} min or more)."
        )
        return None
    given = ", ".join(f"{t.code} ({t.minutes % UNIT_MINUTES} min left)" for t in winners)
    steps.append(
        f"{plural(remaining, 'unit')} left to give: "
        f"{'it goes' if remaining == 1 else 'they go, one each,'} to the "
        f"{'code' if remaining == 1 else 'codes'} with the most minutes left over: {given}."
    )
    edge = winners[-1].minutes % UNIT_MINUTES
    if remaining < len(ranked) and ranked[remaining].minutes % UNIT_MINUTES == edge:
        return _describe_tie(timed, ranked, remaining, edge, units)
    return None


def _describe_tie(
    timed: Sequence[_Timed],
    ranked: Sequence[_Timed],
    remaining: int,
    edge: int,
    units: dict[str, int],
) -> Tie:
    group = [t for t in ranked if t.minutes % UNIT_MINUTES == edge]
    chosen = [t for t in ranked[:remaining] if t.minutes % UNIT_MINUTES == edge]
    base = dict(units)
    for t in chosen:
        base[t.code] -= 1
    combos = combinations([t.code for t in group], len(chosen))
    alternatives = []
    for pick in islice(combos, MAX_ALTERNATIVES):
        alt = dict(base)
        for code in pick:
            alt[code] += 1
        alternatives.append({t.code: alt[t.code] for t in timed})
    total_combos = math.comb(len(group), len(chosen))
    names = ", ".join(t.code for t in group)
    picked = ", ".join(t.code for t in chosen)
    message = (
        f"Tie: {names} each have {edge} min left over, for {plural(len(chosen), 'unit')}. "
        f"CMS lets you bill either code; the calculator chose {picked} (more total minutes "
        "first, then the order entered). Any of the listed alternatives is equally correct."
    )
    return Tie(
        leftover_minutes=edge,
        units=len(chosen),
        candidates=tuple(t.code for t in group),
        chosen=tuple(t.code for t in chosen),
        alternatives=tuple(alternatives),
        more_alternatives=total_combos - len(alternatives),
        message=message,
    )
