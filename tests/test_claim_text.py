"""calc.claim_text: the claim lines as text to paste into a practice-management system
(issue 14: no Unicode × in a pasteable format; `97112 59 GP 2` per code, tab-separated)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from calc import api
from calc.claim_text import MODIFIER_COLUMNS, copy_formats

CODES = st.sampled_from(["97112", "98941", "97110", "99213", "97140", "G0283"])
MODIFIERS = st.lists(st.sampled_from(["59", "GP", "XS", "XE", "GY", "GX", "AT", "GA", "25"]),
                     max_size=MODIFIER_COLUMNS, unique=True)  # fmt: skip
LINES = st.lists(st.tuples(CODES, MODIFIERS, st.integers(1, 96)), min_size=1, max_size=8)


def test_the_seed_case_in_every_format() -> None:
    """HNS CPT 97112 policy: BCBSNC, CMT + 97112 23 minutes → 98941 × 1, 97112-59-GP × 2."""
    answer = api.call("claim", {"payer": "bcbsnc", "lines": "98941,97112:23"})
    assert answer["copy"] == {
        "plain": "98941 1\n97112 59 GP 2",
        "tab": "98941\t\t\t\t\t1\n97112\t59\tGP\t\t\t2",
        "readable": "98941 × 1\n97112-59-GP × 2",
    }
    assert answer["copy"]["readable"].splitlines() == [ln["display"] for ln in answer["lines"]]


@given(LINES)
def test_pasteable_formats_are_plain_ascii_and_read_back(
    lines: list[tuple[str, list[str], int]],
) -> None:
    formats = copy_formats(lines)
    for name in ("plain", "tab"):
        assert formats[name].isascii(), formats[name]
    for text, (code, modifiers, units) in zip(formats["plain"].splitlines(), lines, strict=True):
        assert text.split(" ") == [code, *modifiers, str(units)]
    for text, (code, modifiers, units) in zip(formats["tab"].splitlines(), lines, strict=True):
        columns = text.split("\t")
        assert len(columns) == MODIFIER_COLUMNS + 2
        assert columns[0] == code and columns[-1] == str(units)
        assert [m for m in columns[1:-1] if m] == modifiers
    assert len(formats["readable"].splitlines()) == len(lines)
