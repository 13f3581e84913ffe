"""Training: practice visits whose answers the engine computes, and grading.

The scenarios live in ``calc/data/scenarios.toml``: each holds the facts of a visit as
an engine request (the same object the calculators send to :mod:`calc.api`), a story,
the learning point and its source, never the answer. :func:`answer_key` runs the
request through the engine; :func:`grade` compares a trainee's attempt with that
answer, line by line, and explains every mark with the engine's steps and the rule's
source; :func:`render_key` prints every scenario with its answer as Markdown (the
trainer's key).

>>> answer = answer_key(scenario("bcbsnc-cmt-97112"))
>>> [line.display for line in answer.billed]
['98941 × 1', '97112-59-GP × 2']
>>> result = grade("bcbsnc-cmt-97112", {"lines": [
...     {"code": "98941", "units": 1, "modifiers": []},
...     {"code": "97112", "units": 2, "modifiers": ["GP", "59"]}]})
>>> result.correct, [(m.code, m.status) for m in result.lines]
(False, [('98941', 'right'), ('97112', 'wrong')])
>>> result.lines[1].problems[0]
'Modifier order: 59-GP, not GP-59. HNS: list 59 first, followed by GP.'
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from calc._data import (
    check_keys,
    plain,
    read_toml,
    want,
    want_choice,
    want_confidence,
    want_date,
    want_id,
    want_text,
    want_texts,
    weakest,
)
from calc.claim import (
    LINE_FACTS,
    STYLE_NAMES,
    Claim,
    build_claim,
    visit_from_request,
)
from calc.claim_text import line_display
from calc.codes import Code, CodeTable, load_codes
from calc.documentation import (
    FIELDS,
    Review,
    load_checklists,
    parse_record,
    review,
    value_text,
)
from calc.errors import CalcError, shown
from calc.modifiers import load_modifier_rules
from calc.payers import load_payers
from calc.units import (
    MAX_UNITS,
    METHOD_NAMES,
    SOURCES,
    UnitsResult,
    compute_units,
    parse_entries,
    plural,
)

DATA_FILE = "scenarios.toml"
KINDS = ("claim", "units", "review", "audit")
#: What a trainee's answer is graded on, per kind of scenario.
GRADED = {
    "claim": ("units", "modifiers"),
    "units": ("units",),
    "review": ("missing",),
    "audit": ("missing",),  # the kinds of finding the audit reports
}
#: Scenarios answered by ticking items: checklist items (review), kinds of finding (audit).
ITEM_KINDS = ("review", "audit")
MAX_MODIFIERS = 4  # a claim line holds at most four modifiers
MAX_ATTEMPT_LINES = 50
#: Every key of a scenario in the data file (all required): the facts, never an answer.
SCENARIO_KEYS = (
    "id",
    "title",
    "story",
    "kind",
    "tags",
    "request",
    "learning_point",
    "source",
    "confidence",
    "reviewed",
)
_MODIFIER = re.compile(r"[A-Z0-9]{2}")
_PROVIDERS = {"dc": "chiropractor (DC)", "pt": "physical therapist (PT)"}


# --- the data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    """A rule a scenario exercises."""

    id: str
    title: str
    section: str

    def as_dict(self) -> dict[str, str]:
        return plain(self)


@dataclass(frozen=True)
class StrictOrder:
    """Two modifiers whose order on a line is a rule: ``first`` goes before ``then``."""

    first: str
    then: str
    text: str
    source: str
    confidence: str
    reviewed: dt.date

    def broken_by(self, modifiers: Sequence[str]) -> bool:
        """
        >>> rule = StrictOrder("59", "GP", "", "", "high", dt.date(2026, 11, 27))
        >>> rule.broken_by(["GP", "59"]), rule.broken_by(["59", "GP"]), rule.broken_by(["GP"])
        (True, False, False)
        """
        mods = list(modifiers)
        return (
            self.first in mods
            and self.then in mods
            and mods.index(self.then) < mods.index(self.first)
        )


@dataclass(frozen=True)
class Scenario:
    """One practice visit: its facts as an engine request, never its answer."""

    id: str
    title: str
    story: str
    kind: str  # claim, units or review
    tags: tuple[str, ...]
    request_json: str  # the engine request, as JSON text (so the scenario stays frozen)
    learning_point: str
    source: str
    confidence: str
    reviewed: dt.date

    @property
    def request(self) -> dict[str, Any]:
        """A fresh copy of the engine request (callers may change it freely)."""
        value: dict[str, Any] = json.loads(self.request_json)
        return value


@dataclass(frozen=True)
class Scenarios:
    tags: tuple[Tag, ...]
    strict_order: tuple[StrictOrder, ...]
    scenarios: tuple[Scenario, ...]

    def require(self, scenario_id: object) -> Scenario:
        """The scenario, or a clear error (``unknown_scenario``)."""
        found = next((s for s in self.scenarios if s.id == scenario_id), None)
        if found is None:
            raise CalcError(
                "unknown_scenario",
                f"Unknown scenario {shown(scenario_id)}: choose one from the list of practice "
                "scenarios.",
            )
        return found


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
        return RuleRef(method, METHOD_NAMES[method], SOURCES[method], "high")
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
        return next(found, SOURCES["cms"])

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
        return _claim_answer(scenario, build_claim(visit_from_request(request)), codes)
    if scenario.kind == "audit":
        return _audit_answer(scenario)
    if scenario.kind == "units":
        method = str(request.get("method") or "cms")
        units = compute_units(parse_entries(request.get("lines")), method=method, codes=codes)
        return _units_answer(scenario, units, codes)
    return _review_answer(scenario, review(parse_record(request, codes)))


def _audit_answer(scenario: Scenario) -> Answer:
    """What the claim file audit reports for a scenario's small file: each kind of
    finding once (what the trainee ticks), with every finding of that kind in its detail."""
    from calc.audit import audit_text, load_audit_rules

    report = audit_text(str(scenario.request.get("csv") or ""))
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


# --- loading and checking ---------------------------------------------------------------


def _parse_tags(name: str, data: Any) -> tuple[Tag, ...]:
    tags: list[Tag] = []
    for i, entry in enumerate(want(name, "tag", data, list), start=1):
        where = f"{name}, tag {i}"
        want(where, "tag", entry, dict)
        if isinstance(entry.get("id"), str):
            where = f"{name}, tag {entry['id']!r}"
        check_keys(where, entry, ["id", "title", "section"])
        tag_id = want_id(where, "id", entry["id"])
        if any(t.id == tag_id for t in tags):
            raise CalcError("bad_data", f"{where}: listed twice")
        tags.append(
            Tag(
                tag_id,
                want_text(where, "title", entry["title"]),
                want_text(where, "section", entry["section"]),
            )
        )
    return tuple(tags)


def _parse_order(name: str, data: Any) -> tuple[StrictOrder, ...]:
    known = load_modifier_rules().order.modifiers
    out = []
    for i, entry in enumerate(want(name, "strict_order", data, list), start=1):
        where = f"{name}, strict_order {i}"
        want(where, "strict_order", entry, dict)
        check_keys(where, entry, ["first", "then", "text", "source", "confidence", "reviewed"])
        pair = [want_text(where, k, entry[k]) for k in ("first", "then")]
        for mod in pair:
            if mod not in known:
                raise CalcError(
                    "bad_data",
                    f"{where}: unknown modifier {mod!r} (known: {', '.join(known)})",
                )
        out.append(
            StrictOrder(
                pair[0],
                pair[1],
                want_text(where, "text", entry["text"]),
                want_text(where, "source", entry["source"]),
                want_confidence(where, entry["confidence"]),
                want_date(where, "reviewed", entry["reviewed"]),
            )
        )
    return tuple(out)


def _request_json(where: str, value: Any) -> str:
    want(where, "request", value, dict)
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=False)
    except TypeError as exc:  # a TOML date or time: not something the engine takes
        raise CalcError("bad_data", f"{where}: 'request' is not plain JSON data ({exc})") from exc


def _check_with_engine(where: str, s: Scenario) -> Answer:
    """Run the request through the JSON facade (exactly what a page would send), then
    compute the answer; refuse a scenario whose answer would teach nothing."""
    from calc import api  # here, not at the top: calc.api imports this module

    result = api.call(s.kind, s.request)
    if "error" in result:
        error = result["error"]
        raise CalcError(
            "bad_data",
            f"{where}: the engine refused the request ({error['code']}): {error['message']}",
        )
    try:
        answer = answer_key(s)
    except CalcError as err:
        raise CalcError("bad_data", f"{where}: {err.message}") from err
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
    for i, entry in enumerate(want(name, "scenario", data["scenario"], list), start=1):
        where = f"{name}, scenario {i}"
        want(where, "scenario", entry, dict)
        if isinstance(entry.get("id"), str):
            where = f"{name}, scenario {entry['id']!r}"
        check_keys(where, entry, SCENARIO_KEYS)
        scenario_id = want_id(where, "id", entry["id"])
        if any(s.id == scenario_id for s in scenarios):
            raise CalcError("bad_data", f"{where}: listed twice")
        kind = want_choice(where, "kind", entry["kind"], KINDS)
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
            request_json=_request_json(where, entry["request"]),
            learning_point=want_text(where, "learning_point", entry["learning_point"]),
            source=want_text(where, "source", entry["source"]),
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


# --- facts, as the trainee reads them ------------------------------------------------------


def codes_of(s: Scenario) -> tuple[dict[str, Any], ...]:
    """The codes the trainee bills (claim and units scenarios), in the order entered;
    the same code entered twice is one row with its minutes added.

    >>> codes_of(scenario("bcbsnc-cmt-97112"))[1]
    {'code': '97112', 'name': 'Neuromuscular reeducation (balance, coordination, posture, proprioception)', 'timed': True, 'minutes': 23}
    """  # noqa: E501
    if s.kind in ITEM_KINDS:
        return ()
    table = load_codes()
    rows: dict[str, dict[str, Any]] = {}
    for entry in parse_entries(s.request.get("lines"), facts=LINE_FACTS):
        info = table.require(entry.code)
        row = rows.setdefault(
            info.code, {"code": info.code, "name": info.name, "timed": info.timed, "minutes": None}
        )
        if entry.minutes is not None:
            row["minutes"] = (row["minutes"] or 0) + entry.minutes
    return tuple(rows.values())


def facts(s: Scenario) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs a trainee reads: the payer and visit flags, then the codes
    (claim and units), or the record's fields as entered (review).

    Whether the therapy treated the manipulated region, or came at a separate encounter,
    is what the trainee must judge from the story: those are never listed as facts.

    >>> facts(scenario("bcbsnc-same-region"))[:3]
    (('Payer', 'Blue Cross NC (bcbsnc)'), ('Provider', 'chiropractor (DC)'), ('98941', 'Chiropractic manipulative treatment (CMT), spinal, 3-4 regions (untimed)'))
    """  # noqa: E501
    request = s.request
    out: list[tuple[str, str]] = []
    if s.kind == "audit":
        rows = str(request.get("csv") or "").strip().splitlines()
        return (("Header (row 1)", rows[0]), *((f"Row {i}", r) for i, r in enumerate(rows[1:], 2)))
    if s.kind == "review":
        record = parse_record(request)
        return tuple(
            (f.label, value_text(record, f.name))
            for f in FIELDS
            if getattr(record, f.name) not in (None, ())
        )
    if s.kind == "claim":
        payer = load_payers().require(request.get("payer"))
        out.append(("Payer", f"{payer.name} ({payer.id})"))
        out.append(("Provider", _PROVIDERS[str(request.get("provider") or "dc")]))
        if request.get("phase"):
            out.append(("Phase of care", str(request["phase"])))
        flags = (
            ("abn", "ABN signed"),
            ("cmt_abn", "ABN signed for the maintenance CMT"),
            ("voluntary_abn", "Voluntary ABN signed for the excluded services"),
        )
        out += [(label, "yes") for key, label in flags if request.get(key)]
        if request.get("care") == "maintenance":
            out.append(("Care", "maintenance"))
        if request.get("modifier_style") == "x":
            out.append(("Modifier style", STYLE_NAMES["x"]))
    if s.kind == "units" or request.get("method"):
        out.append(("Units method", METHOD_NAMES[str(request.get("method") or "cms")]))
    for row in codes_of(s):
        minutes = "" if row["minutes"] is None else f": {row['minutes']} min"
        kind = "timed" if row["timed"] else "untimed"
        out.append((row["code"], f"{row['name']} ({kind}){minutes}"))
    return tuple(out)


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
        if text is None or not _MODIFIER.fullmatch(text):
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


