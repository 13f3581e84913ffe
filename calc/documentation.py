"""The documentation review: what the record of a 97112 service must show, and
whether one record shows it.

The checklists live in ``calc/data/checklists.toml`` (HNS CPT 97112 policy; CMS Pub.
100-02 Ch. 15 §220.3). :func:`review` takes a structured record of one 97112
service and the visit around it and returns every checklist item as met, missing,
warning, not applicable or reminder, with the policy line it comes from, plus a
plain-text summary built only from what was entered.

The record is a JSON object; every field is optional and unknown fields are refused
(the list, with labels and kinds, is :data:`FIELDS`). Besides the fields of issue 3,
three yes/no fields let the provider confirm what no form can see in the notes
(``affects_neuromuscular_system``, ``consistent_with_plan``, as ``effect_documented``
does), and ``units_billed`` (the timed units on the claim, 97112 and the other timed
codes together) is compared with the units the minutes support. No patient
identifiers are asked for.

>>> record = parse_record({"body_parts": ["left ankle"], "minutes": 24,
...                        "visit_codes": [{"code": "97110", "minutes": 23}],
...                        "units_billed": 3})
>>> result = review(record)
>>> result.status_of("specific-body-parts"), result.status_of("functional-goal")
('met', 'missing')
>>> result.units.timed_units if result.units else None
3
>>> print(result.summary)
CPT 97112 neuromuscular reeducation
Body parts treated: left ankle
Time: 24 min
Other codes this visit: 97110 23 min
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
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
    want_choice,
    want_confidence,
    want_date,
    want_id,
    want_text,
)
from calc.codes import PHASES, CodeTable, load_codes
from calc.errors import CalcError, character_name, kind_of, shown
from calc.inputs import BIDI_CONTROLS, ascii_number, invisible, visible_text
from calc.sources import Citation, Cited, read_citation
from calc.units import (
    MAX_UNITS,
    Entry,
    Notice,
    UnitsResult,
    compute_units,
    parse_entries,
    plural,
    whole_minutes,
)

DATA_FILE = "checklists.toml"
SERVICE_CODE = "97112"
STATUSES = ("met", "missing", "warning", "not_applicable", "reminder")
REQUIREMENTS = ("required", "if-available", "as-applicable")
CHECKS = (
    "fields",
    "service-code",
    "timed-code-minutes",
    "minutes-units",
    "therapy-count",
    "therapy-trend",
)
PROBLEMS = ("balance", "coordination", "kinesthetic sense", "posture", "proprioception")
MAX_TEXT = 2000  # characters in one text value: enough for a note, not for a flood
MAX_LIST = 50  # entries in one list field
MAX_COUNT = 10_000  # sets or repetitions
SUMMARY_TITLE = "CPT 97112 neuromuscular reeducation"


@dataclass(frozen=True)
class Field:
    """One field of the record: its JSON name, its label and the kind of value."""

    name: str
    label: str
    kind: str  # text, list, count, minutes, yes-no, choice, choices, codes, units
    hint: str
    choices: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


#: Every field a record may have, in the order of the summary. All are optional.
FIELDS = (
    Field(
        "problem",
        "Problem addressed",
        "choices",
        "one or more of the neuromuscular problems",
        PROBLEMS,
    ),
    Field("body_parts", "Body parts treated", "list", "the specific muscles or joints"),
    Field("exercises", "Exercises or activities", "list", "each exercise or activity"),
    Field("functional_goal", "Functional goal", "text", "the goal the exercises work toward"),
    Field("sets", "Sets", "count", "a whole number"),
    Field("repetitions", "Repetitions", "count", "a whole number"),
    Field("work", "Work", "text", "load or resistance, if available"),
    Field("minutes", "Time", "minutes", "minutes of direct one-on-one 97112"),
    Field("techniques", "Techniques", "list", "e.g. PNF, Feldenkrais, Bobath"),
    Field("equipment", "Equipment", "list", "e.g. BAPS board, dexterity tools"),
    Field("area", "Area of application", "text", "the specific region treated"),
    Field("rationale", "Rationale", "text", "why this therapy, for this patient"),
    Field("setting_frequency", "Setting and frequency", "text", "as applicable"),
    Field("phase", "Phase of care", "choice", "initial or ongoing", PHASES),
    Field(
        "visit_codes",
        "Other codes this visit",
        "codes",
        'the other codes billed that day, e.g. [{"code": "97110", "minutes": 23}]',
    ),
    Field(
        "affects_neuromuscular_system",
        "The service affects the neuromuscular system",
        "yes-no",
        "true when the record shows it",
    ),
    Field(
        "effect_documented",
        "The effect on the problem is documented",
        "yes-no",
        "true when the record shows it",
    ),
    Field(
        "consistent_with_plan",
        "Consistent with the complaint, diagnoses and plan",
        "yes-no",
        "true when the record shows it",
    ),
    Field(
        "units_billed",
        "Timed units billed",
        "units",
        "units on the claim for 97112 and the other timed codes together",
    ),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}
#: Fields that are statements about the record or the claim, not clinical content:
#: they are checked but never copied into the summary.
NOT_IN_SUMMARY = frozenset(
    {"affects_neuromuscular_system", "effect_documented", "consistent_with_plan", "units_billed"}
)


# --- the checklists (data) ---------------------------------------------------------


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    intro: str

    def as_dict(self) -> dict[str, str]:
        return plain(self)


@dataclass(frozen=True)
class Item(Cited):
    """One thing the record must show, with the policy line it comes from."""

    id: str
    group: str
    text: str
    fields: tuple[str, ...]
    requirement: str
    check: str
    help: str
    note: str
    limit: int | None
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    reviewed: dt.date
    card: str = ""  # the item in a few words, for the quick reference card (site only)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in plain(self).items() if k != "card"}


@dataclass(frozen=True)
class Checklists:
    groups: tuple[Group, ...]
    items: tuple[Item, ...]

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "groups": [g.as_dict() for g in self.groups],
            "items": [i.as_dict() for i in self.items],
            "fields": [f.as_dict() for f in FIELDS],
            "statuses": list(STATUSES),
        }


def parse_checklists(name: str, data: Mapping[str, Any]) -> Checklists:
    """Validate the parsed TOML; every problem names the file, the entry and the key.

    >>> parse_checklists("x.toml", {"group": [], "item": [{"id": "a"}]})
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: x.toml, item 'a': missing key 'group'
    """
    check_keys(name, data, ["group", "item"])
    groups: list[Group] = []
    for i, entry in enumerate(want(name, "group", data["group"], list), start=1):
        where = f"{name}, group {i}"
        want(where, "group", entry, dict)
        if "id" in entry:
            where = f"{name}, group {entry['id']!r}"
        check_keys(where, entry, ["id", "title"], ["intro"])
        group = Group(
            id=want_id(where, "id", entry["id"]),
            title=want_text(where, "title", entry["title"]),
            intro=want(where, "intro", entry.get("intro", ""), str),
        )
        if any(g.id == group.id for g in groups):
            raise CalcError("bad_data", f"{where}: listed twice")
        groups.append(group)
    group_ids = [g.id for g in groups]

    items: list[Item] = []
    for i, entry in enumerate(want(name, "item", data["item"], list), start=1):
        where = f"{name}, item {i}"
        want(where, "item", entry, dict)
        if "id" in entry:
            where = f"{name}, item {entry['id']!r}"
        check_keys(
            where,
            entry,
            ["id", "group", "text", "fields", "requirement", "sources", "confidence", "reviewed"],
            ["check", "help", "note", "limit", "where", "card"],
        )
        item_id = want_id(where, "id", entry["id"])
        if any(it.id == item_id for it in items):
            raise CalcError("bad_data", f"{where}: listed twice")
        field_names = want(where, "fields", entry["fields"], list)
        for field_name in field_names:
            if field_name not in FIELD_BY_NAME:
                raise CalcError(
                    "bad_data",
                    f"{where}: unknown record field {field_name!r} "
                    f"(known: {', '.join(FIELD_BY_NAME)})",
                )
        check = want_choice(where, "check", entry.get("check", "fields"), CHECKS)
        if check == "fields" and not field_names:
            raise CalcError("bad_data", f"{where}: a 'fields' check needs at least one field")
        limit = entry.get("limit")
        if check == "therapy-count":
            if limit is None:
                raise CalcError("bad_data", f"{where}: a 'therapy-count' check needs a 'limit'")
            if want(where, "limit", limit, int) < 1:
                raise CalcError("bad_data", f"{where}: 'limit' must be 1 or more")
        elif limit is not None:
            raise CalcError("bad_data", f"{where}: 'limit' is only for a 'therapy-count' check")
        items.append(
            Item(
                id=item_id,
                group=want_choice(where, "group", entry["group"], group_ids),
                text=want_text(where, "text", entry["text"]),
                fields=tuple(field_names),
                requirement=want_choice(where, "requirement", entry["requirement"], REQUIREMENTS),
                check=check,
                help=want(where, "help", entry.get("help", ""), str),
                note=want(where, "note", entry.get("note", ""), str),
                limit=limit,
                cite=read_citation(where, entry),
                confidence=want_confidence(where, entry["confidence"]),
                reviewed=want_date(where, "reviewed", entry["reviewed"]),
                card=want(where, "card", entry.get("card", ""), str),
            )
        )
    for group in groups:
        if not any(it.group == group.id for it in items):
            raise CalcError("bad_data", f"{name}, group {group.id!r}: has no items")
    # Show items group by group, in the groups' order.
    items.sort(key=lambda it: group_ids.index(it.group))
    return Checklists(tuple(groups), tuple(items))


@cache
def load_checklists() -> Checklists:
    """The checklists shipped with the package (read once, then cached).

    >>> load_checklists().item("specific-body-parts").fields
    ('body_parts',)
    """
    return parse_checklists(DATA_FILE, read_toml(DATA_FILE))


# --- the record (input) ---------------------------------------------------------------


@dataclass(frozen=True)
class VisitCode:
    code: str
    minutes: int | None


@dataclass(frozen=True)
class Record:
    """One 97112 service and the visit around it, as entered. Every field is optional."""

    problem: tuple[str, ...] = ()
    body_parts: tuple[str, ...] = ()
    exercises: tuple[str, ...] = ()
    functional_goal: str | None = None
    sets: int | None = None
    repetitions: int | None = None
    work: str | None = None
    minutes: int | None = None
    techniques: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    area: str | None = None
    rationale: str | None = None
    setting_frequency: str | None = None
    phase: str | None = None
    visit_codes: tuple[VisitCode, ...] = ()
    affects_neuromuscular_system: bool | None = None
    effect_documented: bool | None = None
    consistent_with_plan: bool | None = None
    units_billed: int | None = None
    #: the fields whose text had invisible characters taken out (said in the review)
    invisible_removed: tuple[str, ...] = ()

    def entered(self, name: str) -> bool:
        """Whether a field holds something (a yes/no field counts only when yes)."""
        value = getattr(self, name)
        if isinstance(value, bool):
            return value
        return value is not None and value != ()

    def as_dict(self) -> dict[str, Any]:
        """The record as understood: trimmed, normalized, fields not entered left out."""
        return {name: value for name, value in plain(self).items() if value not in (None, [])}


def _refused(ch: str) -> bool:
    """Control characters other than white space, unpaired surrogates, direction
    controls: refused in text (taking them out could change what the text says)."""
    return (unicodedata.category(ch) in ("Cc", "Cs") and not ch.isspace()) or ch in BIDI_CONTROLS


def _clean_text(name: str, value: Any) -> str | None:
    """Trim, fold runs of white space (new lines included) to one space, take out
    invisible characters (see :func:`calc.inputs.visible_text`), refuse control and
    direction characters and floods. An empty text is "not entered"."""
    if not isinstance(value, str):
        raise CalcError("bad_type", f"Field {shown(name)} must be text, not {kind_of(value)}.")
    if len(value) > 4 * MAX_TEXT:
        raise CalcError(
            "too_long", f"Field {shown(name)} is too long (over {MAX_TEXT} characters)."
        )
    bad = next((ch for ch in value if _refused(ch)), None)
    if bad is not None:
        raise CalcError(
            "bad_value",
            f"Field {shown(name)} contains a control character, {character_name(bad)}; remove it.",
        )
    text = " ".join(visible_text(value)[0].split())
    if len(text) > MAX_TEXT:
        raise CalcError(
            "too_long",
            f"Field {shown(name)} is {len(text)} characters long; keep it under {MAX_TEXT}.",
        )
    return text or None


def _texts(name: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise CalcError(
            "bad_type",
            f'Field {shown(name)} must be a list of text, like ["left ankle"]; '
            f"got {kind_of(value)}.",
        )
    if len(value) > MAX_LIST:
        raise CalcError(
            "too_long", f"Field {shown(name)} has {len(value)} entries; enter at most {MAX_LIST}."
        )
    out: list[str] = []
    for entry in value:
        if not isinstance(entry, str):
            raise CalcError(
                "bad_type", f"Field {shown(name)}: every entry must be text, not {kind_of(entry)}."
            )
        text = _clean_text(name, entry)
        if text is not None and text not in out:
            out.append(text)
    return tuple(out)


def _count(name: str, value: Any, limit: int) -> int | None:
    """A whole number >= 0: an int, a whole float (JSON ``3.0``) or digits as text."""
    number: int
    if isinstance(value, bool):
        raise CalcError("bad_type", f"Field {shown(name)} must be a whole number, not true/false.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and not value.strip():
        return None
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = -ascii_number(text[1:]) if text.startswith("-") else ascii_number(text)
        except CalcError as err:
            if err.code == "too_long":
                raise CalcError(
                    "bad_value", f"Field {shown(name)} is over {limit}: check it."
                ) from None
            why = f": {err.message}" if err.code == "bad_digit" else ""
            raise CalcError(
                "bad_type",
                f"Field {shown(name)} must be a whole number; got {shown(value)}{why}.",
            ) from None
    else:
        raise CalcError(
            "bad_type", f"Field {shown(name)} must be a whole number; got {shown(value)}."
        )
    if number < 0:
        raise CalcError("bad_value", f"Field {shown(name)} cannot be negative; got {number}.")
    if number > limit:
        raise CalcError(
            "bad_value", f"Field {shown(name)} is {number}; that is over {limit}: check it."
        )
    return number


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise CalcError(
            "bad_type", f"Field {shown(name)} must be true or false; got {kind_of(value)}."
        )
    return value


def _problems(value: Any) -> tuple[str, ...]:
    raw = [value] if isinstance(value, str) else value
    if not isinstance(raw, list):
        raise CalcError(
            "bad_type",
            f"Field 'problem' must be text or a list of text (one of {', '.join(PROBLEMS)}).",
        )
    if len(raw) > MAX_LIST:
        raise CalcError(
            "too_long", f"Field 'problem' has {len(raw)} entries; enter at most {MAX_LIST}."
        )
    out: list[str] = []
    for entry in raw:
        if not isinstance(entry, str):
            raise CalcError(
                "bad_type", f"Field 'problem': every entry must be text, not {kind_of(entry)}."
            )
        text = " ".join(entry.replace("-", " ").replace("_", " ").split()).lower()
        if not text:
            continue
        if text not in PROBLEMS:
            raise CalcError(
                "bad_value",
                f"Field 'problem': {shown(entry)} is not one of {', '.join(PROBLEMS)}.",
            )
        if text not in out:
            out.append(text)
    return tuple(out)


def _phase(value: Any) -> str | None:
    if not isinstance(value, str):
        raise CalcError("bad_type", f"Field 'phase' must be text ({' or '.join(PHASES)}).")
    text = value.strip().lower()
    if not text:
        return None
    if text not in PHASES:
        raise CalcError(
            "bad_value", f"Field 'phase' must be {' or '.join(PHASES)}; got {shown(value)}."
        )
    return text


def _visit_codes(value: Any, codes: CodeTable) -> tuple[VisitCode, ...]:
    if value == [] or value == "":
        return ()
    if not isinstance(value, list | str):
        raise CalcError(
            "bad_type",
            'Field \'visit_codes\' must be a list like [{"code": "97110", "minutes": 23}].',
        )
    try:
        entries = parse_entries(value)
    except CalcError as err:
        raise CalcError(err.code, f"Field 'visit_codes': {err.message}") from err
    out = []
    for entry in entries:
        info = codes.require(entry.code)
        if info.code == SERVICE_CODE:
            raise CalcError(
                "bad_value",
                f"Field 'visit_codes': {SERVICE_CODE} is the service this record describes; "
                "give its minutes in 'minutes', and list only the other codes here.",
            )
        if not info.billable:
            raise CalcError(
                "not_billable",
                f"Field 'visit_codes': {info.code} ({info.name}) is not calculated: "
                f"{info.notes or 'not billable'}",
            )
        out.append(VisitCode(info.code, entry.minutes))
    return tuple(out)


def parse_record(raw: object, codes: CodeTable | None = None) -> Record:
    """Read a record (a JSON object) into a :class:`Record`, or raise a clear error.

    Text is trimmed and its white space folded; empty values count as not entered.

    >>> parse_record({"sets": "3", "body_parts": [" left  ankle ", ""]})
    Record(problem=(), body_parts=('left ankle',), exercises=(), functional_goal=None, sets=3, repetitions=None, work=None, minutes=None, techniques=(), equipment=(), area=None, rationale=None, setting_frequency=None, phase=None, visit_codes=(), affects_neuromuscular_system=None, effect_documented=None, consistent_with_plan=None, units_billed=None, invisible_removed=())
    >>> parse_record({"sets": -1})
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: Field 'sets' cannot be negative; got -1.
    """  # noqa: E501
    if not isinstance(raw, Mapping):
        raise CalcError("bad_request", 'The record must be a JSON object, like {"minutes": 24}.')
    codes = codes or load_codes()
    values: dict[str, Any] = {}
    for name, value in raw.items():
        spec = FIELD_BY_NAME.get(name) if isinstance(name, str) else None
        if spec is None:
            raise CalcError(
                "unknown_field",
                f"Unknown field {shown(name)} in the record; known fields: "
                f"{', '.join(FIELD_BY_NAME)}.",
            )
        if value is None:
            continue
        kind = spec.kind
        if kind == "text":
            values[name] = _clean_text(name, value)
        elif kind == "list":
            values[name] = _texts(name, value)
        elif kind == "count":
            values[name] = _count(name, value, MAX_COUNT)
        elif kind == "units":
            values[name] = _count(name, value, MAX_UNITS)
        elif kind == "minutes":
            values[name] = whole_minutes(value, SERVICE_CODE)
        elif kind == "yes-no":
            values[name] = _flag(name, value)
        elif kind == "choices":
            values[name] = _problems(value)
        elif kind == "choice":
            values[name] = _phase(value)
        else:  # codes
            values[name] = _visit_codes(value, codes)
    cleaned = tuple(
        name
        for name, value in raw.items()
        if FIELD_BY_NAME[name].kind in ("text", "list")
        and any(isinstance(v, str) and any(map(invisible, v)) for v in _as_list(value))
    )
    return Record(**{k: v for k, v in values.items() if v is not None}, invisible_removed=cleaned)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- the summary ------------------------------------------------------------------------


def value_text(record: Record, name: str) -> str:
    """One field's value as a person reads it (``24 min``, ``left ankle; right hip``).

    >>> value_text(Record(minutes=24, effect_documented=False), "minutes")
    '24 min'
    >>> value_text(Record(minutes=24, effect_documented=False), "effect_documented")
    'no'
    """
    value = getattr(record, name)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name == "minutes":
        return f"{value} min"
    if name == "visit_codes":
        return "; ".join(
            v.code if v.minutes is None else f"{v.code} {v.minutes} min" for v in value
        )
    if isinstance(value, tuple):
        return "; ".join(value)
    return str(value)


def summary_lines(record: Record) -> tuple[tuple[str, str], ...]:
    """(label, value) for each clinical field entered, in a fixed order. The labels
    are fixed; every value is the record's own (trimmed) text or number.

    >>> summary_lines(Record(exercises=("tandem stance", "heel walks"), sets=3))
    (('Exercises or activities', 'tandem stance; heel walks'), ('Sets', '3'))
    """
    return tuple(
        (f.label, value_text(record, f.name))
        for f in FIELDS
        if f.name not in NOT_IN_SUMMARY and record.entered(f.name)
    )


def summary_text(record: Record) -> str:
    """The summary to paste into the record: empty when nothing was entered."""
    lines = summary_lines(record)
    if not lines:
        return ""
    return "\n".join([SUMMARY_TITLE, *(f"{label}: {value}" for label, value in lines)])


# --- the review ------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemResult:
    item: Item
    status: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {**self.item.as_dict(), "status": self.status, "detail": self.detail}


def _counts(results: Iterable[ItemResult]) -> dict[str, int]:
    statuses = [r.status for r in results]
    return {s: statuses.count(s) for s in STATUSES}


@dataclass(frozen=True)
class Review:
    record: Record
    groups: tuple[Group, ...]
    items: tuple[ItemResult, ...]
    therapies: tuple[str, ...]
    treatment_minutes: int | None
    units: UnitsResult | None
    summary: str
    warnings: tuple[Notice, ...]
    notes: tuple[str, ...]
    steps: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Nothing missing and nothing to look at again."""
        return not any(r.status in ("missing", "warning") for r in self.items)

    @property
    def timed_minutes(self) -> int | None:
        """Total minutes of the visit's timed codes (None until each has its minutes)."""
        return self.units.total_minutes if self.units else None

    @property
    def counts(self) -> dict[str, int]:
        """How many items have each status."""
        return _counts(self.items)

    def status_of(self, item_id: str) -> str:
        return next(r.status for r in self.items if r.item.id == item_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "counts": self.counts,
            "groups": [g.as_dict() for g in self.groups],
            "items": [r.as_dict() for r in self.items],
            "visit": {
                "phase": self.record.phase,
                "therapies": list(self.therapies),
                "therapy_count": len(self.therapies),
                "timed_minutes": self.timed_minutes,
                "treatment_minutes": self.treatment_minutes,
                "units_supported": self.units.timed_units if self.units else None,
                "units_billed": self.record.units_billed,
                "units": self.units.as_dict() if self.units else None,
            },
            "summary": self.summary,
            "record": self.record.as_dict(),
            "warnings": [w.as_dict() for w in self.warnings],
            "notes": list(self.notes),
            "steps": list(self.steps),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class _Visit:
    """What the visit-level checks need, worked out once."""

    timed: tuple[tuple[str, int | None], ...]  # 97112 first, then the timed visit codes
    untimed_without_minutes: tuple[str, ...]  # untimed therapies: their minutes count too
    therapies: tuple[str, ...]
    units: UnitsResult | None  # None until every timed code has its minutes
    treatment_minutes: int | None


@dataclass(frozen=True)
class _Outcome:
    status: str
    detail: str
    notices: tuple[Notice, ...] = ()


def _visit(record: Record, codes: CodeTable) -> _Visit:
    timed: list[tuple[str, int | None]] = [(SERVICE_CODE, record.minutes)]
    untimed_without: list[str] = []
    untimed_minutes = 0
    therapies = [SERVICE_CODE]
    for v in record.visit_codes:
        info = codes.require(v.code)
        if info.timed:
            timed.append((v.code, v.minutes))
        elif info.is_therapy and v.minutes is None:
            untimed_without.append(v.code)
        elif info.is_therapy:
            untimed_minutes += v.minutes or 0
        if info.is_therapy and v.code not in therapies:
            therapies.append(v.code)
    units = None
    if all(m is not None for _, m in timed):
        entries = [Entry(SERVICE_CODE, record.minutes)]
        entries += [Entry(v.code, v.minutes) for v in record.visit_codes]
        units = compute_units(entries, method="cms", codes=codes)
    treatment = units.total_minutes + untimed_minutes if units and not untimed_without else None
    return _Visit(
        tuple(timed), tuple(dict.fromkeys(untimed_without)), tuple(therapies), units, treatment
    )


def _check_fields(item: Item, record: Record) -> _Outcome:
    absent = [f for f in item.fields if not record.entered(f)]
    if not absent:
        labels = ", ".join(FIELD_BY_NAME[f].label.lower() for f in item.fields)
        yes_no = all(FIELD_BY_NAME[f].kind == "yes-no" for f in item.fields)
        return _Outcome("met", "Answered yes." if yes_no else f"Entered: {labels}.")
    labels = ", ".join(FIELD_BY_NAME[f].label.lower() for f in absent)
    if item.requirement != "required":
        when = "if available" if item.requirement == "if-available" else "when it applies"
        return _Outcome("not_applicable", f"Not entered ({labels}); needed only {when}.")
    if all(FIELD_BY_NAME[f].kind == "yes-no" for f in absent):
        said_no = any(getattr(record, f) is False for f in absent)
        lead = "Answered no." if said_no else "Not answered."
    else:
        lead = f"Not entered: {labels}."
    return _Outcome("missing", lead + (f" {item.help}" if item.help else ""))


def _check_service_code() -> _Outcome:
    return _Outcome(
        "met",
        f"This review is of CPT {SERVICE_CODE} (neuromuscular reeducation); the record "
        "must name the service.",
    )


def _check_timed_minutes(visit: _Visit) -> _Outcome:
    without = [code for code, m in visit.timed if m is None]
    if without:
        return _Outcome(
            "missing",
            f"No minutes entered for {', '.join(without)}. Every timed code needs the actual "
            "minutes of direct treatment.",
        )
    listing = ", ".join(f"{code} {m} min" for code, m in visit.timed)
    return _Outcome("met", f"Minutes entered for every timed code: {listing}.")


def _check_minutes_units(record: Record, visit: _Visit) -> _Outcome:
    if visit.units is None:
        without = ", ".join(code for code, m in visit.timed if m is None)
        return _Outcome(
            "missing", f"The total timed minutes cannot be worked out: no minutes for {without}."
        )
    supported = visit.units.timed_units
    parts = [
        f"Total timed minutes {visit.units.total_minutes} → "
        f"{plural(supported, 'timed unit')} on the CMS chart."
    ]
    problems: list[str] = []  # each makes the item a warning, unless something is missing
    notices: list[Notice] = []
    if visit.untimed_without_minutes:
        parts.append(
            "The total treatment minutes cannot be worked out: enter the minutes of "
            f"{', '.join(visit.untimed_without_minutes)} too (untimed therapies count in the "
            "total treatment time)."
        )
    else:
        parts.append(f"Total treatment minutes (timed and untimed): {visit.treatment_minutes}.")
    if visit.units.units_of(SERVICE_CODE) == 0:
        problems.append(f"{SERVICE_CODE} earns no unit with these minutes: do not bill it.")
    billed = record.units_billed
    if billed is not None and billed != supported:
        advice = (
            "bill no more units than the minutes support."
            if billed > supported
            else "check the claim and the minutes."
        )
        message = (
            f"{plural(billed, 'timed unit')} billed, but the minutes support {supported}: {advice}"
        )
        problems.append(message)
        notices.append(Notice("units_disagree_with_minutes", message))
    elif billed is not None:
        parts.append(f"The units billed ({billed}) agree with the minutes.")
    else:
        parts.append("Enter the timed units billed to check them against the minutes.")
    # the item is whether the minutes support the units: without the units it is not met
    if visit.untimed_without_minutes:
        status = "missing"
    elif problems:
        status = "warning"
    else:
        status = "missing" if billed is None else "met"
    return _Outcome(status, " ".join(parts + problems), tuple(notices))


def _check_therapy_count(item: Item, record: Record, visit: _Visit) -> _Outcome:
    n = len(visit.therapies)
    limit = item.limit or 0
    listing = (
        f"{plural(n, 'therapy or modality', 'therapies or modalities')} this visit "
        f"({', '.join(visit.therapies)})"
    )
    if record.phase == "ongoing":
        return _Outcome(
            "not_applicable", f"Applies to the initial phase of care; this visit: {listing}."
        )
    if n <= limit:
        return _Outcome("met", f"{listing[0].upper()}{listing[1:]}: no more than {limit}.")
    if record.phase is None:
        message = (
            f"{listing}, and the phase of care is not entered. In the initial phase, more "
            f"than {limit} is more than usual and customary: document why each one is needed."
        )
    else:
        message = (
            f"{listing} in the initial phase of care: more than {limit} is more than usual "
            "and customary. Document why each one is needed."
        )
    message = message[0].upper() + message[1:]
    return _Outcome("warning", message, (Notice("too_many_therapies", message),))


def _check_therapy_trend(record: Record, visit: _Visit) -> _Outcome:
    if record.phase == "initial":
        return _Outcome("not_applicable", "Applies later in care, as the condition improves.")
    n = len(visit.therapies)
    return _Outcome(
        "reminder",
        f"This visit has {plural(n, 'therapy or modality', 'therapies or modalities')}; one "
        "visit cannot show a trend. Compare with earlier visits: the number should go down "
        "as the condition improves.",
    )


def _check(item: Item, record: Record, visit: _Visit) -> _Outcome:
    if item.check == "fields":
        return _check_fields(item, record)
    if item.check == "service-code":
        return _check_service_code()
    if item.check == "timed-code-minutes":
        return _check_timed_minutes(visit)
    if item.check == "minutes-units":
        return _check_minutes_units(record, visit)
    if item.check == "therapy-count":
        return _check_therapy_count(item, record, visit)
    return _check_therapy_trend(record, visit)


def require_entries(record: Record) -> Record:
    """The record, or a clear error when nothing at all was entered: a review of an
    empty form would only list every item as missing.

    >>> require_entries(Record(minutes=24)).minutes
    24
    >>> require_entries(Record())
    Traceback (most recent call last):
    calc.errors.CalcError: Nothing to review yet: enter what the visit note shows (for example the minutes of 97112 and the body parts treated), then review it.
    """  # noqa: E501
    if not any(record.entered(f.name) for f in FIELDS):
        raise CalcError(
            "empty_record",
            "Nothing to review yet: enter what the visit note shows (for example the "
            f"minutes of {SERVICE_CODE} and the body parts treated), then review it.",
        )
    return record


def review(record: Record, checklists: Checklists | None = None) -> Review:
    """Check one record against every checklist item, and summarize what was entered.

    >>> r = review(parse_record({"phase": "initial", "minutes": 20, "visit_codes":
    ...     [{"code": "97110", "minutes": 10}, {"code": "97140", "minutes": 10}]}))
    >>> r.status_of("initial-phase-two-therapies"), [w.code for w in r.warnings]
    ('warning', ['too_many_therapies'])
    """
    checklists = checklists or load_checklists()
    visit = _visit(record, load_codes())
    results: list[ItemResult] = []
    warnings: list[Notice] = []
    for item in checklists.items:
        outcome = _check(item, record, visit)
        results.append(ItemResult(item, outcome.status, outcome.detail))
        warnings += outcome.notices
    if visit.units is not None:
        warnings += visit.units.warnings

    notes: list[str] = []
    if record.invisible_removed:
        notes.append(
            "Invisible characters (zero-width spaces, direction marks and the like) were "
            f"taken out of: {', '.join(record.invisible_removed)}. The summary holds only "
            "what can be seen."
        )
    others = [t for t in visit.therapies if t != SERVICE_CODE]
    if others:
        notes.append(
            f"The other therapies billed this visit ({', '.join(others)}) need their own "
            "type, rationale, area, setting and frequency, and time in the record."
        )

    counts = _counts(results)
    steps = [
        f"Checked {len(results)} items: "
        + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items() if n)
        + "."
    ]
    steps.append(
        f"Therapies and modalities this visit: {', '.join(visit.therapies)} "
        f"({len(visit.therapies)})."
    )
    if visit.units is not None:
        steps += visit.units.steps
    sources = list(dict.fromkeys(r.item.source for r in results))
    if visit.units is not None:
        sources += [s for s in visit.units.sources if s not in sources]
    return Review(
        record=record,
        groups=checklists.groups,
        items=tuple(results),
        therapies=visit.therapies,
        treatment_minutes=visit.treatment_minutes,
        units=visit.units,
        summary=summary_text(record),
        warnings=tuple(warnings),
        notes=tuple(notes),
        steps=tuple(steps),
        sources=tuple(sources),
    )
