"""The trainer's key: the engine's answer to each scenario, with everything that
explains it, and the shipped scenarios loaded and checked against the engine.

>>> answer = answer_key(scenario("bcbsnc-cmt-97112"))
>>> [line.display for line in answer.billed]
['98941 × 1', '97112-59-GP × 2']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from calc._data import (
    check_keys,
    entries,
    plain,
    read_toml,
    want_choice,
    want_confidence,
    want_date,
    want_id,
    want_text,
    want_texts,
    weakest,
)
from calc.claim import Claim, build_claim
from calc.claim_text import line_display
from calc.codes import Code, CodeTable, load_codes
from calc.documentation import (
    Review,
    load_checklists,
    review,
)
from calc.errors import CalcError
from calc.inputs import MAX_TEXT, check_request
from calc.requests import TEXT_LIMITS, audit_request, claim_request, review_request, units_request
from calc.training.scenarios import (
    DATA_FILE,
    GRADED,
    ITEM_KINDS,
    KINDS,
    POSED_KEYS,
    SCENARIO_KEYS,
    Scenario,
    Scenarios,
    _parse_order,
    _parse_tags,
    _posed,
    codes_of,
    facts,
)
from calc.units import (
    METHOD_NAMES,
    UnitsResult,
    compute_units,
    method_statement,
)

# --- the engine's answer ----------------------------------------------------------------


@dataclass(frozen=True)
class RuleRef:
    """A rule behind a line, as the answer cites it."""

    id: str
    title: str
    source: str
    confidence: str

    def as_dict(self) -> dict[str, str]:
        return plain(self)


@dataclass(frozen=True)
class Remark:
    """A warning or note on the answer, with its stable code and source."""

    code: str
    message: str
    source: str
    confidence: str

    def as_dict(self) -> dict[str, str]:
        return plain(self)


@dataclass(frozen=True)
class ExpectedLine:
    """One code of the visit and what the engine bills for it (0 units: not billed)."""

    code: str
    name: str
    timed: bool
    minutes: int | None
    units: int
    modifiers: tuple[str, ...]
    reason: str  # why it is not billed ("" when it is)
    steps: tuple[str, ...]  # the engine's steps that mention this code
    rules: tuple[RuleRef, ...]

    @property
    def billed(self) -> bool:
        return self.units > 0

    @property
    def display(self) -> str:
        """``97112-59-GP × 2``, or ``97035: not billed``."""
        if not self.billed:
            return f"{self.code}: not billed"
        return line_display(self.code, self.modifiers, self.units)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "timed": self.timed,
            "minutes": self.minutes,
            "units": self.units,
            "modifiers": list(self.modifiers),
            "display": self.display,
            "reason": self.reason,
            "steps": list(self.steps),
            "rules": [r.as_dict() for r in self.rules],
        }


@dataclass(frozen=True)
class ExpectedItem:
    """A checklist item the record does not meet."""

    id: str
    text: str
    status: str  # missing (graded) or warning (shown, not graded)
    detail: str
    source: str
    confidence: str

    def as_dict(self) -> dict[str, str]:
        return plain(self)


@dataclass(frozen=True)
class Answer:
    """The engine's answer to a scenario, with everything that explains it."""

    scenario: str
    kind: str
    lines: tuple[ExpectedLine, ...]  # every code of the visit, billed or not
    alternatives: tuple[dict[str, int], ...]  # equally correct units on a tie
    more_alternatives: int  # equally correct answers the tie report did not list
    missing: tuple[ExpectedItem, ...]
    flagged: tuple[ExpectedItem, ...]  # review warnings: shown, not graded
    tie: str  # the engine's tie message, or ""
    warnings: tuple[Remark, ...]
    notes: tuple[Remark, ...]
    steps: tuple[str, ...]
    sources: tuple[str, ...]
    confidence: str  # the engine's: the weakest rule on the answer
    # The engine's full JSON answer, as the calculators show it. Not in as_dict: a page
    # that wants it sends the scenario's request to the calculator's own call.
    result: dict[str, Any]

    @property
    def billed(self) -> tuple[ExpectedLine, ...]:
        return tuple(line for line in self.lines if line.billed)

    @property
    def not_billed(self) -> tuple[ExpectedLine, ...]:
        return tuple(line for line in self.lines if not line.billed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "kind": self.kind,
            "graded": list(GRADED[self.kind]),
            "lines": [line.as_dict() for line in self.billed],
            "not_billed": [line.as_dict() for line in self.not_billed],
            "alternatives": [dict(a) for a in self.alternatives],
            "missing": [i.as_dict() for i in self.missing],
            "flagged": [i.as_dict() for i in self.flagged],
            "tie": self.tie or None,
            "warnings": [w.as_dict() for w in self.warnings],
            "notes": [n.as_dict() for n in self.notes],
            "steps": list(self.steps),
            "sources": list(self.sources),
            "confidence": self.confidence,
        }


