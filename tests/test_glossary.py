"""calc.glossary: every modifier a claim can carry has a definition with a source, and
the claim answer points each modifier it shows to its entry (issue 14, item 5)."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import pytest
from hypothesis import given, settings

from calc import api
from calc._data import read_toml
from calc.errors import CalcError
from calc.glossary import DATA_FILE, anchor, load_glossary, parse_glossary
from calc.modifiers import load_modifier_rules
from calc.sources import source
from tests.test_claim import visits

ISSUE_LIST = ["59", "XS", "XE", "GP", "GY", "GX", "GA", "GZ", "AT", "25", "KX"]


def test_the_issues_modifiers_and_every_claim_modifier_are_defined() -> None:
    codes = [entry.code for entry in load_glossary()]
    assert set(ISSUE_LIST) <= set(codes)
    assert set(load_modifier_rules().order.modifiers) <= set(codes)
    for entry in load_glossary():
        assert entry.source and entry.meaning and entry.on_claims and entry.confidence


def test_the_zelis_question_is_answered_from_sources() -> None:
    (question,) = [q for q in load_glossary().questions if q.id == "zelis"]
    assert "Only the plan can tell you" in question.answer
    assert all(url.startswith("https://") for url in question.urls)


def test_addresses_come_from_the_source_registry_only() -> None:
    """The glossary writes no address of its own: an entry links the document it names
    (or its first source with an address), a question every cited source with one."""
    assert "https://" not in (files("calc") / "data" / DATA_FILE).read_text("utf-8")
    by_code = {m.code: m for m in load_glossary()}
    assert by_code["59"].url == source("cms-mln1783722").href  # the first it cites
    assert by_code["GA"].url == source("palmetto-jm-chiro-at-ga").href  # named: document
    (zelis,) = load_glossary().questions
    assert zelis.urls == tuple(s.href for s in zelis.cite.sources() if s.href)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["modifier"].pop(0), "no entry for modifier '25'"),
        (lambda d: d["modifier"].append(dict(d["modifier"][0])), "listed twice"),
        (lambda d: d["modifier"][0].update(url="https://www.cms.gov"), "unknown key 'url'"),
        (lambda d: d["modifier"][0].update(document="cms-pfs"), "one of its sources"),
        (lambda d: d["modifier"][0].update(document="ama-cpt"), "with a public address"),
        (lambda d: d["modifier"][0].pop("sources"), "missing key 'sources'"),
        (lambda d: d["question"][0].update(id="Zelis plans"), "lower-case words"),
    ],
)
def test_a_broken_glossary_is_refused_with_its_place(change: Any, message: str) -> None:
    data = read_toml(DATA_FILE)
    change(data)
    with pytest.raises(CalcError) as err:
        parse_glossary(DATA_FILE, data)
    assert message in str(err.value) and DATA_FILE in str(err.value)


@settings(max_examples=150, deadline=None)
@given(visits())
def test_every_modifier_in_a_claim_answer_points_to_its_entry(request: dict[str, Any]) -> None:
    out = api.call("claim", request)
    if "error" in out:
        return
    shown = {m for line in out["lines"] for m in line["modifiers"]}
    assert set(out["glossary"]) == shown
    defined = {anchor(entry.code) for entry in load_glossary()}
    assert set(out["glossary"].values()) <= defined
