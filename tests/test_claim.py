"""calc.claim: visits become claim lines. A scenario table (each row names the rule it
checks), property tests over random visits, and bad input."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc import api
from calc.claim import Claim, Visit, build_claim
from calc.codes import load_codes
from calc.errors import CalcError
from calc.modifiers import X_MODIFIERS, load_modifier_rules
from calc.ncci import load_ncci_pairs
from calc.payers import load_payers
from calc.requests import claim_request
from calc.units import Entry, compute_units, parse_entries

CODES = load_codes()
ORDER = load_modifier_rules().order.modifiers


@dataclass(frozen=True)
class Scenario:
    id: str
    rule: str  # the rule it checks, with its source
    request: dict[str, Any]
    lines: list[str]  # the claim lines as displayed
    not_billed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # warning codes that must be present
    notes: list[str] = field(default_factory=list)  # note codes that must be present
    # (code, modifier): a modifier resting on a rule not rated high, marked on its line
    checks: list[tuple[str, str]] = field(default_factory=list)


SCENARIOS = [
    Scenario(
        "done-when",
        "HNS seed: BCBSNC + CMT → 97112-59-GP, 59 first; units by CMS (23 min → 2)",
        {"payer": "bcbsnc", "lines": "98941,97112:23"},
        ["98941 × 1", "97112-59-GP × 2"],
        notes=["distinct-procedure", "payer-verify"],
    ),
    *(
        Scenario(
            f"{payer}-cmt",
            "HNS seed: SHP / MedCost / Zelis + CMT → 59 then GP",
            {"payer": payer, "lines": "98940,97112:15"},
            ["98940 × 1", "97112-59-GP × 1"],
            notes=["payer-verify"],
        )
        for payer in ("nc-shp", "medcost", "zelis")
    ),
    Scenario(
        "commercial-cmt",
        "HNS seed: 97112 with CMT, any payer → 59 (no GP rule for commercial)",
        {"payer": "commercial", "lines": "98942,97112:30"},
        ["98942 × 1", "97112-59 × 2"],
    ),
    Scenario(
        "commercial-em",
        "HNS seed: 97112 with an E/M → 59",
        {"payer": "commercial", "lines": "99213,97112:30"},
        ["99213 × 1", "97112-59 × 2"],
    ),
    Scenario(
        "bcbsnc-em-only",
        "HNS 97112 policy: with an E/M only, BCBSNC gets 59 alone (59+GP is tied to CMT)",
        {"payer": "bcbsnc", "lines": "99214,97112:30"},
        ["99214 × 1", "97112-59 × 2"],
    ),
    Scenario(
        "em-cmt-25",
        "CPT, NCCI: E/M with CMT → 25 on the E/M, never on the CMT, never 59 on the E/M",
        {"payer": "bcbsnc", "lines": "99213,98941,97112:38"},
        ["99213-25 × 1", "98941 × 1", "97112-59-GP × 3"],
    ),
    Scenario(
        "same-region",
        "NCCI, MLN1783722: same region, same encounter → not separately reportable, no 59",
        {"payer": "bcbsnc", "lines": "98941,97112:23,97110:15", "same_region": True},
        ["98941 × 1", "97110 × 1"],
        not_billed=["97112"],
        warnings=["same-region-not-reportable"],
    ),
    Scenario(
        "same-region-minutes-leave-the-pool",
        "CMS §20.2 pool: 97112's bundled minutes do not lift 97110 (7 min alone → 0 units)",
        {"payer": "commercial", "lines": "98940,97112:10,97110:7", "same_region": "1"},
        ["98940 × 1"],
        not_billed=["97112"],
        warnings=["same-region-not-reportable", "under_8_minutes"],
    ),
    Scenario(
        "x-style-region",
        "CMS MLN1783722: X style → XS for a separate region (still before GP)",
        {"payer": "bcbsnc", "lines": "98941,97112:23", "modifier_style": "x"},
        ["98941 × 1", "97112-XS-GP × 2"],
        notes=["x-style-chosen"],
    ),
    Scenario(
        "x-style-encounter",
        "CMS MLN1783722: X style → XE for a separate encounter",
        {
            "payer": "commercial",
            "lines": "98941,97112:23",
            "modifier_style": "x",
            "separate_encounter": True,
        },
        ["98941 × 1", "97112-XE × 2"],
    ),
    Scenario(
        "medicare-dc",
        "42 CFR 410.21(b): DC + Medicare → 97112 excluded (GP + GY); CMT active → AT",
        {"payer": "medicare", "lines": "98941,97112:23"},
        ["98941-AT × 1", "97112-GP-GY × 2"],
        warnings=["medicare-dc-therapy-excluded"],
        notes=["medicare-59-on-gy-open"],
    ),
    Scenario(
        "medicare-dc-abn-maintenance",
        "NGS, Palmetto JM: voluntary ABN → GX on the excluded line; maintenance CMT + ABN → GA",
        {"payer": "medicare", "lines": "98940,97112:23", "abn": True, "care": "maintenance"},
        ["98940-GA × 1", "97112-GP-GY-GX × 2"],
    ),
    Scenario(
        "medicare-dc-maintenance-no-abn",
        "Medicare (Palmetto JM): maintenance CMT without an ABN → GZ",
        {"payer": "medicare", "lines": "98940", "care": "maintenance"},
        ["98940-GZ × 1"],
    ),
    Scenario(
        "medicare-dc-98943-em",
        "Pub. 100-02 Ch. 15 §240: 98943 and E/M by a DC are excluded for Medicare (GY, verify)",
        {"payer": "medicare", "lines": "98941,98943,99213"},
        ["98941-AT × 1", "98943-GY × 1", "99213-GY × 1"],
        warnings=["medicare-dc-other-excluded"],
        checks=[("98943", "GY"), ("99213", "GY")],
    ),
    Scenario(
        "medicare-pt",
        "Pub. 100-04 Ch. 5 §20.1: a PT's therapy line under Medicare carries GP; KX note",
        {"payer": "medicare", "provider": "pt", "lines": "97112:23,97110:15"},
        ["97112-GP × 2", "97110-GP × 1"],
        notes=["medicare-kx-threshold"],
    ),
    Scenario(
        "under-8",
        "HNS seed / CMS §20.2: 97112 under 8 minutes alone → no line, and a warning",
        {"payer": "bcbsnc", "lines": "97112:7"},
        [],
        warnings=["under_8_minutes"],
    ),
    Scenario(
        "under-8-with-cmt",
        "Under 8 minutes: no 97112 line, so no 59/GP either",
        {"payer": "bcbsnc", "lines": "98941,97112:5"},
        ["98941 × 1"],
        warnings=["under_8_minutes"],
    ),
    Scenario(
        "initial-phase-three-therapies",
        "HNS policy: more than two therapies or modalities in the initial phase → warning",
        {"payer": "commercial", "phase": "initial", "lines": "97112:15,97110:15,97035:15"},
        ["97112 × 1", "97110 × 1", "97035 × 1"],
        warnings=["hns-initial-phase-two-therapies"],
    ),
    Scenario(
        "group-with-97112",
        "HNS 97150 policy / NCCI PTP v30.1 97150/97112 (indicator 1): warning, 59 on 97112",
        {"payer": "commercial", "phase": "ongoing", "lines": "97150,97112:15"},
        ["97150 × 1", "97112-59 × 1"],
        warnings=["group-with-individual"],
    ),
    Scenario(
        "cmt-97124",
        "NCCI PTP v30.1 98940–98942 / 97124 (indicator 1): 59; GP not added (verify)",
        {"payer": "bcbsnc", "lines": "98941,97124:15"},
        ["98941 × 1", "97124-59 × 1"],
        notes=["hns-gp-on-other-therapy-unconfirmed"],
    ),
    Scenario(
        "cmt-97124-97140",
        "NCCI PTP v30.1 97140 / 97124 (indicator 0): 97124 not billed; 97140-59 with CMT",
        {"payer": "bcbsnc", "lines": "98941,97124:15,97140:15"},
        ["98941 × 1", "97140-59 × 1"],
        not_billed=["97124"],
        warnings=["ncci-97140-97124"],
        notes=["hns-gp-on-other-therapy-unconfirmed"],
    ),
    Scenario(
        "cmt-pt-evaluation",
        "NCCI PTP v30.1 98940–98942 / 97161–97168 (indicator 0): the evaluation is not billed",
        {"payer": "commercial", "lines": "98941,97161"},
        ["98941 × 1"],
        not_billed=["97161"],
        warnings=["ncci-98941-97161"],
    ),
    Scenario(
        "98943-97140-no-edit",
        "NCCI PTP v30.1: no 98943/97140 edit, so no 59 on 97140 (HNS's 59 is for 97112)",
        {"payer": "commercial", "lines": "98943,97140:15,97112:15"},
        ["98943 × 1", "97140 × 1", "97112-59 × 1"],
        notes=["ncci-none-found"],
    ),
    Scenario(
        "cmt-same-region-97140",
        "Same region applies to 97124/97140 too (NCCI column 2 to CMT)",
        {"payer": "commercial", "lines": "98941,97140:15", "same_region": True},
        ["98941 × 1"],
        not_billed=["97140"],
    ),
    Scenario(
        "per-code-commercial",
        "AMA mid-point: commercial may switch to per code (8+8+8 → 3 units)",
        {"payer": "commercial", "lines": "97112:8,97110:8,97116:8", "method": "per-code"},
        ["97112 × 1", "97110 × 1", "97116 × 1"],
    ),
    Scenario(
        "bcbsnc-97014",
        "HNS notice: BCBSNC 97012/97014 non-covered for fully insured plans from 2024-12-01",
        {"payer": "bcbsnc", "lines": "97014,97112:15"},
        ["97014 × 1", "97112 × 1"],
        warnings=["payer-code-note"],
    ),
]


@pytest.mark.parametrize("case", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(case: Scenario) -> None:
    result = api.call("claim", case.request)
    assert "error" not in result, result
    assert [line["display"] for line in result["lines"]] == case.lines, case.rule
    assert [n["code"] for n in result["not_billed"]] == case.not_billed, case.rule
    warnings = {w["code"] for w in result["warnings"]}
    notes = {n["code"] for n in result["notes"]}
    assert set(case.warnings) <= warnings, (case.rule, warnings)
    assert set(case.notes) <= notes, (case.rule, notes)
    checked = {(x["code"], c["modifier"]) for x in result["lines"] for c in x["checks"]}
    assert set(case.checks) <= checked, (case.rule, checked)
    assert result["steps"][-1].startswith("Claim: ")
    assert result["sources"]


def test_done_when_contract() -> None:
    """The issue's done-when, through the JSON facade (the CLI test runs the command)."""
    out = api.call("claim", {"payer": "bcbsnc", "lines": ["98941", "97112=23"]})
    assert out["payer"] == "bcbsnc"
    assert [(x["code"], x["units"], x["modifiers"]) for x in out["lines"]] == [
        ("98941", 1, []),
        ("97112", 2, ["59", "GP"]),
    ]
    assert all({"code", "message"} <= set(w) for w in out["warnings"] + out["notes"])
    assert out["steps"] and any("59 then GP" in s for s in out["steps"])
    assert any("HNS, CPT 97112 – Neuromuscular Reeducation" in s for s in out["sources"])
    json.dumps(out)  # plain JSON all the way down