def _mentions(step: str, code: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(code)}(?![\w])", step) is not None


def _steps_for(steps: Iterable[str], code: str, visit: Iterable[str]) -> tuple[str, ...]:
    """The steps about one code: those that start with it, and those that mention it
    without being about another code's line (the chart and allocation steps).

    >>> _steps_for(["97112: gets 59.", "98941 is untimed.", "Timed minutes: 97112 23 min.",
    ...             "97112 (with 98941 the same day): 59.", "Claim: 98941; 97112."],
    ...            "98941", ["98941", "97112"])
    ('98941 is untimed.',)
    """
    others = tuple(c for c in visit if c != code)
    return tuple(
        s
        for s in steps
        if s.startswith(code)
        or (_mentions(s, code) and not s.startswith((*others, "Claim:", "Bill:")))
    )


def _units_rule(info: Code, method: str) -> RuleRef:
    """The rule behind a line's units: the payer's method, or "untimed: 1 unit"."""
    if info.timed:
        said = method_statement(method)
        return RuleRef(method, METHOD_NAMES[method], said.source, said.confidence)
    title = f"{info.code} is untimed (service-based): 1 unit, whatever its minutes"
    return RuleRef("untimed-code", title, info.source, info.confidence)


def _reason(messages: Iterable[str], code: str) -> str:
    """The engine's own words for why a code earned no unit."""
    return next((m for m in messages if m.startswith(f"{code}:")), "")


def _units_answer(scenario: Scenario, units: UnitsResult, codes: CodeTable) -> Answer:
    source = units.sources[0]
    visit = [line.code for line in units.lines]
    lines = tuple(
        ExpectedLine(
            code=line.code,
            name=line.name,
            timed=line.timed,
            minutes=line.minutes,
            units=line.units,
            modifiers=(),
            reason=_reason((w.message for w in units.warnings), line.code),
            steps=_steps_for(units.steps, line.code, visit),
            rules=(_units_rule(codes.require(line.code), units.method),),
        )
        for line in units.lines
    )
    return Answer(
        scenario=scenario.id,
        kind=scenario.kind,
        lines=lines,
        alternatives=units.tie.alternatives if units.tie else (),
        more_alternatives=units.tie.more_alternatives if units.tie else 0,
        missing=(),
        flagged=(),
        tie=units.tie.message if units.tie else "",
        warnings=tuple(Remark(w.code, w.message, source, "high") for w in units.warnings),
        notes=tuple(Remark("units-pool", n, source, "medium") for n in units.notes),
        steps=units.steps,
        sources=units.sources,
        confidence="high",
        result=units.as_dict(),
    )


def _claim_answer(scenario: Scenario, claim: Claim, codes: CodeTable) -> Answer:
    fired = {f.id: f for f in claim.fired}
    billed = {line.code: line for line in claim.lines}
    dropped = {n.code: n for n in claim.not_billed}
    unit_warnings = [w.message for w in claim.units.warnings]
    lines = []
    visit = tuple(dict.fromkeys(codes.require(e.code).code for e in claim.visit.lines))
    for entered in visit:
        info = codes.require(entered)
        steps = _steps_for(claim.steps, entered, visit)
        if entered in billed:
            line = billed[entered]
            rules = (
                _units_rule(info, claim.method),
                *(
                    RuleRef(r, fired[r].title, fired[r].source, fired[r].confidence)
                    for r in line.rules
                    if r in fired
                ),
            )
            lines.append(
                ExpectedLine(
                    code=entered,
                    name=line.name,
                    timed=line.timed,
                    minutes=line.minutes,
                    units=line.units,
                    modifiers=line.modifiers,
                    reason="",
                    steps=steps,
                    rules=rules,
                )
            )
            continue
        if entered in dropped:
            n = dropped[entered]
            rule = RuleRef(n.rule.id, n.rule.title, n.rule.source, n.rule.confidence)
            reason = n.reason
            minutes = n.minutes
        else:  # earned no unit
            rule = _units_rule(info, claim.method)
            reason = _reason(unit_warnings, entered)
            minutes = next((x.minutes for x in claim.units.lines if x.code == entered), None)
        lines.append(
            ExpectedLine(entered, info.name, info.timed, minutes, 0, (), reason, steps, (rule,))
        )
    tie = claim.units.tie
    return Answer(
        scenario=scenario.id,
        kind=scenario.kind,
        lines=tuple(lines),
        alternatives=tie.alternatives if tie else (),
        more_alternatives=tie.more_alternatives if tie else 0,
        missing=(),
        flagged=(),
        tie=tie.message if tie else "",
        warnings=tuple(Remark(w.code, w.message, w.source, w.confidence) for w in claim.warnings),
        notes=tuple(Remark(n.code, n.message, n.source, n.confidence) for n in claim.notes),
        steps=claim.steps,
        sources=claim.sources,
        confidence=claim.confidence,
        result=claim.as_dict(),
    )


