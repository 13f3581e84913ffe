"""Which modifiers a claim line gets, in which order, and why.

The rules are data (``calc/data/modifier_rules.toml``); this module loads them, checks
them against the code table and the payer profiles, and applies them to one line of a
visit. Python only knows what each *kind* of rule does; which codes, payers and
modifiers a rule covers is in the data.

>>> from calc.codes import load_codes
>>> from calc.payers import load_payers
>>> codes = load_codes()
>>> ctx = Context(payer=load_payers().require("bcbsnc"),
...               billed=(codes.require("98941"), codes.require("97112")))
>>> decision = decide(codes.require("97112"), ctx)
>>> decision.modifiers
('59', 'GP')
>>> [f.id for f in decision.fired][:2]
['hns-59-with-em-or-cmt', 'hns-59-gp-with-cmt']
>>> decide(codes.require("98941"), ctx).modifiers
()
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from calc._data import (
    ANSWERED_AS_SOURCE,
    CONFIDENCE_RANK,
    check_keys,
    entries,
    plain,
    read_toml,
    want,
    want_confidence,
    want_date,
    want_text,
    weakest,
)
from calc.codes import CATEGORIES, PHASES, Code, CodeTable, load_codes
from calc.dates import (
    ALWAYS,
    PERIOD_KEYS,
    Applied,
    Change,
    Period,
    load_rulebook_dates,
    want_period,
)
from calc.errors import CalcError
from calc.ncci import NcciData, NcciPair, load_ncci_pairs
from calc.parameters import Parameters, Value, load_parameters
from calc.payers import MODIFIER_STYLES, PAYER_FLAGS, Payer, PayerTable, load_payers
from calc.sources import Citation, Cited, read_citation
from calc.statements import statement

DATA_FILE = "modifier_rules.toml"
KINDS = (
    "modifier",
    "distinct",
    "ncci",
    "exclusion",
    "not-reportable",
    "warning",
    "note",
    "limit",
    "constraint",
    "fact",
)
THERAPY = "therapy"  # a code group: what HNS counts as therapies and modalities
DISTINCT = "59"  # in the data, "59" stands for 59 or its X equivalent
X_MODIFIERS = frozenset({"XE", "XS", "XP", "XU"})
#: How a modifier is written on a claim line: two capital letters or digits (59, GP).
MODIFIER_SHAPE = re.compile(r"[A-Z0-9]{2}")
PROVIDERS = ("dc", "pt")
CARE = ("active", "maintenance")
WHEN: dict[str, tuple[Any, ...]] = {
    "provider": PROVIDERS,
    "phase": PHASES,
    "care": CARE,
    "abn": (True, False),
    "same_region": (True, False),
    "separate_encounter": (True, False),
    "style": MODIFIER_STYLES,
}
PLACEHOLDERS = frozenset({"code", "with", "payer", "count", "amount"})


# --- the rules as data ---------------------------------------------------------------


@dataclass(frozen=True)
class ModifierOrder(Cited):
    modifiers: tuple[str, ...]
    text: str
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    reviewed: dt.date

    def sort(self, modifiers: Iterable[str]) -> tuple[str, ...]:
        """Modifiers in claim order, each once.

        >>> load_modifier_rules().order.sort(["GP", "59", "GP"])
        ('59', 'GP')
        """
        return tuple(sorted(set(modifiers), key=self.modifiers.index))

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class ModifierRule(Cited):
    id: str
    kind: str
    title: str
    text: str
    codes: tuple[str, ...]  # codes, categories or "therapy"; () = about the visit
    with_: tuple[str, ...]
    payers: str | tuple[str, ...]  # "all", a payer flag, or payer ids
    when: tuple[tuple[str, Any], ...]
    add: tuple[str, ...]
    with_abn: tuple[str, ...]
    limit: int | None
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    reviewed: dt.date
    action: str = ""  # (note, warning) what a biller does about it, one line
    period: Period = ALWAYS  # the dates of service it is in force on
    parameter: str | None = None  # a dated amount (parameters.toml) its text shows

    def changes(self) -> list[Change]:
        """The dates this rule came into force or ended, for the Rule changes page."""
        payer = self.payers[0] if isinstance(self.payers, tuple) and len(self.payers) == 1 else None
        codes = tuple(c for c in self.codes if c[:1].isdigit() or c[:1] == "G")
        title = fill(self.title, code=", ".join(codes) or "the line", payer="the payer")
        out = []
        if self.period.start is not None:
            out.append(
                Change(self.period.start, title, payer, None, codes, self.source, self.confidence)
            )
        if self.period.end is not None:
            out.append(
                Change(
                    self.period.end + dt.timedelta(days=1),
                    f"No longer in force: {title}",
                    payer,
                    None,
                    codes,
                    self.source,
                    self.confidence,
                )
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "codes": list(self.codes),
            "with": list(self.with_),
            "payers": self.payers if isinstance(self.payers, str) else list(self.payers),
            "when": dict(self.when),
            "add": list(self.add),
            "with_abn": list(self.with_abn),
            "limit": self.limit,
            "source": self.source,
            "confidence": self.confidence,
            "reviewed": self.reviewed.isoformat(),
            "action": self.action,
            **self.period.as_dict(),
            "period": self.period.describe(),
            "parameter": self.parameter,
        }


@dataclass(frozen=True)
class RuleBook:
    order: ModifierOrder
    rules: tuple[ModifierRule, ...]
    _by_id: dict[str, ModifierRule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {r.id: r for r in self.rules})

    def get(self, rule_id: str) -> ModifierRule:
        return self._by_id[rule_id]

    def of_kind(self, kind: str) -> tuple[ModifierRule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)

    def find(self, rule_id: str) -> ModifierRule | None:
        return self._by_id.get(rule_id)

    def changes(self) -> list[Change]:
        return [c for r in self.rules for c in r.changes()]

    def as_dict(self) -> dict[str, Any]:
        return {"order": self.order.as_dict(), "rules": [r.as_dict() for r in self.rules]}


# --- what the engine enforces on every line (the "constraint" rules) ---------------


def _never_59_on_em(code: Code, mods: Sequence[str]) -> bool:
    return not (code.category == "em" and (DISTINCT in mods or X_MODIFIERS & set(mods)))


def _never_59_and_x(code: Code, mods: Sequence[str]) -> bool:
    return not (DISTINCT in mods and X_MODIFIERS & set(mods)) and len(X_MODIFIERS & set(mods)) < 2


def _25_only_on_em(code: Code, mods: Sequence[str]) -> bool:
    return "25" not in mods or code.category == "em"


def _never_at_with_ga(code: Code, mods: Sequence[str]) -> bool:
    return not {"AT", "GA"} <= set(mods)


CONSTRAINTS: dict[str, Callable[[Code, Sequence[str]], bool]] = {
    "never-59-on-em": _never_59_on_em,
    "never-59-and-x": _never_59_and_x,
    "25-only-on-em": _25_only_on_em,
    "never-at-with-ga": _never_at_with_ga,
}


def check_line(code: Code, modifiers: Sequence[str]) -> None:
    """Refuse a line that breaks a "never" rule (a bug or bad data, never user input).

    >>> from calc.codes import load_codes
    >>> check_line(load_codes().require("99213"), ["59"])
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: 99213-59 breaks the rule 'never-59-on-em'.
    """
    for rule_id, holds in CONSTRAINTS.items():
        if not holds(code, modifiers):
            shown = "-".join([code.code, *modifiers])
            raise CalcError("internal_error", f"{shown} breaks the rule {rule_id!r}.")


# --- loading and checking -------------------------------------------------------------


def _refs(where: str, key: str, value: Any, codes: CodeTable) -> tuple[str, ...]:
    items = want(where, key, value, list)
    refs = []
    for item in items:
        ref = want_text(where, key, item)
        if ref != THERAPY and ref not in CATEGORIES and ref not in codes:
            raise CalcError(
                "bad_data",
                f"{where}: unknown code or group {ref!r} in {key!r} (a code from codes.toml, "
                f"a category ({', '.join(CATEGORIES)}) or {THERAPY!r})",
            )
        refs.append(codes.require(ref).code if ref in codes else ref)
    return tuple(refs)


def _modifiers(where: str, key: str, value: Any) -> tuple[str, ...]:
    items = want(where, key, value, list)
    return tuple(want_text(where, key, m).upper() for m in items)


def _placeholders(where: str, key: str, text: str) -> str:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise CalcError(
            "bad_data", f"{where}: {key!r} has a broken {{placeholder}}: {exc}"
        ) from exc
    unknown = names - PLACEHOLDERS
    if unknown:
        raise CalcError(
            "bad_data",
            f"{where}: {key!r} uses unknown placeholder {{{sorted(unknown)[0]}}} "
            f"(allowed: {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))})",
        )
    return text


def _matches_ref(ref: str, code: Code) -> bool:
    if ref == THERAPY:
        return code.is_therapy
    return ref in (code.code, code.category)


def _covers_any(refs: Iterable[str], code: Code) -> bool:
    return any(_matches_ref(ref, code) for ref in refs)


# Which keys each kind needs (besides id, kind, title, text, source, confidence, reviewed)
# and which it may have.
_KIND_KEYS: dict[str, tuple[set[str], set[str]]] = {
    "modifier": ({"codes", "add"}, {"with", "payers", "when"}),
    "exclusion": ({"codes", "add"}, {"with", "payers", "when", "with_abn"}),
    "distinct": (set(), set()),
    "ncci": (set(), {"payers"}),
    "not-reportable": ({"codes"}, {"with", "payers", "when"}),
    "warning": (set(), {"codes", "with", "payers", "when", "action"}),
    "note": (set(), {"codes", "with", "payers", "when", "action"}),
    "limit": ({"codes", "limit"}, {"payers", "when"}),
    "constraint": (set(), set()),
    "fact": (set(), set()),
}
_BASE_KEYS = ["id", "kind", "title", "text", "sources", "confidence", "reviewed"]
_DATED_KEYS = [*PERIOD_KEYS, "parameter"]


def _parse_rule(
    where: str,
    entry: Mapping[str, Any],
    codes: CodeTable,
    payers: PayerTable,
    order: ModifierOrder,
    parameters: Parameters,
) -> ModifierRule:
    kind = entry.get("kind")
    if kind not in KINDS:
        raise CalcError("bad_data", f"{where}: 'kind' must be one of {', '.join(KINDS)}")
    required, optional = _KIND_KEYS[kind]
    check_keys(
        where, entry, [*_BASE_KEYS, *sorted(required)], [*sorted(optional), *_DATED_KEYS, "where"]
    )
    parameter = None
    if "parameter" in entry:
        parameter = want_text(where, "parameter", entry["parameter"])
        if parameter not in parameters:
            raise CalcError(
                "bad_data", f"{where}: unknown parameter {parameter!r} (parameters.toml)"
            )
    if ("{amount}" in str(entry.get("text", ""))) != (parameter is not None):
        raise CalcError(
            "bad_data",
            f"{where}: a rule shows {{amount}} in 'text' exactly when it names a 'parameter'",
        )
    rule_id = want_text(where, "id", entry["id"])
    payers_value: str | tuple[str, ...] = "all"
    if "payers" in entry:
        raw = entry["payers"]
        if isinstance(raw, str):
            if raw != "all" and raw not in PAYER_FLAGS:
                raise CalcError(
                    "bad_data",
                    f"{where}: 'payers' must be \"all\", a list of payer ids or a payer flag "
                    f"({', '.join(PAYER_FLAGS)}), got {raw!r}",
                )
            payers_value = raw
        else:
            ids = tuple(want_text(where, "payers", p) for p in want(where, "payers", raw, list))
            for p in ids:
                if p not in payers:
                    raise CalcError("bad_data", f"{where}: unknown payer {p!r} in 'payers'")
            payers_value = ids
    when = want(where, "when", entry.get("when", {}), dict)
    for key, value in when.items():
        if key not in WHEN:
            raise CalcError(
                "bad_data", f"{where}: unknown condition {key!r} in 'when' ({', '.join(WHEN)})"
            )
        if value not in WHEN[key] or isinstance(value, bool) != isinstance(WHEN[key][0], bool):
            raise CalcError(
                "bad_data", f"{where}: 'when.{key}' must be one of {list(WHEN[key])}, got {value!r}"
            )
    add = _modifiers(where, "add", entry.get("add", []))
    with_abn = _modifiers(where, "with_abn", entry.get("with_abn", []))
    for mod in (*add, *with_abn):
        if mod not in order.modifiers:
            raise CalcError(
                "bad_data", f"{where}: modifier {mod!r} is not in [order] modifiers of {DATA_FILE}"
            )
    if list(add) != list(order.sort(add)) or len(set(add)) != len(add):
        raise CalcError(
            "bad_data",
            f"{where}: 'add' lists {', '.join(add)} out of claim order "
            f"(expected {', '.join(order.sort(add))})",
        )
    rule_codes = _refs(where, "codes", entry.get("codes", []), codes)
    limit = None
    if kind == "limit":
        limit = want(where, "limit", entry["limit"], int)
        if limit < 0:
            raise CalcError("bad_data", f"{where}: 'limit' must not be negative")
    if kind in ("modifier", "exclusion", "not-reportable", "limit") and not rule_codes:
        raise CalcError("bad_data", f"{where}: 'codes' must list at least one code or group")
    if kind == "constraint" and rule_id not in CONSTRAINTS:
        raise CalcError(
            "bad_data",
            f"{where}: the engine does not know how to enforce constraint {rule_id!r} "
            f"(known: {', '.join(CONSTRAINTS)})",
        )
    rule = ModifierRule(
        id=rule_id,
        kind=kind,
        title=_placeholders(where, "title", want_text(where, "title", entry["title"])),
        text=_placeholders(where, "text", want_text(where, "text", entry["text"])),
        codes=rule_codes,
        with_=_refs(where, "with", entry.get("with", []), codes),
        payers=payers_value,
        when=tuple(sorted(when.items())),
        add=add,
        with_abn=with_abn,
        limit=limit,
        cite=read_citation(where, entry),
        confidence=want_confidence(where, entry["confidence"]),
        reviewed=want_date(where, "reviewed", entry["reviewed"]),
        action=_placeholders(where, "action", want_text(where, "action", entry["action"]))
        if "action" in entry
        else "",
        period=want_period(where, entry),
        parameter=parameter,
    )
    # A rule must not be able to put a modifier where a "never" rule forbids it.
    for code in codes:
        if _covers_any(rule.codes, code):
            for mods in (rule.add, (*rule.add, *rule.with_abn)):
                try:
                    check_line(code, mods)
                except CalcError as err:
                    raise CalcError(
                        "bad_data", f"{where}: would put {'-'.join(mods)} on {code.code}: {err}"
                    ) from err
    return rule


def parse_modifier_rules(
    name: str,
    data: Mapping[str, Any],
    codes: CodeTable | None = None,
    payers: PayerTable | None = None,
) -> RuleBook:
    """Validate the parsed TOML; every problem names the file, the rule and the key.

    >>> parse_modifier_rules("modifier_rules.toml", {"order": {}, "rule": []})
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: modifier_rules.toml, [order]: missing key 'modifiers'
    """
    codes = codes or load_codes()
    payers = payers or load_payers()
    parameters = load_parameters()
    check_keys(name, data, ["order", "rule"])
    where = f"{name}, [order]"
    raw_order = want(where, "order", data["order"], dict)
    check_keys(
        where, raw_order, ["modifiers", "text", "sources", "confidence", "reviewed"], ["where"]
    )
    listed = _modifiers(where, "modifiers", raw_order["modifiers"])
    if len(set(listed)) != len(listed):
        raise CalcError("bad_data", f"{where}: a modifier is listed twice")
    if DISTINCT in listed and not {"XE", "XS"} <= set(listed):
        raise CalcError("bad_data", f"{where}: XE and XS must be listed (the X forms of 59)")
    order = ModifierOrder(
        modifiers=listed,
        text=want_text(where, "text", raw_order["text"]),
        cite=read_citation(where, raw_order),
        confidence=want_confidence(where, raw_order["confidence"]),
        reviewed=want_date(where, "reviewed", raw_order["reviewed"]),
    )
    rules = []
    seen: set[str] = set()
    for where, entry in entries(name, "rule", data["rule"]):
        rule = _parse_rule(where, entry, codes, payers, order, parameters)
        if rule.id in seen:
            raise CalcError("bad_data", f"{where}: listed twice")
        seen.add(rule.id)
        rules.append(rule)
    book = RuleBook(order, tuple(rules))
    for kind in ("distinct", "ncci"):
        if len(book.of_kind(kind)) > 1:
            raise CalcError("bad_data", f"{name}: more than one rule of kind {kind!r}")
    if not book.of_kind("distinct"):
        raise CalcError(
            "bad_data", f"{name}: the rule of kind 'distinct' (what 59 means) is missing"
        )
    return book


@cache
def load_modifier_rules() -> RuleBook:
    """The modifier rules shipped with the package (read once, then cached)."""
    return parse_modifier_rules(DATA_FILE, read_toml(DATA_FILE))


# --- applying the rules ---------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What the rules may ask about the visit. ``phase=None`` means "not stated"."""

    payer: Payer
    billed: tuple[Code, ...]  # the codes billed on the claim (or entered, before units)
    provider: str = "dc"
    phase: str | None = None
    care: str = "active"
    abn: bool = False  # the ABN for maintenance CMT (GA); `when.abn` in the data
    voluntary_abn: bool = False  # a voluntary ABN for an excluded service (`with_abn`)
    same_region: bool = False
    separate_encounter: bool = False
    style: str = "59"
    dos: dt.date | None = None  # None: the rule book's as_of date (calc/data/rulebook.toml)

    @property
    def day(self) -> dt.date:
        """The date of service the rules are applied for."""
        return self.dos or load_rulebook_dates().as_of

    def value(self, key: str) -> Any:
        return getattr(self, key)


