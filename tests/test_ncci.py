"""calc.ncci: the NCCI rows of RULES.md §3.3, with "none found" rows kept apart."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from calc._data import read_toml
from calc.errors import CalcError
from calc.ncci import load_ncci_pairs, parse_ncci

CMT = ["98940", "98941", "98942"]
EM = ["99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215"]

# RULES.md §3.3, row by row: (column 1, column 2, indicator, modifier, confidence)
RULE_BOOK = [
    (CMT, ["97112"], "1", "59", "high"),
    (CMT, ["97124"], "1", "59", "high"),
    (CMT, ["97140"], "1", "59", "high"),
    (["98943"], ["97112", "97124", "97140"], "unknown", "59", "verify"),
    (CMT, EM, "1", "25", "high"),
    (["97150"], ["97112"], "1", "59", "medium"),
    (["97140"], ["97530"], "1", "59", "medium"),
    (["97012"], ["97140"], "1", "59", "medium"),
    (["97150"], ["97110"], "1", "59", "medium"),
    (["97164"], ["97530", "97150"], "1", "59", "medium"),
]


def test_pairs_match_the_rule_book() -> None:
    got = [
        (list(p.column1), list(p.column2), p.indicator, p.modifier, p.confidence)
        for p in load_ncci_pairs().pairs
    ]
    assert got == RULE_BOOK


def test_none_found_rows_are_recorded_but_are_not_edits() -> None:
    ncci = load_ncci_pairs()
    assert len(ncci.none_found) == 2
    assert all(row.confidence == "verify" for row in ncci.none_found)
    for a, b in [("98941", "97110"), ("98940", "97530"), ("97112", "97140"), ("97116", "97112")]:
        assert ncci.none_found_for(a, b) is not None
        assert ncci.edit(a, b) is None and ncci.edit(b, a) is None


def test_the_help_sheet_caveat_says_nothing_was_checked_against_cms() -> None:
    assert "could be checked against the official CMS" in load_ncci_pairs().caveat


def test_edit_lookup_is_ordered() -> None:
    ncci = load_ncci_pairs()
    pair = ncci.edit("98940", "99213")
    assert pair is not None and pair.modifier == "25"
    assert ncci.edit("99213", "98940") is None


# --- malformed data ------------------------------------------------------------------


def _data() -> dict[str, Any]:
    return copy.deepcopy(read_toml("ncci_pairs.toml"))


def _pair(key: str, value: Any, row: int = 0) -> dict[str, Any]:
    data = _data()
    if value is None:
        del data["pair"][row][key]
    else:
        data["pair"][row][key] = value
    return data


def _none_found(key: str, value: Any) -> dict[str, Any]:
    data = _data()
    data["none_found"][0][key] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_pair("colour", "red"), "ncci_pairs.toml, pair 1: unknown key 'colour'"),
        (_pair("source", None), "ncci_pairs.toml, pair 1: missing key 'source'"),
        (_pair("reviewed", "2026-13-01"), "ncci_pairs.toml, pair 1: 'reviewed' must be a date"),
        (_pair("column2", ["97112", "9711"]), "pair 1: unknown code '9711' in 'column2'"),
        (_pair("column1", []), "pair 1: 'column1' must list at least one code"),
        (_pair("indicator", 2), "pair 1: 'indicator' must be 0, 1 or \"unknown\""),
        (_pair("indicator", "unknown"), "pair 1: an unknown indicator needs confidence 'verify'"),
        (_pair("modifier", "XS"), 'pair 1: \'modifier\' must be "59" or "25"'),
        (_pair("modifier", "59", row=4), "pair 5: column 2 code '99202' needs modifier 25"),
        (_pair("column2", ["97112"], row=1), "pair 2: 98940/97112 is already in pair 1"),
        (_none_found("against", ["97112"]), "none_found 1: 98940/97112 is listed as an edit"),
        (_none_found("codes", ["G0284"]), "none_found 1: unknown code 'G0284' in 'codes'"),
    ],
)
def test_malformed_rows_name_file_row_and_problem(data: dict, message: str) -> None:
    with pytest.raises(CalcError) as err:
        parse_ncci("ncci_pairs.toml", data)
    assert err.value.code == "bad_data"
    assert message in err.value.message
