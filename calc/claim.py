"""A visit becomes claim lines: code, units, modifiers in order, and why.

The claim builder puts the other modules together: the units engine (:mod:`calc.units`,
with the payer's method), the payer profile (:mod:`calc.payers`) and the modifier
rules (:mod:`calc.modifiers`, with the NCCI pairs of :mod:`calc.ncci`). Every answer
carries the steps that produced it, the warnings and notes that apply (each with its
source and confidence) and the sources of the rules that fired.

>>> from calc.units import Entry
>>> claim = build_claim(Visit(lines=(Entry("98941"), Entry("97112", 23)), payer="bcbsnc"))
>>> [line.display for line in claim.lines]
['98941 × 1', '97112-59-GP × 2']
>>> claim.steps[-1]
'Claim: 98941 × 1; 97112-59-GP × 2.'

A therapy done on the same region as the CMT, in the same encounter, is not billed. The
fact belongs to each therapy line (``same_region=True`` on the visit says it of all):

>>> visit = Visit(lines=(Entry("98941"), Entry("97112", 23, ("same_region",)),
...                      Entry("97140", 10)), payer="bcbsnc")
>>> claim = build_claim(visit)
>>> [line.display for line in claim.lines], [n.code for n in claim.not_billed]
(['98941 × 1', '97140-59 × 1'], ['97112'])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from calc._data import CONFIDENCE_RANK, plain, weakest
from calc.changes import relevant, rule_changes
from calc.claim_text import copy_formats, line_display
from calc.codes import PHASES, Code, CodeTable, load_codes
from calc.dates import Applied, AsOf, as_of, parse_dos, resolve
from calc.errors import CalcError, shown
from calc.glossary import anchor
from calc.modifiers import (
    CARE,
    PROVIDERS,
    Context,
    Decision,
    Fired,
    Message,
    NotReportable,
    RuleBook,
    applied_amount,
    decide,
    load_modifier_rules,
    not_reportable,
    visit_messages,
)
from calc.mue import mue_warnings
from calc.ncci import NcciData, load_ncci_pairs
from calc.payers import MODIFIER_STYLES, Payer, PayerTable, load_payers
from calc.statements import Statement, statement
from calc.units import (
    METHOD_NAMES,
    METHODS,
    Entry,
    UnitsResult,
    compute_units,
    method_statement,
)

#: Facts about one therapy line (``97112=23:same-region`` on the command line,
#: ``97112:23:same-region`` in a link, ``{"same_region": true}`` in a JSON line).
LINE_FACTS = ("same_region", "separate_encounter")
#: How a form names each line fact (the choice "Relation to the CMT").
LINE_FACT_NAMES = {
    "same_region": "Same region, same encounter",
    "separate_encounter": "Separate encounter",
}
STYLE_NAMES = {"59": "59", "x": "X modifiers (XS / XE)"}


@dataclass(frozen=True)
class Visit:
    """One patient, one date of service, one billing provider.

    ``same_region``: every therapy line treated the same body region as the CMT in the
    same encounter; ``separate_encounter``: every therapy line was done at a separate
    encounter (XE). Both are shorthands: each line may say it of itself instead
    (``Entry.facts``, see :data:`LINE_FACTS`). ``cmt_abn``: the patient signed the ABN
    for maintenance CMT (Medicare: GA instead of GZ); ``voluntary_abn``: the patient
    signed a voluntary ABN for services Medicare excludes (GX beside GY). ``care``:
    "active" or "maintenance" (Medicare CMT). ``phase`` None means not stated.
    ``modifier_style`` and ``method`` None mean the payer's default. ``abn_shorthand``:
    the request said "abn" (both notices), which the answer points out. ``dos``: the
    date of service; None means the rule book's ``as_of`` date, and the answer says so.
    """

    lines: tuple[Entry, ...]
    payer: str
    provider: str = "dc"
    phase: str | None = None
    same_region: bool = False
    separate_encounter: bool = False
    modifier_style: str | None = None
    cmt_abn: bool = False
    voluntary_abn: bool = False
    care: str = "active"
    method: str | None = None
    dos: dt.date | None = None
    abn_shorthand: bool = False

    def facts_of(self, entry: Entry) -> tuple[str, ...]:
        """The facts of one line: its own, and those the visit says of every line.

        >>> Visit(lines=(), payer="bcbsnc", same_region=True).facts_of(Entry("97112", 23))
        ('same_region',)
        """
        visit_wide = {
            "same_region": self.same_region,
            "separate_encounter": self.separate_encounter,
        }
        return tuple(f for f in LINE_FACTS if f in entry.facts or visit_wide[f])


@dataclass(frozen=True)
class LineCheck:
    """What to confirm before relying on a line: a modifier that rests on a rule not
    rated high, or an open question about the line, with what to do about it.

    >>> LineCheck("GP", "medium", "Confirm GP on 97112 with Blue Cross NC", "", "").modifier
    'GP'
    """

    modifier: str | None  # the modifier it concerns; None: the line as a whole
    confidence: str
    action: str  # one line, what the biller does: "Confirm GP on 97112 with Blue Cross NC"
    why: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class ClaimLine:
    code: str
    name: str
    timed: bool
    minutes: int | None
    units: int
    modifiers: tuple[str, ...]
    excluded: bool  # the payer does not cover it: billed only if the patient asks
    confidence: str  # the weakest confidence among the rules that chose the modifiers
    rules: tuple[str, ...]
    facts: tuple[str, ...] = ()  # LINE_FACTS that hold for the line (its own or the visit's)
    checks: tuple[LineCheck, ...] = ()

    @property
    def display(self) -> str:
        """How the line reads on a claim: ``97112-59-GP × 2``."""
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
            "excluded": self.excluded,
            "confidence": self.confidence,
            "rules": list(self.rules),
            "facts": list(self.facts),
            "checks": [c.as_dict() for c in self.checks],
        }


@dataclass(frozen=True)
class NotBilled:
    """A code entered but left off the claim because it is not separately reportable."""

    code: str
    minutes: int | None
    reason: str
    rule: Fired

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "minutes": self.minutes,
            "reason": self.reason,
            "rule": self.rule.id,
            "source": self.rule.source,
            "confidence": self.rule.confidence,
        }


@dataclass(frozen=True)
class Claim:
    visit: Visit
    payer: Payer
    method: str
    style: str
    lines: tuple[ClaimLine, ...]
    not_billed: tuple[NotBilled, ...]
    units: UnitsResult
    warnings: tuple[Message, ...]
    notes: tuple[Message, ...]
    steps: tuple[str, ...]
    fired: tuple[Fired, ...]
    as_of: AsOf

    @property
    def confidence(self) -> str:
        """The weakest mark of what is on the claim: its lines (their modifiers and the
        open questions about them). A payer's doubts about a rule that put nothing on
        this claim do not lower it.

        >>> from calc.units import Entry
        >>> build_claim(Visit(lines=(Entry("98941"), Entry("97112", 23)),
        ...                   payer="nc-shp")).confidence
        'verify'
        >>> build_claim(Visit(lines=(Entry("98941"),), payer="nc-shp")).confidence
        'high'
        """
        return weakest(line.confidence for line in self.lines)

    @property
    def sources(self) -> tuple[str, ...]:
        """Where every rule that fired comes from, each once, in the order they fired."""
        found = [*self.units.sources, *(f.source for f in self.fired)]
        if self.payer.verify:
            found.append(self.payer.source)
        return tuple(dict.fromkeys(found))

    def as_dict(self) -> dict[str, Any]:
        v = self.visit
        return {
            "date_of_service": self.as_of.as_dict(),
            "payer": self.payer.id,
            "payer_name": self.payer.name,
            "method": self.method,
            "method_name": METHOD_NAMES[self.method],
            "modifier_style": self.style,
            "visit": {
                "provider": v.provider,
                "phase": v.phase,
                "same_region": v.same_region,
                "separate_encounter": v.separate_encounter,
                "cmt_abn": v.cmt_abn,
                "voluntary_abn": v.voluntary_abn,
                "care": v.care,
            },
            "confidence": self.confidence,
            "lines": [line.as_dict() for line in self.lines],
            # the lines as text to paste (calc.claim_text): plain, tab, readable
            "copy": copy_formats((ln.code, ln.modifiers, ln.units) for ln in self.lines),
            "not_billed": [n.as_dict() for n in self.not_billed],
            "warnings": [w.as_dict() for w in self.warnings],
            "notes": [{**n.as_dict(), "level": note_level(n)} for n in self.notes],
            "steps": list(self.steps),
            "rules": [f.as_dict() for f in self.fired],
            "sources": list(self.sources),
            # each modifier on the claim → its entry on the modifier glossary page
            "glossary": {m: anchor(m) for line in self.lines for m in line.modifiers},
            "units": self.units.as_dict(),
        }


# --- building the claim ----------------------------------------------------------------


def _check_visit(visit: Visit, payer: Payer) -> tuple[str, str]:
    """Refuse what cannot be answered; return the units method and modifier style."""
    for name, value, allowed in (
        ("provider", visit.provider, PROVIDERS),
        ("care", visit.care, CARE),
    ):
        if value not in allowed:
            raise CalcError(
                f"bad_{name}", f"Unknown {name} {shown(value)}: use {' or '.join(allowed)}."
            )
    if visit.phase is not None and visit.phase not in PHASES:
        raise CalcError("bad_phase", f"Unknown phase {shown(visit.phase)}: use initial or ongoing.")
    style = visit.modifier_style or payer.modifier_style
    if style not in MODIFIER_STYLES:
        raise CalcError(
            "bad_modifier_style", f"Unknown modifier style {shown(style)}: use 59 or x."
        )
    method = visit.method or payer.units_method
    if method not in METHODS:
        raise CalcError("bad_method", f"Unknown method {shown(method)}: use 'cms' or 'per-code'.")
    if method not in payer.units_methods:
        raise CalcError(
            "method_not_allowed",
            f"{payer.name} uses {METHOD_NAMES[payer.units_method]}; the calculator does not "
            f"allow {METHOD_NAMES[method]} for it (allowed: "
            f"{', '.join(METHOD_NAMES[m] for m in payer.units_methods)}).",
        )
    if visit.same_region and visit.separate_encounter:
        raise CalcError(
            "conflicting_flags",
            "'Same region' means the therapy was done in the same encounter as the CMT, so it "
            "cannot also be a separate encounter. Choose one.",
        )
    for entry in visit.lines:
        if len(visit.facts_of(entry)) > 1:
            raise CalcError(
                "conflicting_flags",
                f"{entry.code}: 'same region' means the therapy was done in the same encounter "
                "as the CMT, so it cannot also be a separate encounter. Choose one for this line.",
            )
    return method, style


def _check_line_facts(visit: Visit, codes: CodeTable) -> None:
    """A line's own facts are about a therapy line and its relation to the CMT."""
    for entry in visit.lines:
        code = codes.require(entry.code)
        if entry.facts and not code.is_therapy:
            said = " and ".join(f.replace("_", "-") for f in entry.facts)
            raise CalcError(
                "bad_line_fact",
                f"{code.code}: {said} is said of a therapy line (how it relates to the CMT); "
                f"{code.code} is not a therapy or modality code. Put it on the therapy line.",
            )


