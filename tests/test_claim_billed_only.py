"""A warning names only what is billed: a payer's note about a code that was left off
the claim (same region as the CMT, an NCCI indicator 0 pair, no units earned) is not
about this claim. When the code is left off, the answer says why the note is not shown.

Source of the note in these tests: Blue Cross NC's PT prior authorization from date of
service 2024-12-01 (HNS news 9/30/2024 and 10/31/2024; Blue Cross NC provider news 2024),
calc/data/payers.toml.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from calc import api
from calc.dates import Change
from tests.test_claim import visits

PRIOR_AUTH = "prior authorization"


def claim(**request: Any) -> dict[str, Any]:
    out = api.call("claim", request)
    assert "error" not in out, out
    return out


def code_notes(out: dict[str, Any]) -> list[dict[str, Any]]:
    return [w for w in out["warnings"] if w["code"] == "payer-code-note"]


def test_prior_authorization_names_only_the_billed_therapy() -> None:
    """The closing note of the last round: 97140 on the region of the CMT is left off,
    yet the prior-authorization warning said '97112 and 97140'."""
    out = claim(payer="bcbsnc", dos="2025-03-03", lines="98941,97112:23,97140:15:same-region")
    assert [n["code"] for n in out["not_billed"]] == ["97140"]
    (note,) = code_notes(out)
    assert note["lines"] == ["97112"]
    assert note["message"].startswith("97112: Blue Cross NC fully insured plans")
    assert "97140" not in note["message"]
    assert any(
        s.startswith("97140 is not on the claim") and PRIOR_AUTH not in s for s in out["steps"]
    )


def test_no_billed_therapy_no_prior_authorization_warning_nor_dated_rule() -> None:
    out = claim(payer="bcbsnc", dos="2024-12-15", lines="98941,97140:15:same-region")
    assert [x["display"] for x in out["lines"]] == ["98941 × 1"]
    assert code_notes(out) == []
    dated = out["date_of_service"]
    assert not any(PRIOR_AUTH in a["what"] for a in dated["applied"])
    # the change of 2024-12-01 (two weeks earlier) is about codes not on this claim
    assert not any(PRIOR_AUTH in c["text"] for c in dated["changes"])
    # and the answer says why the payer's note is not shown
    (step,) = [s for s in out["steps"] if s.startswith("97140 is not on the claim")]
    assert "Blue Cross NC" in step


def test_a_code_that_earns_no_unit_is_not_named() -> None:
    """CMS total time: 97112 23 + 97140 5 = 28 min → 2 units, both to 97112."""
    out = claim(payer="bcbsnc", dos="2025-03-03", lines="98941,97112:23,97140:5")
    assert [x["display"] for x in out["lines"]] == ["98941 × 1", "97112-59-GP × 2"]
    (note,) = code_notes(out)
    assert note["lines"] == ["97112"] and "97140" not in note["message"]


def test_the_coverage_note_stays_on_a_billed_code() -> None:
    out = claim(payer="bcbsnc", dos="2025-03-03", lines="98941,97014")
    (note,) = code_notes(out)
    assert note["lines"] == ["97014"] and note["message"].startswith("97014: ")


@st.composite
def visits_with_line_facts(draw: st.DrawFn) -> dict[str, Any]:
    """Claim requests where a timed line may say its own relation to the CMT."""
    request = draw(visits())
    if request["same_region"] or request["separate_encounter"]:
        return request
    facts = st.sampled_from(["", ":same-region", ":separate-encounter"])
    lines = [ln + draw(facts) if ":" in ln else ln for ln in request["lines"]]
    return {**request, "lines": lines}


@settings(max_examples=400, deadline=None)
@given(visits_with_line_facts())
# found by hypothesis: 97750 earns no unit, so the note that it "stays on the claim"
# beside the left-off 97161 named a line not billed
@example({"payer": "bcbsnc", "lines": "97750:0,97161,98940", "dos": "2026-12-01"})
def test_every_warning_and_note_names_billed_lines_or_says_why_one_is_off(
    request: dict[str, Any],
) -> None:
    """A message may name a left-off code only to say why it is off (its not-billed
    reason, or the units tie); every other message names billed lines only."""
    out = api.call("claim", request)
    if "error" in out:
        return
    billed = {x["code"] for x in out["lines"]}
    reasons = {n["reason"] for n in out["not_billed"]}
    for message in [*out["warnings"], *out["notes"]]:
        # the tie note names every code CMS lets the last unit go to: that is its point
        if message["message"] in reasons or message["code"] == "units-tie":
            continue
        assert set(message["lines"]) <= billed, message


def test_units_answer_lists_only_changes_about_codes_that_earn_units(monkeypatch: Any) -> None:
    """The units page has no payer, so today no dated change names a code there; this
    one, made up for the test, names 97140, which earns no unit here."""
    made_up = Change(
        dt.date(2025, 3, 1), "A change about 97140.", None, None, ("97140",), "t", "high"
    )
    monkeypatch.setattr(api, "rule_changes", lambda: (made_up,))
    out = api.call("units", {"lines": "97112:23,97140:5", "dos": "2025-03-03"})
    assert [x["units"] for x in out["lines"]] == [2, 0]
    assert out["date_of_service"]["changes"] == []
    out = api.call("units", {"lines": "97112:23,97140:15", "dos": "2025-03-03"})
    assert [c["text"] for c in out["date_of_service"]["changes"]] == ["A change about 97140."]


def test_an_ignored_same_region_mark_on_a_line_that_earns_no_unit_is_not_said() -> None:
    """'It stays on the claim' would contradict the units warning ('Do not bill it')."""
    out = claim(payer="commercial", dos="2025-03-03", lines="98941,97112:30,97110:5:same-region")
    assert [x["code"] for x in out["lines"]] == ["98941", "97112"]
    assert [w["code"] for w in out["warnings"]] == ["under_8_minutes"]
    # billed, the same mark is still named (the test of issue 14 item 2)
    out = claim(payer="commercial", dos="2025-03-03", lines="98941,97112:30,97110:10:same-region")
    assert ("flag-ignored", ["97110"]) in [(w["code"], w["lines"]) for w in out["warnings"]]


# --- a code left off cannot leave another off -------------------------------------------
# calc/data/ncci_pairs.toml (CMS NCCI PTP v30.1): 97140/97124 and 97161/97750 are
# indicator 0 edits; a PTP edit pairs codes billed by the same provider for the same
# patient on the same date of service.


def test_97124_is_not_left_off_for_a_97140_that_is_itself_left_off() -> None:
    out = claim(payer="commercial", dos="2025-03-03", lines="98941,97140:15:same-region,97124:15")
    assert [n["code"] for n in out["not_billed"]] == ["97140"]
    assert [x["display"] for x in out["lines"]] == ["98941 × 1", "97124-59 × 1"]
    (note,) = [n for n in out["notes"] if n["code"] == "ncci-pair-not-applied"]
    assert note["lines"] == ["97124"] and "97140" in note["message"]
    assert note["confidence"] == "medium" and note["action"]
    assert any(s.startswith("97124: stays on the claim") for s in out["steps"])
    # with 97140 billed (another region), the edit applies again
    out = claim(payer="commercial", dos="2025-03-03", lines="98941,97140:15,97124:15")
    assert [n["code"] for n in out["not_billed"]] == ["97124"]


def test_a_chain_of_indicator_0_edits_stops_at_the_code_left_off() -> None:
    """98941 leaves 97161 off (indicator 0); 97161 then cannot leave 97750 off."""
    out = claim(payer="commercial", dos="2025-03-03", lines="98941,97161,97750:30")
    assert [n["code"] for n in out["not_billed"]] == ["97161"]
    assert "97750" in [x["code"] for x in out["lines"]]


@settings(max_examples=300, deadline=None)
@given(visits_with_line_facts())
def test_a_code_is_left_off_only_for_a_code_on_the_claim(request: dict[str, Any]) -> None:
    out = api.call("claim", request)
    if "error" in out:
        return
    billed = {x["code"] for x in out["lines"]}
    for n in out["not_billed"]:
        if n["rule"].startswith("ncci-"):
            column1 = n["rule"].split("-")[1]
            assert column1 in billed, n
