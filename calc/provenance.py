"""Provenance: every entry of the rule book that carries a source, typed and in one
walk over the validated loaders. The site's to-verify list, its review table and its
sources page (each registry source with every entry that cites it) are all views of
:func:`sourced`; :func:`citing` adds what cites sources without a confidence or review
date of its own: a payer's code notes and dated periods, the training tags and the
worked cases.

>>> entries = sourced()
>>> commercial = next(e for e in entries if e.kind == "payer" and e.id == "commercial")
>>> commercial.file, commercial.confidence
('payers.toml', 'medium')
>>> {e.file for e in entries} >= {"codes.toml", "modifier_rules.toml", "scenarios.toml"}
True
>>> commercial.cite.ids
('hns-97112', 'cms-100-04-ch5', 'ama-cpt')
>>> sorted({c.id for c in citing() if "webpt-8-minute" in c.cite.ids})
['secondary-webpt-rule-of-8s']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from calc.audit import load_audit_rules
from calc.cases import UnitsCase, load_units_cases
from calc.codes import load_codes
from calc.documentation import load_checklists
from calc.glossary import load_glossary
from calc.modifiers import load_modifier_rules
from calc.mue import load_mue
from calc.ncci import load_ncci_pairs
from calc.parameters import load_parameters
from calc.payers import load_payers
from calc.sources import Citation, Cited
from calc.statements import load_statements
from calc.training import load_scenarios


@dataclass(frozen=True)
class Citing(Cited):
    """An entry of the rule book and what it cites: where it lives, what it is, who says
    so (registry ids and what exactly they support; ``source`` is its text)."""

    file: str  # the data file, e.g. "payers.toml"
    kind: str  # code, payer, rule, ncci pair, ...
    id: str  # the entry's id within its kind (a rule's id, a code, "97140/97124")
    title: str  # the entry in words
    cite: Citation


@dataclass(frozen=True)
class Sourced(Citing):
    """An entry with its provenance: a citation, how sure it is and when reviewed."""

    confidence: str
    reviewed: dt.date | None
    verify: tuple[str, ...] = ()  # statements the data marks as still to confirm


def _codes(codes: tuple[str, ...]) -> str:
    return "/".join(codes)


def _listed(codes: tuple[str, ...]) -> str:
    """Codes as a reader lists them.

    >>> _listed(("97012",)), _listed(("98940", "98941", "98942"))
    ('97012', '98940, 98941, 98942')
    """
    return ", ".join(codes)


def _walk() -> Iterator[Sourced]:
    for c in load_codes():
        yield Sourced("codes.toml", "code", c.code, c.name, c.cite, c.confidence, c.reviewed)
    for p in load_payers():
        yield Sourced(
            "payers.toml", "payer", p.id, p.name, p.cite, p.confidence, p.reviewed, p.verify
        )
    book = load_modifier_rules()
    o = book.order
    yield Sourced(
        "modifier_rules.toml",
        "order",
        "order",
        "Modifier order",
        o.cite,
        o.confidence,
        o.reviewed,
    )
    for r in book.rules:
        yield Sourced(
            "modifier_rules.toml", "rule", r.id, r.title, r.cite, r.confidence, r.reviewed
        )
    ncci = load_ncci_pairs()
    e = ncci.edition
    yield Sourced(
        "ncci_pairs.toml", "edition", "edition", e.title, e.cite, e.confidence, e.reviewed
    )
    for pair in ncci.pairs:
        pair_id = f"{_codes(pair.column1)}/{_codes(pair.column2)}"
        deleted = f", deleted {pair.deleted.isoformat()}" if pair.deleted else ""
        title = (
            f"{_listed(pair.column1)} (column 1) with {_listed(pair.column2)} (column 2), "
            f"indicator {pair.indicator}{deleted}"
        )
        yield Sourced(
            "ncci_pairs.toml",
            "ncci pair",
            pair_id,
            title,
            pair.cite,
            pair.confidence,
            pair.reviewed,
        )
    for row in ncci.none_found:
        row_id = f"{_codes(row.codes)}/{_codes(row.against)}"
        title = f"No edit between {_listed(row.codes)} and {_listed(row.against)}"
        yield Sourced(
            "ncci_pairs.toml",
            "no edit found",
            row_id,
            title,
            row.cite,
            row.confidence,
            row.reviewed,
        )
    for limit in load_mue().limits:
        yield Sourced(
            "mue.toml",
            "mue",
            limit.code,
            f"MUE for {limit.code}",
            limit.cite,
            limit.confidence,
            limit.reviewed,
        )
    for param in load_parameters():
        for value in param.values:
            yield Sourced(
                "parameters.toml",
                "parameter",
                param.id,
                param.title,
                value.cite,
                value.confidence,
                param.reviewed,
            )
    for item in load_checklists().items:
        yield Sourced(
            "checklists.toml", "checklist item", item.id, item.text, item.cite,
            item.confidence, item.reviewed,
        )  # fmt: skip
    glossary = load_glossary()
    for m in glossary.modifiers:
        yield Sourced(
            "modifier_glossary.toml", "modifier", m.code, m.name, m.cite, m.confidence, m.reviewed
        )
    for q in glossary.questions:
        yield Sourced(
            "modifier_glossary.toml", "question", q.id, q.title, q.cite, q.confidence, q.reviewed
        )
    for st in load_statements():
        yield Sourced(
            "statements.toml", "statement", st.id, st.title, st.cite, st.confidence, st.reviewed
        )
    t = load_audit_rules().trend
    yield Sourced("audit.toml", "trend", "trend", t.text, t.cite, t.confidence, t.reviewed)
    training = load_scenarios()
    for so in training.strict_order:
        yield Sourced(
            "scenarios.toml", "strict order", f"{so.first}-{so.then}", so.text, so.cite,
            so.confidence, so.reviewed,
        )  # fmt: skip
    for s in training.scenarios:
        yield Sourced("scenarios.toml", "scenario", s.id, s.title, s.cite, s.confidence, s.reviewed)


@cache
def sourced() -> tuple[Sourced, ...]:
    """Every entry of the rule book that carries a source, file by file (cached)."""
    return tuple(_walk())


@cache
def citing() -> tuple[Citing, ...]:
    """Every entry that cites a source: :func:`sourced`, then the worked cases."""
    tags = (Citing("scenarios.toml", "tag", t.id, t.title, t.cite) for t in load_scenarios().tags)
    return (*sourced(), *_payer_parts(), *tags, *(_case(c) for c in load_units_cases()))


def _payer_parts() -> Iterator[Citing]:
    """A payer's code notes and dated periods: they cite sources of their own."""
    for p in load_payers():
        for n in p.code_notes:
            codes = _codes(n.codes)
            title = f"{p.name}: note on {_listed(n.codes)}"
            yield Citing("payers.toml", "code note", f"{p.id}/{codes}", title, n.cite)
        for part in p.periods:
            if part.cite is not None:
                when = part.period.describe()
                yield Citing(
                    "payers.toml", "payer period", f"{p.id} {when}", f"{p.name}, {when}", part.cite
                )


def _case(case: UnitsCase) -> Citing:
    minutes = ", ".join(f"{code} {m} min" for code, m in case.lines)
    title = f"Example {case.example}: {minutes}" if case.example else minutes
    return Citing("cases/units.toml", "worked case", case.id, title, case.cite)