def _ignored_flags(visit: Visit, payer: Payer, entered: Iterable[Code]) -> list[Message]:
    """Flags that change nothing for this visit: say so rather than ignore them silently."""
    out: list[tuple[str, dict[str, str]]] = []
    categories = {c.category for c in entered}
    here = "the visit as entered"
    if visit.same_region and "cmt" not in categories:
        out.append(("ignored-same-region", {"here": here}))
    if (visit.cmt_abn or visit.voluntary_abn) and not payer.medicare_part_b:
        out.append(("ignored-abn", {"payer": payer.name}))
    if visit.care == "maintenance" and not payer.medicare_part_b:
        out.append(("ignored-maintenance", {"payer": payer.name}))
    elif visit.care == "maintenance" and "cmt" not in categories:
        out.append(("ignored-maintenance-no-cmt", {"here": here}))
    return [_said("flag-ignored", statement(s), **values) for s, values in out]


def _said(kind: str, said: Statement, lines: tuple[str, ...] = (), /, **values: str) -> Message:
    """A message of the engine's own (calc/data/statements.toml), with its source."""
    return Message(kind, said.say(**values), said.source, said.confidence, lines)


def _kept_facts(
    visit: Visit, kept: Iterable[Entry], code: Code, codes: CodeTable
) -> tuple[str, ...]:
    """The facts of a billed code: one line per code, so its entries must agree."""
    found = {visit.facts_of(e) for e in kept if codes.require(e.code).code == code.code}
    if len(found) > 1:
        raise CalcError(
            "conflicting_line_facts",
            f"{code.code} is entered more than once with different facts (one claim line per "
            "code and date of service). Enter it once, with the facts that apply to it.",
        )
    return found.pop() if found else ()


