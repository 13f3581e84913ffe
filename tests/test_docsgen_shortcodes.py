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
from calc.payers import load_payers
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


def test_a_dated_amount_renders_each_value_with_its_dates() -> None:
    ids = rule_citations()
    for param in load_parameters():
        every = ids[f"parameters/{param.id}"]
        for value in param.values:
            one = ids[f"parameters/{param.id}@{value.period.start}"]
            assert value.shown in one and value.period.describe() in one and one in every
            assert badge(value.confidence) in one


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

_SHORTCODE = re.compile(r"<!--\s*(rule|source):.*?-->")
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