def test_shp_verify_note_is_on_every_shp_claim() -> None:
    out = api.call("claim", {"payer": "nc-shp", "lines": "97112:15"})
    (note,) = [n for n in out["notes"] if n["code"] == "payer-verify"]
    assert note["confidence"] == "verify" and "Aetna" in note["message"]
    # nothing on this claim rests on the doubtful SHP rule (no CMT: no GP), so the
    # claim's own mark is not lowered by it (issue 14, item 4)
    assert out["confidence"] == "high" and note["level"] == "secondary"


def test_every_note_and_warning_carries_source_and_confidence() -> None:
    for case in SCENARIOS:
        out = api.call("claim", case.request)
        for m in out["warnings"] + out["notes"]:
            assert m["source"] and m["confidence"] in ("high", "medium", "low", "verify"), m


def test_same_region_says_why_the_line_is_not_billed() -> None:
    out = api.call("claim", {"payer": "bcbsnc", "lines": "98941,97112:23", "same_region": True})
    (gone,) = out["not_billed"]
    assert gone["code"] == "97112" and gone["minutes"] == 23
    assert "not separately reportable" in gone["reason"] and "59" in gone["reason"]
    assert any("97112: not billed" in s for s in out["steps"])


def test_medicare_dc_explains_billing_only_on_request() -> None:
    out = api.call("claim", {"payer": "medicare", "lines": "98941,97112:23"})
    (line,) = [x for x in out["lines"] if x["code"] == "97112"]
    assert line["excluded"] is True
    (warning,) = [w for w in out["warnings"] if w["code"] == "medicare-dc-therapy-excluded"]
    assert "only if the patient asks" in warning["message"]


