"""calc.codes: the code table is complete, consistent with the lists below, and validated."""

from __future__ import annotations

import pytest

from calc.codes import CATEGORIES, load_codes, parse_codes
from calc.errors import CalcError

# The timed codes: CPT "each 15 minutes", CMS Pub. 100-04 Ch. 5 §20.2 (copied here so
# the test fails if the data file drifts from it)
TIMED = [
    "97032",
    "97033",
    "97034",
    "97035",
    "97036",
    "97110",
    "97112",
    "97113",
    "97116",
    "97124",
    "97140",
    "97530",
    "97535",
    "97537",
    "97542",
    "97750",
    "97760",
    "97761",
    "97763",
]
UNTIMED = [
    "97010",
    "97012",
    "97014",
    "G0283",
    "97016",
    "97018",
    "97022",
    "97024",
    "97026",
    "97028",
    "97150",
    "97161",
    "97162",
    "97163",
    "97164",
    "97165",
    "97166",
    "97167",
    "97168",
    "98940",
    "98941",
    "98942",
    "98943",
    "99202",
    "99203",
    "99204",
    "99205",
    "99211",
    "99212",
    "99213",
    "99214",
    "99215",
]
UNLISTED = ["97039", "97139", "97799"]


def test_timed_and_untimed_codes_match_the_rule_book() -> None:
    table = load_codes()
    assert sorted(c.code for c in table if c.timed) == sorted(TIMED)
    assert sorted(c.code for c in table if not c.timed and c.billable) == sorted(UNTIMED)
    assert sorted(c.code for c in table if not c.billable) == sorted(UNLISTED)


def test_every_code_has_a_name_source_and_known_category() -> None:
    for c in load_codes():
        assert c.name and c.source and c.category in CATEGORIES
        assert len(c.name) < 100  # our own short words, not a pasted CPT descriptor


def test_lookup_normalizes() -> None:
    assert load_codes().require(" g0283 ").code == "G0283"
    assert "97112" in load_codes() and "1234" not in load_codes()


VALID = {
    "code": "97112",
    "name": "x",
    "timed": True,
    "category": "therapeutic-procedure",
    "sources": ["ama-cpt"],
    "confidence": "high",
    "reviewed": "2026-11-27",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, "codes.toml, code '97112': unknown key 'colour'"),
        ({"sources": None}, "codes.toml, code '97112': missing key 'sources'"),
        (
            {"sources": ["ama-cpt", "cms-100-04"]},
            "codes.toml, code '97112': unknown source id 'cms-100-04'",
        ),
        ({"reviewed": "27/11/2026"}, "'reviewed' must be a date"),
        ({"category": "magic"}, "unknown category 'magic'"),
        ({"confidence": "sure"}, "confidence must be one of"),
        ({"timed": "yes"}, "'timed' has the wrong type"),
    ],
)
def test_malformed_entries_name_file_entry_and_problem(change: dict, message: str) -> None:
    entry = {k: v for k, v in {**VALID, **change}.items() if v is not None}
    with pytest.raises(CalcError) as err:
        parse_codes("codes.toml", {"code": [entry]})
    assert message in err.value.message


def test_a_code_listed_twice_is_refused() -> None:
    with pytest.raises(CalcError, match="listed twice"):
        parse_codes("codes.toml", {"code": [VALID, VALID]})