@dataclass(frozen=True)
class Fired:
    """A rule that fired: what the output cites for it."""

    id: str
    title: str
    source: str
    confidence: str
    reviewed: dt.date

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class Message:
    """A warning or note, with the rule it comes from and how sure we are of it."""

    code: str
    message: str
    source: str
    confidence: str
    lines: tuple[str, ...] = ()
    action: str = ""  # one line: what to do about it ("Ask Blue Cross NC whether ...")

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class Decision:
    """The modifiers of one line, in claim order, and everything that explains them."""

    code: str
    modifiers: tuple[str, ...]
    excluded: bool  # the payer does not cover the service (billed only on request)
    confidence: str  # of the least sure modifier (each as sure as its surest rule)
    fired: tuple[Fired, ...]
    steps: tuple[str, ...]
    warnings: tuple[Message, ...]
    notes: tuple[Message, ...]
    basis: tuple[tuple[str, tuple[Fired, ...]], ...] = ()  # each modifier: the rules asking


@dataclass(frozen=True)
class _Match:
    triggers: tuple[str, ...]  # the other codes that made a `with` rule fire
    maybe: bool  # a condition could not be checked (the phase was not stated)


def _payer_ok(rule: ModifierRule, payer: Payer) -> bool:
    if rule.payers == "all":
        return True
    if isinstance(rule.payers, str):
        return payer.has_flag(rule.payers)
    return payer.id in rule.payers