def _review_answer(scenario: Scenario, result: Review) -> Answer:
    def items(status: str) -> tuple[ExpectedItem, ...]:
        return tuple(
            ExpectedItem(
                r.item.id, r.item.text, r.status, r.detail, r.item.source, r.item.confidence
            )
            for r in result.items
            if r.status == status
        )

    def source_of(message: str) -> str:
        # A check's warning repeats in the detail of its item; the rest come from units.
        found = (r.item.source for r in result.items if message in r.detail)
        return next(found, method_statement("cms").source)

    # The review's note is about the other therapies of the visit: the HNS rule for
    # every modality and therapy.
    every_modality = load_checklists().item("modality-type").source
    return Answer(
        scenario=scenario.id,
        kind=scenario.kind,
        lines=(),
        alternatives=(),
        more_alternatives=0,
        missing=items("missing"),
        flagged=items("warning"),
        tie="",
        warnings=tuple(
            Remark(w.code, w.message, source_of(w.message), "high") for w in result.warnings
        ),
        notes=tuple(Remark("other-therapies", n, every_modality, "high") for n in result.notes),
        steps=result.steps,
        sources=result.sources,
        confidence=weakest(r.item.confidence for r in result.items if r.status == "missing"),
        result=result.as_dict(),
    )


def answer_key(scenario: Scenario) -> Answer:
    """The engine's answer to a scenario: claim lines (units and ordered modifiers),
    units per code, or the checklist items the record is missing.

    >>> answer = answer_key(scenario("cms-example-4"))
    >>> [(line.code, line.units) for line in answer.lines]
    [('97110', 1), ('97140', 1), ('97116', 1), ('97035', 0)]
    >>> answer.not_billed[0].reason[:40]
    '97035: 8 min gets 0 units although it ra'
    >>> [i.id for i in answer_key(scenario("review-no-goal-no-volume")).missing]
    ['functional-goal', 'volume-sets', 'volume-repetitions']
    """
    request = scenario.request
    codes = load_codes()
    if scenario.kind == "claim":
        return _claim_answer(scenario, build_claim(claim_request(request)), codes)
    if scenario.kind == "audit":
        return _audit_answer(scenario)
    if scenario.kind == "units":
        read = units_request(request)
        units = compute_units(read.entries, method=read.method, codes=codes)
        return _units_answer(scenario, units, codes)
    return _review_answer(scenario, review(review_request(request).record))


def _audit_answer(scenario: Scenario) -> Answer:
    """What the claim file audit reports for a scenario's small file: each kind of
    finding once (what the trainee ticks), with every finding of that kind in its detail."""
    from calc.audit import audit_text, load_audit_rules

    report = audit_text(audit_request(scenario.request).csv)
    if report.problems:
        first = report.problems[0]
        raise CalcError("bad_data", f"row {first.row} of the file: {first.message}")
    titles = load_audit_rules().titles
    found: dict[str, list[Any]] = {}
    for f in report.findings:
        found.setdefault(f.kind, []).append(f)
    missing = tuple(
        ExpectedItem(
            kind,
            titles[kind],
            "missing",
            " ".join(f"Row {f.row} (visit {f.visit_id}): {f.message}" for f in fs),
            "; ".join(dict.fromkeys(f.source for f in fs)),
            weakest(f.confidence for f in fs),
        )
        for kind, fs in found.items()
    )
    return Answer(
        scenario=scenario.id,
        kind=scenario.kind,
        lines=(),
        alternatives=(),
        more_alternatives=0,
        missing=missing,
        flagged=(),
        tie="",
        warnings=(),
        notes=(),
        steps=tuple(f"Row {f.row}, visit {f.visit_id}: {f.message}" for f in report.findings),
        sources=tuple(dict.fromkeys(f.source for f in report.findings)),
        confidence=weakest(f.confidence for f in report.findings),
        result=report.as_dict(),
    )


# --- loading and checking against the engine ------------------------------------------


