"""calc.training: the scenarios run through the engine, agree with their sources, and
grade attempts right and wrong. Golden answers come from tests/golden (CMS Pub. 100-04
Ch. 5 §20.2) and the seed, never from scenarios.toml."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc import api, trainer_key, training
from calc._data import read_toml
from calc.cases import load_units_cases
from calc.codes import load_codes
from calc.errors import CalcError
from calc.payers import load_payers
from tests.conftest import golden, units_cases

SCENARIOS = training.load_scenarios().scenarios
IDS = [s.id for s in SCENARIOS]
LINE_SCENARIOS = [s for s in SCENARIOS if s.kind not in training.ITEM_KINDS]
REVIEW_SCENARIOS = [s for s in SCENARIOS if s.kind == "review"]

#: Each CMS example and the scenario that poses it (the answer comes from the golden file).
#: The scenarios that pose the CMS manual's examples, and the case each poses.
CMS_EXAMPLES = {f"cms-example-{n}": f"cms-example-{n}" for n in range(1, 6)}
PAYER_GROUPS = ("bcbsnc", "nc-shp", "medcost", "zelis", "commercial")


def right_attempt(answer: training.Answer) -> dict[str, Any]:
    """The engine's own answer, written as a trainee would enter it."""
    if answer.kind in training.ITEM_KINDS:
        return {"missing": [i.id for i in answer.missing]}
    return {
        "lines": [
            {"code": line.code, "units": line.units, "modifiers": list(line.modifiers)}
            for line in answer.billed
        ]
    }


def lines_of(answer: training.Answer) -> list[dict[str, Any]]:
    return right_attempt(answer)["lines"]  # type: ignore[no-any-return]