def match(rule: ModifierRule, ctx: Context, line: Code | None = None) -> _Match | None:
    """Whether ``rule`` applies to ``line`` (or, with no line, to the visit)."""
    if not _payer_ok(rule, ctx.payer) or not rule.period.contains(ctx.day):
        return None
    maybe = False
    for key, wanted in rule.when:
        actual = ctx.value(key)
        if actual is None:
            maybe = True
        elif actual != wanted:
            return None
    if line is not None and not _covers_any(rule.codes, line):
        return None
    triggers: tuple[str, ...] = ()
    if rule.with_:
        triggers = tuple(
            c.code
            for c in ctx.billed
            if (line is None or c.code != line.code) and _covers_any(rule.with_, c)
        )
        if not triggers:
            return None
    return _Match(triggers, maybe)


def fill(
    text: str,
    *,
    code: str = "",
    triggers: Sequence[str] = (),
    payer: str = "",
    count: str = "",
    amount: str = "",
) -> str:
    """A rule's text with its placeholders filled in.

    >>> fill("{code} with {with}", code="97112", triggers=["98941", "99213"])
    '97112 with 98941 and 99213'
    """
    joined = " and ".join(
        [", ".join(triggers[:-1]), triggers[-1]] if len(triggers) > 1 else triggers
    )
    return text.format(code=code, payer=payer, count=count, amount=amount, **{"with": joined})


