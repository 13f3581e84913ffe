"""The site: a clean strict build, every page and promised anchor present, tables that
come from calc, and no request to another origin from any built file.

The site is built once per session (``mkdocs build --strict`` with SITE_URL set, as a
deployment would), into a temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from calc.claim import Visit, build_claim
from calc.codes import load_codes
from calc.documentation import FIELDS, load_checklists
from calc.modifiers import load_modifier_rules
from calc.mue import load_mue
from calc.ncci import load_ncci_pairs
from calc.payers import load_payers
from calc.provenance import sourced
from calc.sources import load_sources
from calc.training import answer_key, load_scenarios
from calc.units import Entry, chart_units, compute_units
from docsgen import help_sheet, sources
from docsgen import units as units_page
from docsgen.dates import build_date
from docsgen.markdown import SITE_URL_TOKEN
from tests.conftest import ROOT

CONTRACT = json.loads((ROOT / "docs" / "linking-contract.json").read_text(encoding="utf-8"))
#: The fixed URL contract of the project brief, and the trainer's key (issue 7).
FIXED_URLS = [
    "",
    "policy/",
    "eight-minute-rule/",
    "help-sheet/",
    "checklist/",
    "codes/",
    "payers/",
    "changes/",
    "quick-reference/",
    "modifiers/",
    "sources/",
    "linking/",
    "calculators/units/",
    "calculators/claim/",
    "calculators/documentation/",
    "training/",
    "training-key/",
]
#: Pages without a "Sources" section of their own: the sources page is all sources, the
#: card prints its sources in one line.
NO_SOURCES_SECTION = {"sources/", "quick-reference/"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Site:
    root: Path
    url: str
    log: str

    def page(self, url: str) -> str:
        return (self.root / url / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    out = tmp_path_factory.mktemp("site")
    url = f"http://127.0.0.1:{_free_port()}/"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env={**os.environ, "SITE_URL": url, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    return Site(out, url, log)


# --- HTML helpers -----------------------------------------------------------------


class _Page(HTMLParser):
    """Ids, tables (as rows of cell texts, with the classes of enclosing divs), text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.tables: list[tuple[tuple[str, ...], list[list[str]]]] = []
        self.text: list[str] = []
        self._divs: list[str] = []
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "div":
            self._divs.append(a.get("class") or "")
        elif tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._divs:
            self._divs.pop()
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables.append((tuple(self._divs), self._rows))
            self._rows = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


@cache
def _parse_cached(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def parse(html: str) -> _Page:
    return _parse_cached(html)


def page_text(html: str) -> str:
    return " ".join("".join(parse(html).text).split())


def nav_sources() -> list[str]:
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))

    def walk(items: Any) -> Iterator[str]:
        for item in items:
            if isinstance(item, dict):
                for value in item.values():
                    yield from walk(value) if isinstance(value, list) else [value]
            elif isinstance(item, str):
                yield item

    return list(walk(config["nav"]))


def url_of(source: str) -> str:
    """'index.md' → '', 'calculators/units.md' → 'calculators/units/'."""
    return "" if source == "index.md" else source.removesuffix(".md") + "/"


# --- the build ------------------------------------------------------------------------


def test_strict_build_is_clean(site: Site) -> None:
    """--strict turns every warning into a failure; none is printed either."""
    assert not re.search(r"^(WARNING|ERROR)\b", site.log, re.MULTILINE), site.log


def test_every_nav_page_is_built_and_every_page_is_in_the_nav(site: Site) -> None:
    sources = nav_sources()
    for source in sources:
        assert (site.root / url_of(source) / "index.html").is_file(), source
    docs = ROOT / "docs"
    pages = {
        p.relative_to(docs).as_posix()
        for p in docs.rglob("*.md")
        if "_generated" not in p.relative_to(docs).parts
    }
    assert pages == set(sources)


def test_no_include_left_unexpanded(site: Site) -> None:
    for path in site.root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "{!" not in text and "!}" not in text, path
        assert SITE_URL_TOKEN not in text, path