def test_unstated_phase_warns_conditionally() -> None:
    out = api.call("claim", {"payer": "commercial", "lines": "97112:15,97110:15,97035:15"})
    (w,) = [w for w in out["warnings"] if w["code"] == "hns-initial-phase-two-therapies"]
    assert w["message"].startswith("The phase of care was not stated.")
    ongoing = api.call(
        "claim", {"payer": "commercial", "lines": "97112:15,97110:15,97035:15", "phase": "ongoing"}
    )
    assert "hns-initial-phase-two-therapies" not in {w["code"] for w in ongoing["warnings"]}


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"payer": "commercial", "lines": "97112:15", "abn": True}, "ABN is a Medicare notice"),
        ({"payer": "bcbsnc", "lines": "97112:15", "care": "maintenance"}, "Medicare only"),
        ({"payer": "bcbsnc", "lines": "97112:15", "same_region": True}, "no CMT code"),
        ({"payer": "medicare", "lines": "97112:15", "care": "maintenance"}, "no CMT code"),
    ],
)
def test_flags_that_change_nothing_are_named_not_ignored(request_: dict, message: str) -> None:
    out = api.call("claim", request_)
    ignored = [w["message"] for w in out["warnings"] if w["code"] == "flag-ignored"]
    assert len(ignored) == 1 and message in ignored[0]


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        ({"payer": "aetna", "lines": "97112:15"}, "unknown_payer"),
        ({"lines": "97112:15"}, "missing_payer"),
        ({"payer": 7, "lines": "97112:15"}, "unknown_payer"),
        ({"payer": "bcbsnc", "lines": "9711:15"}, "unknown_code"),
        ({"payer": "bcbsnc", "lines": "97112"}, "missing_minutes"),
        ({"payer": "bcbsnc", "lines": "97112:-1"}, "bad_minutes"),
        ({"payer": "bcbsnc", "lines": "97139"}, "not_billable"),
        ({"payer": "bcbsnc"}, "empty_input"),
        (
            {
                "payer": "bcbsnc",
                "lines": "98941,97112:15",
                "same_region": 1,
                "separate_encounter": 1,
            },
            "conflicting_flags",
        ),
        ({"payer": "bcbsnc", "lines": "97112:15", "method": "per-code"}, "method_not_allowed"),
        ({"payer": "bcbsnc", "lines": "97112:15", "method": "eights"}, "bad_method"),
        ({"payer": "bcbsnc", "lines": "97112:15", "provider": "md"}, "bad_provider"),
        ({"payer": "bcbsnc", "lines": "97112:15", "phase": "late"}, "bad_phase"),
        ({"payer": "bcbsnc", "lines": "97112:15", "care": "x"}, "bad_care"),
        ({"payer": "bcbsnc", "lines": "97112:15", "modifier_style": "XS"}, "bad_modifier_style"),
        ({"payer": "bcbsnc", "lines": "97112:15", "same_region": "maybe"}, "bad_request"),
        ({"payer": "bcbsnc", "lines": "97112:15", "abn": 2}, "bad_request"),
        ({"payer": "bcbsnc", "lines": "97112:15", "provider": True}, "bad_provider"),
        ({"payer": "bcbsnc", "lines": "97112:15", "date": "2026-01-01"}, "bad_request"),
        ({"payer": "bcbsnc", "lines": "<b>97112</b>:15"}, "unknown_code"),
    ],
)
def test_bad_input_is_a_clear_error(request_: dict, code: str) -> None:
    out = api.call("claim", request_)
    assert out.get("error", {}).get("code") == code, out
    assert out["error"]["message"] and "Traceback" not in out["error"]["message"]