def with_line(attempt: dict[str, Any], code: str, **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(attempt)
    for line in out["lines"]:
        if line["code"] == code:
            line.update(changes)
    return out


def mark(result: training.Grade, code: str) -> training.LineMark:
    return next(m for m in result.lines if m.code == code)


def categories(s: training.Scenario) -> set[str]:
    table = load_codes()
    return {table.require(row["code"]).category for row in training.codes_of(s)}


# --- the data ------------------------------------------------------------------------------


def test_at_least_25_scenarios_with_unique_ids() -> None:
    assert len(SCENARIOS) >= 25
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("s", SCENARIOS, ids=IDS)
def test_every_scenario_runs_through_the_api_and_has_a_non_trivial_answer(
    s: training.Scenario,
) -> None:
    result = api.call(s.kind, s.request)
    assert "error" not in result, result
    answer = training.answer_key(s)
    assert answer.steps and answer.sources
    if s.kind == "review":
        assert answer.missing
        assert [i.id for i in answer.missing] == [
            i["id"] for i in result["items"] if i["status"] == "missing"
        ]
    elif s.kind == "claim":
        assert answer.billed
        assert [x.display for x in answer.billed] == [x["display"] for x in result["lines"]]
    elif s.kind == "audit":
        assert [i.id for i in answer.missing] == list(
            dict.fromkeys(f["kind"] for f in result["findings"])
        )
    else:
        assert answer.billed
        assert {x.code: x.units for x in answer.lines} == {
            x["code"]: x["units"] for x in result["lines"]
        }


@pytest.mark.parametrize("s", SCENARIOS, ids=IDS)
def test_every_scenario_is_sourced_and_told_without_identifiers(s: training.Scenario) -> None:
    assert s.source.strip() and s.learning_point.strip() and s.story.strip()
    assert s.confidence in ("high", "medium", "low", "verify")
    assert s.reviewed.year >= 2026
    # The engine answers; the data never carries an answer of its own.
    assert not {"answer", "expected", "units", "modifiers", "missing"} & set(s.request)


def test_the_data_file_holds_no_answers() -> None:
    raw = read_toml(training.DATA_FILE)
    for entry in raw["scenario"]:
        assert set(training.SCENARIO_KEYS) <= set(entry)
        posed = set(entry) - set(training.SCENARIO_KEYS)
        assert posed in ({"request", "sources"}, {"request", "sources", "where"}, {"case"})
    assert not {"answer", "expected", "units", "modifiers", "missing"} & set(training.SCENARIO_KEYS)


# --- the sourced scenarios agree with their source ---------------------------------------------


@pytest.mark.parametrize(("scenario_id", "case_id"), CMS_EXAMPLES.items())
def test_cms_examples_agree_with_the_manual(scenario_id: str, case_id: str) -> None:
    case = next(c for c in units_cases() if c["id"] == case_id)
    s = training.scenario(scenario_id)
    answer = training.answer_key(s)
    # The scenario poses exactly the example...
    assert [(row["code"], row["minutes"]) for row in training.codes_of(s)] == [
        tuple(x) for x in case["lines"]
    ]
    assert s.request.get("method", "cms") == case["method"]
    # ...and the engine's answer is one the manual accepts.
    allocation = {line.code: line.units for line in answer.lines}
    assert allocation in case["expect_any_of"]
    assert sum(allocation.values()) == case["total_units"]
    # On a tie, every answer the engine calls equally correct is accepted by the manual,
    # and every answer the manual accepts is graded right.
    for alt in answer.alternatives:
        assert alt in case["expect_any_of"]
    for accepted in case["expect_any_of"]:
        attempt = {"lines": [{"code": c, "units": u} for c, u in accepted.items()]}
        assert training.grade(scenario_id, attempt).correct, accepted


def test_seed_bcbsnc_cmt_is_97112_59_gp() -> None:
    """The seed: with CMT, BCBSNC wants 97112 "with modifier 59 and modifier GP. (List 59
    first, followed by GP.)" """
    answer = training.answer_key(training.scenario("bcbsnc-cmt-97112"))
    assert [(x.code, x.units, x.modifiers) for x in answer.billed] == [
        ("98941", 1, ()),
        ("97112", 2, ("59", "GP")),
    ]


# --- coverage of the rule book --------------------------------------------------------------

Check = Callable[[training.Scenario, training.Answer], bool]


def _mods(answer: training.Answer, code: str) -> tuple[str, ...]:
    return next((x.modifiers for x in answer.billed if x.code == code), ())


def _warned(answer: training.Answer, code: str) -> bool:
    return any(w.code == code for w in answer.warnings)


#: Every rule a biller applies (the rule book), and what the engine's answer must show for a
#: scenario tagged with it.
REQUIRED_TAGS: dict[str, Check] = {
    "cms-example": lambda s, a: s.id in CMS_EXAMPLES,
    "cms-total-time": lambda s, a: s.kind != "review" and a.result["method"] == "cms",
    "tie": lambda s, a: bool(a.tie and a.alternatives),
    "cap-zeroes-code": lambda s, a: _warned(a, "capped_by_total") and bool(a.not_billed),
    "under-8-minutes": lambda s, a: (
        _warned(a, "under_8_minutes") and any(x.code == "97112" for x in a.not_billed)
    ),
    "untimed-codes": lambda s, a: any(not x.timed and x.minutes for x in a.billed),
    "per-code-method": lambda s, a: a.result["method"] == "per-code",
    "hns-59-with-cmt": lambda s, a: (
        "cmt" in categories(s)
        and _mods(a, "97112")[:1]
        in {
            ("59",),
            ("XS",),
            ("XE",),
        }
    ),
    "hns-59-gp-with-cmt": lambda s, a: "cmt" in categories(s) and _mods(a, "97112") == ("59", "GP"),
    "hns-59-with-em": lambda s, a: (
        "em" in categories(s) and "cmt" not in categories(s) and _mods(a, "97112") == ("59",)
    ),
    "em-25-with-cmt": lambda s, a: any(
        "25" in x.modifiers and load_codes().require(x.code).category == "em" for x in a.billed
    ),
    "same-region": lambda s, a: bool(a.not_billed) and _warned(a, "same-region-not-reportable"),
    "x-modifiers": lambda s, a: bool({"XS", "XE"} & set(_mods(a, "97112"))),
    "ncci-pair": lambda s, a: any("59" in x.modifiers and x.code != "97112" for x in a.billed),
    "ncci-indicator-0": lambda s, a: (
        bool(a.not_billed)
        and any(w.code.startswith("ncci-") and "indicator 0" in w.message for w in a.warnings)
    ),
    "mue": lambda s, a: _warned(a, "mue-exceeded"),
    "medicare-dc": lambda s, a: (
        "AT" in _mods(a, "98941") or ("GY" in _mods(a, "97112") and "GP" in _mods(a, "97112"))
    ),
    "medicare-maintenance": lambda s, a: any(
        {"GA", "GZ"} & set(x.modifiers) and "AT" not in x.modifiers for x in a.billed
    ),
    "initial-phase-limit": lambda s, a: _warned(a, "hns-initial-phase-two-therapies"),
    "documentation-missing": lambda s, a: s.kind == "review" and bool(a.missing),
    "claim-file-audit": lambda s, a: s.kind == "audit" and bool(a.missing),
}


def test_every_required_rule_is_covered() -> None:
    used = {t for s in SCENARIOS for t in s.tags}
    assert set(REQUIRED_TAGS) <= used
    assert {t.id for t in training.load_scenarios().tags} == set(REQUIRED_TAGS)


@pytest.mark.parametrize("s", SCENARIOS, ids=IDS)
def test_tags_say_what_the_engine_shows(s: training.Scenario) -> None:
    answer = training.answer_key(s)
    for tag in s.tags:
        assert REQUIRED_TAGS[tag](s, answer), tag


def test_the_five_cms_examples_are_all_there() -> None:
    assert {s.id for s in SCENARIOS if "cms-example" in s.tags} == set(CMS_EXAMPLES)


@pytest.mark.parametrize("payer", PAYER_GROUPS)
def test_97112_with_cmt_and_with_em_for_each_payer_group(payer: str) -> None:
    mine = [s for s in SCENARIOS if s.kind == "claim" and s.request["payer"] == payer]
    with_cmt = [s for s in mine if {"cmt", "therapeutic-procedure"} <= categories(s)]
    with_em = [s for s in mine if "em" in categories(s) and "cmt" not in categories(s)]
    for group in (with_cmt, with_em):
        assert any("97112" in [x.code for x in training.answer_key(s).billed] for s in group), payer


def test_medicare_chiropractor_scenarios_cover_active_and_maintenance() -> None:
    medicare = [s for s in SCENARIOS if s.kind == "claim" and s.request["payer"] == "medicare"]
    cmt_modifiers = set()
    for s in medicare:
        for line in training.answer_key(s).billed:
            cmt_modifiers |= set(line.modifiers) & {"AT", "GA", "GZ"}
            if line.code == "97112":
                assert line.modifiers[:2] == ("GP", "GY")
    assert cmt_modifiers == {"AT", "GA", "GZ"}


def test_per_code_scenarios_use_a_payer_that_allows_it() -> None:
    payers = load_payers()
    per_code = [s for s in SCENARIOS if s.request.get("method") == "per-code"]
    assert per_code
    for s in per_code:
        assert s.kind == "units" or "per-code" in payers.require(s.request["payer"]).units_methods


def test_at_least_two_records_miss_documentation() -> None:
    assert len([s for s in REVIEW_SCENARIOS if training.answer_key(s).missing]) >= 2


# --- grading -------------------------------------------------------------------------------


@pytest.mark.parametrize("s", SCENARIOS, ids=IDS)
def test_the_engines_answer_is_graded_right(s: training.Scenario) -> None:
    result = training.grade(s.id, right_attempt(training.answer_key(s)))
    assert result.correct
    out = result.as_dict()
    assert out["score"]["right"] == out["score"]["total"] > 0


def test_wrong_units_are_wrong() -> None:
    attempt = with_line(
        right_attempt(training.answer_key(training.scenario("bcbsnc-cmt-97112"))), "97112", units=3
    )
    result = training.grade("bcbsnc-cmt-97112", attempt)
    m = mark(result, "97112")
    assert not result.correct
    assert (m.status, m.units_right, m.modifiers_right) == ("wrong", False, True)
    assert m.problems == ("Units: 2 units; you entered 3.",)
    assert m.expected is not None and m.expected.steps and m.expected.rules


def test_59_after_gp_is_wrong_and_cites_the_seed() -> None:
    attempt = with_line(
        right_attempt(training.answer_key(training.scenario("bcbsnc-cmt-97112"))),
        "97112",
        modifiers=["GP", "59"],
    )
    m = mark(training.grade("bcbsnc-cmt-97112", attempt), "97112")
    assert (m.status, m.units_right, m.modifiers_right) == ("wrong", True, False)
    assert "59 first, followed by GP" in m.problems[0]


def test_missing_gp_is_wrong() -> None:
    attempt = with_line(
        right_attempt(training.answer_key(training.scenario("nc-shp-cmt-97112"))),
        "97112",
        modifiers=["59"],
    )
    m = mark(training.grade("nc-shp-cmt-97112", attempt), "97112")
    assert m.status == "wrong"
    assert m.problems == ("Modifiers: the line takes 59, GP; you entered 59.",)


def test_gp_on_an_em_only_visit_is_wrong() -> None:
    attempt = with_line(
        right_attempt(training.answer_key(training.scenario("bcbsnc-em-97112"))),
        "97112",
        modifiers=["59", "GP"],
    )
    assert mark(training.grade("bcbsnc-em-97112", attempt), "97112").status == "wrong"


def test_order_that_is_only_a_convention_is_right_with_a_note() -> None:
    attempt = with_line(
        right_attempt(training.answer_key(training.scenario("medicare-dc-active-care"))),
        "97112",
        modifiers=["GY", "GP"],
    )
    m = mark(training.grade("medicare-dc-active-care", attempt), "97112")
    assert m.status == "right"
    assert m.notes and m.notes[0].startswith("The usual order is GP-GY.")


def test_a_missing_line_is_wrong() -> None:
    lines = lines_of(training.answer_key(training.scenario("bcbsnc-em-cmt-97112")))
    attempt = {"lines": [x for x in lines if x["code"] != "99203"]}
    result = training.grade("bcbsnc-em-cmt-97112", attempt)
    m = mark(result, "99203")
    assert (m.status, m.got) == ("missing", None)
    assert m.message == "Missing line: bill 99203-25 × 1."
    assert sum(x.right for x in result.lines) == 2


def test_an_extra_line_is_wrong() -> None:
    lines = lines_of(training.answer_key(training.scenario("commercial-cmt-97112")))
    attempt = {"lines": [*lines, {"code": "97110", "units": 1, "modifiers": []}]}
    result = training.grade("commercial-cmt-97112", attempt)
    m = mark(result, "97110")
    assert (m.status, m.expected) == ("extra", None)
    assert not result.correct


@pytest.mark.parametrize(
    ("scenario_id", "code"),
    [
        ("cms-example-4", "97035"),  # capped by the total
        ("bcbsnc-same-region", "97112"),  # not separately reportable
        ("medcost-97112-under-8-minutes", "97112"),  # under 8 minutes
        ("bcbsnc-9-minute-code-capped", "97110"),
    ],
)
def test_billing_a_code_the_engine_does_not_bill_is_wrong(scenario_id: str, code: str) -> None:
    answer = training.answer_key(training.scenario(scenario_id))
    attempt = {"lines": [*lines_of(answer), {"code": code, "units": 1, "modifiers": ["59"]}]}
    result = training.grade(scenario_id, attempt)
    m = mark(result, code)
    assert m.status == "extra" and not result.correct
    assert m.expected is not None and m.expected.reason in m.message
    # Leaving it off, or entering it with 0 units, is right.
    zero = {"lines": [*lines_of(answer), {"code": code, "units": 0}]}
    assert training.grade(scenario_id, zero).correct
    assert mark(training.grade(scenario_id, right_attempt(answer)), code).status == "right"


def test_the_other_code_may_take_the_unit_on_a_tie() -> None:
    attempt = {
        "lines": [
            {"code": "98941", "units": 1, "modifiers": []},
            {"code": "97112", "units": 1, "modifiers": ["59", "GP"]},
            {"code": "97140", "units": 2, "modifiers": ["59"]},
        ]
    }
    result = training.grade("tie-97112-97140-with-cmt", attempt)
    assert result.correct and result.tie_alternative
    assert any("equally correct" in n for n in mark(result, "97140").notes)
    # The tie answer is recognized even when another line is missing.
    partial = {"lines": attempt["lines"][1:]}
    marks = {m.code: m.status for m in training.grade("tie-97112-97140-with-cmt", partial).lines}
    assert marks == {"98941": "missing", "97112": "right", "97140": "right"}
    # Two units on both codes is no tie answer: one of them is wrong.
    both = with_line(attempt, "97112", units=2)
    assert not training.grade("tie-97112-97140-with-cmt", both).correct


def test_units_scenarios_grade_units_only() -> None:
    attempt = {
        "lines": [
            {"code": "97112", "units": 2, "modifiers": ["GP"]},
            {"code": "97110", "units": 1},
        ]
    }
    result = training.grade("cms-example-1", attempt)
    assert result.correct
    assert result.as_dict()["graded"] == ["units"]
    assert mark(result, "97112").notes == ("Modifiers are not graded in a units scenario.",)


def test_modifiers_may_be_typed_in_one_field_in_any_case() -> None:
    attempt = {
        "lines": [
            {"code": "98941", "units": "1"},
            {"code": "97112", "units": 2, "modifiers": "59-gp"},
        ]
    }
    assert training.grade("bcbsnc-cmt-97112", attempt).correct


def test_review_grading_marks_found_missed_and_extra_items() -> None:
    s = training.scenario("review-no-goal-no-volume")
    missing = [i.id for i in training.answer_key(s).missing]
    attempt = {"missing": [missing[0], "specific-techniques"]}
    result = training.grade(s.id, attempt)
    statuses = {m.id: m.status for m in result.items}
    assert statuses[missing[0]] == "right"
    assert all(statuses[i] == "missed" for i in missing[1:])
    assert statuses["specific-techniques"] == "extra"
    assert not result.correct
    out = result.as_dict()
    assert out["score"] == {"right": 1, "total": len(missing) + 1}
    assert all(m["source"] for m in out["items"])


def test_grade_result_carries_explanation_and_sources() -> None:
    out = training.grade("bcbsnc-cmt-97112", {"lines": []}).as_dict()
    assert out["correct"] is False
    assert out["score"] == {"right": 0, "total": 2}
    line = out["lines"][1]
    assert line["status"] == "missing" and line["expected"]["display"] == "97112-59-GP × 2"
    assert line["explanation"] and line["sources"]
    assert any("HNS" in source for source in line["sources"])
    assert out["learning_point"] and out["source"] and out["steps"] and out["sources"]
    json.dumps(out)


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        ({"scenario": "nope", "attempt": {"lines": []}}, "unknown_scenario"),
        ({"scenario": None, "attempt": {"lines": []}}, "unknown_scenario"),
        ({"scenario": "bcbsnc-cmt-97112"}, "bad_attempt"),
        ({"scenario": "bcbsnc-cmt-97112", "attempt": []}, "bad_attempt"),
        ({"scenario": "bcbsnc-cmt-97112", "attempt": {}}, "bad_attempt"),
        ({"scenario": "bcbsnc-cmt-97112", "attempt": {"lines": "97112"}}, "bad_attempt"),
        ({"scenario": "bcbsnc-cmt-97112", "attempt": {"missing": []}}, "bad_attempt"),
        (
            {"scenario": "bcbsnc-cmt-97112", "attempt": {"lines": [{"code": "97112"}]}},
            "bad_attempt",
        ),
        (
            {
                "scenario": "bcbsnc-cmt-97112",
                "attempt": {"lines": [{"code": "97112", "units": -1}]},
            },
            "bad_attempt",
        ),
        (
            {
                "scenario": "bcbsnc-cmt-97112",
                "attempt": {"lines": [{"code": "97112", "units": 1.5}]},
            },
            "bad_attempt",
        ),
        (
            {
                "scenario": "bcbsnc-cmt-97112",
                "attempt": {"lines": [{"code": "97112", "units": True}]},
            },
            "bad_attempt",
        ),
        (
            {
                "scenario": "bcbsnc-cmt-97112",
                "attempt": {"lines": [{"code": "97112", "units": 2, "modifiers": ["5!"]}]},
            },
            "bad_attempt",
        ),
        (
            {
                "scenario": "bcbsnc-cmt-97112",
                "attempt": {
                    "lines": [
                        {"code": "97112", "units": 2, "modifiers": ["59", "GP", "GY", "GX", "KX"]}
                    ]
                },
            },
            "bad_attempt",
        ),
        (
            {
                "scenario": "bcbsnc-cmt-97112",
                "attempt": {
                    "lines": [{"code": "97112", "units": 1}, {"code": "97112", "units": 1}]
                },
            },
            "bad_attempt",
        ),
        (
            {
                "scenario": "bcbsnc-cmt-97112",
                "attempt": {"lines": [{"code": "97112", "units": 2, "x": 1}]},
            },
            "bad_attempt",
        ),
        (
            {"scenario": "bcbsnc-cmt-97112", "attempt": {"lines": [{"code": "9711", "units": 2}]}},
            "unknown_code",
        ),
        (
            {"scenario": "review-no-goal-no-volume", "attempt": {"missing": ["goal"]}},
            "unknown_item",
        ),
        ({"scenario": "review-no-goal-no-volume", "attempt": {"lines": []}}, "bad_attempt"),
        ({"scenario": "review-no-goal-no-volume", "attempt": {"missing": "sets"}}, "bad_attempt"),
        ({"scenario": "bcbsnc-cmt-97112", "attempt": {"lines": []}, "cheat": 1}, "bad_request"),
    ],
)
def test_bad_attempts_get_clear_errors(request_: dict[str, Any], code: str) -> None:
    out = api.call("grade", request_)
    assert out["error"]["code"] == code, out
    assert out["error"]["message"]


