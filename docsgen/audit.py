"""The claim file audit page: the CSV columns and the findings with their severities.

>>> "| `dos` |" in audit_columns()
True
"""

from __future__ import annotations

from calc.audit import COLUMN_HELP, COLUMNS, KINDS, REQUIRED, load_audit_rules
from docsgen.markdown import badge, cell, cited, header, table


def audit_columns() -> str:
    """The claim file audit's CSV format, from calc.audit."""

    rows = [
        (f"`{c}`", "required" if c in REQUIRED else "optional", COLUMN_HELP[c]) for c in COLUMNS
    ]
    body = table(["column", "needed", "what it holds"], rows)
    return header("calc/audit.py") + "\n\n" + body + "\n"


def audit_findings() -> str:
    """What the claim file audit reports, and how serious each finding is (audit.toml)."""

    rules = load_audit_rules()
    rows = [(f"`{k}`", rules.severity[k], rules.titles[k]) for k in KINDS]
    trend = rules.trend
    return (
        header("calc/data/audit.toml")
        + "\n\n"
        + table(["finding", "severity", "what it means"], rows)
        + f"\n\nThe trend check: {cell(trend.text)} Source: {cited(trend.cite)} "
        + badge(trend.confidence)
        + "\n"
    )