def amount_on(rule: ModifierRule, day: dt.date) -> tuple[str, str, Value | None]:
    """The dated amount a rule's text shows on ``day``: its words, its confidence and
    the value (None when the rule book has no value for that date: a verify note).

    >>> rule = load_modifier_rules().get("medicare-kx-threshold")
    >>> amount_on(rule, dt.date(2026, 3, 2))[:2]
    ('$2,480 for calendar year 2026', 'medium')
    """
    if rule.parameter is None:
        return "", rule.confidence, None
    parameter = load_parameters().require(rule.parameter)
    value = parameter.on(day)
    if value is None:
        return (
            f"no amount is recorded in the rule book for {day}: look it up before relying on this",
            "verify",
            None,
        )
    return (
        f"{value.shown} for {value.period.describe()}",
        weakest([rule.confidence, value.confidence]),
        value,
    )


def applied_amount(rule: ModifierRule, day: dt.date) -> Applied | None:
    """The dated amount a rule used on ``day``, for the answer's list of dated rules."""
    if rule.parameter is None:
        return None
    value = load_parameters().require(rule.parameter).on(day)
    return None if value is None else load_parameters().require(rule.parameter).applied(value)


def _message(rule: ModifierRule, ctx: Context, m: _Match, code: str = "") -> Message:
    amount, confidence, value = amount_on(rule, ctx.day)
    text = _qualified(
        fill(rule.text, code=code, triggers=m.triggers, payer=ctx.payer.name, amount=amount), m
    )
    source = rule.source if value is None else f"{rule.source}; {value.source}"
    action = fill(rule.action, code=code, triggers=m.triggers, payer=ctx.payer.name, amount=amount)
    return Message(rule.id, text, source, confidence, (code,) if code else (), action)


