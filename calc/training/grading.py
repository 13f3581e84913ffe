"""Grading: a trainee's attempt at a scenario against the engine's answer, every mark
explained with the engine's steps and the rule's source.

>>> result = grade("bcbsnc-cmt-97112", {"lines": [
...     {"code": "98941", "units": 1, "modifiers": []},
...     {"code": "97112", "units": 2, "modifiers": ["GP", "59"]}]})
>>> result.correct, [(m.code, m.status) for m in result.lines]
(False, [('98941', 'right'), ('97112', 'wrong')])
>>> result.lines[1].problems[0]
'Modifier order: 59-GP, not GP-59. HNS: list 59 first, followed by GP.'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from calc._data import (
    plain,
)
from calc.claim_text import line_display
from calc.codes import CodeTable, load_codes
from calc.documentation import (
    load_checklists,
)
from calc.errors import CalcError, shown
from calc.modifiers import MODIFIER_SHAPE, load_modifier_rules
from calc.training.key import Answer, ExpectedLine, answer_key, load_scenarios, scenario
from calc.training.scenarios import (
    GRADED,
    ITEM_KINDS,
    MAX_ATTEMPT_LINES,
    MAX_MODIFIERS,
    Scenario,
    StrictOrder,
)
from calc.units import (
    MAX_UNITS,
    plural,
)

# --- grading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttemptLine:
    code: str
    units: int
    modifiers: tuple[str, ...]

    @property
    def display(self) -> str:
        return line_display(self.code, self.modifiers, self.units)

    def as_dict(self) -> dict[str, Any]:
        return {**plain(self), "display": self.display}


def _attempt_units(where: str, value: Any) -> int:
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,3}\s*", value, re.ASCII):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CalcError("bad_attempt", f"{where}: 'units' must be a whole number, like 2.")
    if not 0 <= value <= MAX_UNITS:
        raise CalcError("bad_attempt", f"{where}: {value} units is not possible in one day.")
    return value


def _attempt_modifiers(where: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):  # as typed in one field: "59-GP", "59 GP", "59,GP"
        value = [m for m in re.split(r"[\s,\-]+", value) if m]
    if not isinstance(value, list):
        raise CalcError("bad_attempt", f'{where}: \'modifiers\' must be a list, like ["59", "GP"].')
    mods = []
    for mod in value:
        text = mod.strip().upper() if isinstance(mod, str) else None
        if text is None or not MODIFIER_SHAPE.fullmatch(text):
            raise CalcError(
                "bad_attempt",
                f"{where}: {shown(mod)} is not a modifier (two letters or digits, like 59 or GP).",
            )
        mods.append(text)
    if len(mods) > MAX_MODIFIERS:
        raise CalcError(
            "bad_attempt", f"{where}: a claim line holds at most {MAX_MODIFIERS} modifiers."
        )
    return tuple(mods)


def _attempt_list(attempt: Any, field: str, like: str) -> list[Any]:
    """The one list an attempt holds, ``{field: [...]}``; ``like`` shows what the list
    holds. Anything else is refused, naming what is wrong.

    >>> _attempt_list({"missing": "x"}, "missing", 'a list like ["functional-goal"]')
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: The attempt needs "missing": a list like ["functional-goal"].
    """
    if not isinstance(attempt, Mapping):
        raise CalcError("bad_attempt", f'The attempt must be an object, like {{"{field}": [...]}}.')
    for key in attempt:
        if key != field:
            raise CalcError(
                "bad_attempt", f"Unknown field {shown(key)} in the attempt; expected: {field}."
            )
    raw = attempt.get(field)
    if not isinstance(raw, list):
        raise CalcError("bad_attempt", f'The attempt needs "{field}": {like}.')
    return raw


def parse_attempt_lines(attempt: Any, codes: CodeTable | None = None) -> tuple[AttemptLine, ...]:
    """Read ``{"lines": [{"code", "units", "modifiers"}, ...]}``; a line with 0 units is
    a code not billed.

    >>> parse_attempt_lines({"lines": [{"code": "97112", "units": "2", "modifiers": "59-gp"}]})
    (AttemptLine(code='97112', units=2, modifiers=('59', 'GP')),)
    """
    codes = codes or load_codes()
    raw = _attempt_list(
        attempt, "lines", 'a list like [{"code": "97112", "units": 2, "modifiers": ["59", "GP"]}]'
    )
    if len(raw) > MAX_ATTEMPT_LINES:
        raise CalcError("bad_attempt", f"{len(raw)} lines is too many for one visit.")
    out: dict[str, AttemptLine] = {}
    for i, line in enumerate(raw, start=1):
        where = f"Line {i}"
        if not isinstance(line, Mapping):
            raise CalcError("bad_attempt", f"{where}: must be an object with code and units.")
        for key in line:
            if key not in ("code", "units", "modifiers"):
                raise CalcError(
                    "bad_attempt",
                    f"{where}: unknown field {shown(key)}; expected: code, units, modifiers.",
                )
        code = line.get("code")
        if not isinstance(code, str) or not code.strip():
            raise CalcError("bad_attempt", f"{where}: needs a code, like 97112.")
        info = codes.require(code)  # unknown_code, naming the code
        if info.code in out:
            raise CalcError(
                "bad_attempt",
                f"{info.code} is entered twice: one line per code per date of service.",
            )
        if "units" not in line:
            raise CalcError("bad_attempt", f"{where} ({info.code}): needs units (0 = not billed).")
        out[info.code] = AttemptLine(
            info.code,
            _attempt_units(f"{where} ({info.code})", line["units"]),
            _attempt_modifiers(f"{where} ({info.code})", line.get("modifiers")),
        )
    return tuple(out.values())


MAX_MISSING = 200  # item ids in one attempt (the checklist has a few dozen items)


def parse_attempt_missing(attempt: Any, known: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Read ``{"missing": ["functional-goal", ...]}``: the checklist item ids.

    >>> parse_attempt_missing({"missing": ["functional-goal", " volume-sets "]})
    ('functional-goal', 'volume-sets')
    """
    raw = _attempt_list(
        attempt, "missing", 'a list of checklist item ids, like ["functional-goal"]'
    )
    known = known or tuple(i.id for i in load_checklists().items)
    if len(raw) > MAX_MISSING:
        raise CalcError(
            "bad_attempt",
            f"The attempt marks {len(raw)} items missing; the checklist has {len(known)}.",
        )
    out: list[str] = []
    for item in raw:
        text = item.strip() if isinstance(item, str) else None
        if text not in known:
            raise CalcError(
                "unknown_item",
                f"Unknown checklist item {shown(item)}; the items are those of the "
                "documentation checklist.",
            )
        if text is not None and text not in out:
            out.append(text)
    return tuple(out)