def test_site_url_is_used_for_canonical_links(site: Site) -> None:
    """Instant navigation needs site_url to equal the address the site is served at."""
    for url in FIXED_URLS:
        assert f'<link rel="canonical" href="{site.url}{url}">' in site.page(url), url


# --- the linking contract -----------------------------------------------------------------


def test_contract_covers_the_fixed_urls() -> None:
    assert sorted(p["url"] for p in CONTRACT["pages"]) == sorted(FIXED_URLS)


def test_every_contract_url_and_anchor_exists(site: Site) -> None:
    for entry in CONTRACT["pages"]:
        ids = parse(site.page(entry["url"])).ids
        missing = [anchor for anchor in entry["anchors"] if anchor not in ids]
        assert not missing, f"{entry['url']}: anchors missing from the build: {missing}"


def test_calculator_links_use_their_declared_parameters(site: Site) -> None:
    for calc in CONTRACT["calculator_links"]:
        assert (site.root / calc["url"] / "index.html").is_file()
        for example in calc["examples"]:
            parts = urlsplit(example["link"])
            assert parts.path == calc["url"], example["link"]
            assert set(parse_qs(parts.query)) <= set(calc["params"]), example["link"]


def test_calculator_examples_are_engine_inputs() -> None:
    """The units examples in the contract are valid input for the engine."""
    from calc import api

    for example in CONTRACT["calculator_links"][0]["examples"]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(example["link"]).query).items()}
        assert "error" not in api.call("units", query), example["link"]


def test_linking_page_lists_every_address(site: Site) -> None:
    text = page_text(site.page("linking/"))
    for entry in CONTRACT["pages"]:
        assert f"{site.url}{entry['url']}" in text
        for anchor in entry["anchors"]:
            assert f"{site.url}{entry['url']}#{anchor}" in text


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [u for u in FIXED_URLS if u not in NO_SOURCES_SECTION])
def test_every_page_has_a_sources_section(site: Site, url: str) -> None:
    assert "sources" in parse(site.page(url)).ids


@pytest.mark.parametrize("kind", ["units", "claim", "documentation"])
def test_calculator_pages_read_without_javascript(site: Site, kind: str) -> None:
    """The widget mounts on an empty placeholder; the explanation is static HTML."""
    html = site.page(f"calculators/{kind}/")
    assert f'<div class="calc-widget" data-calc="{kind}"></div>' in html
    ids = parse(html).ids
    assert {"calculator", "inputs" if kind != "units" else "how-it-works", "sources"} <= ids
    assert len(page_text(html)) > 1500


def test_print_stylesheet_is_on_every_page(site: Site) -> None:
    css = (ROOT / "docs" / "assets" / "css" / "site.css").read_text(encoding="utf-8")
    assert "@media print" in css and ".badge-verify" in css
    for url in FIXED_URLS:
        assert 'href="' in site.page(url) and "assets/css/site.css" in site.page(url), url


# --- tables generated from calc ----------------------------------------------------------------


def test_codes_page_lists_every_code(site: Site) -> None:
    rows = [row for _, table in parse(site.page("codes/")).tables for row in table[1:]]
    listed = [row[0] for row in rows]
    assert sorted(listed) == sorted(c.code for c in load_codes())
    for row in rows:
        code = load_codes().require(row[0])
        assert row[2] == ("timed" if code.timed else "untimed"), row
        assert code.source.split(";")[0] in row[5], row
        assert row[6] == code.confidence and row[7] == code.reviewed.isoformat(), row


def test_codes_page_and_help_sheet_show_the_mue_limits(site: Site) -> None:
    rows = [row for _, table in parse(site.page("codes/")).tables for row in table[1:]]
    for row in rows:
        limit = load_mue().limit(row[0])
        assert row[8] == ("—" if limit is None else f"{limit.value} MAI {limit.mai}"), row
    text = page_text(site.page("help-sheet/"))
    assert (
        "From the CMS Medicare NCCI Practitioner Services MUE table, effective 2024-04-01" in text
    )
    assert "From the CMS Medicare NCCI Practitioner PTP edits, version 30.1" in text
    for limit in load_mue().limits:
        assert f"{limit.mai}: {limit.explain()}" in text, limit.code