def _qualified(text: str, m: _Match) -> str:
    """A warning whose condition could not be checked says so."""
    if not m.maybe:
        return text
    return (
        "The phase of care was not stated. If this visit is in the initial phase: "
        + text[0].lower()
        + text[1:]
    )


def _fired(rule: ModifierRule, code: str = "") -> Fired:
    return Fired(rule.id, fill(rule.title, code=code), rule.source, rule.confidence, rule.reviewed)


def _pair_fired(pair: NcciPair, c1: str, c2: str) -> Fired:
    outcome = f"{pair.modifier} on {c2}" if pair.modifier else f"{c2} not billed"
    return Fired(
        f"ncci-{c1}-{c2}",
        f"NCCI pair {c1} (column 1) / {c2} (column 2), modifier indicator {pair.indicator}: "
        f"{outcome}",
        pair.source,
        pair.confidence,
        pair.reviewed,
    )


def styled(modifier: str, ctx: Context) -> str:
    """59 as the claim writes it: 59, or XE / XS in the X style.

    >>> ctx = Context(payer=load_payers().require("commercial"), billed=(), style="x")
    >>> styled("59", ctx), styled("GP", ctx)
    ('XS', 'GP')
    """
    if modifier != DISTINCT or ctx.style == "59":
        return modifier
    return "XE" if ctx.separate_encounter else "XS"