@dataclass(frozen=True)
class LineMark:
    """One code graded: right, wrong, missing (not billed but should be) or extra."""

    code: str
    status: str  # right, wrong, missing, extra
    expected: ExpectedLine | None  # None: the code is not part of this visit
    got: AttemptLine | None  # None: not billed by the trainee
    units_right: bool
    modifiers_right: bool
    problems: tuple[str, ...]
    notes: tuple[str, ...]
    message: str

    @property
    def right(self) -> bool:
        return self.status == "right"

    def as_dict(self) -> dict[str, Any]:
        e = self.expected
        return {
            "code": self.code,
            "status": self.status,
            "right": self.right,
            "expected": e.as_dict() if e else None,
            "got": self.got.as_dict() if self.got else None,
            "units_right": self.units_right,
            "modifiers_right": self.modifiers_right,
            "problems": list(self.problems),
            "notes": list(self.notes),
            "message": self.message,
            "explanation": list(e.steps) if e else [],
            "rules": [r.as_dict() for r in e.rules] if e else [],
            "sources": list(dict.fromkeys(r.source for r in e.rules)) if e else [],
        }


@dataclass(frozen=True)
class ItemMark:
    """One checklist item graded: found, missed, or marked missing but it is not."""

    id: str
    text: str
    status: str  # right, missed, extra
    detail: str
    source: str

    @property
    def right(self) -> bool:
        return self.status == "right"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "status": self.status,
            "right": self.right,
            "detail": self.detail,
            "source": self.source,
        }


