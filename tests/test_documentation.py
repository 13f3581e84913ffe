"""calc.documentation: the checklists (data), the record parser and the review.

The checklist items come from the HNS CPT 97112 policy (the seed) and CMS Pub. 100-02
Ch. 15 §220.3; the unit arithmetic from CMS Pub. 100-04 Ch. 5 §20.2.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc import api
from calc._data import parse_toml
from calc.documentation import (
    FIELD_BY_NAME,
    FIELDS,
    NOT_IN_SUMMARY,
    PROBLEMS,
    STATUSES,
    SUMMARY_TITLE,
    Record,
    load_checklists,
    parse_checklists,
    parse_record,
    review,
    summary_text,
)
from calc.errors import CalcError
from tests.conftest import golden

#: A record that shows everything the checklists ask for: two therapies in the initial
#: phase, 97112 24 min + 97110 23 min = 47 min → 3 units (CMS chart: 38–52 min → 3).
COMPLETE: dict[str, Any] = golden("documentation_complete.json")["record"]

#: The ids other code and pages rely on (page anchors, links, tests): never renamed.
EXPECTED_IDS = {
    "neuromuscular-problem",
    "affects-neuromuscular-system",
    "effect-documented",
    "specific-body-parts",
    "specific-exercises",
    "functional-goal",
    "volume-sets",
    "volume-repetitions",
    "volume-work",
    "volume-time",
    "specific-techniques",
    "equipment-used",
    "modality-type",
    "modality-rationale",
    "area-of-application",
    "setting-and-frequency",
    "actual-time",
    "consistent-with-plan",
    "rationale-establishes-necessity",
    "minutes-match-units",
    "initial-phase-two-therapies",
    "therapies-decrease",
}


def run(record: dict[str, Any]) -> Any:
    return review(parse_record(record))


def statuses(record: dict[str, Any]) -> dict[str, str]:
    return {r.item.id: r.status for r in run(record).items}


def detail(result: Any, item_id: str) -> str:
    return next(str(r.detail) for r in result.items if r.item.id == item_id)


def without(*names: str) -> dict[str, Any]:
    return {k: v for k, v in COMPLETE.items() if k not in names}


# --- the checklists ---------------------------------------------------------------


def test_checklists_load_with_every_item_sourced() -> None:
    lists = load_checklists()
    assert {i.id for i in lists.items} == EXPECTED_IDS
    for item in lists.items:
        assert item.source and item.text and item.reviewed
        assert item.confidence in ("high", "medium", "low", "verify")
    assert {g.id for g in lists.groups} == {i.group for i in lists.items}


def test_checklists_carry_the_seed_examples() -> None:
    text = {i.id: i.text for i in load_checklists().items}
    for word in ("PNF", "Feldenkrais", "Bobath"):
        assert word in text["specific-techniques"]
    for word in ("BAPS board", "dexterity tools", "sensory training", "desensitization"):
        assert word in text["equipment-used"]
    assert load_checklists().item("initial-phase-two-therapies").limit == 2
    assert "220.3" in load_checklists().item("minutes-match-units").source


def _toml() -> dict[str, Any]:
    text = resources.files("calc").joinpath("data", "checklists.toml").read_text("utf-8")
    return parse_toml("checklists.toml", text)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["item"][0].pop("sources"), "item 'neuromuscular-problem': missing key"),
        (lambda d: d["item"][0].update(colour="red"), "unknown key 'colour'"),
        (lambda d: d["item"][0].update(fields=["shoe_size"]), "unknown record field"),
        (lambda d: d["item"][0].update(requirement="nice"), "'requirement' must be one of"),
        (lambda d: d["item"][0].update(check="magic"), "'check' must be one of"),
        (lambda d: d["item"][0].update(group="nowhere"), "'group' must be one of"),
        (lambda d: d["item"][0].update(confidence="sure"), "confidence must be one of"),
        (lambda d: d["item"][0].update(reviewed="last week"), "'reviewed' must be a date"),
        (lambda d: d["item"][0].update(id="Bad Id"), "lower-case words joined by hyphens"),
        (lambda d: d["item"][1].update(id=d["item"][0]["id"]), "listed twice"),
        (lambda d: d["item"][0].update(fields=[]), "needs at least one field"),
        (lambda d: d["item"][0].update(limit=3), "'limit' is only for"),
        (lambda d: d["group"].append({"id": "empty", "title": "Empty"}), "has no items"),
    ],
)
def test_bad_data_is_named(change: Any, message: str) -> None:
    data = _toml()
    change(data)
    with pytest.raises(CalcError) as err:
        parse_checklists("checklists.toml", data)
    assert err.value.code == "bad_data"
    assert err.value.message.startswith("checklists.toml")
    assert message in err.value.message


def test_limit_is_required_for_the_therapy_count() -> None:
    data = _toml()
    item = next(i for i in data["item"] if i.get("check") == "therapy-count")
    del item["limit"]
    with pytest.raises(CalcError, match="needs a 'limit'"):
        parse_checklists("checklists.toml", data)


# --- a complete record and what each field does -------------------------------------


def test_complete_record_passes() -> None:
    result = run(COMPLETE)
    assert result.passed
    assert {r.status for r in result.items} <= {"met", "not_applicable"}
    assert result.warnings == ()
    out = result.as_dict()
    assert out["passed"] is True and out["counts"]["missing"] == 0
    assert out["visit"]["units_supported"] == 3 and out["visit"]["therapy_count"] == 2
    assert set(out["counts"]) == set(STATUSES)


REQUIRED_FIELD_ITEMS = [
    i for i in load_checklists().items if i.check == "fields" and i.requirement == "required"
]
#: Visit-level checks that also read a field: the minutes of 97112 feed the time checks.
ALSO_NEEDS = {"minutes": {"actual-time", "minutes-match-units"}}


@pytest.mark.parametrize("item", REQUIRED_FIELD_ITEMS, ids=lambda i: i.id)
def test_removing_a_required_field_makes_exactly_its_items_missing(item: Any) -> None:
    removed = set(item.fields)
    got = {k for k, v in statuses(without(*removed)).items() if v == "missing"}
    expected = {i.id for i in REQUIRED_FIELD_ITEMS if removed & set(i.fields)} | set().union(
        *(ALSO_NEEDS.get(f, set()) for f in removed)
    )
    assert item.id in got
    assert got == expected


@pytest.mark.parametrize(
    "item",
    [i for i in load_checklists().items if i.check == "fields" and i.requirement != "required"],
    ids=lambda i: i.id,
)
def test_removing_an_optional_field_is_not_applicable(item: Any) -> None:
    result = run(without(*item.fields))
    assert result.status_of(item.id) == "not_applicable"
    assert result.passed


@pytest.mark.parametrize(
    "name", [f.name for f in FIELDS if f.kind == "yes-no"], ids=lambda n: str(n)
)
def test_answering_no_is_missing(name: str) -> None:
    result = run({**COMPLETE, name: False})
    missing = [r for r in result.items if r.status == "missing"]
    assert [name] == [f for r in missing for f in r.item.fields]
    assert missing[0].detail.startswith("Answered no.")


def test_empty_record_misses_every_required_item() -> None:
    result = run({})
    for r in result.items:
        if r.item.requirement == "required" and r.item.check in ("fields", "timed-code-minutes"):
            assert r.status == "missing", r.item.id
    assert result.summary == "" and not result.passed
    assert result.status_of("modality-type") == "met"
    assert result.status_of("initial-phase-two-therapies") == "met"  # 97112 alone


def test_every_item_reports_its_source() -> None:
    for item in run({}).as_dict()["items"]:
        assert item["source"] and item["detail"] and item["status"] in STATUSES


# --- utilization: at most two therapies in the initial phase (HNS policy) --------------


def therapies(*codes: str, phase: str | None = "initial") -> Any:
    visit = [{"code": c, "minutes": 10} for c in codes]
    record = {**COMPLETE, "visit_codes": visit, "units_billed": None}
    if phase is None:
        del record["phase"]
    else:
        record["phase"] = phase
    return run(record)


def test_three_therapies_in_the_initial_phase_warn() -> None:
    result = therapies("97110", "97140")
    assert result.status_of("initial-phase-two-therapies") == "warning"
    assert [w.code for w in result.warnings] == ["too_many_therapies"]
    assert "97112, 97110, 97140" in result.warnings[0].message
    assert not result.passed


def test_two_therapies_in_the_initial_phase_do_not_warn() -> None:
    result = therapies("97110")
    assert result.status_of("initial-phase-two-therapies") == "met"
    assert not any(w.code == "too_many_therapies" for w in result.warnings)


def test_three_therapies_in_ongoing_care_are_not_this_rule() -> None:
    result = therapies("97110", "97140", phase="ongoing")
    assert result.status_of("initial-phase-two-therapies") == "not_applicable"
    assert result.status_of("therapies-decrease") == "reminder"


def test_three_therapies_without_a_phase_warn() -> None:
    result = therapies("97110", "97140", phase=None)
    assert result.status_of("initial-phase-two-therapies") == "warning"
    assert "phase of care is not entered" in result.warnings[0].message


def test_what_counts_as_a_therapy() -> None:
    # Untimed supervised modalities count; CMT and E/M do not; a repeat counts once.
    record = {
        **COMPLETE,
        "visit_codes": [
            {"code": "97010", "minutes": 10},
            {"code": "98941"},
            {"code": "99213"},
            {"code": "97010", "minutes": 5},
        ],
        "units_billed": None,
    }
    result = run(record)
    assert result.therapies == ("97112", "97010")
    assert result.status_of("initial-phase-two-therapies") == "met"


# --- minutes and units (CMS Pub. 100-02 Ch. 15 §220.3; Pub. 100-04 Ch. 5 §20.2) -------


def minutes_record(units_billed: int | None, *visit: dict[str, Any], minutes: Any = 24) -> Any:
    visit_codes = list(visit) or [{"code": "97110", "minutes": 23}]
    return run(
        {**COMPLETE, "minutes": minutes, "visit_codes": visit_codes, "units_billed": units_billed}
    )


def test_minutes_support_three_units() -> None:
    # 97112 24 min + 97110 23 min = 47 min: CMS chart row 38–52 → 3 units.
    result = minutes_record(None)
    assert result.units is not None and result.units.timed_units == 3
    assert result.timed_minutes == 47 and result.treatment_minutes == 47
    # without the units billed there is nothing to hold the minutes against (issue 14)
    assert result.status_of("minutes-match-units") == "missing"
    assert "47 → 3 timed units" in detail(result, "minutes-match-units")
    assert "Enter the timed units billed" in detail(result, "minutes-match-units")
    assert minutes_record(3).status_of("minutes-match-units") == "met"


def test_an_empty_record_is_not_reviewed() -> None:
    assert api.call("review", {})["error"]["code"] == "empty_record"
    assert api.call("review", {"effect_documented": False})["error"]["code"] == "empty_record"
    assert "error" not in api.call("review", {"sets": 3})


@pytest.mark.parametrize("billed", [2, 4])
def test_units_billed_that_disagree_warn(billed: int) -> None:
    result = minutes_record(billed)
    assert result.status_of("minutes-match-units") == "warning"
    assert [w.code for w in result.warnings] == ["units_disagree_with_minutes"]
    assert "support 3" in result.warnings[0].message


def test_units_billed_that_agree_pass() -> None:
    assert minutes_record(3).status_of("minutes-match-units") == "met"


def test_timed_visit_code_without_minutes_is_missing() -> None:
    result = minutes_record(3, {"code": "97110"})
    assert result.status_of("actual-time") == "missing"
    assert result.status_of("minutes-match-units") == "missing"
    assert "97110" in detail(result, "actual-time")
    assert result.units is None and result.as_dict()["visit"]["units"] is None


def test_untimed_therapy_minutes_count_in_total_treatment_time() -> None:
    result = minutes_record(3, {"code": "97110", "minutes": 23}, {"code": "G0283", "minutes": 15})
    assert result.status_of("minutes-match-units") == "met"
    assert result.timed_minutes == 47 and result.treatment_minutes == 62
    result = minutes_record(3, {"code": "97110", "minutes": 23}, {"code": "G0283"})
    assert result.status_of("actual-time") == "met"
    assert result.status_of("minutes-match-units") == "missing"
    assert result.treatment_minutes is None


def test_97112_under_8_minutes_earns_no_unit() -> None:
    result = minutes_record(None, {"code": "98941"}, minutes=5)
    assert result.status_of("minutes-match-units") == "warning"
    assert "under_8_minutes" in [w.code for w in result.warnings]


def test_97112_capped_by_the_total_is_flagged() -> None:
    # CMS Example 4: 18 + 13 + 10 + 8 min = 49 min → 3 units; the 8-minute code gets 0.
    visit = [
        {"code": "97110", "minutes": 18},
        {"code": "97140", "minutes": 13},
        {"code": "97035", "minutes": 10},
    ]
    result = run({**COMPLETE, "minutes": 8, "visit_codes": visit, "phase": "ongoing"})
    assert result.units is not None and result.units.units_of("97112") == 0
    assert result.status_of("minutes-match-units") == "warning"
    assert "capped_by_total" in [w.code for w in result.warnings]


# --- the summary adds nothing -----------------------------------------------------------


def test_summary_of_the_complete_record() -> None:
    assert summary_text(parse_record(COMPLETE)).splitlines() == [
        SUMMARY_TITLE,
        "Problem addressed: balance; proprioception",
        "Body parts treated: left ankle evertors; left subtalar joint",
        "Exercises or activities: single-leg stance on foam; tandem walking",
        "Functional goal: walk on uneven ground without losing balance",
        "Sets: 3",
        "Repetitions: 10",
        "Work: red resistance band",
        "Time: 24 min",
        "Techniques: PNF",
        "Equipment: BAPS board",
        "Area of application: left lower leg and ankle",
        "Rationale: poor static standing balance after an ankle sprain",
        "Setting and frequency: clinic, twice a week for 4 weeks",
        "Phase of care: initial",
        "Other codes this visit: 97110 23 min; 98941",
    ]


_text = st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs", "Cf")), max_size=40)
_texts = st.lists(_text, max_size=4)
_count = st.integers(min_value=0, max_value=10_000)
_code = st.sampled_from(["97110", "97140", "97530", "98941", "G0283", "99213", "97010"])
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "problem": st.lists(st.sampled_from(PROBLEMS), max_size=5),
        "body_parts": _texts,
        "exercises": _texts,
        "functional_goal": _text,
        "sets": _count,
        "repetitions": _count,
        "work": _text,
        "minutes": st.integers(min_value=0, max_value=120),
        "techniques": _texts,
        "equipment": _texts,
        "area": _text,
        "rationale": _text,
        "setting_frequency": _text,
        "phase": st.sampled_from(["initial", "ongoing"]),
        "visit_codes": st.lists(
            st.fixed_dictionaries(
                {"code": _code}, optional={"minutes": st.integers(min_value=0, max_value=60)}
            ),
            max_size=4,
        ),
        "affects_neuromuscular_system": st.booleans(),
        "effect_documented": st.booleans(),
        "consistent_with_plan": st.booleans(),
        "units_billed": st.integers(min_value=0, max_value=20),
    },
)


def _raw_values(raw: Any) -> list[str]:
    """Every text the user typed, white space folded as the parser folds it."""
    if isinstance(raw, str):
        return [" ".join(raw.split())]
    if isinstance(raw, list):
        return [v for x in raw for v in _raw_values(x)]
    if isinstance(raw, dict):
        return [v for x in raw.values() for v in _raw_values(x)]
    return [str(raw)]


@settings(max_examples=300, deadline=None)
@given(RECORDS)
def test_summary_only_repeats_what_was_entered(raw: dict[str, Any]) -> None:
    record = parse_record(raw)
    text = review(record).summary
    if not text:
        assert not any(record.entered(f.name) for f in FIELDS if f.name not in NOT_IN_SUMMARY)
        return
    first, *lines = text.split("\n")
    assert first == SUMMARY_TITLE
    by_label = {f.label: f for f in FIELDS if f.name not in NOT_IN_SUMMARY}
    seen: set[str] = set()
    typed = _raw_values(raw)
    for line in lines:
        label, sep, value = line.partition(": ")
        assert sep and label in by_label, line
        assert label not in seen
        seen.add(label)
        field = by_label[label]
        assert field.name in raw
        kept = getattr(record, field.name)
        if field.kind == "minutes":
            assert value == f"{raw['minutes']} min"
        elif field.kind == "codes":
            assert value == "; ".join(
                f"{v['code']} {v['minutes']} min" if "minutes" in v else v["code"]
                for v in raw["visit_codes"]
            )
        elif field.kind in ("list", "choices"):
            assert value == "; ".join(kept)
            assert all(entry in typed for entry in kept)
        else:
            assert value == str(kept) and value in typed


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.sampled_from([*FIELD_BY_NAME, "x"]), inner, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_any_json_gets_a_review_or_a_clear_error(raw: Any) -> None:
    out = api.call("review", raw)
    if "error" in out:
        assert out["error"]["code"] and out["error"]["message"]
    else:
        assert set(out["counts"]) == set(STATUSES)
    json.dumps(out)


# --- bad records ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "code", "names"),
    [
        ([1, 2], "bad_request", "JSON object"),
        ("minutes", "bad_request", "JSON object"),
        ({"patient_name": "Jane"}, "unknown_field", "'patient_name'"),
        ({"minutes": -5}, "bad_minutes", "negative"),
        ({"minutes": 2.5}, "bad_minutes", "whole number"),
        ({"minutes": "ten"}, "bad_minutes", "whole number"),
        ({"minutes": 2000}, "day_too_long", "more than a day"),
        ({"sets": -1}, "bad_value", "'sets'"),
        ({"sets": "three"}, "bad_type", "'sets'"),
        ({"repetitions": True}, "bad_type", "'repetitions'"),
        ({"sets": 1_000_000}, "bad_value", "'sets'"),
        ({"units_billed": 97}, "bad_value", "'units_billed'"),
        ({"body_parts": "left ankle"}, "bad_type", "'body_parts'"),
        ({"exercises": [1, 2]}, "bad_type", "'exercises'"),
        ({"techniques": ["PNF"] * 51}, "too_long", "'techniques'"),
        ({"rationale": "x" * 2001}, "too_long", "'rationale'"),
        ({"rationale": "x" * 100_000}, "too_long", "'rationale'"),
        ({"rationale": ["a"]}, "bad_type", "'rationale'"),
        ({"area": "ankle\x1b[31m"}, "bad_value", "'area'"),
        ({"area": "ankle\u202e"}, "bad_value", "'area'"),
        ({"problem": "dizziness"}, "bad_value", "'problem'"),
        ({"problem": 3}, "bad_type", "'problem'"),
        ({"phase": "final"}, "bad_value", "'phase'"),
        ({"phase": 1}, "bad_type", "'phase'"),
        ({"effect_documented": "yes"}, "bad_type", "'effect_documented'"),
        ({"visit_codes": [{"code": "ABCDE", "minutes": 10}]}, "unknown_code", "'ABCDE'"),
        ({"visit_codes": [{"code": "97110", "minutes": -3}]}, "bad_minutes", "negative"),
        ({"visit_codes": [{"code": "97110", "mins": 3}]}, "bad_request", "'visit_codes'"),
        ({"visit_codes": [{"code": "97112", "minutes": 3}]}, "bad_value", "'minutes'"),
        ({"visit_codes": [{"code": "97039"}]}, "not_billable", "97039"),
        ({"visit_codes": {"code": "97110"}}, "bad_type", "'visit_codes'"),
        ({"visit_codes": [5]}, "bad_request", "'visit_codes'"),
    ],
)
def test_bad_records_get_clear_errors(record: Any, code: str, names: str) -> None:
    out = api.call("review", record)
    assert out["error"]["code"] == code
    assert names in out["error"]["message"]
    assert len(out["error"]["message"]) < 400


def test_text_is_trimmed_and_empty_means_not_entered() -> None:
    record = parse_record(
        {
            "functional_goal": "  climb\n stairs  ",
            "area": "   ",
            "body_parts": ["", " knee "],
            "sets": "",
            "phase": " Initial ",
            "problem": ["Kinesthetic-Sense", "balance", "balance"],
        }
    )
    assert record.functional_goal == "climb stairs" and record.area is None
    assert record.body_parts == ("knee",) and record.sets is None
    assert record.phase == "initial" and record.problem == ("kinesthetic sense", "balance")
    assert parse_record({"problem": "posture"}).problem == ("posture",)


def test_visit_codes_from_a_link_string() -> None:
    record = parse_record({"visit_codes": "97110:23, 98941"})
    assert [(v.code, v.minutes) for v in record.visit_codes] == [("97110", 23), ("98941", None)]


def test_record_round_trips_through_as_dict() -> None:
    record = parse_record(COMPLETE)
    assert parse_record(record.as_dict()) == record
    assert Record() == parse_record({})


# --- the API ----------------------------------------------------------------------------


def test_checklist_call() -> None:
    out = api.call("checklist", {})
    assert {i["id"] for i in out["items"]} == EXPECTED_IDS
    assert all(i["source"] and i["reviewed"] for i in out["items"])
    assert [f["name"] for f in out["fields"]] == list(FIELD_BY_NAME)
    assert out["statuses"] == list(STATUSES)
    assert api.call("checklist", {"x": 1})["error"]["code"] == "bad_request"


def test_review_call_json_round_trip() -> None:
    out = json.loads(api.call_json("review", json.dumps(COMPLETE)))
    assert out["passed"] is True
    assert out["record"] == parse_record(COMPLETE).as_dict()
    assert {"review", "checklist"} <= set(api.CALLS)
    deep = json.loads(api.call_json("review", "[" * 100_000))
    assert deep["error"]["code"] == "bad_request"