def _verb(mods: Sequence[str]) -> str:
    if not mods:
        return "adds nothing"
    if len(mods) == 1:
        return f"adds {mods[0]}"
    return "adds " + ", ".join(mods[:-1]) + " then " + mods[-1]


def _best(fired: Sequence[Fired]) -> str:
    return min((f.confidence for f in fired), key=CONFIDENCE_RANK.__getitem__)


def decide(
    line: Code,
    ctx: Context,
    book: RuleBook | None = None,
    ncci: NcciData | None = None,
) -> Decision:
    """The modifiers for one billed line, given the other codes billed that day.

    Order of precedence: an exclusion rule (the payer does not cover the service) sets
    the line's modifiers by itself; otherwise every matching modifier rule and NCCI pair
    adds its modifiers. "59" becomes XS or XE in the X style, and the result is sorted
    into claim order and checked against the "never" rules. A modifier is as sure as
    the surest rule that asks for it; the line is as sure as its least sure modifier.
    """
    book = book or load_modifier_rules()
    ncci = ncci or load_ncci_pairs()
    payer_name = ctx.payer.name
    fired: list[Fired] = []
    steps: list[str] = []
    warnings: list[Message] = []
    notes: list[Message] = []
    support: dict[str, list[Fired]] = {}  # modifier as billed -> the rules asking for it
    excluded = False

    def want_mods(mods: Iterable[str], why: Fired) -> list[str]:
        shown = [styled(x, ctx) for x in mods]
        for mod in shown:
            support.setdefault(mod, []).append(why)
        fired.append(why)
        return shown

    def trig(m: _Match) -> str:
        return f" (with {fill('{with}', triggers=m.triggers)} the same day)" if m.triggers else ""

    exclusion = next(
        ((r, m) for r in book.of_kind("exclusion") if (m := match(r, ctx, line)) and not m.maybe),
        None,
    )
    if exclusion is not None:
        rule, m = exclusion
        excluded = True
        added = want_mods(
            [*rule.add, *(rule.with_abn if ctx.voluntary_abn else ())], _fired(rule, line.code)
        )
        steps.append(f"{line.code}: {fill(rule.title, code=line.code)} → {_verb(added)}.")
        text = fill(rule.text, code=line.code, payer=payer_name)
        warnings.append(Message(rule.id, text, rule.source, rule.confidence, (line.code,)))
    else:
        for rule in book.of_kind("modifier"):
            m = match(rule, ctx, line)
            if m is None or m.maybe:
                continue
            added = want_mods(rule.add, _fired(rule, line.code))
            steps.append(
                f"{line.code}{trig(m)}: {fill(rule.title, code=line.code)} → {_verb(added)}."
            )
        for rule in book.of_kind("ncci"):
            if match(rule, ctx) is None:
                continue
            pairs = [
                (other.code, pair)
                for other in ctx.billed
                if (pair := ncci.edit(other.code, line.code, on=ctx.day)) is not None
                # indicator 0 pairs were taken off the claim before modifiers are chosen
                and pair.indicator != "0"
            ]
            for column1, pair in pairs:
                added = want_mods([pair.modifier], _pair_fired(pair, column1, line.code))
                steps.append(
                    f"{line.code}: NCCI pair with {column1} (column 1), indicator "
                    f"{pair.indicator} → {_verb(added)} on {line.code} "
                    f"(confidence {pair.confidence})."
                )
            if pairs:
                fired.append(_fired(rule))

    modifiers = book.order.sort(support)
    check_line(line, modifiers)
    distinct = styled(DISTINCT, ctx)
    if distinct in support:
        rule = book.of_kind("distinct")[0]
        fired.append(_fired(rule))
        if ctx.style == "x":
            why = "a separate encounter" if ctx.separate_encounter else "a separate body region"
            steps.append(f"{line.code}: X style → {distinct} instead of 59 ({why}).")
        notes.append(Message(rule.id, rule.text, rule.source, rule.confidence, (line.code,)))

    for rule in book.rules:
        if rule.kind not in ("warning", "note") or not rule.codes:
            continue
        m = match(rule, ctx, line)
        if m is None:
            continue
        message = _message(rule, ctx, m, line.code)
        (warnings if rule.kind == "warning" else notes).append(message)

    if not excluded:
        for other in ctx.billed:
            row = ncci.none_found_for(line.code, other.code, on=ctx.day)
            if row is None or line.code not in row.against or other.code not in row.codes:
                continue
            unsure = "" if row.confidence == "high" else " Not confirmed: check the CMS file."
            said = statement("ncci-none-found").say(code=line.code, other=other.code, unsure=unsure)
            notes.append(Message("ncci-none-found", said, row.source, row.confidence, (line.code,)))

    shaky: dict[tuple[str, tuple[Fired, ...]], list[str]] = {}
    for mod in modifiers:
        if _best(support[mod]) != "high":
            key = (_best(support[mod]), tuple(dict.fromkeys(support[mod])))
            shaky.setdefault(key, []).append(mod)
    for (best, rules), mods in shaky.items():
        titles = "; ".join(f'"{f.title}"' for f in rules)
        rest = "rests" if len(mods) == 1 else "rest"
        notes.append(
            Message(
                "check-confidence",
                statement("check-confidence").say(
                    code=line.code, mods=", ".join(mods), rest=rest, best=best, titles=titles
                ),
                "; ".join(dict.fromkeys(f.source for f in rules)),
                best,
                (line.code,),
            )
        )
    if not steps:
        steps.append(f"{line.code}: no modifier rule applies for {payer_name}.")
    confidence = weakest(_best(support[mod]) for mod in modifiers)
    return Decision(
        code=line.code,
        modifiers=modifiers,
        excluded=excluded,
        confidence=confidence,
        fired=tuple(fired),
        steps=tuple(steps),
        warnings=tuple(warnings),
        notes=tuple(notes),
        basis=tuple((mod, tuple(support[mod])) for mod in modifiers),
    )


