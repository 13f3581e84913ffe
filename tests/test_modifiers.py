"""calc.modifiers: the rule book as data, and the decision for one line."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from calc._data import read_toml
from calc.codes import load_codes
from calc.errors import CalcError
from calc.modifiers import (
    CONSTRAINTS,
    KINDS,
    Context,
    check_line,
    decide,
    load_modifier_rules,
    not_reportable,
    parse_modifier_rules,
)
from calc.payers import load_payers

CODES = load_codes()


def ctx(payer: str, *codes: str, **flags: Any) -> Context:
    return Context(
        payer=load_payers().require(payer),
        billed=tuple(CODES.require(c) for c in codes),
        **flags,
    )


def mods(code: str, context: Context) -> tuple[str, ...]:
    return decide(CODES.require(code), context).modifiers


# --- the data ---------------------------------------------------------------------


def test_every_rule_has_provenance_and_a_known_kind() -> None:
    book = load_modifier_rules()
    assert len({r.id for r in book.rules}) == len(book.rules)
    for r in book.rules:
        assert r.kind in KINDS and r.title and r.text and r.source
        assert r.confidence in ("high", "medium", "low", "verify")
        assert isinstance(r.reviewed, dt.date)


def test_the_seed_rules_are_in_the_data_with_the_seed_as_source() -> None:
    """HNS 97112 policy: the two HNS rules, quoted from the seed."""
    book = load_modifier_rules()
    em_or_cmt = book.get("hns-59-with-em-or-cmt")
    assert (em_or_cmt.codes, set(em_or_cmt.with_), em_or_cmt.add) == (
        ("97112",),
        {"em", "cmt"},
        ("59",),
    )
    gp = book.get("hns-59-gp-with-cmt")
    assert (gp.codes, gp.with_, gp.payers, gp.add) == (
        ("97112",),
        ("cmt",),
        "hns_59_gp_with_cmt",
        ("59", "GP"),
    )
    assert em_or_cmt.cite.ids == ("hns-97112",) and "59 first" in gp.source


def test_order_puts_25_and_59_before_gp() -> None:
    """HNS: 59 before GP; payment modifiers before informational ones."""
    order = load_modifier_rules().order.modifiers
    assert order.index("25") < order.index("59") < order.index("GP")
    assert order.index("XS") < order.index("GP") and order.index("XE") < order.index("GP")
    assert order.index("GP") < order.index("GY") < order.index("GX")


def test_every_constraint_in_the_data_is_enforced_by_the_engine() -> None:
    ids = {r.id for r in load_modifier_rules().of_kind("constraint")}
    assert ids == set(CONSTRAINTS)


def test_unconfirmed_rules_are_marked_verify() -> None:
    book = load_modifier_rules()
    for rule_id in (
        "hns-gp-on-other-therapy-unconfirmed",
        "medicare-dc-other-excluded",
        "medicare-59-on-gy-open",
        "uhc-gp-other-therapy",
    ):
        assert book.get(rule_id).confidence == "verify", rule_id


# --- one line at a time ------------------------------------------------------------


@pytest.mark.parametrize("payer", ["bcbsnc", "nc-shp", "medcost", "zelis"])
def test_97112_with_cmt_gets_59_then_gp_for_the_hns_payers(payer: str) -> None:
    """Seed: BCBSNC, SHP, MedCost or any plan using Zelis edits, with CMT → 59 then GP."""
    assert mods("97112", ctx(payer, "98941", "97112")) == ("59", "GP")


def test_97112_with_cmt_gets_59_only_for_commercial() -> None:
    assert mods("97112", ctx("commercial", "98940", "97112")) == ("59",)


def test_97112_with_em_only_gets_59_only_even_for_bcbsnc() -> None:
    """HNS 97112 policy: the 59+GP rule is tied to CMT."""
    decision = decide(CODES.require("97112"), ctx("bcbsnc", "99213", "97112"))
    assert decision.modifiers == ("59",)
    assert [f.id for f in decision.fired] == ["hns-59-with-em-or-cmt", "distinct-procedure"]


def test_97112_alone_gets_nothing() -> None:
    assert mods("97112", ctx("bcbsnc", "97112")) == ()


def test_em_with_cmt_gets_25_and_cmt_gets_nothing() -> None:
    context = ctx("bcbsnc", "98941", "99213", "97112")
    assert mods("99213", context) == ("25",)
    assert mods("98941", context) == ()


def test_x_style_uses_xs_or_xe() -> None:
    assert mods("97112", ctx("bcbsnc", "98941", "97112", style="x")) == ("XS", "GP")
    context = ctx("commercial", "98941", "97112", style="x", separate_encounter=True)
    assert mods("97112", context) == ("XE",)


def test_97124_and_97140_follow_the_ncci_pairs_and_flag_the_gp_question() -> None:
    context = ctx("bcbsnc", "98941", "97124", "97140")
    for code in ("97124", "97140"):
        decision = decide(CODES.require(code), context)
        assert decision.modifiers == ("59",)
        assert f"ncci-98941-{code}" in [f.id for f in decision.fired]
        (gp_note,) = [n for n in decision.notes if n.code == "hns-gp-on-other-therapy-unconfirmed"]
        assert gp_note.confidence == "verify"


def test_98943_has_no_ncci_edit_with_therapy_and_97112_gets_59_from_the_hns_rule() -> None:
    # CMS PTP v30.1: no row pairs 98943 with any 97xxx code; HNS's 59 rule names any CMT
    context = ctx("commercial", "98943", "97124", "97112")
    plain = decide(CODES.require("97124"), context)
    assert plain.modifiers == () and plain.confidence == "high"
    assert any(n.code == "ncci-none-found" and "no edit in force" in n.message for n in plain.notes)
    sure = decide(CODES.require("97112"), context)
    assert sure.modifiers == ("59",) and sure.confidence == "high"
    assert next(f.id for f in sure.fired) == "hns-59-with-em-or-cmt"


def test_medicare_chiropractor_97112_is_excluded_gp_gy_and_gx_with_abn() -> None:
    decision = decide(CODES.require("97112"), ctx("medicare", "98941", "97112"))
    assert decision.modifiers == ("GP", "GY") and decision.excluded
    assert "only if the patient asks" in decision.warnings[0].message
    with_notice = ctx("medicare", "98941", "97112", voluntary_abn=True)
    assert mods("97112", with_notice) == ("GP", "GY", "GX")


@pytest.mark.parametrize(
    ("care", "abn", "expected"),
    [("active", False, ("AT",)), ("maintenance", True, ("GA",)), ("maintenance", False, ("GZ",))],
)
def test_medicare_cmt_status_modifiers(care: str, abn: bool, expected: tuple[str, ...]) -> None:
    assert mods("98941", ctx("medicare", "98941", care=care, abn=abn)) == expected


def test_medicare_chiropractor_98943_and_em_are_excluded_with_a_verify_mark() -> None:
    context = ctx("medicare", "98941", "98943", "99213")
    for code in ("98943", "99213"):
        decision = decide(CODES.require(code), context)
        assert decision.excluded and decision.modifiers == ("GY",)
        assert decision.confidence == "verify"


def test_medicare_physical_therapist_gets_gp_and_the_kx_note() -> None:
    decision = decide(CODES.require("97112"), ctx("medicare", "97112", provider="pt"))
    assert decision.modifiers == ("GP",) and not decision.excluded
    assert any(n.code == "medicare-kx-threshold" for n in decision.notes)


def test_same_region_is_not_reportable_only_with_a_cmt() -> None:
    entered = ctx("bcbsnc", "98941", "97112", "97110", same_region=True)
    found = not_reportable(CODES.require("97112"), entered)
    assert found is not None and "not separately reportable" in found.message
    assert not_reportable(CODES.require("97110"), entered) is None
    assert not_reportable(CODES.require("98941"), entered) is None
    alone = ctx("bcbsnc", "97112", same_region=True)
    assert not_reportable(CODES.require("97112"), alone) is None


def test_no_modifier_rule_still_explains_itself() -> None:
    decision = decide(CODES.require("98941"), ctx("commercial", "98941"))
    assert decision.steps == ("98941: no modifier rule applies for Other commercial plan.",)


@pytest.mark.parametrize(
    ("code", "modifiers", "rule"),
    [
        ("99213", ["59"], "never-59-on-em"),
        ("99213", ["XS"], "never-59-on-em"),
        ("97112", ["59", "XS"], "never-59-and-x"),
        ("97112", ["XE", "XS"], "never-59-and-x"),
        ("98941", ["25"], "25-only-on-em"),
        ("98941", ["AT", "GA"], "never-at-with-ga"),
    ],
)
def test_check_line_refuses_what_a_never_rule_forbids(
    code: str, modifiers: list[str], rule: str
) -> None:
    with pytest.raises(CalcError, match=rule):
        check_line(CODES.require(code), modifiers)


# --- malformed data: the error names the file, the entry and the problem --------------


def _data() -> dict[str, Any]:
    return copy.deepcopy(read_toml("modifier_rules.toml"))


def _rule(rule_id: str, key: str, value: Any) -> dict[str, Any]:
    data = _data()
    (entry,) = [r for r in data["rule"] if r["id"] == rule_id]
    if value is None:
        del entry[key]
    else:
        entry[key] = value
    return data


GP = "hns-59-gp-with-cmt"
WHERE = f"modifier_rules.toml, rule {GP!r}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_rule(GP, "colour", "red"), f"{WHERE}: unknown key 'colour'"),
        (_rule(GP, "sources", None), f"{WHERE}: missing key 'sources'"),
        (_rule(GP, "sources", ["hns-97112", "hns"]), f"{WHERE}: unknown source id 'hns'"),
        (_rule(GP, "reviewed", "yesterday"), f"{WHERE}: 'reviewed' must be a date"),
        (_rule(GP, "confidence", "likely"), f"{WHERE}: confidence must be one of"),
        (_rule(GP, "codes", ["97112", "97999"]), f"{WHERE}: unknown code or group '97999'"),
        (_rule(GP, "with", ["chiro"]), f"{WHERE}: unknown code or group 'chiro' in 'with'"),
        (_rule(GP, "payers", ["bcbsnc", "aetna"]), f"{WHERE}: unknown payer 'aetna'"),
        (_rule(GP, "payers", "zelis_edits"), f"{WHERE}: 'payers' must be \"all\""),
        (_rule(GP, "add", ["GP", "59"]), f"{WHERE}: 'add' lists GP, 59 out of claim order"),
        (_rule(GP, "add", ["59", "KX"]), f"{WHERE}: modifier 'KX' is not in [order]"),
        (_rule(GP, "codes", ["em"]), f"{WHERE}: would put 59-GP on 99202"),
        (_rule(GP, "when", {"weather": "rain"}), f"{WHERE}: unknown condition 'weather'"),
        (_rule(GP, "when", {"provider": "md"}), f"{WHERE}: 'when.provider' must be one of"),
        (_rule(GP, "when", {"abn": "yes"}), f"{WHERE}: 'when.abn' must be one of"),
        (_rule(GP, "text", "{code} for {patient}"), f"{WHERE}: 'text' uses unknown placeholder"),
        (_rule(GP, "kind", "magic"), f"{WHERE}: 'kind' must be one of"),
        (_rule(GP, "limit", 2), f"{WHERE}: unknown key 'limit'"),
        (_rule("em-25-with-cmt", "codes", ["cmt"]), "would put 25 on 98940"),
        (_rule("never-at-with-ga", "id", "never-on-fridays"), "does not know how to enforce"),
    ],
)
def test_malformed_rules_name_file_rule_and_problem(data: dict, message: str) -> None:
    with pytest.raises(CalcError) as err:
        parse_modifier_rules("modifier_rules.toml", data)
    assert err.value.code == "bad_data"
    assert message in err.value.message


def test_a_rule_listed_twice_or_a_missing_distinct_rule_is_refused() -> None:
    data = _data()
    data["rule"].append(copy.deepcopy(data["rule"][0]))
    with pytest.raises(CalcError, match="rule 'hns-59-with-em-or-cmt': listed twice"):
        parse_modifier_rules("modifier_rules.toml", data)
    data = _data()
    data["rule"] = [r for r in data["rule"] if r["kind"] != "distinct"]
    with pytest.raises(CalcError, match="kind 'distinct'"):
        parse_modifier_rules("modifier_rules.toml", data)


def test_order_without_the_x_forms_of_59_is_refused() -> None:
    data = _data()
    data["order"]["modifiers"] = ["25", "59", "GP", "GY", "GX", "AT", "GA", "GZ"]
    with pytest.raises(CalcError, match=r"\[order\]: XE and XS must be listed"):
        parse_modifier_rules("modifier_rules.toml", data)


def test_api_rules_call_gives_the_help_sheet_its_data() -> None:
    from calc import api

    out = api.call("rules", {})
    assert out["order"]["modifiers"][:2] == ["25", "59"]
    assert {r["id"] for r in out["rules"]} >= {"hns-59-with-em-or-cmt", "hns-59-gp-with-cmt"}
    assert out["ncci"]["edition"]["version"] == "30.1" and out["ncci"]["none_found"]
    assert any(p["column2"] == ["97112", "97124", "97140"] for p in out["ncci"]["pairs"])
    assert all(r["source"] and r["reviewed"] for r in out["rules"])