def _unit_charts(html: str) -> list[list[list[str]]]:
    return [rows for divs, rows in parse(html).tables if any("unit-chart" in d for d in divs)]


@pytest.mark.parametrize("url", ["eight-minute-rule/", "calculators/units/", "quick-reference/"])
def test_unit_chart_matches_the_engine(site: Site, url: str) -> None:
    charts = _unit_charts(site.page(url))
    assert charts, f"no unit chart on {url}"
    for rows in charts:
        expected_low = 0
        for units, (minutes, shown) in enumerate(row[:2] for row in rows[1:]):
            low, high = (int(x) for x in minutes.split("–"))
            assert low == expected_low, minutes
            assert int(shown) == units
            assert all(chart_units(m) == units for m in range(low, high + 1)), minutes
            assert chart_units(low - 1) < units if low else True
            expected_low = high + 1
        assert expected_low > 120 if url != "quick-reference/" else expected_low >= 120


def test_cms_examples_page_shows_the_engines_steps(site: Site) -> None:
    text = page_text(site.page("eight-minute-rule/"))
    for example in units_page.CMS_EXAMPLES:
        result = compute_units([Entry(c, m) for c, m in example.lines])
        for step in result.steps:
            assert " ".join(step.split()) in text, step
        for warning in result.warnings:
            assert " ".join(warning.message.split()) in text
        if result.tie:
            assert " ".join(result.tie.message.split()) in text


def test_methods_compared_come_from_the_engine(site: Site) -> None:
    text = page_text(site.page("eight-minute-rule/"))
    for visit in units_page.COMPARED_VISITS:
        for method in ("cms", "per-code"):
            result = compute_units([Entry(c, m) for c, m in visit], method=method)
            assert units_page.billed(result) in text


def test_checklist_page_shows_every_item_with_its_source(site: Site) -> None:
    html = site.page("checklist/")
    page = parse(html)
    text = page_text(html)
    data = load_checklists()
    for group in data.groups:
        assert group.id in page.ids
    for item in data.items:
        assert item.id in page.ids, item.id
        assert " ".join(item.text.split()) in text, item.id
        assert " ".join(item.source.split()) in text, item.id


def test_documentation_page_lists_every_record_field(site: Site) -> None:
    text = page_text(site.page("calculators/documentation/"))
    for field in FIELDS:
        assert field.name in text and field.label in text


def test_ids_are_unique_on_every_page(site: Site) -> None:
    for path in site.root.rglob("*.html"):
        ids = re.findall(r'\sid="([^"]+)"', path.read_text(encoding="utf-8"))
        duplicates = {i for i in ids if ids.count(i) > 1}
        assert not duplicates, f"{path}: {duplicates}"


def test_help_sheet_shows_every_payer_code_and_rule(site: Site) -> None:
    """Every payer, every code of the NCCI data and every modifier rule is on the sheet,
    each pair and rule with its confidence and source."""
    html = site.page("help-sheet/")
    text = page_text(html)
    ids = parse(html).ids
    for payer in load_payers():
        assert payer.name in text and payer.id in text, payer.id
        for statement in payer.verify:
            assert " ".join(statement.split()) in text
    ncci = load_ncci_pairs()
    for pair in ncci.pairs:
        assert ", ".join(pair.column1) in text and ", ".join(pair.column2) in text
        assert " ".join(pair.source.split()) in text
    for row in ncci.none_found:
        assert ", ".join(row.against) in text
    for rule in load_modifier_rules().rules:
        assert f"rule-{rule.id}" in ids, rule.id
        assert " ".join(rule.source.split()) in text, rule.id
    order = load_modifier_rules().order
    assert " → ".join(order.modifiers) in text


def _table_with_header(html: str, first: str) -> list[list[str]]:
    return next(rows for _, rows in parse(html).tables if rows and rows[0][0] == first)