@settings(max_examples=150, deadline=None)
@given(
    scenario_id=st.sampled_from(IDS),
    attempt=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(["lines", "missing", "code", "units", "modifiers", "x"]),
                inner,
                max_size=4,
            )
        ),
        max_leaves=12,
    ),
)
def test_any_attempt_gets_a_grade_or_a_clear_error(scenario_id: str, attempt: Any) -> None:
    out = api.call("grade", {"scenario": scenario_id, "attempt": attempt})
    if "error" in out:
        assert out["error"]["code"] in {
            "bad_attempt",
            "unknown_code",
            "unknown_item",
            "bad_request",
        }, out
    else:
        assert out["score"]["total"] > 0
        json.dumps(out)


# --- the API --------------------------------------------------------------------------------


def test_scenarios_call_lists_every_scenario_with_its_answer() -> None:
    out = api.call("scenarios", {})
    assert [s["id"] for s in out["scenarios"]] == IDS
    assert {t["id"] for t in out["tags"]} == set(REQUIRED_TAGS)
    assert out["modifiers"][:2] == ["25", "59"]
    first = out["scenarios"][0]
    assert {"id", "title", "story", "kind", "tags", "request", "facts", "codes", "graded"} <= set(
        first
    )
    assert {"learning_point", "source", "confidence", "reviewed", "answer"} <= set(first)
    assert first["answer"]["lines"] and first["answer"]["steps"]
    json.dumps(out)