def test_build_claim_checks_a_visit_built_in_python_too() -> None:
    with pytest.raises(CalcError) as err:
        build_claim(Visit(lines=(Entry("97112", 15),), payer="bcbsnc", provider="md"))
    assert err.value.code == "bad_provider"
    with pytest.raises(CalcError) as err:
        build_claim(Visit(lines=(), payer="bcbsnc"))
    assert err.value.code == "empty_input"


def test_request_fields_from_links_are_read_as_text() -> None:
    visit = claim_request(
        {
            "payer": " BCBSNC ",
            "lines": "98941,97112:23",
            "same_region": "true",
            "modifier_style": "X",
            "phase": "",
        }
    )
    assert (visit.payer, visit.same_region, visit.modifier_style, visit.phase) == (
        "bcbsnc",
        True,
        "x",
        None,
    )


# --- properties over random visits -----------------------------------------------------

BILLABLE = [c.code for c in CODES if c.billable]
PAYERS = load_payers()


@st.composite
def visits(draw: st.DrawFn) -> dict[str, Any]:
    codes = draw(st.lists(st.sampled_from(BILLABLE), min_size=1, max_size=6))
    lines = []
    for code in codes:
        if CODES.require(code).timed:
            lines.append(f"{code}:{draw(st.integers(0, 70))}")
        else:
            lines.append(code)
    payer = draw(st.sampled_from([p.id for p in PAYERS]))
    same_region = draw(st.booleans())
    return {
        "payer": payer,
        "lines": lines,
        "provider": draw(st.sampled_from(["dc", "pt"])),
        "phase": draw(st.sampled_from([None, "initial", "ongoing"])),
        "same_region": same_region,
        "separate_encounter": (not same_region) and draw(st.booleans()),
        "modifier_style": draw(st.sampled_from([None, "59", "x"])),
        "abn": draw(st.booleans()),
        "care": draw(st.sampled_from(["active", "maintenance"])),
        "method": draw(st.sampled_from([None, *PAYERS.require(payer).units_methods])),
    }


