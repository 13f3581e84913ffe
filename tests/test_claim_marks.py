"""Trust marks where they belong (issue 14, item 4) and the claim builder's gaps
(item 5): each mark sits on the line and modifier it concerns, with a one-line action;
the claim's own mark is the weakest of its lines; notes are primary or secondary."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from calc import api
from calc._data import weakest
from calc.payers import load_payers
from tests.test_claim import visits


def claim(**request: Any) -> dict[str, Any]:
    out = api.call("claim", request)
    assert "error" not in out, out
    return out


def line(out: dict[str, Any], code: str) -> dict[str, Any]:
    (found,) = [x for x in out["lines"] if x["code"] == code]
    return found


def test_gp_on_97112_for_blue_cross_nc_carries_its_own_mark_and_action() -> None:
    """The GP rule for BCBSNC is HNS policy (high) on a payer profile rated medium: no
    public BCBSNC document states it (payers.toml, verify)."""
    # the day before Blue Cross NC's PT prior authorization (a second check from 2024-12-01)
    out = claim(payer="bcbsnc", lines="98941,97112:23", dos="2024-11-30")
    (check,) = line(out, "97112")["checks"]
    assert check["modifier"] == "GP" and check["confidence"] == "medium"
    assert check["action"] == "Confirm GP on 97112 with Blue Cross NC"
    assert "rests on HNS policy alone" in check["why"]
    assert line(out, "98941")["checks"] == [] and line(out, "98941")["confidence"] == "high"
    assert out["confidence"] == "medium"


def test_a_plain_cmt_claim_is_not_marked_by_the_payers_doubts() -> None:
    """The issue: the red VERIFY header on a claim whose only line is a plain 98941."""
    out = claim(payer="nc-shp", lines="98941")
    assert out["confidence"] == "high"
    assert {n["level"] for n in out["notes"] if n["code"] == "payer-verify"} == {"secondary"}


def test_an_open_question_about_a_line_is_on_that_line() -> None:
    out = claim(payer="bcbsnc", lines="98941,97140:10", dos="2024-11-30")  # before PT prior auth
    (check,) = line(out, "97140")["checks"]
    assert check["modifier"] is None and check["confidence"] == "verify"
    assert check["action"] == "Ask Blue Cross NC whether 97140 also needs GP with the CMT"


@settings(max_examples=200, deadline=None)
@given(visits())
def test_the_claims_mark_is_the_weakest_of_its_lines(request: dict[str, Any]) -> None:
    out = api.call("claim", request)
    if "error" in out:
        return
    assert out["confidence"] == weakest(x["confidence"] for x in out["lines"])
    for x in out["lines"]:
        assert weakest(c["confidence"] for c in x["checks"]) == x["confidence"] or (
            x["confidence"] == "high" and not x["checks"]
        )
        for c in x["checks"]:
            assert c["action"] and c["source"]
            assert c["modifier"] is None or c["modifier"] in x["modifiers"]
    levels = [n["level"] for n in out["notes"]]
    assert levels == sorted(levels, key=lambda level: level != "primary")


def test_medicare_97014_names_g0283() -> None:
    out = claim(payer="medicare", lines="98941,97014")
    (warning,) = [w for w in out["warnings"] if w["code"] == "medicare-97014-is-g0283"]
    assert warning["lines"] == ["97014"] and "G0283" in warning["message"]
    actions = [c["action"] for c in line(out, "97014")["checks"]]
    assert "Bill G0283 instead of 97014 for Medicare" in actions
    # G0283 itself is in the code table and passes without that warning
    out = claim(payer="medicare", lines="98941,G0283")
    assert "medicare-97014-is-g0283" not in {w["code"] for w in out["warnings"]}


@pytest.mark.parametrize("payer", [p.id for p in load_payers() if not p.medicare_part_b])
def test_only_medicare_gets_the_g0283_warning(payer: str) -> None:
    out = claim(payer=payer, lines="97014")
    assert "medicare-97014-is-g0283" not in {w["code"] for w in out["warnings"]}


def test_coverage_warnings_name_their_codes_and_tag_their_lines() -> None:
    out = claim(payer="bcbsnc", lines="98941,97012,97014")
    (warning,) = [w for w in out["warnings"] if w["code"] == "payer-code-note"]
    assert warning["message"].startswith("97012 and 97014: ")
    assert warning["lines"] == ["97012", "97014"]  # the page tags both lines with it


@pytest.mark.parametrize(
    ("request_", "cmt", "therapy"),
    [
        ({"cmt_abn": True}, "98941-GA × 1", "97112-GP-GY × 2"),
        ({"voluntary_abn": True}, "98941-GZ × 1", "97112-GP-GY-GX × 2"),
        ({"cmt_abn": True, "voluntary_abn": True}, "98941-GA × 1", "97112-GP-GY-GX × 2"),
        ({"abn": True}, "98941-GA × 1", "97112-GP-GY-GX × 2"),  # the shorthand: both
        ({}, "98941-GZ × 1", "97112-GP-GY × 2"),
    ],
)
def test_the_two_medicare_notices_are_two_inputs(
    request_: dict[str, Any], cmt: str, therapy: str
) -> None:
    """Palmetto JM: GA with an ABN for maintenance CMT, GZ without; NGS: GX with a
    voluntary ABN for a statutorily excluded service, in addition to GY."""
    out = claim(payer="medicare", lines="98941,97112:23", care="maintenance", **request_)
    assert [x["display"] for x in out["lines"]] == [cmt, therapy]
    shorthand = [n for n in out["notes"] if n["code"] == "abn-shorthand"]
    assert bool(shorthand) == ("abn" in request_)
