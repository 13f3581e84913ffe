"""What a shortcode in prose renders to: every rule-book entry of
:func:`calc.provenance.sourced` by its shortcode id, as one line of Markdown (its
statement, the dates of service it applies to when it has them, its confidence badge
and its source).

A page writes ``<!-- rule: ID -->`` instead of restating the rule; ``hooks/shortcodes.py``
puts in the line this module rendered (``docsgen.shortcodes`` does the replacing).

The id of an entry is ``FILE/ID``: the rules file it lives in, without ``.toml``, and the
entry's own id there (``payers/nc-shp``, ``modifier_rules/59-with-cmt``, ``mue/97112``,
``codes/97112``, ``ncci_pairs/edition``). Two parts of an entry have ids of their own:

- a dated part, by the first date of service it applies to: ``payers/nc-shp@2025-01-01``
  (a payer's period), ``parameters/medicare-kx-threshold-pt-slp@2026-01-01`` (one year's
  amount; without ``@`` the id names every amount with its dates); a deleted NCCI edit
  by the date it was deleted (``ncci_pairs/97113/97110@DATE``);
- a payer's note on some codes, by the codes joined with ``+``:
  ``payers/bcbsnc/97012+97014``; what a profile could not confirm: ``payers/zelis/verify``.

An NCCI edit is named by its two columns, each column's codes joined with ``+``:
``ncci_pairs/98940+98941+98942/97112+97124+97140``; a row of codes with no edit in force
by its codes: ``ncci_pairs/no-edit/98943``.

>>> rule = rule_citations()["payers/nc-shp@2025-01-01"]
>>> "Aetna" in rule and "(dates of service from 2025-01-01)" in rule
True
>>> "$2,480" in rule_citations()["parameters/medicare-kx-threshold-pt-slp@2026-01-01"]
True
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterator

from calc.dates import ALWAYS, Period
from calc.modifiers import fill, load_modifier_rules
from calc.mue import load_mue
from calc.ncci import load_ncci_pairs
from calc.parameters import load_parameters
from calc.payers import load_payers
from calc.provenance import sourced
from calc.sources import Citation, load_sources
from docsgen.facts import code_ranges, fact_phrases
from docsgen.help_sheet import ref_words
from docsgen.markdown import badge, cell, cited, code_list, source_name

#: Entries this module renders from their own loader, in more words than the walk's
#: title (every other entry of the walk keeps its id and reads its title).
RICHER = ("modifier_rules/", "mue/")


def stem(file: str) -> str:
    """A rules file's name as ids write it.

    >>> stem("modifier_rules.toml")
    'modifier_rules'
    """
    return file.removesuffix(".toml")


def citation(statement: str, cite: Citation, confidence: str, period: Period = ALWAYS) -> str:
    """One entry as a line of Markdown: each source's name linked to its document.

    >>> print(citation("GP.", Citation((), "HNS policy"), "high", Period(dt.date(2020, 7, 1))))
    GP. <span class="nowrap">(dates of service from 2020-07-01)</span> <span class="badge badge-high" title="Confirmed in the source text">high</span> <small>Source: HNS policy.</small>
    """  # noqa: E501
    dates = (
        f' <span class="nowrap">(dates of service {period.describe()})</span>'
        if period.dated
        else ""
    )
    return f"{cell(statement)}{dates} {badge(confidence)} <small>Source: {cited(cite)}.</small>"


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "?", "!", ")")) else f"{text}."


def _from_sourced() -> dict[str, str]:
    """Every entry of the provenance walk whose id is unique, by its title."""
    counts: dict[str, int] = {}
    for entry in sourced():
        key = f"{stem(entry.file)}/{entry.id}"
        counts[key] = counts.get(key, 0) + 1
    return {
        f"{stem(e.file)}/{e.id}": citation(_sentence(e.title), e.cite, e.confidence)
        for e in sourced()
        if counts[f"{stem(e.file)}/{e.id}"] == 1
    }


def _payers() -> Iterator[tuple[str, str]]:
    for payer in load_payers():
        for part in payer.periods:
            if part.period.start is None:
                continue
            text = part.change or " ".join(part.notes or ())
            yield (
                f"payers/{payer.id}@{part.period.start}",
                citation(
                    _sentence(text),
                    part.cite or payer.cite,
                    part.confidence or payer.confidence,
                    part.period,
                ),
            )
        if payer.verify:  # what could not be confirmed, on every date without a period's own
            text = " ".join(payer.verify)
            yield f"payers/{payer.id}/verify", citation(_sentence(text), payer.cite, "verify")
        for note in payer.code_notes:
            yield (
                f"payers/{payer.id}/{'+'.join(note.codes)}",
                citation(_sentence(note.text), note.cite, note.confidence, note.period),
            )


def _rules() -> Iterator[tuple[str, str]]:
    for rule in load_modifier_rules().rules:
        code = " or ".join(ref_words(rule.codes)) or "the code"  # the codes it is about
        # a limit's sentences about "this visit" ({count}) are for a claim, not for prose
        said = ". ".join(s for s in rule.text.split(". ") if "{count}" not in s)
        text = fill(said, code=code, payer="the payer", triggers=["CMT"])
        yield (
            f"modifier_rules/{rule.id}",
            citation(_sentence(text), rule.cite, rule.confidence, rule.period),
        )


def _parameters() -> Iterator[tuple[str, str]]:
    for param in load_parameters():
        each = []
        for value in param.values:
            line = citation(
                f"{param.title}: {value.shown}.", value.cite, value.confidence, value.period
            )
            yield f"parameters/{param.id}@{value.period.start}", line
            each.append(line)
        yield f"parameters/{param.id}", " ".join(each)


def _ncci() -> Iterator[tuple[str, str]]:
    data = load_ncci_pairs()
    e = data.edition
    yield (
        "ncci_pairs/edition",
        citation(
            f"{e.title}, version {e.version}, effective {e.effective}.",
            e.cite,
            e.confidence,
        ),
    )
    for pair in data.pairs:
        key = f"ncci_pairs/{'+'.join(pair.column1)}/{'+'.join(pair.column2)}"
        outcome = f"modifier {pair.modifier} allowed" if pair.modifier else "no modifier allowed"
        text = (
            f"NCCI edit: column 1 {code_list(pair.column1)}, column 2 "
            f"{code_list(pair.column2)}, indicator {pair.indicator} ({outcome})."
        )
        last = None if pair.deleted is None else pair.deleted - dt.timedelta(days=1)
        line = citation(text, pair.cite, pair.confidence, Period(pair.effective, last))
        yield (key if pair.deleted is None else f"{key}@{pair.deleted}"), line
    for row in data.none_found:
        text = (
            f"No NCCI edit in force between {code_list(row.codes)} and any of "
            f"{code_ranges(row.against)}, in either order."
        )
        yield (
            f"ncci_pairs/no-edit/{'+'.join(row.codes)}",
            citation(text, row.cite, row.confidence),
        )


def _mue() -> Iterator[tuple[str, str]]:
    data = load_mue()
    for m in data.limits:
        text = (
            f"MUE for {m.code}: at most {m.value} units per day "
            f"(MAI {m.mai}: {m.explain()}), effective {data.effective}."
        )
        yield f"mue/{m.code}", citation(_sentence(text), m.cite, m.confidence)


def rule_citations() -> dict[str, str]:
    """Every shortcode id of the rule book and the Markdown it renders to."""
    found = _from_sourced()
    for key in [k for k in found if k.startswith("ncci_pairs/")]:
        del found[key]  # an edit and its deleted forerunner share the walk's id
    for parts in (_payers(), _rules(), _parameters(), _ncci(), _mue()):
        for key, text in parts:
            if key in found and not key.startswith(RICHER):
                raise AssertionError(f"two rule-book entries have the shortcode id {key!r}")
            found[key] = text
    return dict(sorted(found.items()))


def source_citations() -> dict[str, str]:
    """Every source of the registry by its id: its name as answers give it, linked to
    the document when public.

    >>> source_citations()["cms-pfs"]
    'CMS, Medicare Physician Fee Schedule'
    >>> source_citations()["cms-mln1783722"].startswith('<a class="source-link" href="https://')
    True
    """
    return {s.id: source_name(s) for s in load_sources()}


def citations_json() -> str:
    """The file the shortcodes hook reads (docs/_generated/citations.json): every id of
    each shortcode kind and its Markdown."""
    facts = {key: html.escape(text, quote=False) for key, text in fact_phrases().items()}
    kinds = {"rule": rule_citations(), "source": source_citations(), "fact": facts}
    return json.dumps(kinds, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
