"""The provenance views (calc.provenance): review dates per rules file, the source
registry with every entry that cites each source, and the help sheet's to-verify list.

>>> data_title("codes.toml")
'Codes'
"""

from __future__ import annotations

import html
from collections import Counter

from calc.modifiers import fill
from calc.provenance import Citing, Sourced, citing, sourced
from calc.sources import KINDS, Source, load_sources
from docsgen.dates import review_due
from docsgen.markdown import CONFIDENCE_TITLES, badge, capital, cell, cited, header, table

#: What each rules file holds, in the words the pages use (a file not listed here shows
#: its name without the extension: pages never show a file name).
DATA_TITLES = {
    "cases/units.toml": "Worked cases",
    "checklists.toml": "Documentation checklists",
    "codes.toml": "Codes",
    "modifier_rules.toml": "Modifier rules",
    "mue.toml": "MUE limits",
    "ncci_pairs.toml": "NCCI pairs",
    "payers.toml": "Payer profiles",
    "scenarios.toml": "Training scenarios",
    "statements.toml": "The calculator's own statements",
}


def data_title(name: str) -> str:
    """The page's name for a rules file.

    >>> data_title("payers.toml"), data_title("new_rules.toml")
    ('Payer profiles', 'New rules')
    """
    return DATA_TITLES.get(name, name.removesuffix(".toml").replace("_", " ").capitalize())


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


#: What each kind of source is, as the sources page heads it (calc.sources.KINDS order).
KIND_TITLES = {
    "primary": "Primary sources",
    "network-policy": "HNS network policy",
    "secondary": "Secondary sources",
    "project": "This calculator's own checks",
}
KIND_INTROS = {
    "primary": "The law, CMS, the Medicare contractors, and payers on their own rules.",
    "network-policy": "HNS's own rules for its providers: the network, not the payer.",
    "secondary": (
        "Trade, vendor and billing-advice pages: used to cross-check, never as the only "
        "source of a high-confidence rule."
    ),
    "project": "Not documents: what the calculator itself checks or reads into a rule.",
}
#: The section anchors the linking contract promises (docs/linking-contract.json).
KIND_ANCHORS = {"network-policy": "hns"}
#: Entries shown by their id (a code, a modifier, a pair of codes), not their title.
_BY_ID = {"code", "mue", "modifier", "edition", "order"}


def _citing_name(entry: Citing) -> str:
    if entry.kind in _BY_ID:
        return entry.id if entry.kind not in ("edition", "order") else entry.title
    return fill(entry.title, code="the code", payer="the payer")


def _date(s: Source) -> str:
    return f"{s.date_is} {s.date}" if s.date else "date unknown"


def cited_by(source_id: str) -> list[Citing]:
    """Every entry of the rule book that cites a source (calc.provenance.citing)."""
    return [e for e in citing() if source_id in e.cite.ids]


def _source_item(s: Source) -> list[str]:
    title = cell(s.title, links=False)
    if s.href is not None:
        title = f'<a class="source-link" href="{html.escape(s.href)}">{title}</a>'
    facts = [cell(s.publisher)]
    if s.kind != "project":  # the calculator's own checks: no document, no date
        facts += [_date(s)] + ([] if s.href else ["no public link recorded"])
    out = [f'- <span id="source-{s.id}"></span>**{title}** · {" · ".join(facts)}']
    if s.note:
        out.append(f"  <br><small>{cell(s.note)}</small>")
    by_file: dict[str, list[str]] = {}
    for entry in cited_by(s.id):
        by_file.setdefault(data_title(entry.file), []).append(cell(_citing_name(entry)))
    for title, names in by_file.items():
        out.append(f"    - {title} ({len(names)}): {'; '.join(names)}")
    if not by_file:
        out.append(f"    - Cited by no entry: {cell(s.kept or 'listed for reference')}")
    return out


def source_registry() -> str:
    """Every source of the registry once, grouped by kind: its title linked to the
    document, publisher, date, and every entry of the rule book that cites it."""
    parts = [header("calc/data/sources.toml", "calc/data/*.toml"), ""]
    for kind in KINDS:
        listed = [s for s in load_sources() if s.kind == kind]
        if not listed:
            continue
        anchor = KIND_ANCHORS.get(kind, kind)
        parts += [f"### {KIND_TITLES[kind]} {{#{anchor}}}", "", KIND_INTROS[kind], ""]
        for s in listed:
            parts += _source_item(s)
        parts.append("")
    return "\n".join(parts)


def _below_high(entry: Sourced) -> str:
    """One line of the to-verify list: what the entry is, its source and how sure."""
    what = f"{capital(entry.kind)} **{cell(entry.title)}**"
    if entry.kind == "rule":
        title = cell(fill(entry.title, code="the code", payer="the payer"))
        what = f"Rule [{title}](#rule-{entry.id})"
    return f"- {what}: {cited(entry.cite)} {badge(entry.confidence)}"


def to_verify() -> str:
    """Everything in the rules data below high confidence, and every statement the data
    marks to verify, in one list (calc.provenance.sourced)."""
    items = []
    for entry in sourced():
        items += [f"- **{cell(entry.title)}**: {cell(v)} {badge('verify')}" for v in entry.verify]
        if entry.confidence != "high":
            items.append(_below_high(entry))
    return "\n".join([header("calc/data/*.toml"), "", *items, ""])
