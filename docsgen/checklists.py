"""The documentation checklist page and the fields of a review record
(calc.documentation).

>>> "## " in checklist()
True
"""

from __future__ import annotations

from calc.documentation import FIELDS, load_checklists
from docsgen.dates import reviewed
from docsgen.markdown import badge, cell, cited, header, table

# --- the documentation checklist (calc.documentation) -------------------------------------

REQUIREMENT_LABELS = {
    "required": "always",
    "if-available": "if available",
    "as-applicable": "as applicable",
}


def checklist() -> str:
    """Every checklist group as a section (anchor = the group's id) with a table of its
    items (anchor = the item's id), from ``calc/data/checklists.toml``."""
    data = load_checklists()
    parts = [header("calc/data/checklists.toml"), ""]
    for group in data.groups:
        rows = []
        for item in (i for i in data.items if i.group == group.id):
            text = f'<span id="{cell(item.id)}"></span>{cell(item.text)}'
            if item.note:
                text += f" <br><small>{cell(item.note)}</small>"
            rows.append(
                [
                    '<span class="tick" aria-hidden="true">☐</span>',
                    text,
                    REQUIREMENT_LABELS.get(item.requirement, cell(item.requirement)),
                    f"{cited(item.cite)} {reviewed(item.reviewed.isoformat())}",
                    badge(item.confidence),
                ]
            )
        parts += [f"## {cell(group.title)} {{#{group.id}}}", ""]
        if group.intro:
            parts += [cell(group.intro), ""]
        parts += [
            '<div class="checklist" markdown>',
            "",
            table(["", "The record shows", "Needed", "Source", "Confidence"], rows),
            "",
            "</div>",
            "",
        ]
    return "\n".join(parts)


def documentation_fields() -> str:
    """The fields of a documentation review record (calc.documentation.FIELDS)."""
    rows = [[cell(f.label), f"`{f.name}`", cell(f.hint)] for f in FIELDS]
    return "\n".join(
        [
            header("calc/documentation.py (FIELDS)"),
            "",
            table(["Field", "Name in a record (JSON)", "What to enter"], rows),
            "",
        ]
    )
