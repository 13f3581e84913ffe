"""Shortcodes in prose (docsgen.shortcodes, docsgen.citations, hooks/shortcodes.py): a
known id renders what the rule book says, an unknown id fails the build naming the
page, the line and the id, and no page restates a dated fact the data holds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from calc.modifiers import load_modifier_rules
from calc.mue import load_mue
from calc.ncci import load_ncci_pairs
from calc.parameters import load_parameters
from calc.payers import Payer, load_payers
from calc.provenance import sourced
from docsgen.citations import rule_citations, stem
from docsgen.markdown import badge, cell, cited
from docsgen.shortcodes import ShortcodeError, expand
from tests.conftest import ROOT

KNOWN = {"rule": {"payers/nc-shp": "NC State Health Plan.", "mue/97112": "4 a day."}, "source": {}}


def test_a_known_id_is_replaced_and_the_rest_of_the_page_kept() -> None:
    page = "SHP: <!-- rule: payers/nc-shp -->\nMUE: <!--rule:mue/97112--> <!-- other -->"
    assert expand(page, "x.md", KNOWN) == "SHP: NC State Health Plan.\nMUE: 4 a day. <!-- other -->"


def test_every_unknown_id_of_a_page_is_named_with_its_line_and_near_ids() -> None:
    page = "one\n<!-- rule: payers/nc-shpp -->\nthree <!-- source: nowhere -->\n"
    with pytest.raises(ShortcodeError) as raised:
        expand(page, "docs/policy.md", KNOWN)
    message = str(raised.value)
    assert "docs/policy.md:2: unknown rule id 'payers/nc-shpp' (did you mean: payers/nc-shp?)" in (
        message
    )
    assert "docs/policy.md:3: unknown source id 'nowhere'" in message


def test_every_entry_of_the_provenance_walk_has_an_id() -> None:
    ids = rule_citations()
    counts: dict[str, int] = {}
    for entry in sourced():
        key = f"{stem(entry.file)}/{entry.id}"
        counts[key] = counts.get(key, 0) + 1
    for key, count in counts.items():
        if count == 1 and not key.startswith("ncci_pairs/"):
            assert key in ids, key
    for pair in load_ncci_pairs().pairs:
        key = f"ncci_pairs/{'+'.join(pair.column1)}/{'+'.join(pair.column2)}"
        assert (key if pair.deleted is None else f"{key}@{pair.deleted}") in ids, key


def test_a_payers_dated_part_renders_its_statement_dates_confidence_and_source() -> None:
    shp = load_payers().require("nc-shp")
    part = next(p for p in shp.periods if p.period.start is not None)
    assert part.change is not None
    shown = rule_citations()[f"payers/nc-shp@{part.period.start}"]
    assert cell(" ".join(part.change.split())) in shown
    assert f"(dates of service from {part.period.start})" in shown
    assert badge(part.confidence or shp.confidence) in shown
    cite = part.cite or shp.cite
    assert cited(cite) in shown
    for source in cite.sources():  # each source linked to its document when public
        assert source.href is None or f'href="{source.href}"' in shown


def test_what_a_payer_could_not_confirm_renders_with_the_verify_mark() -> None:
    ids = rule_citations()
    for payer in load_payers():
        if payer.verify:
            shown = ids[f"payers/{payer.id}/verify"]
            assert all(cell(" ".join(v.split())) in shown for v in payer.verify)
            assert badge("verify") in shown and cited(payer.cite) in shown
        else:
            assert f"payers/{payer.id}/verify" not in ids


def test_a_dated_amount_renders_each_value_with_its_dates() -> None:
    ids = rule_citations()
    for param in load_parameters():
        every = ids[f"parameters/{param.id}"]
        for value in param.values:
            one = ids[f"parameters/{param.id}@{value.period.start}"]
            assert value.shown in one and value.period.describe() in one and one in every
            assert badge(value.confidence) in one


def test_a_modifier_rule_renders_its_sentences_and_names_its_codes() -> None:
    """Each sentence of a rule's text is kept whole (a limit's sentence about "this visit"
    is for a claim and is left out), and {code} reads as the codes the rule is about."""
    ids = rule_citations()
    for rule in load_modifier_rules().rules:
        shown = ids[f"modifier_rules/{rule.id}"]
        for sentence in rule.text.split(". ")[:-1]:
            if "{" not in sentence:
                assert cell(sentence + ".") in shown, (rule.id, sentence)
    excluded = ids["modifier_rules/medicare-dc-other-excluded"]
    assert excluded.startswith("Medicare does not cover 98943 or E/M codes when")
    limit = ids["modifier_rules/hns-initial-phase-two-therapies"]
    assert "usual and customary by HNS." in limit and "This visit" not in limit


# --- a real build of a tiny site through the hooks ---------------------------------------


def _tiny_build(tmp_path: Path, page: str) -> subprocess.CompletedProcess[str]:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(page, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: tiny\n"
        "exclude_docs: |\n  _generated/\n"
        f"hooks:\n  - {ROOT / 'hooks' / 'snippets.py'}\n  - {ROOT / 'hooks' / 'shortcodes.py'}\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_real_build_renders_a_known_id(tmp_path: Path) -> None:
    done = _tiny_build(tmp_path, "# SHP\n\nFrom 2025: <!-- rule: payers/nc-shp@2025-01-01 -->\n")
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Aetna" in html and "dates of service from 2025-01-01" in html
    assert "<!-- rule:" not in html


def test_a_real_build_fails_on_an_unknown_id(tmp_path: Path) -> None:
    done = _tiny_build(tmp_path, "# SHP\n\nline 3\n<!-- rule: payers/nc-shp@2025-01-02 -->\n")
    assert done.returncode != 0
    assert "docs/index.md:4: unknown rule id 'payers/nc-shp@2025-01-02'" in done.stderr
    assert "payers/nc-shp@2025-01-01" in done.stderr  # the nearest id
    assert not (tmp_path / "site" / "index.html").exists()


# --- no page restates a dated fact ---------------------------------------------------------

#: Pages allowed to restate a fact, each fact listed (so a new one fails): none since the
#: sources page is generated from the source registry (issue 13 step 3).
NOT_YET: dict[str, set[str]] = {}

_SHORTCODE = re.compile(r"<!--\s*(rule|source|fact):.*?-->", re.DOTALL)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def _dated_facts() -> set[str]:
    """The dates, amounts and editions the data holds: payer periods and code notes, dated
    amounts, modifier rules in force between dates, the NCCI and MUE editions."""
    facts: set[str] = set()
    for payer in load_payers():
        periods = [p.period for p in payer.periods] + [n.period for n in payer.code_notes]
        facts |= {str(d) for p in periods for d in (p.start, p.end) if d is not None}
    for param in load_parameters():
        for value in param.values:
            facts.add(value.shown)
            facts |= {str(d) for d in (value.period.start, value.period.end) if d is not None}
    for rule in load_modifier_rules().rules:
        facts |= {str(d) for d in (rule.period.start, rule.period.end) if d is not None}
    edition = load_ncci_pairs().edition
    facts |= {str(edition.effective), edition.version, str(load_mue().effective)}
    return facts


def test_no_page_restates_a_dated_fact_the_data_holds() -> None:
    """A page cites the rule book with a shortcode, or includes a generated table; a date,
    amount or edition written in its prose would go stale when the data changes. Text in
    code (a link's `?dos=2024-12-31`, an example to type) is input, not a fact."""
    facts = _dated_facts()
    assert "2025-01-01" in facts and "$2,480" in facts
    found = []
    for path in sorted((ROOT / "docs").rglob("*.md")):
        name = path.relative_to(ROOT).as_posix()
        if name.startswith("docs/_generated/"):
            continue
        text = _CODE.sub("", _SHORTCODE.sub("", path.read_text(encoding="utf-8")))
        allowed = NOT_YET.get(name, set())
        found += [f"{name}: {fact}" for fact in sorted(facts - allowed) if fact in text]
    assert not found, "restated instead of cited (<!-- rule: ID -->):\n" + "\n".join(found)


# --- no page restates a rule the data holds ------------------------------------------------

#: Headings that name a fact, kept as words because a heading reads better short; each is
#: tied to the data by test_headings_that_name_a_fact_agree_with_the_data.
TIED_HEADINGS = {
    "docs/policy.md": {
        "### 59 then GP for BCBSNC, SHP, MedCost and Zelis plans {#modifier-59-gp}",
        "### Two therapies per visit in the initial phase {#utilization}",
    },
}

_INCLUDE = re.compile(r"\{!.*?!\}")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def _alias(payer_id: str, name: str) -> set[str]:
    """The ways prose names a payer: its name, and its id as an abbreviation (BCBSNC, SHP)."""
    return {name.lower(), payer_id.removeprefix("nc-").lower()}


def _payers_named(text: str, flag: str) -> set[str]:
    low = text.lower()

    def named(payer: Payer) -> bool:
        return any(re.search(rf"\b{re.escape(a)}\b", low) for a in _alias(payer.id, payer.name))

    return {p.id for p in load_payers() if p.has_flag(flag) and named(p)}


def _rule_patterns() -> dict[str, re.Pattern[str]]:
    """What a restated rule looks like in prose, built from the data: the unit chart's
    thresholds, the initial-phase limit, the code ranges of a category or a rule, the
    order of two modifiers, a rule's modifiers in a row, an MUE number, an NCCI pair."""
    from calc.dates import FIRST_YEAR, LAST_YEAR, load_rulebook_dates
    from calc.training import load_scenarios
    from calc.units import UNIT_MINUTES, chart_row
    from docsgen.facts import fact_phrases, in_words

    minimum = chart_row(1)[0]
    limit = load_modifier_rules().get("hns-initial-phase-two-therapies").limit
    assert limit is not None
    found = {
        f"under {minimum} minutes": rf"\b{minimum}(?!-)\W+minutes\b",  # not "8-minute rule"
        f"{UNIT_MINUTES}-minute units": (
            rf"\b{UNIT_MINUTES}-minute\s+units?|units\s+of\s+{UNIT_MINUTES}\b"
        ),
        "the chart's first row": rf"\b{chart_row(1)[0]}–{chart_row(1)[1]}\s+minutes",
        f"the initial-phase limit ({limit})": (
            rf"(?:more than|at most|no more than)\W+(?:{in_words(limit)}|{limit})\W+therap"
        ),
        "an MUE number": r"\bMUE\b[^.\n]{0,30}\b\d+\s+units?",
        "the change window": rf"\b{load_rulebook_dates().change_window_days}\s+days\b",
        "the years of a date of service": rf"\b(?:{FIRST_YEAR}|{LAST_YEAR})\b(?!-)",
    }
    for key, phrase in fact_phrases().items():
        if key.startswith("codes/") or key.endswith("/codes"):
            for part in phrase.split(", "):
                if "–" in part:
                    found[f"codes {part} ({key})"] = re.escape(part)
            if phrase.count(", ") >= 2 and "–" not in phrase and phrase[:1].isdigit():
                found[f"codes {phrase} ({key})"] = re.escape(phrase)
    for order in load_scenarios().strict_order:
        a, b = re.escape(order.first), re.escape(order.then)
        found[f"{order.first} before {order.then}"] = (
            rf"\b{a}\W+(?:comes\s+)?before\W+{b}\b|\b{a}\W+first,?\s+followed by\W+{b}\b"
            rf"|\b{a}\**,?\s+(?:and|then)\s+\**{b}\**,?\s+in that order"
        )
    for rule in load_modifier_rules().rules:
        if len(rule.add) >= 2:
            a, b = (re.escape(m) for m in rule.add[:2])
            found[f"{'+'.join(rule.add)} ({rule.id})"] = rf"\b{a}\**\s*(?:\+|and|, then)\s*\**{b}\b"
    for pair in load_ncci_pairs().active():
        for c1 in pair.column1:
            for c2 in pair.column2:
                found[f"NCCI pair {c1}/{c2}"] = rf"\b{c1}\s*/\s*{c2}\b"
    return {name: re.compile(pattern, re.IGNORECASE) for name, pattern in found.items()}


def _vocabulary_patterns() -> dict[str, re.Pattern[str]]:
    """Vocabulary written as code: the yes/no words of a link, two or more in a row."""
    from calc.inputs import NO_WORDS, YES_WORDS

    pairs = [
        rf"`{re.escape(y)}`\s*/\s*`{re.escape(n)}`"
        for y, n in zip(YES_WORDS, NO_WORDS, strict=False)
    ]
    return {"the yes/no words": re.compile(rf"(?:{'|'.join(pairs)})\W+(?:{'|'.join(pairs)})")}


def _prose(path: Path) -> str:
    """A page's own words: no front matter, shortcodes, included snippets or code."""
    text = _FRONT_MATTER.sub("", path.read_text(encoding="utf-8"))
    text = _CODE.sub("", _INCLUDE.sub("", _SHORTCODE.sub("", text)))
    tied = TIED_HEADINGS.get(path.relative_to(ROOT).as_posix(), set())
    return "\n".join(line for line in text.splitlines() if line not in tied)


def _pages() -> list[Path]:
    docs = ROOT / "docs"
    return [p for p in sorted(docs.rglob("*.md")) if "_generated" not in p.parts]


def test_no_page_restates_a_rule_the_data_holds() -> None:
    """Which payers get 59 then GP, the codes of a category, the 8-minute threshold, the
    two-therapies limit, the order of 59 and GP, a rule's modifiers, an MUE, an NCCI pair:
    a page cites them (<!-- fact: ID -->, <!-- rule: ID -->) or includes a generated
    snippet, so it changes when the data does."""
    patterns = _rule_patterns()
    assert {"under 8 minutes", "59 before GP", "codes 98940–98943 (codes/cmt)"} <= set(patterns)
    found = []
    for path in _pages():
        name = path.relative_to(ROOT).as_posix()
        text = _prose(path)
        found += [f"{name}: {what}" for what, pattern in patterns.items() if pattern.search(text)]
        with_code = _INCLUDE.sub("", _SHORTCODE.sub("", path.read_text(encoding="utf-8")))
        vocabulary = _vocabulary_patterns().items()
        found += [f"{name}: {what}" for what, pattern in vocabulary if pattern.search(with_code)]
        for paragraph in re.split(r"\n\s*\n", text):
            named = _payers_named(paragraph, "hns_59_gp_with_cmt")
            if len(named) >= 3:
                found.append(f"{name}: the payers of the 59-then-GP rule {sorted(named)}")
    assert not found, "restated instead of cited (<!-- fact: ID -->):\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("restated", "what"),
    [
        ("Under 8 minutes it is not billed.", "under 8 minutes"),
        ("Billed in 15-minute units.", "15-minute units"),
        ("In the initial phase, more than two therapies warn.", "the initial-phase limit (2)"),
        ("CMT codes (98940–98943)", "codes 98940–98943 (codes/cmt)"),
        ("HNS: 59 first, followed by GP.", "59 before GP"),
        ("with **GP + GY**", "GP+GY (medicare-dc-therapy-excluded)"),
        ("97112 carries **59 and GP, in that order**", "59 before GP"),
        ("the pair 97140/97124", "NCCI pair 97140/97124"),
    ],
)
def test_the_restated_rule_patterns_catch_what_was_fixed(restated: str, what: str) -> None:
    assert _rule_patterns()[what].search(restated)