def _check_with_engine(where: str, s: Scenario) -> Answer:
    """Read the request as the engine's facade does (the same input checks and readers,
    :mod:`calc.requests`) and compute the answer; refuse a scenario whose answer would
    teach nothing."""
    try:
        check_request(s.request, TEXT_LIMITS.get(s.kind, MAX_TEXT))
        answer = answer_key(s)
    except CalcError as err:
        raise CalcError(
            "bad_data", f"{where}: the engine refused the request ({err.code}): {err.message}"
        ) from err
    if s.kind == "review" and not answer.missing:
        raise CalcError("bad_data", f"{where}: the record misses nothing: nothing to find")
    if s.kind == "audit" and not answer.missing:
        raise CalcError("bad_data", f"{where}: the audit finds nothing: nothing to find")
    if s.kind not in ITEM_KINDS and not answer.billed:
        raise CalcError("bad_data", f"{where}: the engine bills nothing: nothing to practise")
    if answer.more_alternatives:
        raise CalcError(
            "bad_data", f"{where}: the tie has too many equally correct answers to grade"
        )
    if s.kind == "claim":
        chosen = {line.code for line in answer.billed if line.timed}
        for alt in answer.alternatives:
            if {code for code, units in alt.items() if units} != chosen:
                raise CalcError(
                    "bad_data",
                    f"{where}: on this tie the equally correct answers bill different codes "
                    "(their modifiers may differ): make it a units scenario",
                )
    return answer


def parse_scenarios(name: str, data: Mapping[str, Any]) -> Scenarios:
    """Validate the parsed TOML and run every request through the engine; every
    problem names the file, the scenario and what is wrong.

    >>> parse_scenarios("s.toml", {"tag": [], "strict_order": [], "scenario": [{"id": "x"}]})
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: s.toml, scenario 'x': missing key 'title'
    """
    check_keys(name, data, ["tag", "strict_order", "scenario"])
    tags = _parse_tags(name, data["tag"])
    order = _parse_order(name, data["strict_order"])
    tag_ids = {t.id for t in tags}
    scenarios: list[Scenario] = []
    for where, entry in entries(name, "scenario", data["scenario"]):
        check_keys(where, entry, SCENARIO_KEYS, POSED_KEYS)
        scenario_id = want_id(where, "id", entry["id"])
        if any(s.id == scenario_id for s in scenarios):
            raise CalcError("bad_data", f"{where}: listed twice")
        kind = want_choice(where, "kind", entry["kind"], KINDS)
        request_json, cite = _posed(where, kind, entry)
        tags_here = want_texts(where, "tags", entry["tags"])
        if not tags_here:
            raise CalcError("bad_data", f"{where}: 'tags' must name at least one rule")
        for tag in tags_here:
            if tag not in tag_ids:
                raise CalcError(
                    "bad_data", f"{where}: unknown tag {tag!r} (add it to the [[tag]] list)"
                )
        s = Scenario(
            id=scenario_id,
            title=want_text(where, "title", entry["title"]),
            story=want_text(where, "story", entry["story"]),
            kind=kind,
            tags=tags_here,
            request_json=request_json,
            learning_point=want_text(where, "learning_point", entry["learning_point"]),
            cite=cite,
            confidence=want_confidence(where, entry["confidence"]),
            reviewed=want_date(where, "reviewed", entry["reviewed"]),
        )
        _check_with_engine(where, s)
        scenarios.append(s)
    if not scenarios:
        raise CalcError("bad_data", f"{name}: no scenarios listed")
    unused = tag_ids - {t for s in scenarios for t in s.tags}
    if unused:
        raise CalcError(
            "bad_data", f"{name}: tag {sorted(unused)[0]!r} is used by no scenario: drop it"
        )
    return Scenarios(tags, order, tuple(scenarios))


@cache
def load_scenarios() -> Scenarios:
    """The scenarios shipped with the package, checked against the engine (cached)."""
    return parse_scenarios(DATA_FILE, read_toml(DATA_FILE))


def scenario(scenario_id: object) -> Scenario:
    """One shipped scenario by id, or ``unknown_scenario``.

    >>> scenario("cms-example-1").kind
    'units'
    """
    return load_scenarios().require(scenario_id)


def scenario_dict(s: Scenario, *, with_answer: bool = True) -> dict[str, Any]:
    """One scenario as the ``scenarios`` call returns it."""
    out: dict[str, Any] = {
        "id": s.id,
        "title": s.title,
        "story": s.story,
        "kind": s.kind,
        "tags": list(s.tags),
        "request": s.request,
        "facts": [{"label": label, "value": value} for label, value in facts(s)],
        "codes": list(codes_of(s)),
        "graded": list(GRADED[s.kind]),
        "learning_point": s.learning_point,
        "source": s.source,
        "confidence": s.confidence,
        "reviewed": s.reviewed.isoformat(),
    }
    if s.kind == "audit":
        from calc.audit import KINDS as FINDINGS
        from calc.audit import load_audit_rules

        titles = load_audit_rules().titles
        out["choices"] = [{"id": kind, "text": titles[kind]} for kind in FINDINGS]
    if with_answer:
        out["answer"] = answer_key(s).as_dict()
    return out