def parse_attempt_lines(attempt: Any, codes: CodeTable | None = None) -> tuple[AttemptLine, ...]:
    """Read ``{"lines": [{"code", "units", "modifiers"}, ...]}``; a line with 0 units is
    a code not billed.

    >>> parse_attempt_lines({"lines": [{"code": "97112", "units": "2", "modifiers": "59-gp"}]})
    (AttemptLine(code='97112', units=2, modifiers=('59', 'GP')),)
    """
    codes = codes or load_codes()
    if not isinstance(attempt, Mapping):
        raise CalcError("bad_attempt", 'The attempt must be an object, like {"lines": [...]}.')
    for key in attempt:
        if key != "lines":
            raise CalcError(
                "bad_attempt", f"Unknown field {shown(key)} in the attempt; expected: lines."
            )
    raw = attempt.get("lines")
    if not isinstance(raw, list):
        raise CalcError(
            "bad_attempt",
            'The attempt needs "lines": a list like [{"code": "97112", "units": 2, '
            '"modifiers": ["59", "GP"]}].',
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
    if not isinstance(attempt, Mapping):
        raise CalcError("bad_attempt", 'The attempt must be an object, like {"missing": [...]}.')
    for key in attempt:
        if key != "missing":
            raise CalcError(
                "bad_attempt", f"Unknown field {shown(key)} in the attempt; expected: missing."
            )
    raw = attempt.get("missing")
    if not isinstance(raw, list):
        raise CalcError(
            "bad_attempt",
            'The attempt needs "missing": a list of checklist item ids, like ["functional-goal"].',
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


# --- the trainer's key ---------------------------------------------------------------------


def _md(text: str) -> str:
    """Data text made safe for Markdown: no HTML, no accidental emphasis."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("*", r"\*")
        .replace("_", r"\_")
    )


_KIND_WORDS = {
    "claim": "bill the visit: lines, units and modifiers",
    "units": "units per code",
    "review": "documentation review: what is missing",
    "audit": "claim file audit: what the audit reports",
}


def _key_answer(s: Scenario, answer: Answer) -> list[str]:
    if s.kind == "audit":
        return [f"- Found (`{i.id}`): {_md(i.text)}. {_md(i.detail)}" for i in answer.missing]
    if s.kind == "review":
        out = [f"- Missing (`{i.id}`): {_md(i.text)} {_md(i.detail)}" for i in answer.missing]
        out += [f"- Flagged, not missing (`{i.id}`): {_md(i.text)} {_md(i.detail)}"
                for i in answer.flagged]  # fmt: skip
        return out
    out = [
        f"- `{line.display if s.kind == 'claim' else f'{line.code} × {line.units}'}`"
        for line in answer.billed
    ]
    out += [
        f"- Not billed: `{line.code}`. {_md(line.reason)}".rstrip() for line in answer.not_billed
    ]
    if answer.tie:
        alts = "; or ".join(
            ", ".join(f"{code} × {units}" for code, units in alt.items() if units)
            for alt in answer.alternatives
        )
        out.append(f"- {_md(answer.tie)} Equally correct: {alts}.")
    return out


def _key_section(s: Scenario, tags: Mapping[str, Tag], anchors: bool, link: str | None) -> str:
    answer = answer_key(s)
    anchor = f" {{#{s.id}}}" if anchors else ""
    meta = f"Scenario `{s.id}` · {_KIND_WORDS[s.kind]} · confidence {s.confidence}"
    meta += f" · reviewed {s.reviewed}"
    if link:
        meta += f" · [practise it]({link.format(id=s.id)})"
    out = [f"## {_md(s.title)}{anchor}", "", meta, "", f"**The visit.** {_md(s.story)}", ""]
    out += ["**Facts**", "", *(f"- {_md(label)}: {_md(value)}" for label, value in facts(s))]
    out += ["", "**Answer**", "", *_key_answer(s, answer)]
    out += ["", "**How the engine got there**", ""]
    out += [f"{n}. {_md(step)}" for n, step in enumerate(answer.steps, start=1)]
    said = {line.reason for line in answer.not_billed}
    shown_notes = [w.message for w in answer.warnings if w.message not in said]
    shown_notes += [f"[{n.confidence}] {n.message}" for n in answer.notes if n.confidence != "high"]
    if shown_notes:
        out += ["", "**Warnings and unconfirmed rules**", ""]
        out += [f"- {_md(text)}" for text in shown_notes]
    out += [
        "",
        f"**Learning point.** {_md(s.learning_point)}",
        "",
        f"**Source.** {_md(s.source)}",
        "",
        "**Rules exercised.** " + "; ".join(_md(tags[t].title) for t in s.tags) + ".",
    ]
    return "\n".join(out)


def render_key(
    scenario_ids: Iterable[str] | None = None, *, link: str | None = None, anchors: bool = True
) -> str:
    """The trainer's key as Markdown: every scenario (or those named) with its story,
    facts, the engine's answer and steps, the learning point and the source.

    ``link`` (e.g. ``"../training/?scenario={id}"``) adds a link to practise each one;
    ``anchors`` puts ``{#id}`` on each heading (attr_list) so a page can link to it.

    >>> text = render_key(["bcbsnc-cmt-97112"], anchors=False)
    >>> "## Blue Cross NC: CMT and 97112 (the HNS example)" in text, "`97112-59-GP × 2`" in text
    (True, True)
    """
    data = load_scenarios()
    chosen = (
        data.scenarios
        if scenario_ids is None
        else tuple(data.require(i) for i in dict.fromkeys(scenario_ids))
    )
    tags = {t.id: t for t in data.tags}
    return "\n\n".join(_key_section(s, tags, anchors, link) for s in chosen) + "\n"
