"""The provenance views (calc.provenance.sourced): review dates per rules file, every
source cited with how many entries cite it, and the help sheet's to-verify list.

>>> data_title("codes.toml")
'Codes'
"""

from __future__ import annotations

from collections import Counter

from calc.modifiers import fill
from calc.provenance import Sourced, sourced
from docsgen.dates import review_due
from docsgen.markdown import CONFIDENCE_TITLES, badge, capital, cell, header, table, wide_table

#: What each rules file holds, in the words the pages use (a file not listed here shows
#: its name without the extension: pages never show a file name).
DATA_TITLES = {
    "checklists.toml": "Documentation checklists",
    "codes.toml": "Codes",
    "modifier_rules.toml": "Modifier rules",
    "mue.toml": "MUE limits",
    "ncci_pairs.toml": "NCCI pairs",
    "payers.toml": "Payer profiles",
    "scenarios.toml": "Training scenarios",
}


def data_title(name: str) -> str:
    """The page's name for a rules file.

    >>> data_title("payers.toml"), data_title("new_rules.toml")
    ('Payer profiles', 'New rules')
    """
    return DATA_TITLES.get(name, name.removesuffix(".toml").replace("_", " ").capitalize())


def _source_parts(source: object) -> list[str]:
    return [part.strip() for part in str(source).split("; ") if part.strip()]


def _by_file() -> dict[str, list[Sourced]]:
    files: dict[str, list[Sourced]] = {}
    for entry in sourced():
        files.setdefault(entry.file, []).append(entry)
    return files


def review_dates() -> str:
    """Per data file: how many rules, how sure, and when they were last reviewed."""
    rows = []
    for name, entries in sorted(_by_file().items()):
        levels = Counter(e.confidence for e in entries)
        dates = sorted(e.reviewed.isoformat() for e in entries if e.reviewed)
        confidence = ", ".join(
            f"{badge(level)} {levels[level]}" for level in CONFIDENCE_TITLES if levels[level]
        )
        span = ""
        if dates:
            span = dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
            span += review_due(dates[0][:10])
        rows.append([data_title(name), len(entries), confidence, span])
    return "\n".join(
        [
            header("calc/data/*.toml"),
            "",
            table(["Rules", "Entries", "Confidence", "Last reviewed"], rows, "lrll"),
            "",
        ]
    )


def cited_sources() -> str:
    """Every source the rules data cites, with how many entries cite it."""
    counts: Counter[str] = Counter()
    files: dict[str, set[str]] = {}
    for entry in sourced():
        for part in _source_parts(entry.source):
            counts[part] += 1
            files.setdefault(part, set()).add(entry.file)
    rows = [
        [cell(source), counts[source], ", ".join(sorted(data_title(f) for f in files[source]))]
        for source in sorted(counts, key=lambda s: (-counts[s], s.lower()))
    ]
    return "\n".join(
        [
            header("calc/data/*.toml"),
            "",
            # a long web address cannot wrap: the table may scroll sideways
            wide_table("Sources cited"),
            "",
            table(["Source", "Entries citing it", "Rules"], rows, "lrl"),
            "",
            "</div>",
            "",
        ]
    )


def _below_high(entry: Sourced) -> str:
    """One line of the to-verify list: what the entry is, its source and how sure."""
    what = f"{capital(entry.kind)} **{cell(entry.title)}**"
    if entry.kind == "rule":
        title = cell(fill(entry.title, code="the code", payer="the payer"))
        what = f"Rule [{title}](#rule-{entry.id})"
    return f"- {what}: {cell(entry.source)} {badge(entry.confidence)}"


def to_verify() -> str:
    """Everything in the rules data below high confidence, and every statement the data
    marks to verify, in one list (calc.provenance.sourced)."""
    items = []
    for entry in sourced():
        items += [f"- **{cell(entry.title)}**: {cell(v)} {badge('verify')}" for v in entry.verify]
        if entry.confidence != "high":
            items.append(_below_high(entry))
    return "\n".join([header("calc/data/*.toml"), "", *items, ""])
