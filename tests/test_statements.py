"""The engine's own statements (calc/data/statements.toml): checked when loaded, each one
the engine asks for is in the file and each one in the file is asked for, and they are
in the provenance walk like every other rule."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from calc._data import read_toml
from calc.api import call
from calc.errors import CalcError
from calc.mue import MAIS
from calc.provenance import sourced
from calc.statements import DATA_FILE, load_statements, parse_statements, statement
from calc.units import METHODS, UNITS_STATEMENTS
from tests.conftest import ROOT

_ASKED = re.compile(r'(?<!_)\bstatement\(\s*"([a-z0-9-]+)"')


def _data() -> dict[str, Any]:
    return copy.deepcopy(read_toml(DATA_FILE))


def _entry(data: dict[str, Any], statement_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in data["statement"] if s["id"] == statement_id)
    return found


def test_every_statement_the_engine_asks_for_is_in_the_file_and_none_is_unused() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "calc").rglob("*.py")))
    listed = {s.id for s in load_statements()}
    assert set(_ASKED.findall(code)) - listed == set()
    implicit = {f"units-{m}" for m in METHODS} | set(UNITS_STATEMENTS)  # by method
    implicit |= {f"mue-mai-{mai}" for mai in MAIS}  # by indicator
    assert implicit <= listed
    assert [i for i in sorted(listed - implicit) if f'"{i}"' not in code] == []


def test_statements_are_in_the_provenance_walk_with_their_sources() -> None:
    walked = {e.id: e for e in sourced() if e.file == "statements.toml"}
    assert set(walked) == {s.id for s in load_statements()}
    assert walked["units-cms"].cite.ids == ("cms-100-04-ch5",)
    assert walked["ignored-abn"].source == "Calculator input check"


def test_an_input_check_says_its_statement_word_for_word() -> None:
    out = call(
        "claim", {"payer": "bcbsnc", "lines": "98941,97112:23", "abn": True, "dos": "2026-12-01"}
    )
    said = [w for w in out["warnings"] if w["code"] == "flag-ignored"]
    assert [w["message"] for w in said] == [statement("ignored-abn").say(payer="Blue Cross NC")]
    assert said[0]["source"] == "Calculator input check" and said[0]["confidence"] == "high"


def test_a_units_answer_cites_its_method_statement() -> None:
    for method in METHODS:
        out = call("units", {"lines": "97112:24,97110:23", "method": method, "dos": "2026-12-01"})
        assert out["sources"] == [statement(f"units-{method}").source]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: _entry(d, "ignored-same-region").update(text="{here} and {there}"),
            "statements.toml, statement 'ignored-same-region': 'text' uses {there}, not listed",
        ),
        (
            lambda d: _entry(d, "ignored-same-region").update(text="a { stray"),
            "statements.toml, statement 'ignored-same-region': 'text' has a stray brace",
        ),
        (
            lambda d: d["statement"].append(dict(d["statement"][0])),
            "statements.toml, statement 'units-cms': listed twice",
        ),
        (
            lambda d: d["statement"][0].pop("reviewed"),
            "statements.toml, statement 'units-cms': missing key 'reviewed'",
        ),
        (
            lambda d: d["statement"][0].update(sources=["cms-100-04-ch-5"]),
            "statements.toml, statement 'units-cms': unknown source id 'cms-100-04-ch-5'",
        ),
    ],
)
def test_a_bad_statement_is_refused_naming_file_and_statement(
    change: Callable[[dict[str, Any]], Any], message: str
) -> None:
    data = _data()
    change(data)
    with pytest.raises(CalcError) as err:
        parse_statements(DATA_FILE, data)
    assert err.value.code == "bad_data"
    assert err.value.message.startswith(message)