def test_scenarios_call_for_one_and_without_answers() -> None:
    one = api.call("scenarios", {"scenario": "bcbsnc-same-region"})
    [s] = one["scenarios"]
    assert s["answer"]["not_billed"][0]["code"] == "97112"
    # the judgement the scenario trains is the trainee's to make: the facts never give it away
    assert not any("region" in f["label"].lower() for f in s["facts"])
    assert "just adjusted" in s["story"]
    bare = api.call("scenarios", {"answers": False})
    assert all("answer" not in s for s in bare["scenarios"])
    assert api.call("scenarios", {"scenario": "x"})["error"]["code"] == "unknown_scenario"
    assert api.call("scenarios", {"answers": "no"})["error"]["code"] == "bad_request"
    assert api.call("scenarios", {"evil": 1})["error"]["code"] == "bad_request"


def test_grade_call_through_json() -> None:
    request = {
        "scenario": "bcbsnc-cmt-97112",
        "attempt": {"lines": [{"code": "98941", "units": 1}, {"code": "97112", "units": 2}]},
    }
    out = json.loads(api.call_json("grade", json.dumps(request)))
    assert out["correct"] is False
    assert [m["status"] for m in out["lines"]] == ["right", "wrong"]


# --- the trainer's key -------------------------------------------------------------------------