def _left_off(
    entered: tuple[Code, ...],
    ask: Callable[[tuple[Code, ...]], dict[int, NotReportable]],
    billed_if: Callable[[dict[int, NotReportable]], set[str]],
) -> tuple[dict[int, NotReportable], dict[int, NotReportable]]:
    """Which entries are left off the claim (by position), and which would be if every
    code entered were billed. An NCCI edit pairs codes billed together, so a code not
    billed (left off itself, or earning no unit) cannot leave another off: ``ask`` is
    asked again with the codes ``billed_if`` those entries are left off, until nothing
    changes (97140 on the CMT's region is left off, so its edit with 97124 does not
    apply).
    """
    first = found = ask(entered)
    for _ in range(len(entered) + 1):
        billed = billed_if(found)
        again = ask(tuple(c for c in entered if c.code in billed))
        settled = again.keys() == found.keys()
        found = again
        if settled:
            break
    return found, first


def _pair_not_applied(code: str, others: list[str], would: NotReportable) -> tuple[Message, str]:
    """The note and step for a code an NCCI edit would leave off, were the code it is
    bundled into billed."""
    named = " and ".join(others) or "the other code"
    said = statement("ncci-pair-not-applied")
    step = (
        f"{code}: stays on the claim — the NCCI edit with {named} (modifier indicator 0) "
        f"would leave it off, but {named} is not billed."
    )
    text = said.say(code=code, other=named)
    return Message(said.id, text, would.fired.source, said.confidence, (code,)), step