def test_the_yes_no_words_in_code_are_caught() -> None:
    pattern = _vocabulary_patterns()["the yes/no words"]
    assert pattern.search("yes/no values may be `1`/`0`, `true`/`false`, `yes`/`no`")
    assert not pattern.search("`same_region=1`")


def test_a_list_of_the_59_then_gp_payers_is_caught() -> None:
    text = "When 97112 is billed to Blue Cross NC (BCBSNC), the NC State Health Plan (SHP), MedCost"
    assert _payers_named(text, "hns_59_gp_with_cmt") == {"bcbsnc", "nc-shp", "medcost"}


def test_headings_that_name_a_fact_agree_with_the_data() -> None:
    """The headings kept as words (TIED_HEADINGS) say what the data says: this fails when
    the data changes and the heading does not."""
    from calc.units import chart_row
    from docsgen.facts import in_words

    policy = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8").splitlines()
    headings = TIED_HEADINGS["docs/policy.md"]
    assert headings <= set(policy), "a tied heading changed: update TIED_HEADINGS"
    gp = next(h for h in headings if "{#modifier-59-gp}" in h)
    flagged = {p.id for p in load_payers() if p.has_flag("hns_59_gp_with_cmt")}
    assert _payers_named(gp, "hns_59_gp_with_cmt") == flagged
    rule = load_modifier_rules().get("hns-59-gp-with-cmt")
    assert gp.startswith(f"### {' then '.join(rule.add)} for ")
    two = next(h for h in headings if "{#utilization}" in h)
    limit = load_modifier_rules().get("hns-initial-phase-two-therapies").limit
    assert limit is not None and two.startswith(f"### {in_words(limit).capitalize()} therapies")
    # the rule's name, on every page that uses it, is the chart's threshold
    assert chart_row(1)[0] == 8, "the '8-minute rule' pages and titles name the threshold"