def test_help_sheet_by_payer_is_the_claim_builders_answer(site: Site) -> None:
    rows = _table_with_header(site.page("help-sheet/"), "Payer")
    scenarios = rows[0][1:]
    payers = list(load_payers())
    assert len(rows) - 1 == len(payers)
    for payer, row in zip(payers, rows[1:], strict=True):
        assert row[0].startswith(payer.name)
        for scenario, shown in zip(scenarios, row[1:], strict=True):
            named = scenario.replace("CMT", help_sheet.SAMPLE_CMT)
            codes = named.replace("E/M", help_sheet.SAMPLE_EM).split(" + ")
            entries = [
                Entry(c, help_sheet.SAMPLE_MINUTES if load_codes().require(c).timed else None)
                for c in codes
            ]
            claim = build_claim(Visit(lines=tuple(entries), payer=payer.id))
            expected = {"-".join([line.code, *line.modifiers]) for line in claim.lines}
            assert {t for t in shown.split() if t[0].isdigit()} == expected, (payer.id, shown)


def test_the_policy_case_is_on_the_help_sheet_and_the_card(site: Site) -> None:
    """The seed's rule, end to end: BCBSNC, CMT + 97112 → 97112-59-GP."""
    sheet = _table_with_header(site.page("help-sheet/"), "Payer")
    bcbsnc = next(row for row in sheet if row[0].startswith("Blue Cross NC"))
    assert "97112-59-GP" in bcbsnc[1].split()
    card = _table_with_header(site.page("quick-reference/"), "Payer (chiropractor)")
    assert any(row[0].startswith("Blue Cross NC") and row[1] == "97112-59-GP" for row in card)


def test_payers_page_has_a_section_per_profile(site: Site) -> None:
    html = site.page("payers/")
    text = page_text(html)
    for profile in load_payers():
        payer = profile.on(build_date())  # the page shows the profile of its day
        assert payer.id in parse(html).ids
        assert " ".join(payer.source.split()) in text
        assert payer.reviewed.isoformat() in text


def _raw_sourced(data: Any) -> int:
    """Tables with ``sources`` in a parsed TOML file, counted without calc's loaders."""
    if isinstance(data, dict):
        return 1 if "sources" in data else sum(_raw_sourced(v) for v in data.values())
    if isinstance(data, list):
        return sum(_raw_sourced(v) for v in data)
    return 0


def test_review_dates_cover_every_rules_file(site: Site) -> None:
    """Every data file with a sourced entry is in the one provenance walk, and so on the
    sources page (the walk reads the validated loaders; this reads the raw files)."""
    text = page_text(site.page("sources/"))
    walked = {e.file for e in sourced()}
    for path in sorted((ROOT / "calc" / "data").glob("*.toml")):
        if _raw_sourced(tomllib.loads(path.read_text(encoding="utf-8"))):
            assert path.name in walked, path.name
            assert sources.data_title(path.name) in text


def test_sources_page_lists_each_registry_source_once_with_its_link(site: Site) -> None:
    """Each source of calc/data/sources.toml once, under its kind, its title linked to
    the document when public ("no public link recorded" otherwise), with the entries
    citing it."""
    html = site.page("sources/")
    ids = parse(html).ids
    assert {"primary", "hns", "secondary", "cited"} <= ids
    for s in load_sources():
        assert html.count(f'id="source-{s.id}"') == 1, s.id
        title = escape(s.title, quote=False)
        item = html[html.index(f'id="source-{s.id}"') :].split("</li>", 1)[0]
        if s.href is None:
            assert f"<strong>{title}</strong>" in item, s.id
            assert ("no public link recorded" in item) == (s.kind != "project"), s.id
        else:
            link = f'<a class="source-link" href="{escape(s.href)}">{title}</a>'
            assert html.count(link) == 1 and link in item, s.id
        assert s.kind == "project" or (s.date or "date unknown") in item, s.id
    text = page_text(html)
    for entry in sourced():
        if entry.kind == "code":
            assert entry.id in text
    assert "HNS policy pages" not in text  # the hand-written lists are gone