def test_the_key_contains_every_scenario_with_its_answer() -> None:
    key = trainer_key.render_key(link="../training/?scenario={id}")
    for s in SCENARIOS:
        answer = training.answer_key(s)
        assert f"## {s.title} {{#{s.id}}}" in key.replace("\\", "")
        assert f"(../training/?scenario={s.id})" in key
        for line in answer.billed:
            shown = line.display if s.kind == "claim" else f"{line.code} × {line.units}"
            assert f"`{shown}`" in key
        for item in answer.missing:
            assert f"(`{item.id}`)" in key
    assert key.count("**Learning point.**") == key.count("**Source.**") == len(SCENARIOS)
    assert "<" not in key  # data text is escaped, never raw HTML


def test_the_key_shows_tie_alternatives_and_verify_marks() -> None:
    key = trainer_key.render_key(["cms-example-2", "nc-shp-cmt-97112"], anchors=False)
    assert "Equally correct: 97112 × 2, 97110 × 1; or 97112 × 1, 97110 × 2." in key
    assert "[verify]" in key and "Aetna" in key
    assert "{#" not in key


def test_the_key_refuses_an_unknown_scenario() -> None:
    with pytest.raises(CalcError) as err:
        trainer_key.render_key(["nope"])
    assert err.value.code == "unknown_scenario"