@dataclass(frozen=True)
class Grade:
    scenario: Scenario
    answer: Answer
    lines: tuple[LineMark, ...]
    items: tuple[ItemMark, ...]
    tie_alternative: bool  # graded against an equally correct tie answer

    @property
    def marks(self) -> tuple[LineMark | ItemMark, ...]:
        return (*self.lines, *self.items)

    @property
    def correct(self) -> bool:
        return all(m.right for m in self.marks)

    def as_dict(self) -> dict[str, Any]:
        s = self.scenario
        return {
            "scenario": s.id,
            "title": s.title,
            "kind": s.kind,
            "graded": list(GRADED[s.kind]),
            "correct": self.correct,
            "score": {"right": sum(m.right for m in self.marks), "total": len(self.marks)},
            "lines": [m.as_dict() for m in self.lines],
            "items": [m.as_dict() for m in self.items],
            "tie": self.answer.tie or None,
            "tie_alternative": self.tie_alternative,
            "warnings": [w.as_dict() for w in self.answer.warnings],
            "steps": list(self.answer.steps),
            "sources": list(self.answer.sources),
            "learning_point": s.learning_point,
            "source": s.source,
            "confidence": s.confidence,
        }


def _mark(
    code: str,
    status: str,
    expected: ExpectedLine | None,
    got: AttemptLine | None,
    *,
    units_right: bool | None = None,
    modifiers_right: bool | None = None,
    problems: Sequence[str] = (),
    notes: Sequence[str] = (),
    message: str,
) -> LineMark:
    """A line's mark; unless told, units and modifiers are as right as the line."""
    right = status == "right"
    return LineMark(
        code=code,
        status=status,
        expected=expected,
        got=got,
        units_right=right if units_right is None else units_right,
        modifiers_right=right if modifiers_right is None else modifiers_right,
        problems=tuple(problems),
        notes=tuple(notes),
        message=message,
    )


def _pick_allocation(answer: Answer, got: Mapping[str, AttemptLine]) -> tuple[dict[str, int], bool]:
    """Units per code to grade against: the engine's, or the equally correct tie answer
    the trainee chose (recognized by the units of the timed codes).

    >>> answer = answer_key(scenario("cms-example-2"))
    >>> mine = {"97112": AttemptLine("97112", 1, ()), "97110": AttemptLine("97110", 2, ())}
    >>> _pick_allocation(answer, mine)
    ({'97112': 1, '97110': 2}, True)
    """
    chosen = {line.code: line.units for line in answer.lines}
    for alt in answer.alternatives:
        candidate = {**chosen, **alt}
        if candidate != chosen and all(
            (got[code].units if code in got else 0) == units for code, units in alt.items()
        ):
            return candidate, True
    return chosen, False


def _modifier_marks(
    expected: Sequence[str], got: Sequence[str], order: Sequence[StrictOrder], usual: str
) -> tuple[bool, list[str], list[str]]:
    """Whether the modifiers are right, the problems and the notes."""
    entered = "-".join(got) or "none"
    if sorted(expected) != sorted(got):
        want_text = ", ".join(expected) if expected else "no modifier"
        return False, [f"Modifiers: the line takes {want_text}; you entered {entered}."], []
    broken = [rule for rule in order if rule.broken_by(got)]
    if broken:
        order_text = f"Modifier order: {'-'.join(expected)}, not {entered}."
        return False, [f"{order_text} {rule.text}" for rule in broken], []
    if list(got) != list(expected):
        return True, [], [f"The usual order is {'-'.join(expected)}. {usual}"]
    return True, [], []