def _merge(messages: Iterable[Message]) -> tuple[Message, ...]:
    """The same message about several lines is shown once, naming the lines."""
    merged: dict[tuple[str, str], Message] = {}
    for m in messages:
        key = (m.code, m.message)
        if key in merged:
            before = merged[key]
            lines = tuple(dict.fromkeys([*before.lines, *m.lines]))
            merged[key] = Message(m.code, m.message, m.source, m.confidence, lines)
        else:
            merged[key] = m
    return tuple(merged.values())


def note_level(note: Message) -> str:
    """ "primary" (an open question or something to do: shown) or "secondary"
    (background that explains a rule: the page folds it away).

    >>> note_level(Message("units-pool", "One pool = ...", "CMS", "medium"))
    'secondary'
    """
    if note.code == "payer-verify":  # its doubt is on the lines it concerns (LineCheck.why)
        return "secondary"
    return "primary" if note.action or note.confidence in ("low", "verify") else "secondary"


def _payer_specific(book: RuleBook, fired: Fired) -> bool:
    """Whether a rule applies because of this payer's profile (not to every payer)."""
    rule = next((r for r in book.rules if r.id == fired.id), None)
    return rule is not None and rule.payers != "all"


def _line_checks(
    code: str, decision: Decision, tagged: Iterable[Message], payer: Payer, book: RuleBook
) -> tuple[LineCheck, ...]:
    """What to confirm on one line: each modifier not rated high (a modifier that only a
    payer-specific rule asks for is as sure as the payer's profile too), then the
    actions of the warnings and notes about the line."""
    checks = []
    for modifier, rules in decision.basis:
        best = min((f.confidence for f in rules), key=CONFIDENCE_RANK.__getitem__)
        why = "; ".join(f.title for f in rules)
        level = best
        if all(_payer_specific(book, f) for f in rules):
            level = weakest([best, payer.confidence])
            if level != best:
                doubt = " ".join(payer.verify) or f"The {payer.name} profile is rated {level}."
                why += f". {doubt}"
        if level != "high":
            source = "; ".join(dict.fromkeys(f.source for f in rules))
            action = f"Confirm {modifier} on {code} with {payer.name}"
            checks.append(LineCheck(modifier, level, action, why, source))
    for message in tagged:
        if message.action and code in message.lines:
            checks.append(
                LineCheck(None, message.confidence, message.action, message.message, message.source)
            )
    return tuple(dict.fromkeys(checks))