def _claim(request: dict[str, Any]) -> Claim:
    return build_claim(claim_request(request))


@settings(max_examples=300, deadline=None)
@given(visits())
def test_output_is_deterministic_and_plain_json(request: dict[str, Any]) -> None:
    first = api.call("claim", request)
    assert first == api.call("claim", request)
    assert json.loads(json.dumps(first)) == first


@settings(max_examples=300, deadline=None)
@given(visits())
def test_units_are_the_units_engines_with_the_payers_method(request: dict[str, Any]) -> None:
    claim = _claim(request)
    method = request["method"] or PAYERS.require(request["payer"]).units_method
    gone = {n.code for n in claim.not_billed}
    kept = [e for e in parse_entries(request["lines"]) if e.code not in gone]
    expected = compute_units(kept, method=method)
    assert claim.method == method
    assert [(x.code, x.units) for x in claim.lines] == [
        (x.code, x.units) for x in expected.lines if x.units > 0
    ]


@settings(max_examples=400, deadline=None)
@given(visits())
def test_modifier_invariants_hold_on_every_line(request: dict[str, Any]) -> None:
    claim = _claim(request)
    for line in claim.lines:
        mods = list(line.modifiers)
        category = CODES.require(line.code).category
        xs = [m for m in mods if m in X_MODIFIERS]
        assert len(mods) == len(set(mods)), line
        assert not ("59" in mods and xs) and len(xs) <= 1, "never 59 and an X modifier"
        if category == "em":
            assert "59" not in mods and not xs, "never 59 or X on an E/M"
        if "25" in mods:
            assert category == "em", "25 only on the E/M"
        if "GP" in mods and ("59" in mods or xs):
            assert mods.index("59" if "59" in mods else xs[0]) < mods.index("GP"), "59 before GP"
        assert not {"AT", "GA"} <= set(mods), "never AT and GA together"
        assert mods == sorted(mods, key=ORDER.index), "claim order"
        assert line.units > 0
        if line.excluded:
            assert request["payer"] == "medicare" and request["provider"] == "dc"
        if request["modifier_style"] != "x":
            assert not xs
        elif "59" in mods:
            raise AssertionError("X style never shows 59")


@settings(max_examples=200, deadline=None)
@given(visits())
def test_lines_left_off_are_explained(request: dict[str, Any]) -> None:
    claim = _claim(request)
    entered = {str(x).split(":")[0] for x in request["lines"]}
    ncci = load_ncci_pairs()
    for gone in claim.not_billed:
        bundled = any(
            (edit := ncci.edit(other, gone.code)) is not None and edit.indicator == "0"
            for other in entered
        )
        assert request["same_region"] or bundled, "same region, or an indicator 0 edit"
        assert gone.code not in {x.code for x in claim.lines}
        assert gone.code in {w.lines[0] for w in claim.warnings if w.lines}
    assert claim.steps[-1].startswith("Claim: ")