def _grade_lines(s: Scenario, answer: Answer, attempt: Any) -> tuple[list[LineMark], bool]:
    got = {line.code: line for line in parse_attempt_lines(attempt)}
    units_by_code, alternative = _pick_allocation(answer, got)
    graded_modifiers = "modifiers" in GRADED[s.kind]
    usual = load_modifier_rules().order.text
    order = load_scenarios().strict_order
    marks = []
    for e in answer.lines:
        units = units_by_code[e.code]
        mine = got.get(e.code)
        if mine is not None and mine.units == 0:
            mine = None  # 0 units: not billed
        if units == 0 and mine is None:
            why = e.reason or f"{e.code} earns no unit."
            if e.units:  # the trainee gave the unit to another code of the tie
                why = "On a tie any of the tied codes may take the unit (CMS: choose either code)."
            marks.append(_mark(e.code, "right", e, None, message=f"Right: not billed. {why}"))
            continue
        if units == 0:
            why = e.reason or f"{e.code} is not billed on this visit."
            marks.append(
                _mark(
                    e.code, "extra", e, mine, problems=[why], message=f"Do not bill {e.code}. {why}"
                )
            )
            continue
        want = line_display(e.code, e.modifiers if graded_modifiers else (), units)
        if mine is None:
            marks.append(
                _mark(e.code, "missing", e, None, problems=[f"Bill {want}."],
                      message=f"Missing line: bill {want}.")
            )  # fmt: skip
            continue
        problems: list[str] = []
        notes: list[str] = []
        units_right = mine.units == units
        if not units_right:
            problems.append(f"Units: {plural(units, 'unit')}; you entered {mine.units}.")
        modifiers_right = True
        if graded_modifiers:
            modifiers_right, mod_problems, notes = _modifier_marks(
                e.modifiers, mine.modifiers, order, usual
            )
            problems += mod_problems
        elif mine.modifiers:
            notes.append("Modifiers are not graded in a units scenario.")
        if alternative and units_right and units != e.units:
            notes.append("An equally correct answer on a tie (CMS: choose either code).")
        right = units_right and modifiers_right
        marks.append(
            _mark(
                e.code,
                "right" if right else "wrong",
                e,
                mine,
                units_right=units_right,
                modifiers_right=modifiers_right,
                problems=problems,
                notes=notes,
                message=(
                    f"Right: {want}."
                    if right
                    else f"Wrong: the line is {want}; you entered {mine.display}. "
                    + " ".join(problems)
                ),
            )
        )
    visit = {e.code for e in answer.lines}
    for line in got.values():
        if line.code in visit or line.units == 0:
            continue
        why = f"{line.code} was not done at this visit: it is not in the facts."
        marks.append(_mark(line.code, "extra", None, line, problems=[why], message=f"Extra: {why}"))
    return marks, alternative


def _grade_items(answer: Answer, attempt: Any) -> list[ItemMark]:
    if answer.kind == "audit":
        return _grade_findings(answer, attempt)
    said = parse_attempt_missing(attempt)
    missing = {i.id: i for i in answer.missing}
    marks = []
    for item in answer.missing:
        status = "right" if item.id in said else "missed"
        marks.append(ItemMark(item.id, item.text, status, item.detail, item.source))
    checklists = load_checklists()
    for item_id in said:
        if item_id in missing:
            continue
        listed = checklists.item(item_id)
        found = next(r for r in answer.result["items"] if r["id"] == item_id)
        detail = f"Not missing ({found['status'].replace('_', ' ')}): {found['detail']}"
        marks.append(ItemMark(item_id, listed.text, "extra", detail, listed.source))
    return marks


def _grade_findings(answer: Answer, attempt: Any) -> list[ItemMark]:
    """An audit scenario: the kinds of finding ticked, against those the audit reports."""
    from calc.audit import KINDS as FINDINGS
    from calc.audit import load_audit_rules

    said = parse_attempt_missing(attempt, FINDINGS)
    marks = [
        ItemMark(i.id, i.text, "right" if i.id in said else "missed", i.detail, i.source)
        for i in answer.missing
    ]
    found = {i.id for i in answer.missing}
    titles = load_audit_rules().titles
    marks += [
        ItemMark(kind, titles[kind], "extra", "The audit reports no such finding here.", "")
        for kind in said
        if kind not in found
    ]
    return marks


def grade(scenario_id: object, attempt: Any) -> Grade:
    """Grade a trainee's attempt at a scenario.

    Claim scenarios are graded on units and modifiers per line (their order matters
    where a rule says so, e.g. 59 before GP); units scenarios on units per code; both
    accept any equally correct answer on a tie. A line the engine does not bill (0
    units) is wrong if the trainee bills it; a line with 0 units in the attempt is a
    code not billed. Review scenarios are graded on the checklist items marked missing.

    >>> g = grade("cms-example-4", {"lines": [{"code": "97110", "units": 1},
    ...     {"code": "97140", "units": 1}, {"code": "97116", "units": 1},
    ...     {"code": "97035", "units": 1}]})
    >>> [(m.code, m.status) for m in g.lines]
    [('97110', 'right'), ('97140', 'right'), ('97116', 'right'), ('97035', 'extra')]
    """
    s = scenario(scenario_id)
    answer = answer_key(s)
    if s.kind in ITEM_KINDS:
        return Grade(s, answer, (), tuple(_grade_items(answer, attempt)), False)
    marks, alternative = _grade_lines(s, answer, attempt)
    return Grade(s, answer, tuple(marks), (), alternative)
