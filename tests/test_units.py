"""calc.units: golden CMS cases, every chart boundary, properties, and bad input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc.codes import load_codes
from calc.errors import CalcError
from calc.units import Entry, allocate, chart_row, chart_units, compute_units, parse_entries
from tests.conftest import units_cases

GOLDEN = units_cases()
TIMED = sorted(c.code for c in load_codes() if c.timed)
UNTIMED = sorted(c.code for c in load_codes() if not c.timed and c.billable)


@pytest.mark.parametrize("case", GOLDEN, ids=[c["id"] for c in GOLDEN])
def test_golden_case(case: dict) -> None:
    """Each worked example of calc/data/cases/units.toml (source named in the case)."""
    result = compute_units([Entry(c, m) for c, m in case["lines"]], method=case["method"])
    got = {line.code: line.units for line in result.lines}
    assert result.timed_units == case["total_units"], case["source"]
    assert got in case["expect_any_of"], case["source"]


@pytest.mark.parametrize("case", GOLDEN, ids=[c["id"] for c in GOLDEN])
def test_golden_ties_list_every_accepted_answer(case: dict) -> None:
    """Where the source accepts several answers, the tie lists them all as alternatives."""
    result = compute_units([Entry(c, m) for c, m in case["lines"]], method=case["method"])
    if len(case["expect_any_of"]) == 1:
        assert result.tie is None
    else:
        assert result.tie is not None
        assert sorted(map(sorted, (a.items() for a in result.tie.alternatives))) == sorted(
            map(sorted, (a.items() for a in case["expect_any_of"]))
        )


def test_cms_example_1_steps_explain_the_answer() -> None:
    steps = compute_units([Entry("97112", 24), Entry("97110", 23)]).steps
    assert steps[0] == "Timed minutes: 97112 24 + 97110 23 = 47 min."
    assert "3 units in total" in steps[1]
    assert "97112 24 min = 1 full unit + 9 min left" in steps[2]
    assert "97112 (9 min left)" in steps[3]
    assert steps[-1] == "Bill: 97112 × 2, 97110 × 1."


def test_cms_example_4_warns_that_the_cap_zeroed_ultrasound() -> None:
    result = compute_units(
        [Entry("97110", 18), Entry("97140", 13), Entry("97116", 10), Entry("97035", 8)]
    )
    capped = [w for w in result.warnings if w.code == "capped_by_total"]
    assert len(capped) == 1 and capped[0].message.startswith("97035: 8 min gets 0 units")


def test_cms_example_2_tie_is_reported_and_deterministic() -> None:
    a = compute_units([Entry("97112", 20), Entry("97110", 20)])
    assert a.tie is not None and a.tie.chosen == ("97112",)
    assert a.tie.candidates == ("97112", "97110")
    assert "either code" in a.tie.message
    b = compute_units([Entry("97110", 20), Entry("97112", 20)])
    assert b.tie is not None and b.tie.chosen == ("97110",)  # order entered decides


def test_tie_prefers_more_total_minutes() -> None:
    # 55 min = 4 units; 3 full; both have 5 min left over; 97110 has more minutes.
    result = compute_units([Entry("97140", 20), Entry("97110", 35)])
    assert (result.units_of("97110"), result.units_of("97140")) == (3, 1)
    assert result.tie is not None and result.tie.chosen == ("97110",)


def test_untimed_codes_get_one_unit_and_stay_out_of_the_pool() -> None:
    result = compute_units([Entry("97112", 10), Entry("G0283", 30), Entry("98941")])
    assert result.total_minutes == 10
    assert [(line.code, line.units, line.timed) for line in result.lines] == [
        ("97112", 1, True),
        ("G0283", 1, False),
        ("98941", 1, False),
    ]
    assert result.timed_units == 1 and result.total_units == 3


def test_same_code_twice_adds_minutes_and_says_so() -> None:
    result = compute_units([Entry("97112", 10), Entry("97110", 8), Entry("97112", 5)])
    assert [(line.code, line.minutes, line.units) for line in result.lines] == [
        ("97112", 15, 1),
        ("97110", 8, 1),
    ]
    assert any(w.code == "duplicate_code_merged" for w in result.warnings)


def test_single_code_under_8_minutes_is_not_billed() -> None:
    result = compute_units([Entry("97112", 7)])
    assert result.units_of("97112") == 0
    assert [w.code for w in result.warnings] == ["under_8_minutes"]
    assert result.steps[-1] == "Nothing to bill."


def test_long_day_warns_and_a_day_over_1440_is_refused() -> None:
    result = compute_units([Entry("97112", 300), Entry("97110", 200)])
    assert "long_day" in [w.code for w in result.warnings]
    with pytest.raises(CalcError) as err:
        compute_units([Entry("97112", 1000), Entry("97110", 500)])
    assert err.value.code == "day_too_long"


def test_low_average_is_flagged() -> None:
    result = compute_units([Entry("97110", 8), Entry("97116", 8), Entry("97140", 8)], "per-code")
    assert "low_average" in [w.code for w in result.warnings]
    assert "low_average" not in [w.code for w in compute_units([Entry("97112", 45)]).warnings]
    # The CMS chart itself (23 min = 2 units) is not something to flag.
    assert "low_average" not in [w.code for w in compute_units([Entry("97112", 23)]).warnings]
    assert "low_average" not in [w.code for w in compute_units([Entry("97112", 8)]).warnings]


# --- every chart boundary, both methods ---------------------------------------


@pytest.mark.parametrize("minutes", range(144))
def test_chart_boundaries_single_code(minutes: int) -> None:
    expected = 0 if minutes < 8 else 1 + (minutes - 8) // 15
    assert chart_units(minutes) == expected
    low, high = chart_row(expected)
    assert low <= minutes <= high
    for method in ("cms", "per-code"):
        assert compute_units([Entry("97112", minutes)], method).units_of("97112") == expected


def test_chart_rows_are_contiguous() -> None:
    rows = [chart_row(u) for u in range(12)]
    assert rows[0] == (0, 7) and rows[1] == (8, 22) and rows[2] == (23, 37)
    assert all(rows[i][1] + 1 == rows[i + 1][0] for i in range(11))


def test_methods_differ_as_rules_md_says() -> None:
    sevens = [Entry("97112", 7), Entry("97110", 7), Entry("97140", 7)]
    eights = [Entry("97112", 8), Entry("97110", 8), Entry("97140", 8)]
    assert compute_units(sevens, "per-code").timed_units == 0
    assert compute_units(sevens, "cms").timed_units == 1
    assert compute_units(eights, "per-code").timed_units == 3
    assert compute_units(eights, "cms").timed_units == 2


# --- properties ----------------------------------------------------------------

visits = st.lists(
    st.tuples(st.sampled_from(TIMED), st.integers(min_value=0, max_value=200)),
    min_size=1,
    max_size=6,
    unique_by=lambda t: t[0],
)


@settings(max_examples=400, deadline=None)
@given(visits)
def test_cms_units_sum_to_the_chart_of_the_total(visit: list[tuple[str, int]]) -> None:
    result = compute_units([Entry(c, m) for c, m in visit])
    total = sum(m for _, m in visit)
    assert result.timed_units == (total + 7) // 15
    for code, minutes in visit:
        got = result.units_of(code)
        assert got >= minutes // 15  # full units are never taken away
        assert got <= minutes // 15 + 1  # and at most one extra unit
        if minutes == 0:
            assert got == 0


@settings(max_examples=300, deadline=None)
@given(visits)
def test_per_code_units_chart_each_code(visit: list[tuple[str, int]]) -> None:
    result = compute_units([Entry(c, m) for c, m in visit], "per-code")
    for code, minutes in visit:
        assert result.units_of(code) == (minutes + 7) // 15
    assert result.tie is None


@settings(max_examples=300, deadline=None)
@given(visits, st.randoms(use_true_random=False))
def test_order_changes_nothing_but_a_ties_choice(visit: list[tuple[str, int]], rnd) -> None:
    shuffled = list(visit)
    rnd.shuffle(shuffled)
    a = compute_units([Entry(c, m) for c, m in visit])
    b = compute_units([Entry(c, m) for c, m in shuffled])
    units_a = {line.code: line.units for line in a.lines}
    units_b = {line.code: line.units for line in b.lines}
    assert a.timed_units == b.timed_units
    if a.tie is None:
        assert b.tie is None and units_a == units_b
    else:
        assert b.tie is not None
        assert units_b in [dict(x) for x in a.tie.alternatives] or a.tie.more_alternatives
        for code in units_a:
            if code not in a.tie.candidates:
                assert units_a[code] == units_b[code]


@settings(max_examples=200, deadline=None)
@given(visits)
def test_units_never_exceed_what_total_minutes_allow(visit: list[tuple[str, int]]) -> None:
    total = sum(m for _, m in visit)
    for method in ("cms", "per-code"):
        result = compute_units([Entry(c, m) for c, m in visit], method)
        # 15 min per unit, with at most 7 min short per unit billed (the 8-minute rule)
        assert result.timed_units * 8 <= total or result.timed_units == 0


# --- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("97112:-5", "bad_minutes"),
        ("97112:7.5", "bad_minutes"),
        ("97112:abc", "bad_minutes"),
        ("97112:NaN", "bad_minutes"),
        ("97112:1e3", "bad_minutes"),
        ("97112:99999999999", "day_too_long"),
        ("97112:1441", "day_too_long"),
        ("", "empty_input"),
        (":15", "bad_request"),
    ],
)
def test_bad_lines_are_refused_with_a_stable_code(raw: str, code: str) -> None:
    with pytest.raises(CalcError) as err:
        compute_units(parse_entries(raw))
    assert err.value.code == code
    assert err.value.message


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ([Entry("99999", 10)], "unknown_code"),
        ([Entry("<img src=x onerror=alert(1)>", 10)], "unknown_code"),
        ([Entry("97112", None)], "missing_minutes"),
        ([Entry("97139", 15)], "not_billable"),
        ([], "empty_input"),
    ],
)
def test_bad_entries(entries: list[Entry], code: str) -> None:
    with pytest.raises(CalcError) as err:
        compute_units(entries)
    assert err.value.code == code


def test_unknown_code_message_names_the_code_and_the_list() -> None:
    with pytest.raises(CalcError) as err:
        compute_units([Entry("9711", 10)])
    assert "'9711'" in err.value.message and "Codes page" in err.value.message


@pytest.mark.parametrize("value", [True, 7.5, float("nan"), float("inf"), -1, [1], {"a": 1}])
def test_json_minutes_of_the_wrong_kind(value: object) -> None:
    with pytest.raises(CalcError) as err:
        parse_entries([{"code": "97112", "minutes": value}])
    assert err.value.code == "bad_minutes"


def test_unknown_method() -> None:
    with pytest.raises(CalcError) as err:
        compute_units([Entry("97112", 10)], method="rule-of-eights")
    assert err.value.code == "bad_method"


@settings(max_examples=200, deadline=None)
@given(visits, st.sampled_from(["cms", "per-code"]))
def test_explained_result_agrees_with_the_bare_allocation(visit, method) -> None:
    result = compute_units([Entry(c, m) for c, m in visit], method)
    assert tuple(line.units for line in result.lines) == allocate([m for _, m in visit], method)


def test_hostile_code_in_a_link_is_reported_as_an_unknown_code() -> None:
    with pytest.raises(CalcError) as err:
        compute_units(parse_entries("<img src=x onerror=alert(1)>:5"))
    assert err.value.code == "unknown_code"
    assert err.value.message.startswith("Unknown code '<IMG SRC=X ONERROR=ALERT…'")
