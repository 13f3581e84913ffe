"""Every generated file by name, and the writing of them into ``docs/_generated/``.

>>> "unit-chart.md" in SNIPPETS
True
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from docsgen.audit import audit_columns, audit_findings
from docsgen.changes import rule_changes_page, rules_in_force
from docsgen.checklists import checklist, documentation_fields
from docsgen.citations import citations_json
from docsgen.codes import code_table, timed_code_list
from docsgen.glossary import modifier_glossary
from docsgen.help_sheet import (
    card_modifiers,
    help_sheet_by_payer,
    help_sheet_notes,
    help_sheet_rules,
    lines_by_payer,
    modifier_order,
)
from docsgen.linking import (
    calculator_links,
    linking_anchors,
    linking_calculators,
    linking_pages,
)
from docsgen.ncci import help_sheet_pairs, mue_limits
from docsgen.payers import payer_profiles
from docsgen.shortcodes import CITATIONS_FILE
from docsgen.sources import review_dates, source_registry, to_verify
from docsgen.training import training_key, training_scenarios
from docsgen.units import card_unit_chart, cms_examples, methods_compared, unit_chart, units_sources

# --- writing ---------------------------------------------------------------------------

SNIPPETS: dict[str, Callable[[], str]] = {
    "unit-chart.md": unit_chart,
    "card-unit-chart.md": card_unit_chart,
    "cms-examples.md": cms_examples,
    "methods-compared.md": methods_compared,
    "codes-timed.md": lambda: code_table("timed"),
    "codes-untimed.md": lambda: code_table("untimed"),
    "codes-not-calculated.md": lambda: code_table("not-calculated"),
    "timed-code-list.md": timed_code_list,
    "review-dates.md": review_dates,
    "source-registry.md": source_registry,
    "units-sources.md": units_sources,
    "checklist.md": checklist,
    "documentation-fields.md": documentation_fields,
    "help-sheet-by-payer.md": help_sheet_by_payer,
    "help-sheet-rules.md": help_sheet_rules,
    "help-sheet-notes.md": help_sheet_notes,
    "help-sheet-pairs.md": help_sheet_pairs,
    "modifier-order.md": modifier_order,
    "modifier-glossary.md": modifier_glossary,
    "mue-limits.md": mue_limits,
    "to-verify.md": to_verify,
    "payer-profiles.md": payer_profiles,
    "rules-in-force.md": rules_in_force,
    "rule-changes.md": rule_changes_page,
    "card-modifiers.md": card_modifiers,
    "lines-by-payer.md": lines_by_payer,
    "linking-pages.md": linking_pages,
    "linking-anchors.md": linking_anchors,
    "linking-calculators.md": linking_calculators,
    "link-units.md": lambda: calculator_links("calculators/units/"),
    "link-claim.md": lambda: calculator_links("calculators/claim/"),
    "training-scenarios.md": training_scenarios,
    "training-key.md": training_key,
    "audit-columns.md": audit_columns,
    "audit-findings.md": audit_findings,
    CITATIONS_FILE: citations_json,  # what the shortcodes in prose render to
}


def render_all() -> dict[str, str]:
    """Every snippet's text by file name."""
    return {name: render() for name, render in SNIPPETS.items()}


def build(out_dir: Path | str) -> list[Path]:
    """Write every snippet into ``out_dir``; return the files that changed.

    A file is rewritten only when its text changed, so ``mkdocs serve`` (which watches
    docs/) does not rebuild forever, and atomically (write, then rename), so a build
    running at the same time never reads half a file. Snippets no longer produced are
    removed.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    texts = render_all()
    changed = []
    for name, text in texts.items():
        path = out / name
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=out, prefix=f".{name}.", suffix=".tmp", delete=False
        ) as tmp:
            tmp.write(text)
        os.replace(tmp.name, path)
        changed.append(path)
    for stale in out.iterdir():
        if stale.suffix in (".md", ".json") and stale.name not in texts:
            stale.unlink(missing_ok=True)
            changed.append(stale)
    return changed
