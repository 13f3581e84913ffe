"""calc.mue: the CMS practitioner MUE limits and the claim's warning when units exceed one."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc import api
from calc._data import read_toml
from calc.errors import CalcError
from calc.mue import load_mue, mai_meaning, mue_warnings, parse_mue

# Golden values: CMS Medicare NCCI Practitioner Services MUE table, effective
# 2024-04-01 (derived public copy; the MAI 3 rows agree with the 2026 Q2 table).
# code: (MUE, MAI)
GOLDEN = {
    "97112": (4, 3),
    "97110": (6, 3),
    "97140": (6, 3),
    "97124": (4, 3),
    "97116": (4, 3),
    "97530": (6, 3),
    "97750": (8, 3),
    "97150": (1, 3),
    "97012": (1, 3),
    "97014": (0, 3),
    "97035": (2, 3),
    "G0283": (1, 3),
    "97164": (1, 2),
    "98940": (1, 2),
    "98941": (1, 2),
    "98942": (1, 2),
    "98943": (0, 3),
}


def test_limits_match_the_cms_table() -> None:
    mue = load_mue()
    assert {m.code: (m.value, m.mai) for m in mue.limits} == GOLDEN
    assert all(m.confidence == "high" and "effective 2024-04-01" in m.source for m in mue.limits)
    assert mue.limit("97039") is None


def test_each_mai_is_explained_in_plain_words() -> None:
    assert "medical review" in mai_meaning(3) and "per day" in mai_meaning(3)
    assert "absolute" in mai_meaning(2) and "policy" in mai_meaning(2)
    assert "per claim line" in mai_meaning(1)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(GOLDEN)), st.integers(0, 12))
def test_a_warning_exactly_when_units_exceed_the_mue(code: str, units: int) -> None:
    warnings, fired = mue_warnings([(code, units)])
    value, mai = GOLDEN[code]
    assert bool(warnings) == (units > value) == bool(fired)
    if warnings:
        assert f"the MUE of {value}" in warnings[0].message
        assert f"MAI {mai}" in warnings[0].message and warnings[0].lines == (code,)


def test_units_of_one_code_on_several_lines_are_added_up() -> None:
    warnings, _ = mue_warnings([("97112", 2), ("97112", 3)])
    assert "5 units exceed the MUE of 4" in warnings[0].message


def test_the_claim_warns_and_cites_the_mue_table() -> None:
    out = api.call("claim", {"payer": "bcbsnc", "lines": ["97112=75"]})
    [line] = out["lines"]
    assert (line["code"], line["units"]) == ("97112", 5)
    assert [w["code"] for w in out["warnings"] if w["code"] == "mue-exceeded"] == ["mue-exceeded"]
    assert any("MUE table" in s for s in out["sources"])
    assert any(s.startswith("MUE 97112: at most 4 units") for s in out["steps"])
    within = api.call("claim", {"payer": "bcbsnc", "lines": ["97112=60"]})
    assert not any(w["code"] == "mue-exceeded" for w in within["warnings"])


def _data(key: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(read_toml("mue.toml"))
    data["mue"][0][key] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_data("mai", 4), "mue.toml, mue 1: 'mai' must be 1, 2 or 3, got 4"),
        (_data("value", -1), "mue.toml, mue 1: 'value' must be 0 or more"),
        (_data("code", "9711"), "mue.toml, mue 1: unknown code '9711' in 'code'"),
        (_data("code", "97110"), "mue.toml, mue 2: 97110 is listed twice"),
        (_data("colour", "red"), "mue.toml, mue 1: unknown key 'colour'"),
    ],
)
def test_malformed_rows_name_file_row_and_problem(data: dict[str, Any], message: str) -> None:
    with pytest.raises(CalcError) as err:
        parse_mue("mue.toml", data)
    assert err.value.code == "bad_data" and message in err.value.message