@dataclass(frozen=True)
class NotReportable:
    """A line left off the claim, and why."""

    code: str
    message: str
    fired: Fired


def not_reportable(
    line: Code, ctx: Context, book: RuleBook | None = None, ncci: NcciData | None = None
) -> NotReportable | None:
    """Whether ``line`` must be left off the claim (same region as the CMT, or an
    NCCI pair with modifier indicator 0). ``ctx.billed`` holds the codes entered.

    >>> from calc.codes import load_codes
    >>> codes = load_codes()
    >>> ctx = Context(payer=load_payers().require("bcbsnc"), same_region=True,
    ...               billed=(codes.require("98941"), codes.require("97112")))
    >>> not_reportable(codes.require("97112"), ctx).fired.id
    'same-region-not-reportable'
    """
    book = book or load_modifier_rules()
    ncci = ncci or load_ncci_pairs()
    for rule in book.of_kind("not-reportable"):
        m = match(rule, ctx, line)
        if m is not None and not m.maybe:
            text = fill(rule.text, code=line.code, triggers=m.triggers, payer=ctx.payer.name)
            return NotReportable(line.code, text, _fired(rule, line.code))
    for rule in book.of_kind("ncci"):
        if match(rule, ctx) is None:
            continue
        for other in ctx.billed:
            pair = ncci.edit(other.code, line.code, on=ctx.day)
            if pair is not None and pair.indicator == "0":
                return NotReportable(
                    line.code,
                    f"{line.code} is bundled into {other.code}: an NCCI PTP edit with modifier "
                    f"indicator 0 (column 1 {other.code}, column 2 {line.code}; CMS rationale: "
                    f"{pair.rationale.lower()}). No modifier makes {line.code} payable with "
                    f"{other.code} for the same provider on the same day, so it is left off "
                    "the claim.",
                    _pair_fired(pair, other.code, line.code),
                )
    return None


def visit_messages(
    ctx: Context, billed: Sequence[Code], book: RuleBook | None = None
) -> tuple[list[Message], list[Message], list[Fired]]:
    """Warnings and notes about the visit as a whole (limits, visit-level notes)."""
    book = book or load_modifier_rules()
    warnings: list[Message] = []
    notes: list[Message] = []
    fired: list[Fired] = []
    for rule in book.rules:
        if rule.kind == "limit":
            m = match(rule, ctx)
            counted = [c.code for c in billed if _covers_any(rule.codes, c)]
            if m is None or rule.limit is None or len(counted) <= rule.limit:
                continue
            count = f"{len(counted)} ({', '.join(counted)})"
            text = _qualified(fill(rule.text, count=count, payer=ctx.payer.name), m)
            warnings.append(Message(rule.id, text, rule.source, rule.confidence, tuple(counted)))
            fired.append(_fired(rule))
        elif rule.kind in ("warning", "note") and not rule.codes:
            m = match(rule, ctx)
            if m is None:
                continue
            message = _message(rule, ctx, m)
            (warnings if rule.kind == "warning" else notes).append(message)
    return warnings, notes, fired
