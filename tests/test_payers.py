"""calc.payers: the payer profiles, validated, with their verify marks."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from calc._data import read_toml
from calc.errors import CalcError
from calc.payers import load_payers, parse_payers

# The profiles as the project's specification gives them (copied so the test fails if
# the data file drifts from it):
# id -> (units method, methods a user may pick, HNS 59+GP with CMT, Medicare Part B)
RULE_BOOK = {
    "bcbsnc": ("cms", ("cms",), True, False),
    "nc-shp": ("cms", ("cms",), True, False),
    "medcost": ("cms", ("cms",), True, False),
    "zelis": ("cms", ("cms",), True, False),
    "commercial": ("cms", ("cms", "per-code"), False, False),
    "uhc": ("cms", ("cms",), False, False),
    "medicare": ("cms", ("cms",), False, True),
}


def test_the_six_profiles_match_the_rule_book() -> None:
    payers = load_payers()
    assert [p.id for p in payers] == list(RULE_BOOK)
    for p in payers:
        assert (p.units_method, p.units_methods, p.hns_59_gp_with_cmt, p.medicare_part_b) == (
            RULE_BOOK[p.id]
        ), p.id
        assert p.modifier_style == "59", "HNS specifies 59: the default everywhere"


def test_every_profile_has_provenance() -> None:
    for p in load_payers():
        assert p.name and p.source and p.confidence in ("high", "medium", "low", "verify")
        assert isinstance(p.reviewed, dt.date)


def test_shp_carries_the_2025_administrator_verify_flag() -> None:
    """State Health Plan 2025 benefit information: show the SHP flag wherever SHP
    appears, from 2025-01-01 on (Aetna administers the plan); until 2024-12-31 Blue
    Cross NC did, and the flag is not shown."""
    shp = load_payers().require("nc-shp")
    for day in (dt.date(2025, 1, 1), dt.date(2025, 1, 2), dt.date(2026, 11, 27)):
        on = shp.on(day)
        assert on.confidence == "verify"
        assert any("Aetna" in v and "2025-01-01" in v for v in on.verify)
    before = shp.on(dt.date(2024, 12, 31))
    assert before.confidence == "medium" and not any("Aetna" in v for v in before.verify)
    assert any("Blue Cross NC administers" in n for n in before.notes)


def test_hns_payers_flag_that_59_gp_comes_from_hns_policy_only() -> None:
    """HNS 97112 policy: no public BCBSNC or MedCost document states 59+GP; Zelis use is not
    public."""
    payers = load_payers()
    assert "HNS policy" in payers.require("bcbsnc").verify[0]
    assert "HNS policy" in payers.require("medcost").verify[0]
    assert "Zelis" in payers.require("zelis").verify[0]


def test_bcbsnc_warns_about_97012_and_97014() -> None:
    note, prior_auth = load_payers().require("bcbsnc").code_notes
    assert note.codes == ("97012", "97014") and "2024-12-01" in note.text
    assert note.period.start == dt.date(2024, 12, 1)
    assert "97112" in prior_auth.codes and "prior authorization" in prior_auth.text


def test_lookup_is_forgiving_about_case_and_spaces_but_clear_about_unknowns() -> None:
    payers = load_payers()
    assert payers.require(" BCBSNC ").id == "bcbsnc"
    with pytest.raises(CalcError) as err:
        payers.require("aetna")
    assert err.value.code == "unknown_payer" and "bcbsnc" in err.value.message
    with pytest.raises(CalcError) as err:
        payers.require("")
    assert err.value.code == "missing_payer"
    with pytest.raises(CalcError) as err:
        payers.require(42)
    assert err.value.code == "unknown_payer"


def test_as_dict_is_plain_json() -> None:
    d = load_payers().require("commercial").as_dict()
    assert d["units_methods"] == ["cms", "per-code"] and d["reviewed"] == "2026-11-27"


# --- malformed data: the error names the file, the entry and the problem --------------


def _data() -> dict[str, Any]:
    return copy.deepcopy(read_toml("payers.toml"))


def _set(key: str, value: Any) -> dict[str, Any]:
    data = _data()
    if value is None:
        del data["payer"][0][key]
    else:
        data["payer"][0][key] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_set("colour", "red"), "payers.toml, payer 'bcbsnc': unknown key 'colour'"),
        (_set("sources", None), "payers.toml, payer 'bcbsnc': missing key 'sources'"),
        (_set("sources", ["bcbs"]), "payers.toml, payer 'bcbsnc': unknown source id 'bcbs'"),
        (_set("reviewed", "27/11/2026"), "payers.toml, payer 'bcbsnc': 'reviewed' must be a date"),
        (_set("confidence", "sure"), "payers.toml, payer 'bcbsnc': confidence must be one of"),
        (_set("units_method", "eights"), "payers.toml, payer 'bcbsnc': unknown units method"),
        (_set("units_methods", ["per-code"]), "'units_methods' must include units_method 'cms'"),
        (_set("modifier_style", "XS"), "payers.toml, payer 'bcbsnc': 'modifier_style' must be"),
        (_set("hns_59_gp_with_cmt", "yes"), "'hns_59_gp_with_cmt' has the wrong type"),
        (_set("id", "BCBS NC"), "payers.toml, payer 'BCBS NC': 'id' must be lower case"),
        (_set("verify", "one"), "payers.toml, payer 'bcbsnc': 'verify' has the wrong type"),
    ],
)
def test_malformed_profile_names_file_entry_and_problem(data: dict, message: str) -> None:
    with pytest.raises(CalcError) as err:
        parse_payers("payers.toml", data)
    assert err.value.code == "bad_data"
    assert message in err.value.message


def test_unknown_code_in_a_code_note_is_named() -> None:
    data = _data()
    data["payer"][0]["code_note"][0]["codes"] = ["97012", "9701"]
    with pytest.raises(CalcError) as err:
        parse_payers("payers.toml", data)
    assert err.value.message == (
        "payers.toml, payer 'bcbsnc', code_note 1: unknown code '9701' in 'codes'"
    )


def test_a_payer_listed_twice_is_refused() -> None:
    data = _data()
    data["payer"].append(copy.deepcopy(data["payer"][0]))
    with pytest.raises(CalcError, match="payer 'bcbsnc': listed twice"):
        parse_payers("payers.toml", data)


def test_api_payers_call() -> None:
    from calc import api

    out = api.call("payers", {})
    assert [p["id"] for p in out["payers"]] == list(RULE_BOOK)
    assert api.call("payers", {"x": 1})["error"]["code"] == "bad_request"
