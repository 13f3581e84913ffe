"""Provenance: every entry of the rule book that carries a source, typed and in one
walk over the validated loaders. The site's to-verify list, its review table and its
list of cited sources are all views of :func:`sourced`.

>>> entries = sourced()
>>> commercial = next(e for e in entries if e.kind == "payer" and e.id == "commercial")
>>> commercial.file, commercial.confidence
('payers.toml', 'medium')
>>> {e.file for e in entries} >= {"codes.toml", "modifier_rules.toml", "scenarios.toml"}
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from calc.audit import load_audit_rules
from calc.codes import load_codes
from calc.documentation import load_checklists
from calc.glossary import load_glossary
from calc.modifiers import load_modifier_rules
from calc.mue import load_mue
from calc.ncci import load_ncci_pairs
from calc.parameters import load_parameters
from calc.payers import load_payers
from calc.training import load_scenarios


@dataclass(frozen=True)
class Sourced:
    """One entry with its provenance: where it lives, what it is, who says so."""

    file: str  # the data file, e.g. "payers.toml"
    kind: str  # code, payer, rule, ncci pair, ...
    id: str  # the entry's id within its kind (a rule's id, a code, "97140/97124")
    title: str  # the entry in words
    source: str
    confidence: str
    reviewed: dt.date | None
    verify: tuple[str, ...] = ()  # statements the data marks as still to confirm


def _codes(codes: tuple[str, ...]) -> str:
    return "/".join(codes)


def _walk() -> Iterator[Sourced]:
    for c in load_codes():
        yield Sourced("codes.toml", "code", c.code, c.name, c.source, c.confidence, c.reviewed)
    for p in load_payers():
        yield Sourced(
            "payers.toml", "payer", p.id, p.name, p.source, p.confidence, p.reviewed, p.verify
        )
    book = load_modifier_rules()
    o = book.order
    yield Sourced(
        "modifier_rules.toml",
        "order",
        "order",
        "Modifier order",
        o.source,
        o.confidence,
        o.reviewed,
    )
    for r in book.rules:
        yield Sourced(
            "modifier_rules.toml", "rule", r.id, r.title, r.source, r.confidence, r.reviewed
        )
    ncci = load_ncci_pairs()
    e = ncci.edition
    yield Sourced(
        "ncci_pairs.toml", "edition", "edition", e.title, e.source, e.confidence, e.reviewed
    )
    for pair in ncci.pairs:
        pair_id = f"{_codes(pair.column1)}/{_codes(pair.column2)}"
        title = f"NCCI pair {pair_id} (indicator {pair.indicator})"
        yield Sourced(
            "ncci_pairs.toml",
            "ncci pair",
            pair_id,
            title,
            pair.source,
            pair.confidence,
            pair.reviewed,
        )
    for row in ncci.none_found:
        row_id = f"{_codes(row.codes)}/{_codes(row.against)}"
        title = f"No edit found for {_codes(row.codes)} against {_codes(row.against)}"
        yield Sourced(
            "ncci_pairs.toml",
            "no edit found",
            row_id,
            title,
            row.source,
            row.confidence,
            row.reviewed,
        )
    for limit in load_mue().limits:
        yield Sourced(
            "mue.toml",
            "mue",
            limit.code,
            f"MUE for {limit.code}",
            limit.source,
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
                value.source,
                value.confidence,
                param.reviewed,
            )
    for item in load_checklists().items:
        yield Sourced(
            "checklists.toml", "checklist item", item.id, item.text, item.source,
            item.confidence, item.reviewed,
        )  # fmt: skip
    glossary = load_glossary()
    for m in glossary.modifiers:
        yield Sourced(
            "modifier_glossary.toml", "modifier", m.code, m.name, m.source, m.confidence, m.reviewed
        )
    for q in glossary.questions:
        yield Sourced(
            "modifier_glossary.toml", "question", q.id, q.title, q.source, q.confidence, q.reviewed
        )
    t = load_audit_rules().trend
    yield Sourced("audit.toml", "trend", "trend", t.text, t.source, t.confidence, t.reviewed)
    training = load_scenarios()
    for so in training.strict_order:
        yield Sourced(
            "scenarios.toml", "strict order", f"{so.first}-{so.then}", so.text, so.source,
            so.confidence, so.reviewed,
        )  # fmt: skip
    for s in training.scenarios:
        yield Sourced(
            "scenarios.toml", "scenario", s.id, s.title, s.source, s.confidence, s.reviewed
        )


@cache
def sourced() -> tuple[Sourced, ...]:
    """Every entry of the rule book that carries a source, file by file (cached)."""
    return tuple(_walk())
