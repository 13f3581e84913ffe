"""The codes page: one table per kind of code (timed, untimed, not calculated), each
code with its source, confidence, review date and MUE; the timed codes in one line.

>>> "97112" in timed_code_list()
True
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

from calc.codes import Code, load_codes
from calc.mue import load_mue
from docsgen.markdown import badge, cell, cited, header, table, wide_table

#: Plain-English labels for calc.codes.CATEGORIES (presentation only).
CATEGORY_LABELS = {
    "therapeutic-procedure": "Therapeutic procedure",
    "tests-and-measurements": "Tests and measurements",
    "orthotic-prosthetic": "Orthotic / prosthetic training",
    "constant-attendance-modality": "Modality, constant attendance",
    "supervised-modality": "Modality, supervised",
    "group-therapy": "Group therapy",
    "evaluation": "Evaluation",
    "cmt": "Chiropractic manipulation (CMT)",
    "em": "Evaluation and management (E/M)",
    "unlisted": "Unlisted",
}


# --- the code table ----------------------------------------------------------------


def _mue_cell(code: str) -> str:
    """A code's MUE for the codes page: units per day and the MAI (— when none)."""
    limit = load_mue().limit(code)
    if limit is None:
        return "—"
    meaning = html.escape(limit.explain(), quote=True)
    return f'{limit.value}<br><small title="{meaning}">MAI {limit.mai}</small>'


def _code_rows(codes: Iterable[Code]) -> list[list[str]]:
    return [
        [
            f"**{c.code}**",
            cell(c.name),
            "timed" if c.timed else "untimed",
            cell(CATEGORY_LABELS.get(c.category, c.category)),
            cell(c.notes),
            cited(c.cite),
            badge(c.confidence),
            f'<span class="nowrap">{c.reviewed.isoformat()}</span>',
            _mue_cell(c.code),
        ]
        for c in codes
    ]


CODE_HEADERS = [
    "Code",
    "Service",
    "Timed?",
    "Category",
    "Notes",
    "Source",
    "Confidence",
    "Reviewed",
    "MUE",
]


def code_table(kind: str) -> str:
    """``kind``: ``timed``, ``untimed`` or ``not-calculated`` (calc refuses the code)."""
    wanted: dict[str, Callable[[Code], bool]] = {
        "timed": lambda c: c.billable and c.timed,
        "untimed": lambda c: c.billable and not c.timed,
        "not-calculated": lambda c: not c.billable,
    }
    codes = [c for c in load_codes() if wanted[kind](c)]
    return "\n".join(
        [
            header("calc/data/codes.toml"),
            "",
            wide_table(f"{kind.capitalize()} codes".replace("-", " ")),
            "",
            table(CODE_HEADERS, _code_rows(codes)),
            "",
            "</div>",
            "",
        ]
    )


def timed_code_list() -> str:
    """The timed codes in one line (for the quick reference card)."""
    codes = ", ".join(c.code for c in load_codes() if c.billable and c.timed)
    return f"{codes} {header('calc/data/codes.toml')}\n"  # one line: included mid-sentence