def _note_not_shown(off: list[str], hit: tuple[str, ...], payer: Payer) -> str:
    """The step that says why a payer's note about a code entered is not shown.

    >>> payer = load_payers().require("bcbsnc")
    >>> _note_not_shown(["97140"], ("97112",), payer)
    "97140 is not on the claim, so Blue Cross NC's note about it does not apply to it \
(the note is shown for 97112)."
    """
    named, it = (off[0], "it") if len(off) == 1 else (" and ".join(off), "them")
    verb = "is" if len(off) == 1 else "are"
    shown_for = f" (the note is shown for {' and '.join(hit)})" if hit else ""
    return (
        f"{named} {verb} not on the claim, so {payer.name}'s note about {it} does not apply "
        f"to {it}{shown_for}."
    )


def _plain_steps(units: UnitsResult) -> list[str]:
    # The units engine's last step says what to bill; the claim ends with its own.
    return list(units.steps[:-1])


def build_claim(
    visit: Visit,
    *,
    codes: CodeTable | None = None,
    payers: PayerTable | None = None,
    book: RuleBook | None = None,
    ncci: NcciData | None = None,
) -> Claim:
    """Claim lines for one visit, with steps, warnings, notes and sources.

    Order of work: (1) check the visit and pick the payer's units method and modifier
    style; (2) leave off codes that are not separately reportable (same region as the
    CMT, or an NCCI indicator 0 pair) — their minutes leave the timed pool too;
    (3) compute units with the payer's method, and drop lines that earn none;
    (4) choose each line's modifiers from the rules and the NCCI pairs.
    """
    codes = codes or load_codes()
    payers = payers or load_payers()
    book = book or load_modifier_rules()
    ncci = ncci or load_ncci_pairs()
    day, given = (
        (parse_dos(visit.dos), True) if visit.dos is not None else (resolve(None)[0], False)
    )
    payer = payers.require(visit.payer).on(day)
    method, style = _check_visit(visit, payer)
    if not visit.lines:
        raise CalcError("empty_input", "Enter at least one code (for example 97112:24).")
    _check_line_facts(visit, codes)
    entered = tuple({c.code: c for c in (codes.require(e.code) for e in visit.lines)}.values())

    def context(billed: tuple[Code, ...], facts: Iterable[str] = ()) -> Context:
        """The visit as the rules see it, for a line with these facts."""
        return Context(
            payer=payer,
            billed=billed,
            provider=visit.provider,
            phase=visit.phase,
            care=visit.care,
            abn=visit.cmt_abn,
            voluntary_abn=visit.voluntary_abn,
            same_region="same_region" in facts,
            separate_encounter="separate_encounter" in facts,
            style=style,
            dos=day,
        )

    dates = as_of(day, given)
    coverage = statement("date-coverage")
    warnings: list[Message] = [
        Message("date-coverage", text, coverage.source, coverage.confidence)
        for text in dates.warnings
    ]
    warnings += _ignored_flags(visit, payer, entered)
    notes: list[Message] = []
    fired: list[Fired] = []
    steps = [
        dates.statement,
        f"Payer: {payer.name} ({payer.id}). Units: {METHOD_NAMES[method]}. "
        f"Modifier style: {STYLE_NAMES[style]}.",
    ]

    # (2) Not separately reportable: off the claim before units are counted. Whether a
    # line is depends on its own facts (same region as the CMT), so each entry is asked.
    def ask(staying: tuple[Code, ...]) -> dict[int, NotReportable]:
        return {
            i: found
            for i, entry in enumerate(visit.lines)
            if (
                found := not_reportable(
                    codes.require(entry.code), context(staying, visit.facts_of(entry)), book, ncci
                )
            )
            is not None
        }

    def billed_if(off: dict[int, NotReportable]) -> set[str]:
        """The codes that earn units when these entries are left off."""
        kept = [e for i, e in enumerate(visit.lines) if i not in off]
        try:
            counted = compute_units(kept, method=method, codes=codes)
        except CalcError:  # said when the units are counted (step 3)
            return {codes.require(e.code).code for e in kept}
        return {line.code for line in counted.lines if line.units}

    off, at_first = _left_off(entered, ask, billed_if)
    on_claim_now = billed_if(off)
    dropped: dict[str, NotReportable] = {}
    gone: list[Entry] = []
    unbundled: list[Message] = []  # said once units are known: only of a line billed
    pair_steps: list[str] = []
    for i, entry in enumerate(visit.lines):
        this = codes.require(entry.code)
        found = off.get(i)
        # Said only of a line that earns units: a line with no unit is off the claim anyway.
        if i in at_first and found is None and this.code in on_claim_now:
            others = [
                c.code
                for c in entered
                if c.code not in on_claim_now and ncci.edit(c.code, this.code, on=day) is not None
            ]
            message, step = _pair_not_applied(this.code, others, at_first[i])
            action = f"Confirm {this.code} without {' and '.join(others)} with {payer.name}"
            notes.append(replace(message, action=action))
            pair_steps.append(step)  # said after the codes left off
        if found is not None:
            dropped.setdefault(this.code, found)
            gone.append(entry)
        elif "same_region" in entry.facts and any(c.category == "cmt" for c in entered):
            said = statement("ignored-same-region-line")
            unbundled.append(_said("flag-ignored", said, (this.code,), code=this.code))
    not_billed = []
    for code, found in dropped.items():
        minutes = [e.minutes for e in gone if codes.require(e.code).code == code]
        total = None if all(m is None for m in minutes) else sum(m or 0 for m in minutes)
        not_billed.append(NotBilled(code, total, found.message, found.fired))
        fired.append(found.fired)
        warnings.append(
            Message(
                found.fired.id, found.message, found.fired.source, found.fired.confidence, (code,)
            )
        )
        steps.append(
            f"{code}: not billed — {found.fired.title}"
            + (f"; its {total} min leave the timed total." if total else ".")
        )
    steps += pair_steps
    kept = tuple(e for e in visit.lines if e not in gone)
    if not kept:
        raise CalcError("nothing_to_bill", "None of the codes entered is separately reportable.")

    # (3) Units with the payer's method.
    units = compute_units(kept, method=method, codes=codes)
    steps += _plain_steps(units)
    said, pool = method_statement(method), statement("units-pool")
    warnings += [Message(w.code, w.message, said.source, said.confidence) for w in units.warnings]
    notes += [Message("units-pool", n, pool.source, pool.confidence) for n in units.notes]
    if units.tie is not None:
        tie = units.tie
        notes.append(
            Message("units-tie", tie.message, said.source, said.confidence, tie.candidates)
        )

    # (4) Modifiers, line by line.
    billed_lines = [line for line in units.lines if line.units > 0]
    warnings += [m for m in unbundled if any(m.lines[0] == line.code for line in billed_lines)]
    billed = tuple(codes.require(line.code) for line in billed_lines)
    ctx = context(billed)
    line_facts = [_kept_facts(visit, kept, code, codes) for code in billed]
    decisions: list[Decision] = [
        decide(code, context(billed, facts), book, ncci)
        for code, facts in zip(billed, line_facts, strict=True)
    ]
    lines = []
    for line, decision, facts in zip(billed_lines, decisions, line_facts, strict=True):
        steps += decision.steps
        warnings += decision.warnings
        # its "check-confidence" notes are the line's checks now (said once, on the line)
        notes += [n for n in decision.notes if n.code != "check-confidence"]
        fired += decision.fired
        lines.append(
            ClaimLine(
                code=line.code,
                name=line.name,
                timed=line.timed,
                minutes=line.minutes,
                units=line.units,
                modifiers=decision.modifiers,
                excluded=decision.excluded,
                confidence=decision.confidence,
                rules=tuple(dict.fromkeys(f.id for f in decision.fired)),
                facts=facts,
            )
        )
    over_mue, mue_fired = mue_warnings((line.code, line.units) for line in lines)
    warnings += over_mue
    fired += mue_fired
    steps += [f"{f.title}: this claim is over it (see the warnings)." for f in mue_fired]
    more_warnings, more_notes, more_fired = visit_messages(ctx, billed, book)
    warnings += more_warnings
    notes += more_notes
    fired += more_fired

    # The payer's own marks: verify flags on every claim, code notes about the billed
    # lines only (a code left off the claim, or earning no unit, is not being paid for).
    for text in payer.verify:
        notes.append(Message("payer-verify", f"{payer.name}: {text}", payer.source, "verify"))
    on_claim = tuple(line.code for line in lines)
    for note in payer.code_notes:
        hit = tuple(code for code in on_claim if code in note.codes)
        unbilled = [c.code for c in entered if c.code in note.codes and c.code not in on_claim]
        if unbilled:
            steps.append(_note_not_shown(unbilled, hit, payer))
        if hit:
            named = " and ".join(hit)
            warnings.append(
                Message(
                    "payer-code-note",
                    f"{named}: {note.text}",
                    note.source,
                    note.confidence,
                    hit,  # the page tags these lines with the warning
                )
            )

    if visit.abn_shorthand and payer.medicare_part_b:
        notes.append(
            Message(
                "abn-shorthand",
                "'ABN' was read as both notices: the ABN for maintenance CMT (GA instead of GZ) "
                "and a voluntary ABN for the services Medicare excludes (GX beside GY). If the "
                "patient signed only one of them, mark that one alone.",
                "Calculator input check; Medicare contractor chiropractic billing pages (NGS, "
                "Palmetto)",
                "high",
            )
        )
    # Each line's marks, now that every warning and note about it is known.
    tagged = [*warnings, *notes]
    for i, (done, decision) in enumerate(zip(lines, decisions, strict=True)):
        checks = _line_checks(done.code, decision, tagged, payer, book)
        level = weakest([done.confidence, *(c.confidence for c in checks)])
        lines[i] = replace(done, checks=checks, confidence=level)
    notes.sort(key=lambda n: note_level(n) != "primary")

    steps.append(
        "Claim: " + "; ".join(line.display for line in lines) + "."
        if lines
        else "Claim: nothing to bill."
    )
    unique_fired: dict[str, Fired] = {}
    for f in fired:
        unique_fired.setdefault(f.id, f)
    applied: list[Applied] = payer.applied(day)
    applied += [
        Applied(n.text, n.period, n.source, n.confidence)
        for n in payer.code_notes
        if n.period.dated and any(code in n.codes for code in on_claim)
    ]
    shown_rules = {*unique_fired, *(m.code for m in (*warnings, *notes))}
    for rule in book.rules:
        if rule.id not in shown_rules:
            continue
        if rule.period.dated:
            applied.append(Applied(rule.title, rule.period, rule.source, rule.confidence))
        amount = applied_amount(rule, day)
        if amount is not None:
            applied.append(amount)
    nearby = relevant(rule_changes(), payer.id, on_claim)
    dates = as_of(day, given, applied, nearby)
    return Claim(
        visit=visit,
        payer=payer,
        method=method,
        style=style,
        lines=tuple(lines),
        not_billed=tuple(not_billed),
        units=units,
        warnings=_merge(warnings),
        notes=_merge(notes),
        steps=tuple(steps),
        fired=tuple(unique_fired.values()),
        as_of=dates,
    )