# --- malformed data -----------------------------------------------------------------------------


def _data() -> dict[str, Any]:
    return copy.deepcopy(read_toml(training.DATA_FILE))


def _first(data: dict[str, Any]) -> dict[str, Any]:
    """The first scenario, posing its case's request itself (as any scenario may)."""
    first: dict[str, Any] = data["scenario"][0]
    if "case" in first:
        case = load_units_cases().require(first.pop("case"))
        first.update(request=case.request, sources=list(case.cite.ids), where=case.cite.where)
    return first


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: _first(d).pop("sources"),
            "s.toml, scenario 'cms-example-1': missing key 'sources'",
        ),
        (
            lambda d: _first(d).update(answer={"97112": 2}),
            "s.toml, scenario 'cms-example-1': unknown key 'answer'",
        ),
        (
            lambda d: _first(d).update(kind="quiz"),
            "s.toml, scenario 'cms-example-1': 'kind' must be one of claim, units, review, audit",
        ),
        (
            lambda d: _first(d).update(tags=["nope"]),
            "s.toml, scenario 'cms-example-1': unknown tag 'nope'",
        ),
        (lambda d: _first(d).update(tags=[]), "s.toml, scenario 'cms-example-1': 'tags' must"),
        (
            lambda d: _first(d).update(id="CMS 1"),
            "s.toml, scenario 'CMS 1': 'id' must be lower-case words joined by hyphens",
        ),
        (
            lambda d: d["scenario"][1].update(id="cms-example-1"),
            "s.toml, scenario 'cms-example-1': listed twice",
        ),
        (
            lambda d: _first(d).update(confidence="sure"),
            "s.toml, scenario 'cms-example-1': confidence must be one of",
        ),
        (
            lambda d: _first(d).update(request="97112:24"),
            "s.toml, scenario 'cms-example-1': 'request' has the wrong type",
        ),
        (
            lambda d: _first(d).update(kind="claim"),
            "s.toml, scenario 'cms-example-1': the engine refused the request (missing_payer)",
        ),
        (
            lambda d: _first(d)["request"].update(lines="97112:-4"),
            "s.toml, scenario 'cms-example-1': the engine refused the request (bad_minutes)",
        ),
        (
            lambda d: _first(d)["request"].update(lines="97112:5"),
            "s.toml, scenario 'cms-example-1': the engine bills nothing",
        ),
        (
            lambda d: _first(d).update(
                kind="claim", request={"payer": "medicare", "lines": "98941", "method": "per-code"}
            ),
            "s.toml, scenario 'cms-example-1': the engine refused the request (method_not_allowed)",
        ),
        (
            lambda d: _first(d).update(
                kind="claim", request={"payer": "commercial", "lines": "98941,97112:10,97140:10"}
            ),
            "s.toml, scenario 'cms-example-1': on this tie the equally correct answers bill "
            "different codes",
        ),
        (
            lambda d: d["scenario"][0].update(case="cms-example-9"),
            "s.toml, scenario 'cms-example-1': unknown case 'cms-example-9'",
        ),
        (
            lambda d: d["scenario"][0].update(sources=["cms-100-04-ch5"]),
            "s.toml, scenario 'cms-example-1': a scenario that poses a case takes its request",
        ),
        (
            lambda d: d["scenario"][0].update(kind="claim"),
            "s.toml, scenario 'cms-example-1': only a units scenario can pose a worked case",
        ),
        (
            lambda d: d["tag"].append({"id": "unused", "title": "t", "sources": ["ama-cpt"]}),
            "s.toml: tag 'unused' is used by no scenario",
        ),
        (
            lambda d: d["strict_order"][0].update(first="Q9"),
            "s.toml, strict_order 1: unknown modifier 'Q9'",
        ),
    ],
)
def test_malformed_scenarios_name_file_entry_and_problem(
    change: Callable[[dict[str, Any]], object], message: str
) -> None:
    data = _data()
    change(data)
    with pytest.raises(CalcError) as err:
        training.parse_scenarios("s.toml", data)
    assert err.value.code == "bad_data"
    assert message in err.value.message