def test_to_verify_lists_everything_below_high(site: Site) -> None:
    text = page_text(site.page("help-sheet/"))
    commercial = next(p for p in load_payers() if p.id == "commercial")
    assert commercial.confidence != "high"
    assert f"Payer {commercial.name}" in text  # the profile itself, not only its notes
    for entry in sourced():
        if entry.confidence != "high":
            assert " ".join(entry.source.split()) in text, entry


# --- training (issue 7) -------------------------------------------------------------------

_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)<a class="headerlink"', re.DOTALL)


def _headings(html: str) -> dict[str, str]:
    """Each h2's id and its text."""
    return {
        m[1]: " ".join(unescape(re.sub(r"<[^>]+>", "", m[2])).split()) for m in _H2.finditer(html)
    }


def test_training_key_has_every_scenario_with_the_engines_answer(site: Site) -> None:
    html = site.page("training-key/")
    headings = _headings(html)
    text = page_text(html)
    scenarios = load_scenarios().scenarios
    for s in scenarios:
        assert headings.get(s.id) == " ".join(s.title.split()), s.id
        assert f'href="../training/?scenario={s.id}"' in html, s.id
        answer = answer_key(s)
        for line in answer.billed:
            shown = line.display if s.kind == "claim" else f"{line.code} × {line.units}"
            assert shown in text, (s.id, shown)
        for item in answer.missing:
            assert " ".join(item.text.split()) in text, (s.id, item.id)
        assert " ".join(s.learning_point.split()) in text, s.id
    # one section per scenario: print keeps each on one page where it fits (site.css)
    assert html.count('<section class="training-key-scenario">') == len(scenarios)


def test_training_page_reads_without_javascript(site: Site) -> None:
    html = site.page("training/")
    assert '<div class="calc-widget" data-calc="training"></div>' in html
    assert {"practice", "how-it-works", "grading", "score", "scenarios", "sources"} <= parse(
        html
    ).ids
    for s in load_scenarios().scenarios:  # the list links to each scenario
        assert f'href="./?scenario={s.id}"' in html, s.id
    assert len(page_text(html)) > 3000


def test_training_links_in_the_contract_name_real_scenarios() -> None:
    from calc import api

    training = next(c for c in CONTRACT["calculator_links"] if c["url"] == "training/")
    assert list(training["params"]) == ["scenario"]
    for example in training["examples"]:
        scenario = parse_qs(urlsplit(example["link"]).query)["scenario"][0]
        assert "error" not in api.call("scenarios", {"scenario": scenario, "answers": False})
    key = next(p for p in CONTRACT["pages"] if p["url"] == "training-key/")
    for anchor in key["anchors"]:
        if anchor != "sources":
            load_scenarios().require(anchor)


# --- no request to another origin ------------------------------------------------------------

_ABSOLUTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_LOADING_RELS = {
    "stylesheet",
    "preload",
    "modulepreload",
    "prefetch",
    "prerender",
    "preconnect",
    "dns-prefetch",
    "icon",
    "apple-touch-icon",
    "mask-icon",
    "manifest",
}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
_JS_URL = re.compile(
    r"""["'`]((?:https?:|wss?:)?//(?:\$\{|[\w-]+(?:\.[\w-]+)+)[^"'`\s]*)""", re.IGNORECASE
)
#: Absolute URLs in third-party JavaScript that never load here, and why. Any other
#: absolute URL in a built JS file fails the test.
_DORMANT_JS_URLS = {
    # Material's bundle
    "https://api.github.com/": "repository facts: only with repo_url (not set)",
    "https://${e}/api/v4/projects/": "GitLab repository facts: only with repo_url (not set)",
    "https://unpkg.com/mermaid@": "only on a page with a mermaid diagram (there is none)",
    "https://unpkg.com/resize-observer-polyfill": "only in a browser without ResizeObserver; "
    "every browser that can run the calculators has it",
    # Pyodide's runtime
    "https://cdn.jsdelivr.net/pyodide/": "Pyodide's default package CDN: the site's loader "
    "gives its own indexURL and lock file; the browser tests record every request",
    "https://${t}": "Pyodide's socket support (Node only)",
}


