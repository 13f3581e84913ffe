"""calc.ncci: the NCCI rows read from the CMS PTP table, with "none found" rows kept apart."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc._data import read_toml
from calc.errors import CalcError
from calc.ncci import load_ncci_pairs, parse_ncci

CMT = ["98940", "98941", "98942"]
EM = ["99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215"]
EVALS = ["97161", "97162", "97163", "97164", "97165", "97166", "97167", "97168"]

# Golden rows: CMS Medicare NCCI Practitioner PTP edits, version 30.1, effective
# 2024-04-01 (read from a derived public copy; the issue #11 list of active edits).
# (column 1 codes, column 2 codes, indicator, modifier on column 2)
IN_FORCE = [
    (CMT, ["97112", "97124", "97140"], "1", "59"),
    ([*CMT, "98943"], EM, "1", "25"),
    (CMT, EVALS, "0", ""),
    (["98941"], ["98940"], "0", ""),
    (["98942"], ["98940", "98941"], "0", ""),
    (["97140"], ["97124"], "0", ""),
    (["97750"], ["97150"], "0", ""),
    (["97150"], ["97110", "97112", "97113", "97116", "97124", "97140", "97530"], "1", "59"),
    (["97112"], ["97022", "97036"], "1", "59"),
    (["97012"], ["97140"], "1", "59"),
    (["97530"], ["97750"], "1", "59"),
    (["97140"], ["97750", "97018"], "1", "59"),
    (["97113"], ["97110"], "1", "59"),
    (["97161", "97162", "97163"], ["97164"], "0", ""),
]
# Pairs the table has no edit in force for, in either order (some deleted long ago).
NO_EDIT = [
    ("97140", "97530"),  # deleted 2019-12-31
    ("97164", "97530"),
    ("97164", "97150"),
    ("98943", "97112"),
    ("98943", "97124"),
    ("98943", "97140"),
    ("97112", "97110"),
    ("97112", "97140"),  # indicator 9 row, deleted 1999-04-01
    ("97112", "97750"),  # deleted 2003-09-30
    ("98941", "97110"),
    ("98941", "97530"),
]


@pytest.mark.parametrize(("column1", "column2", "indicator", "modifier"), IN_FORCE)
def test_edits_in_force_match_the_cms_table(
    column1: list[str], column2: list[str], indicator: str, modifier: str
) -> None:
    ncci = load_ncci_pairs()
    for c1 in column1:
        for c2 in column2:
            edit = ncci.edit(c1, c2)
            assert edit is not None, (c1, c2)
            assert (edit.indicator, edit.modifier, edit.confidence) == (indicator, modifier, "high")
            assert edit.deleted is None and edit.rationale
            assert "version 30.1, effective 2024-04-01" in edit.source


@pytest.mark.parametrize(("a", "b"), NO_EDIT)
def test_pairs_without_an_edit_in_force(a: str, b: str) -> None:
    ncci = load_ncci_pairs()
    assert ncci.edit(a, b) is None and ncci.edit(b, a) is None


def test_none_found_rows_are_recorded_but_are_not_edits() -> None:
    ncci = load_ncci_pairs()
    assert [row.codes for row in ncci.none_found] == [tuple(CMT), ("98943",), ("97112",)]
    for row in ncci.none_found:
        assert row.confidence == "high"
        for a in row.codes:
            for b in row.against:
                assert ncci.edit(a, b) is None and ncci.edit(b, a) is None
    for a, b in [("98941", "97110"), ("98940", "97530"), ("97112", "97140"), ("97116", "97112")]:
        assert ncci.none_found_for(a, b) is not None
    hns = ncci.none_found_for("98943", "97112")
    assert hns is not None and "HNS policy" in hns.notes


def test_deleted_rows_apply_only_before_their_deletion_date() -> None:
    ncci = load_ncci_pairs()
    old = ncci.edit("97140", "97530", on=dt.date(2019, 12, 30))
    assert old is not None and old.deleted == dt.date(2019, 12, 31) and old.indicator == "1"
    assert ncci.edit("97140", "97530", on=dt.date(2019, 12, 31)) is None
    assert ncci.edit("97140", "97530", on=dt.date(2026, 1, 5)) is None
    # the pair's in-force row today; before 2019-12-31 its older row
    assert ncci.edit("98941", "97112", on=dt.date(2026, 1, 5)) == ncci.edit("98941", "97112")
    assert ncci.edit("98941", "97112", on=dt.date(2019, 1, 2)).deleted == dt.date(2019, 12, 31)  # type: ignore[union-attr]
    # three rows of one pair: 2017-12-31, 2019-12-31, in force
    dates = [ncci.edit("97161", "97750", on=dt.date(y, 6, 1)).deleted for y in (2017, 2019, 2024)]  # type: ignore[union-attr]
    assert dates == [dt.date(2017, 12, 31), dt.date(2019, 12, 31), None]
    assert len(ncci.history("97161", "97750")) == 3


def test_no_row_is_indicator_9_and_every_row_cites_the_edition() -> None:
    data = load_ncci_pairs()
    assert {p.indicator for p in data.pairs} == {"0", "1"}
    assert data.edition.version == "30.1" and data.edition.effective == dt.date(2024, 4, 1)
    assert "derived public copy" in data.caveat and "version 30.1" in data.caveat


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
        (_pair("rationale", None), "ncci_pairs.toml, pair 1: missing key 'rationale'"),
        (_pair("deleted", "2026-13-01"), "ncci_pairs.toml, pair 1: 'deleted' must be a date"),
        (_pair("column2", ["97112", "9711"]), "pair 1: unknown code '9711' in 'column2'"),
        (_pair("column1", []), "pair 1: 'column1' must list at least one code"),
        (_pair("indicator", 9), "pair 1: 'indicator' must be 0 or 1 (indicator 9 rows"),
        (_pair("indicator", "unknown"), "pair 1: 'indicator' must be 0 or 1"),
        (_pair("column2", ["97112", "99213"]), "pair 1: 'column2' mixes E/M and other codes"),
        (_pair("column2", ["97018"], row=1), "pair 2: 97012/97018 is already in pair 1"),
        (_pair("effective", "2020-01-01", row=22), "pair 23: 'deleted' is before 'effective'"),
        (_none_found("against", ["97112"]), "none_found 1: 98940/97112 is listed as an edit"),
        (_none_found("codes", ["G0284"]), "none_found 1: unknown code 'G0284' in 'codes'"),
    ],
)
def test_malformed_rows_name_file_row_and_problem(data: dict, message: str) -> None:
    with pytest.raises(CalcError) as err:
        parse_ncci("ncci_pairs.toml", data)
    assert err.value.code == "bad_data"
    assert message in err.value.message


# --- dates of service --------------------------------------------------------------------


def test_the_claim_applies_the_edits_in_force_on_its_date_of_service() -> None:
    """97140/97530 (indicator 1) was deleted 2019-12-31 (CMS PTP v30.1): before that date
    97530 needs 59 beside 97140; after it, NCCI adds nothing and says so."""
    from calc import api

    old = api.call(
        "claim", {"payer": "commercial", "lines": "97140:15,97530:15", "dos": "2019-06-03"}
    )
    assert [x["display"] for x in old["lines"]] == ["97140 × 1", "97530-59 × 1"]
    assert not any(n["code"] == "ncci-none-found" for n in old["notes"])
    new = api.call(
        "claim", {"payer": "commercial", "lines": "97140:15,97530:15", "dos": "2025-06-02"}
    )
    assert [x["display"] for x in new["lines"]] == ["97140 × 1", "97530 × 1"]
    assert not any(n["code"] == "ncci-none-found" for n in new["notes"])  # 97140 is no anchor
    cmt = api.call("claim", {"payer": "commercial", "lines": "98941,97110:15", "dos": "2025-06-02"})
    assert any(n["code"] == "ncci-none-found" for n in cmt["notes"])


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [(c1, c2) for p in load_ncci_pairs().pairs for c1 in p.column1 for c2 in p.column2]
    ),
    st.dates(dt.date(1996, 1, 1), dt.date(2030, 12, 31)),
)
def test_at_most_one_row_of_a_pair_is_in_force_on_any_date(
    pair: tuple[str, str], day: dt.date
) -> None:
    ncci = load_ncci_pairs()
    in_force = [r for r in ncci.history(*pair) if r.in_force(day)]
    found = ncci.edit(*pair, on=day)
    if found is None:
        assert not in_force
    else:
        assert found in in_force and (found.deleted is None or day < found.deleted)
        # the first row still in force is the one deleted soonest: older rows end first
        assert all((r.deleted or dt.date.max) >= (found.deleted or dt.date.max) for r in in_force)
    if found is not None:
        assert ncci.none_found_for(*pair, on=day) is None