def test_a_record_missing_nothing_is_refused() -> None:
    data = _data()
    review = next(s for s in data["scenario"] if s["kind"] == "review")
    review["request"] = golden("documentation_complete.json")["record"]
    with pytest.raises(CalcError) as err:
        training.parse_scenarios("s.toml", data)
    assert f"s.toml, scenario {review['id']!r}: the record misses nothing" in err.value.message


def test_shipped_data_loads() -> None:
    data = training.parse_scenarios("scenarios.toml", _data())
    assert [s.id for s in data.scenarios] == IDS


def test_audit_scenarios_are_graded_on_the_kinds_of_finding() -> None:
    """Issue 15: two scenarios on small claim files; the audit's findings are the key."""
    audits = [s for s in SCENARIOS if s.kind == "audit"]
    assert len(audits) >= 2
    g = training.grade("audit-day-batch", {"missing": ["units-over", "not-covered"]})
    marks = {(m.id, m.status) for m in g.items}
    assert ("units-over", "right") in marks and ("not-covered", "extra") in marks
    assert ("modifier-order", "missed") in marks and not g.correct
    with pytest.raises(CalcError):
        training.grade("audit-day-batch", {"missing": ["functional-goal"]})
    listed = training.scenario_dict(training.scenario("audit-day-batch"), with_answer=False)
    assert {c["id"] for c in listed["choices"]} >= {"units-over", "therapies-not-decreasing"}
    assert listed["facts"][0] == {
        "label": "Header (row 1)",
        "value": "visit_id,patient_id,dos,payer,provider,code,minutes,units,modifiers",
    }
