"""Facts in prose (docsgen.facts, ``<!-- fact: ID -->``): each phrase is read from the
data, so it changes when the data does, and an unknown fact id fails like any other."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calc.codes import load_codes
from calc.modifiers import load_modifier_rules
from calc.payers import PAYER_FLAGS, load_payers
from calc.units import chart_row
from docsgen.citations import citations_json
from docsgen.facts import code_ranges, fact_phrases, in_words, payer_in_list
from docsgen.shortcodes import ShortcodeError, expand


def test_a_flags_payers_are_named_in_the_datas_order() -> None:
    facts = fact_phrases()
    for flag in PAYER_FLAGS:
        flagged = [p for p in load_payers() if p.has_flag(flag)]
        phrase = facts[f"payers/{flag}"]
        positions = [phrase.index(payer_in_list(p)) for p in flagged]
        assert positions == sorted(positions), flag
        assert facts[f"payers/{flag}/or"].replace(" or ", " and ") == phrase
    assert fact_phrases()["payers/hns_59_gp_with_cmt"] == (
        "Blue Cross NC, NC State Health Plan, MedCost and any other plan that uses Zelis edits"
    )


@given(st.sets(st.integers(min_value=90000, max_value=90060), min_size=1))
def test_code_ranges_name_every_code_once(numbers: set[int]) -> None:
    shown = code_ranges([str(n) for n in numbers])
    named: set[int] = set()
    for part in shown.split(", "):
        low, _, high = part.partition("–")
        named |= set(range(int(low), int(high or low) + 1))
    assert named == numbers


def test_a_categorys_codes_and_a_codes_timing_come_from_the_codes() -> None:
    facts = fact_phrases()
    cmt = [c.code for c in load_codes() if c.category == "cmt"]
    assert facts["codes/cmt"] == code_ranges(cmt) == "98940–98943"
    for code in load_codes():
        assert facts[f"codes/{code.code}/timing"] == ("timed" if code.timed else "untimed")


def test_the_units_facts_are_the_charts() -> None:
    facts = fact_phrases()
    assert facts["units/minimum-minutes"] == str(chart_row(1)[0])
    low, high = chart_row(2)
    assert f"{low}–{high} are 2" in facts["units/chart-start"]


def test_a_rules_modifiers_line_and_limit() -> None:
    facts = fact_phrases()
    rules = load_modifier_rules()
    gp = rules.get("hns-59-gp-with-cmt")
    assert facts["modifier_rules/hns-59-gp-with-cmt/line"] == "-".join(["97112", *gp.add])
    assert facts["modifier_rules/hns-59-gp-with-cmt/adds"] == ", then ".join(gp.add)
    limit = rules.get("hns-initial-phase-two-therapies").limit
    assert limit is not None
    assert facts["modifier_rules/hns-initial-phase-two-therapies/limit"] == in_words(limit)


def test_facts_are_written_for_the_shortcodes_and_an_unknown_one_fails() -> None:
    known = json.loads(citations_json())
    assert known["fact"]["codes/em"] == "99202–99205, 99211–99215"
    page = "E/M codes (<!-- fact: codes/em -->)"
    assert expand(page, "x.md", known) == "E/M codes (99202–99205, 99211–99215)"
    with pytest.raises(ShortcodeError, match=r"x\.md:1: unknown fact id 'codes/emm'"):
        expand("<!-- fact: codes/emm -->", "x.md", known)
