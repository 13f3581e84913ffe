"""What changed when in the rule book, and which entries are due for review.

Every dated entry of the data files (payer periods and code notes, modifier rules with
``from`` / ``until``, dated amounts) is a change on the day it starts (or the day after
it ends). The Rule changes page, ``python -m calc changes`` and the answers near a
change all read this one list.

>>> [c.on.isoformat() for c in rule_changes(since=dt.date(2025, 1, 1))]
['2026-01-01', '2025-01-01', '2025-01-01']
>>> relevant(rule_changes(), "bcbsnc", ["97012"])[0].text[:46]
'Blue Cross NC fully insured plans: 97012 and 9'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from calc.codes import load_codes
from calc.dates import Change, load_rulebook_dates
from calc.modifiers import load_modifier_rules
from calc.ncci import load_ncci_pairs
from calc.parameters import load_parameters
from calc.payers import load_payers


def rule_changes(since: dt.date | None = None) -> tuple[Change, ...]:
    """Every dated change in the rule book, newest first (from ``since`` on, if given)."""
    payers = load_payers()
    names = {p.id: p.name for p in payers}
    found = [
        *(c for p in payers for c in p.changes()),
        *load_modifier_rules().changes(),
        *(c for p in load_parameters() for c in p.changes()),
    ]
    named = [
        c
        if c.payer is None or c.payer_name
        else Change(c.on, c.text, c.payer, names.get(c.payer), c.codes, c.source, c.confidence)
        for c in found
    ]
    chosen = [c for c in named if since is None or c.on >= since]
    return tuple(sorted(chosen, key=lambda c: (c.on, c.payer or ""), reverse=True))


def relevant(
    changes: Iterable[Change], payer: str | None, codes: Iterable[str]
) -> tuple[Change, ...]:
    """The changes about this payer (or every payer) and about these codes (or the visit)."""
    wanted = set(codes)
    return tuple(
        c for c in changes if c.payer in (None, payer) and (not c.codes or wanted & set(c.codes))
    )


@dataclass(frozen=True)
class Due:
    """An entry whose last review is older than the rule book's review interval."""

    kind: str  # payer, rule, code, parameter
    id: str
    title: str
    reviewed: dt.date

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "title": self.title,
            "reviewed": self.reviewed.isoformat(),
        }


def reviewed_entries() -> list[Due]:
    """Every entry of the rule book that has a ``reviewed`` date."""
    book = load_modifier_rules()
    return [
        *(Due("payer", p.id, p.name, p.reviewed) for p in load_payers()),
        Due("rule", "order", "Modifier order", book.order.reviewed),
        *(Due("rule", r.id, r.title, r.reviewed) for r in book.rules),
        *(Due("code", c.code, c.name, c.reviewed) for c in load_codes()),
        *(Due("parameter", p.id, p.title, p.reviewed) for p in load_parameters()),
        *(
            Due("ncci", f"{'/'.join(p.column1)}-{'/'.join(p.column2)}", "NCCI pair", p.reviewed)
            for p in load_ncci_pairs().pairs
        ),
    ]


def review_due(on: dt.date) -> tuple[Due, ...]:
    """The entries due for review on ``on`` (reviewed more than 12 months before).

    >>> review_due(dt.date(2027, 11, 27)), len(review_due(dt.date(2027, 11, 28))) > 10
    ((), True)
    """
    dates = load_rulebook_dates()
    return tuple(e for e in reviewed_entries() if dates.review_due(e.reviewed, on))
