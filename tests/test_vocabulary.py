"""The engine's vocabulary (calc/vocabulary.py), which the pages' link reader and forms
use: it names exactly the fields the engine reads, and the linking contract lists them."""

from __future__ import annotations

import json

import pytest

from calc import api
from calc.errors import CalcError
from calc.inputs import choice, flag
from calc.requests import CLAIM_FIELDS
from calc.vocabulary import vocabulary
from tests.conftest import ROOT

WORDS = vocabulary()
CONTRACT = json.loads((ROOT / "docs" / "linking-contract.json").read_text(encoding="utf-8"))
PAGE_OF = {
    "units": "calculators/units/",
    "claim": "calculators/claim/",
    "documentation": "calculators/documentation/",
    "training": "training/",
}


def test_the_claims_link_fields_are_the_fields_the_engine_reads() -> None:
    assert set(WORDS["links"]["claim"]) == CLAIM_FIELDS
    assert set(WORDS["links"]["units"]) == {"lines", "method", "dos"}


@pytest.mark.parametrize("calculator", sorted(PAGE_OF))
def test_the_linking_contract_lists_the_accepted_names(calculator: str) -> None:
    (entry,) = [c for c in CONTRACT["calculator_links"] if c["url"] == PAGE_OF[calculator]]
    assert sorted(entry["params"]) == sorted(WORDS["links"][calculator])


def test_yes_and_no_words_are_the_ones_the_engine_reads() -> None:
    for word in WORDS["yes"]:
        assert flag("x", word) is True and flag("x", f" {word.upper()} ") is True
    for word in WORDS["no"]:
        assert flag("x", word) is False
    with pytest.raises(CalcError):
        flag("x", "maybe")


def test_every_choice_name_is_one_the_engine_accepts() -> None:
    for fields in WORDS["links"].values():
        for name, spec in fields.items():
            if spec["kind"] != "choice":
                continue
            names = [v["value"] for v in spec["values"]]
            for value in names:
                assert choice(name, value.upper(), names, spec["default"]) == value
            assert spec["default"] is None or spec["default"] in names
    payers = [p["id"] for p in api.call("payers", {})["payers"]]
    assert [v["value"] for v in WORDS["links"]["claim"]["payer"]["values"]] == payers


def test_it_is_plain_json() -> None:
    assert json.loads(json.dumps(WORDS)) == WORDS
