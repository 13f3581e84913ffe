"""Dates on the pages: the "rules in force on" line and the Rule changes page.

>>> "Rule changes" in rules_in_force()
True
"""

from __future__ import annotations

from calc.changes import rule_changes
from calc.dates import load_rulebook_dates
from docsgen.dates import build_date
from docsgen.markdown import badge, cell, code_list, header, linked_names, table, wide_table


def rules_in_force() -> str:
    """The line the help sheet and the card carry: which day's rules they show."""
    return "\n".join(
        [
            header("calc/data/rulebook.toml"),
            "",
            f"**Rules in force on {build_date()}**, the day this page was built. For "
            "another date of service, use the [claim builder](calculators/claim.md): it "
            "applies the rules in force on the date you give it. What changed when: "
            "[Rule changes](changes.md).",
            "",
        ]
    )


def rule_changes_page() -> str:
    """Every dated change, newest first: date, what changed, payer, codes, source."""
    rows = [
        [
            f'<span class="nowrap">{c.on}</span>',
            cell(c.text),
            cell(c.payer_name or "every payer"),
            code_list(c.codes) if c.codes else "",
            f"{badge(c.confidence)} <small>{linked_names(c.source)}</small>",
        ]
        for c in rule_changes()
    ]
    book = load_rulebook_dates()
    return "\n".join(
        [
            header(
                "calc/data/payers.toml",
                "calc/data/modifier_rules.toml",
                "calc/data/parameters.toml",
            ),
            "",
            wide_table("Rule changes"),
            "",
            table(["Date", "What changed", "Payer", "Codes", "Source"], rows),
            "",
            "</div>",
            "",
            f"The rule book covers dates of service from {book.covered_from} "
            f"({cell(book.covered_from_why)}); it was last brought up to date on "
            f"{book.as_of}, and speaks for dates of service up to {book.reviewed_until}. "
            "A change without a date in its source is not listed: its rule is in force on "
            "every date the rule book covers.",
            "",
        ]
    )
