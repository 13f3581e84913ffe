"""Per-line visit facts (issue 14, item 1): same region as the CMT and separate
encounter belong to each therapy line; the visit-wide flags say it of every line.

The rule: a therapy that treated the region manipulated, in the same encounter, is not
separately reportable (NCCI Policy Manual; CMS MLN1783722; HNS CPT 97112 policy); a
therapy on another region, or at a separate encounter, is billed with 59 (XS / XE)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calc import api
from calc.units import parse_entries

LINE_FACTS = ("same_region", "separate_encounter")


def claim(**request: Any) -> dict[str, Any]:
    out = api.call("claim", request)
    assert "error" not in out, out
    return out


def lines(out: dict[str, Any]) -> list[str]:
    return [line["display"] for line in out["lines"]]


def test_mixed_visit_97112_same_region_97140_not() -> None:
    """The visit the issue could not enter: 97112 on the manipulated region, 97140 not."""
    out = claim(payer="bcbsnc", lines="98941,97112:23:same-region,97140:10")
    assert lines(out) == ["98941 × 1", "97140-59 × 1"]
    assert [(n["code"], n["minutes"]) for n in out["not_billed"]] == [("97112", 23)]
    assert out["lines"][1]["facts"] == []
    # the 23 minutes of 97112 leave the timed pool: 97140 is charted on its 10 alone
    assert out["units"]["total_minutes"] == 10


def test_the_visit_flag_is_a_shorthand_for_every_line() -> None:
    wide = claim(payer="bcbsnc", lines="98941,97112:23,97140:10", same_region=True)
    each = claim(payer="bcbsnc", lines="98941,97112:23:same-region,97140:10:same-region")
    assert lines(wide) == lines(each) == ["98941 × 1"]
    assert [n["code"] for n in wide["not_billed"]] == [n["code"] for n in each["not_billed"]]


def test_separate_encounter_on_one_line_makes_xe_there_only() -> None:
    out = claim(
        payer="commercial",
        lines="98941,97112:30:separate-encounter,97140:10",
        modifier_style="x",
    )
    assert lines(out) == ["98941 × 1", "97112-XE × 2", "97140-XS × 1"]
    assert out["lines"][1]["facts"] == ["separate_encounter"]


@pytest.mark.parametrize(
    "spelled",
    [
        "98941,97112:23:same-region",  # a link
        ["98941", "97112=23:same-region"],  # the command line
        ["98941", "97112=23:same_region"],
        [{"code": "98941"}, {"code": "97112", "minutes": 23, "same_region": True}],  # JSON
        [{"code": "98941"}, {"code": "97112", "minutes": "23", "same_region": "1"}],  # a form
    ],
)
def test_every_spelling_of_a_line_fact_means_the_same(spelled: Any) -> None:
    out = claim(payer="bcbsnc", lines=spelled)
    assert lines(out) == ["98941 × 1"] and out["not_billed"][0]["code"] == "97112"


@pytest.mark.parametrize(
    ("request_", "code", "says"),
    [
        ({"lines": "98941,97112:23:same-place"}, "bad_line_fact", "same-place"),
        ({"lines": "98941:same-region,97112:23"}, "bad_line_fact", "not a therapy"),
        (
            {"lines": "98941,97112:23:same-region:separate-encounter"},
            "conflicting_flags",
            "97112",
        ),
        (
            {"lines": "98941,97112:23:separate-encounter", "same_region": True},
            "conflicting_flags",
            "97112",
        ),
        (
            {"lines": "98941,97112:10:separate-encounter,97112:13"},
            "conflicting_line_facts",
            "97112",
        ),
        (
            {"lines": [{"code": "97112", "minutes": 23, "same_region": "maybe"}]},
            "bad_line_fact",
            "",
        ),
        ({"lines": [{"code": "97112", "minutes": 23, "region": "low back"}]}, "bad_request", ""),
    ],
)
def test_bad_line_facts_are_clear_errors(request_: dict[str, Any], code: str, says: str) -> None:
    out = api.call("claim", {"payer": "bcbsnc", **request_})
    assert out.get("error", {}).get("code") == code, out
    assert says in out["error"]["message"]


def test_the_units_calculator_refuses_line_facts() -> None:
    out = api.call("units", {"lines": "97112:23:same-region"})
    assert out["error"]["code"] == "bad_line_fact"
    assert "CODE:MINUTES" in out["error"]["message"]


def test_same_region_on_a_line_no_rule_bundles_is_named() -> None:
    """97110 has no NCCI edit with CMT and no HNS same-region rule: say it changes nothing."""
    out = claim(payer="bcbsnc", lines="98941,97110:23:same-region")
    assert lines(out) == ["98941 × 1", "97110 × 2"]
    ignored = [w for w in out["warnings"] if w["code"] == "flag-ignored"]
    assert ignored and ignored[0]["lines"] == ["97110"] and "97110" in ignored[0]["message"]


def test_cli_takes_a_fact_after_the_minutes_and_documents_it() -> None:
    run = [sys.executable, "-m", "calc", "claim"]
    proc = subprocess.run(
        [*run, "--payer", "bcbsnc", "98941", "97112=23:same-region", "97140=10"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "97140-59 × 1" in proc.stdout and "97112: not billed" in proc.stdout
    # the line's own mark and action, then notes before background notes
    bcbs = subprocess.run(
        [*run, "--payer", "bcbsnc", "98941", "97112=23"], capture_output=True, text=True, timeout=60
    )
    assert "→ Confirm GP on 97112 with Blue Cross NC [medium]" in bcbs.stdout
    assert "Background notes:" in bcbs.stdout
    helped = subprocess.run([*run, "--help"], capture_output=True, text=True, timeout=60)
    assert "same-region" in helped.stdout and "separate-encounter" in helped.stdout


# --- a property: a same-region line is as if it had not been entered ---------------

# same-region-not-reportable's codes; 97140 / 97124 is an NCCI indicator 0 pair (97124
# is bundled into 97140 whenever both are entered), so the two are not drawn together
THERAPY_WITH_CMT_RULE = ["97112", "97124", "97140"]


@st.composite
def mixed_visits(draw: st.DrawFn) -> tuple[str, list[str], str]:
    payer = draw(st.sampled_from(["bcbsnc", "nc-shp", "medcost", "zelis", "commercial"]))
    cmt = draw(st.sampled_from(["98940", "98941", "98942"]))
    therapies = draw(
        st.lists(
            st.sampled_from(THERAPY_WITH_CMT_RULE), min_size=2, max_size=2, unique=True
        ).filter(lambda pair: set(pair) != {"97124", "97140"})
    )
    minutes = [draw(st.integers(8, 60)) for _ in therapies]
    return payer, [cmt, *(f"{c}:{m}" for c, m in zip(therapies, minutes, strict=True))], cmt


@settings(max_examples=150, deadline=None)
@given(mixed_visits(), st.data())
def test_a_same_region_line_bills_like_a_visit_without_it(
    visit: tuple[str, list[str], str], data: st.DataObject
) -> None:
    payer, entered, _ = visit
    at = data.draw(st.integers(1, len(entered) - 1))
    marked = [*entered[:at], entered[at] + ":same-region", *entered[at + 1 :]]
    without = [*entered[:at], *entered[at + 1 :]]
    with_fact = claim(payer=payer, lines=",".join(marked))
    shorter = claim(payer=payer, lines=",".join(without))
    assert lines(with_fact) == lines(shorter)
    dropped = parse_entries(entered[at])[0]
    assert [(n["code"], n["minutes"]) for n in with_fact["not_billed"]] == [
        (dropped.code, dropped.minutes)
    ]
