"""The NCCI and MUE sections of the help sheet: edits in force, pairs with no edit,
deleted edits, and the most units per code per day.

>>> "MUE limits" in mue_limits()
True
"""

from __future__ import annotations

from calc.mue import load_mue
from calc.ncci import NcciPair, load_ncci_pairs
from docsgen.markdown import admonition, badge, cell, cited, code_list, header, table, wide_table


def _pair_outcome(pair: NcciPair) -> str:
    if not pair.modifier:
        return "**not billed**: no modifier"
    return f"**{pair.modifier}** on {'the E/M' if pair.modifier == '25' else 'column 2'}"


def help_sheet_pairs() -> str:
    """The NCCI PTP edits in force among our codes, the pairs with no edit, and the
    deleted edits (history, for older dates of service)."""
    data = load_ncci_pairs()
    pairs = [
        [
            code_list(p.column1),
            code_list(p.column2),
            p.indicator,
            _pair_outcome(p),
            cell(p.rationale),
            cell(p.notes),
        ]
        for p in data.active()
    ]
    none_found = [
        [code_list(n.codes), code_list(n.against), cell(n.notes)] for n in data.none_found
    ]
    history = [
        [
            code_list(p.column1),
            code_list(p.column2),
            p.indicator,
            p.deleted.isoformat() if p.deleted else "",
            cell(p.rationale),
        ]
        for p in data.deleted()
    ]
    edition = data.edition
    return "\n".join(
        [
            header("calc/data/ncci_pairs.toml"),
            "",
            f"From the **{cell(edition.title)}, version {cell(edition.version)}**, effective "
            f"{edition.effective.isoformat()} {badge(edition.confidence)}. "
            f"<small>Source: {cited(edition.cite)}; reviewed "
            f"{edition.reviewed.isoformat()}.</small>",
            "",
            admonition("warning", "Where these rows come from", cell(data.caveat)),
            "",
            wide_table("NCCI edits in force"),
            "",
            table(
                ["Column 1", "Column 2", "Indicator", "Column 2 code", "CMS rationale", "Notes"],
                pairs,
            ),
            "",
            "</div>",
            "",
            "### Pairs with no edit in force {#none-found}",
            "",
            "The table has no edit in force for these pairs, in either order: NCCI adds no "
            "modifier for them (a payer rule still may). They are listed so that no one "
            "mistakes a missing row for an unchecked one.",
            "",
            wide_table("Pairs with no edit in force"),
            "",
            table(["Codes", "Against", "Notes"], none_found),
            "",
            "</div>",
            "",
            "### Deleted edits (older dates of service) {#ncci-history}",
            "",
            "These edits were deleted before this edition. They apply only to dates of "
            "service before their deletion date; CMS's indicator 9 rows (deleted as never "
            "in force) are not listed.",
            "",
            '<details class="ncci-history" markdown>',
            f"<summary>{len(history)} deleted edits</summary>",
            "",
            table(["Column 1", "Column 2", "Indicator", "Deleted", "CMS rationale"], history),
            "",
            "</details>",
            "",
        ]
    )


def mue_limits() -> str:
    """The MUE limits: the most units per code per day, with the MAI in plain words."""
    data = load_mue()
    rows = [
        [
            f"**{m.code}**",
            str(m.value),
            f"{m.mai}: {cell(m.explain())}",
            cell(m.rationale),
            cell(m.notes),
        ]
        for m in data.limits
    ]
    return "\n".join(
        [
            header("calc/data/mue.toml"),
            "",
            f"From the **{cell(data.title)}**, effective {data.effective.isoformat()}. "
            f"<small>Source: {cited(data.cite)}.</small>",
            "",
            wide_table("MUE limits"),
            "",
            table(
                ["Code", "Most units per day", "MAI (how it applies)", "CMS rationale", "Notes"],
                rows,
            ),
            "",
            "</div>",
            "",
            "A code not listed has no MUE in the data (which does not mean it has no limit).",
            "",
        ]
    )
