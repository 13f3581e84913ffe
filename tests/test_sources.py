"""The source registry (calc/data/sources.toml, calc/sources.py): its checks, the
citations every data file makes by id, and that each registry source is cited (or kept
on purpose) and each cited id resolves."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from typing import Any

import pytest

from calc._data import read_toml
from calc.codes import parse_codes
from calc.errors import CalcError
from calc.payers import parse_payers
from calc.provenance import citing, sourced
from calc.sources import KINDS, Citation, load_sources, parse_sources, read_citation, source
from tests.conftest import ROOT


def _registry() -> dict[str, Any]:
    return copy.deepcopy(read_toml("sources.toml"))


def test_the_registry_loads_with_unique_ids_and_known_kinds() -> None:
    listed = load_sources()
    assert len({s.id for s in listed}) == len(listed) > 30
    assert {s.kind for s in listed} <= set(KINDS)
    assert all(s.href is None or s.href.startswith("https://") for s in listed)
    assert all((s.date is None) == (s.date_is is None) for s in listed)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["source"].append(dict(d["source"][0])),
            "sources.toml, source 'cms-100-04-ch5': id 'cms-100-04-ch5' is listed twice",
        ),
        (
            lambda d: d["source"][0].update(colour="red"),
            "sources.toml, source 'cms-100-04-ch5': unknown key 'colour'",
        ),
        (
            lambda d: d["source"][0].update(kind="law"),
            "sources.toml, source 'cms-100-04-ch5': 'kind' must be one of primary",
        ),
        (
            lambda d: d["source"][0].update(date="May 2020", date_is="published"),
            "sources.toml, source 'cms-100-04-ch5': 'date' must be a date like 2020-05-29",
        ),
        (
            lambda d: d["source"][0].update(date="2020"),
            "sources.toml, source 'cms-100-04-ch5': 'date' and 'date_is' go together",
        ),
        (
            lambda d: d["source"][0].update(href="http://example.org/x"),
            "sources.toml, source 'cms-100-04-ch5': 'href' must be an https:// address",
        ),
        (
            lambda d: d["source"][0].update(id="CMS 100-04"),
            "sources.toml, source 'CMS 100-04': 'id' must be lower-case words",
        ),
        (
            lambda d: d["source"][0].pop("title"),
            "sources.toml, source 'cms-100-04-ch5': missing key 'title'",
        ),
    ],
)
def test_a_bad_registry_entry_is_refused_naming_file_and_entry(
    change: Callable[[dict[str, Any]], Any], message: str
) -> None:
    data = _registry()
    change(data)
    with pytest.raises(CalcError) as err:
        parse_sources(data)
    assert err.value.code == "bad_data"
    assert message in err.value.message


def test_an_unknown_source_id_is_a_load_error_naming_file_entry_and_id() -> None:
    codes = read_toml("codes.toml")
    codes["code"][0]["sources"] = ["ama-cpt", "cms-100-04-ch-5"]
    with pytest.raises(CalcError) as err:
        parse_codes("codes.toml", codes)
    assert err.value.message.startswith(
        "codes.toml, code '97112': unknown source id 'cms-100-04-ch-5'"
    )
    payers = read_toml("payers.toml")
    payers["payer"][0]["period"][0]["sources"] = ["bcbsnc-cci"]
    with pytest.raises(CalcError) as err:
        parse_payers("payers.toml", payers)
    assert "payers.toml, payer 'bcbsnc', period 1: unknown source id 'bcbsnc-cci'" in str(
        err.value.message
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"sources": []}, "'sources' is empty: say why in 'where'"),
        ({"sources": ["hns-97112", "hns-97112"]}, "'sources' names a source twice"),
        ({"sources": "hns-97112"}, "'sources' has the wrong type"),
        ({"sources": ["hns-97112"], "where": " "}, "'where' must not be empty"),
    ],
)
def test_a_bad_citation_is_refused(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(CalcError) as err:
        read_citation("x.toml, rule 'r'", entry)
    assert err.value.message.startswith("x.toml, rule 'r': " + message)


def test_every_registry_source_is_cited_or_kept_on_purpose() -> None:
    cited = {i for entry in citing() for i in entry.cite.ids}
    for s in load_sources():
        if s.kept is None:
            assert s.id in cited, f"{s.id}: cited by no entry (cite it, or say why in 'kept')"
        else:
            assert s.id not in cited, f"{s.id}: cited, so 'kept' is not needed"


def test_every_cited_id_resolves_and_every_entry_cites_something() -> None:
    entries = citing()
    assert len(entries) > len(sourced()) >= 200
    for entry in entries:
        assert entry.cite.ids or entry.cite.where, entry
        for i in entry.cite.ids:
            assert source(i).id == i


def test_no_data_file_keeps_a_free_text_source() -> None:
    """Every rules file cites the registry (``sources``), never free text (``source``)."""

    def free_text(data: Any) -> int:
        if isinstance(data, dict):
            return ("source" in data) + sum(free_text(v) for v in data.values())
        if isinstance(data, list):
            return sum(free_text(v) for v in data)
        return 0

    files = sorted((ROOT / "calc" / "data").rglob("*.toml"))
    assert len(files) > 10
    for path in files:
        if path.name != "sources.toml":
            assert not free_text(tomllib.loads(path.read_text(encoding="utf-8"))), path.name


def test_a_citation_names_each_source_the_same_way() -> None:
    """One spelling per document: the answers' text is the registry's name, then where."""
    hns = source("hns-97112")
    assert hns.name == "HNS, CPT 97112 – Neuromuscular Reeducation"
    texts = [e.source for e in citing() if "hns-97112" in e.cite.ids]
    assert len(texts) > 20 and all(hns.name in t for t in texts)
    assert Citation(("hns-97112",), "Modifiers Needed").text == f"{hns.name} — Modifiers Needed"
    assert Citation(("webpt-8-minute",)).text.endswith("(secondary source)")
    dated = source("palmetto-jm-chiro-at-ga").name
    assert dated.endswith("(published 2020-05-29)")


def test_an_answer_links_the_public_documents_its_sources_name() -> None:
    """``source_links``: each registry source with an address whose name is in one of the
    answer's source texts, once; none for a source without an address."""
    from calc.api import call

    out = call("claim", {"payer": "bcbsnc", "lines": "98941,97112:23", "dos": "2026-12-01"})
    said = "\n".join([*out["sources"], *(m["source"] for m in out["warnings"] + out["notes"])])
    links = out["source_links"]
    assert [link["id"] for link in links] == sorted(
        {link["id"] for link in links}, key=[s.id for s in load_sources()].index
    )
    assert {"hns-97112", "bcbsnc-cci-oce-2021"} <= {link["id"] for link in links}
    for link in links:
        s = source(link["id"])
        assert (link["name"], link["href"]) == (s.name, s.href) and s.name in said
    units = call("units", {"lines": "97112:24", "dos": "2026-12-01"})
    assert [link["id"] for link in units["source_links"]] == ["cms-100-04-ch5"]


def test_the_sources_page_names_ncci_edits_in_words_a_biller_reads() -> None:
    """An NCCI edit is listed with its columns and indicator (a deleted one with its
    date), not as a run of codes joined by slashes."""
    from docsgen.sources import source_registry

    page = source_registry()
    assert "98940, 98941, 98942 (column 1) with 97112, 97124, 97140 (column 2), indicator 1" in page
    assert ", deleted 20" in page
    assert "97012/97018" not in page and "Blue Cross NC, 97012/97014" not in page
    assert "Blue Cross NC: note on 97012, 97014" in page


def test_public_cms_and_federal_texts_carry_their_address() -> None:
    for sid in ("cms-100-04-ch5", "cms-100-02-ch15", "cms-mln1783722", "ncci-policy-manual"):
        assert (source(sid).href or "").startswith("https://www.cms.gov/")
    assert (source("cfr-42-410-21").href or "").startswith("https://www.ecfr.gov/")