class _Loads(HTMLParser):
    """What an HTML page makes the browser fetch by itself."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in: str | None = None
        self.mermaid = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for key in ("src", "poster", "background"):
            if key in a:
                self.urls.append(a[key])
        if "srcset" in a:
            self.urls += [part.split()[0] for part in a["srcset"].split(",") if part.strip()]
        if tag == "object" and "data" in a:
            self.urls.append(a["data"])
        if tag == "link" and set(a.get("rel", "").lower().split()) & _LOADING_RELS:
            self.urls.append(a.get("href", ""))
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.urls.append(a.get("content", "").partition("url=")[2])
        if "style" in a:
            self.styles.append(a["style"])
        if "mermaid" in a.get("class", "").split():
            self.mermaid = True
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)


def _other_origin(url: str, site_url: str) -> bool:
    url = unescape(url.strip())
    return bool(_ABSOLUTE.match(url)) and not url.startswith(site_url)


def _css_urls(css: str) -> list[str]:
    return [m.group(2) or m.group(4) or "" for m in _CSS_URL.finditer(css)]


def _js_foreign(js: str) -> list[str]:
    return [
        url
        for url in _JS_URL.findall(js)
        if not any(url.startswith(prefix) for prefix in _DORMANT_JS_URLS)
    ]


def test_no_file_loads_from_another_origin(site: Site) -> None:
    problems = []
    for path in sorted(site.root.rglob("*")):
        name = path.relative_to(site.root).as_posix()
        if path.suffix == ".html":
            loads = _Loads()
            loads.feed(path.read_text(encoding="utf-8"))
            urls = loads.urls + [u for s in loads.styles for u in _css_urls(s)]
            problems += [f"{name}: {u}" for u in urls if _other_origin(u, site.url)]
            problems += [f"{name}: script {u}" for s in loads.scripts for u in _js_foreign(s)]
            if loads.mermaid:
                problems.append(f"{name}: a mermaid diagram makes Material load mermaid.js")
        elif path.suffix == ".css":
            urls = _css_urls(path.read_text(encoding="utf-8"))
            problems += [f"{name}: {u}" for u in urls if _other_origin(u, site.url)]
        elif path.suffix in (".js", ".mjs"):
            js = path.read_text(encoding="utf-8", errors="replace")
            problems += [f"{name}: {u}" for u in _js_foreign(js)]
    assert not problems, "\n".join(problems)


def test_dormant_loaders_stay_dormant() -> None:
    """The conditions _DORMANT_JS_URLS relies on."""
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    assert not config["repo_url"]
    assert config["theme"]["font"] is False  # no Google Fonts
    for path in (ROOT / "docs").rglob("*.md"):
        assert "mermaid" not in path.read_text(encoding="utf-8"), path


def test_the_origin_scan_catches_what_it_should() -> None:
    """The scanner itself: each kind of outside load is found, local ones are not."""
    loads = _Loads()
    loads.feed(
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css">'
        '<link rel="canonical" href="https://elsewhere.example/">'
        '<script src="//cdn.example/x.js"></script>'
        '<img srcset="a.png 1x, https://x.example/b.png 2x">'
        '<a href="https://www.cms.gov/manual.pdf">source</a>'
        "<style>@import 'https://x.example/a.css';"
        ".a{background:url(data:image/png;base64,x)}</style>"
        '<script>fetch("https://api.example.com/v1")</script>'
    )
    urls = loads.urls + [u for s in loads.styles for u in _css_urls(s)]
    foreign = [u for u in urls if _other_origin(u, "http://127.0.0.1:8000/")]
    assert foreign == [
        "https://fonts.googleapis.com/css",
        "//cdn.example/x.js",
        "https://x.example/b.png",
        "https://x.example/a.css",
    ]
    assert [u for s in loads.scripts for u in _js_foreign(s)] == ["https://api.example.com/v1"]
    assert _js_foreign('const s = "//nbsp"; import("./local.mjs")') == []


# --- no internal names on pages (issue 14) -----------------------------------------------

#: What a page, a search result or an engine message must never show a user: the
#: project's own files, modules and commands (the rule book, data file names, the seed,
#: the CLI).
INTERNAL_NAME = re.compile(
    r"RULES\.md|ARCHITECTURE\.md|REDESIGN\.md|\b[a-z_]+\.toml\b|\bthe seed\b|calc/data"
    r"|python -m calc|\bcalc\.(?:api|claim|units|training|documentation)\b",
    re.IGNORECASE,
)


def _internal_names(text: str) -> list[str]:
    return [text[max(0, m.start() - 40) : m.end() + 20] for m in INTERNAL_NAME.finditer(text)]


def test_no_internal_names_on_any_page_or_in_search(site: Site) -> None:
    found = []
    for path in sorted(site.root.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        # what the page shows (a script's data is not shown)
        text = page_text(re.sub(r"<script\b.*?</script>", "", html, flags=re.DOTALL))
        found += [f"{path.relative_to(site.root)}: {hit}" for hit in _internal_names(text)]
    index = json.loads((site.root / "search" / "search_index.json").read_text(encoding="utf-8"))
    for doc in index["docs"]:
        for hit in _internal_names(unescape(doc["title"] + " " + doc["text"])):
            found.append(f"search {doc['location']}: {hit}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("call", "request_"),
    [
        ("units", {"lines": "97999:20"}),
        ("scenarios", {"scenario": "no-such-scenario"}),
        ("grade", {"scenario": "bcbsnc-same-region", "attempt": {"missing": ["nope"]}}),
        ("review", {"visit_codes": [{"code": "12345"}]}),
    ],
)
def test_engine_messages_name_no_internal_file_or_command(call: str, request_: Any) -> None:
    from calc import api

    answer = api.call(call, request_)
    assert "error" in answer, answer
    assert _internal_names(answer["error"]["message"]) == []


def test_the_internal_name_scan_catches_what_it_should() -> None:
    for text in [
        "Open question (RULES.md §6)",
        "see ncci_pairs.toml",
        "HNS policy (the seed)",
        "data (calc/data/payers.toml)",
        "or: python -m calc codes",
    ]:
        assert _internal_names(text), text
    assert _internal_names("Pub. 100-04, Ch. 5, §20.2; the 8-minute rule; 97112-59-GP") == []


# --- print (Chromium) ------------------------------------------------------------------------


def test_search_snippets_keep_words_apart(site: Site) -> None:
    """A table cell's id or code line on a line of its own (<br>) is a word of its own
    in the search index, not glued to the word before (issue 14: "59hns-59-…")."""
    index = json.loads((site.root / "search" / "search_index.json").read_text(encoding="utf-8"))
    glued = [
        f"{doc['location']}: {doc['text'][max(0, m.start() - 30) : m.end() + 30]}"
        for doc in index["docs"]
        for m in re.finditer(r"[\w.)]<code>", doc["text"])
    ]
    assert not glued, "\n".join(glued[:10])
    boosts = {doc["location"]: doc.get("boost", 1) for doc in index["docs"]}
    assert boosts["training-key/"] < 1 < boosts["policy/"]


def test_no_file_of_the_project_points_at_the_specs_it_does_not_contain() -> None:
    """Data headers, docstrings and tests cite the sources themselves, never the
    specification files the repository does not hold (issue 13)."""
    specs = re.compile(r"RULES\.md|ARCHITECTURE\.md|REDESIGN\.md")
    this = Path(__file__).resolve()
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("calc", "docsgen", "docs", "hooks", "tools", "tests", "bench")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file()
        and path.suffix in {".py", ".toml", ".md", ".json", ".mjs", ".js"}
        and path != this
        and "_generated" not in path.parts
        for n, line in enumerate(path.read_text("utf-8", errors="replace").splitlines(), 1)
        if specs.search(line)
    ]
    assert found == []
