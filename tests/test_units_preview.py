"""The units preview table (tools/units_preview.py, written into the site by
hooks/units_preview.py) and the page's lookup (docs/assets/js/calculators/preview.mjs)
give exactly the engine's units: for every timed code, both methods and a spread of
minutes, the table's answer equals calc.api's."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from calc import api
from calc.units import DAY_MINUTES, METHODS
from hooks.units_preview import cached_table
from tests.conftest import ROOT
from tools.units_preview import expand, runs, timed_codes, units_for

PREVIEW_JS = ROOT / "docs" / "assets" / "js" / "calculators" / "preview.mjs"
#: every minute of the first two hours (every chart boundary there), then a spread
MINUTES = sorted({*range(0, 121), *range(121, DAY_MINUTES + 1, 7), DAY_MINUTES - 1, DAY_MINUTES})


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The table as the build step writes it (computed in its own process, as a build does)."""
    path = cached_table(ROOT, cache=tmp_path_factory.mktemp("units-preview"))
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def engine_units(code: str, minutes: int, method: str) -> int:
    answer = api.call("units", {"lines": f"{code}:{minutes}", "method": method})
    (line,) = answer["lines"]
    return int(line["units"])


def test_the_table_holds_every_timed_code_and_method(table: dict[str, Any]) -> None:
    assert set(table["codes"]) == set(timed_codes())
    assert "97112" in table["codes"]
    assert set(table["methods"]) == set(METHODS)
    assert table["max_minutes"] == DAY_MINUTES
    for entry in table["codes"].values():
        assert {table["series"][entry[m]][-1][1] for m in METHODS} == {DAY_MINUTES}


def test_the_table_agrees_with_the_engine(table: dict[str, Any]) -> None:
    wrong = [
        (code, minutes, method)
        for code in table["codes"]
        for method in METHODS
        for minutes in MINUTES
        if units_for(table, code, minutes, method) != engine_units(code, minutes, method)
    ]
    assert not wrong, wrong[:10]


def test_names_and_method_names_are_the_engines(table: dict[str, Any]) -> None:
    for code, entry in table["codes"].items():
        assert entry["name"] == api.call("units", {"lines": f"{code}:10"})["lines"][0]["name"]
    for method, name in table["methods"].items():
        assert name == api.call("units", {"lines": "97112:10", "method": method})["method_name"]


def test_outside_the_table_there_is_no_preview(table: dict[str, Any]) -> None:
    assert units_for(table, "97112", DAY_MINUTES + 1, "cms") is None
    assert units_for(table, "97112", -1, "cms") is None
    assert units_for(table, "98941", 10, "cms") is None  # untimed: the engine answers
    assert units_for(table, "97112", 10, "fancy") is None
    # (past a day, the engine too refuses: only its message is shown)
    assert "error" in api.call("units", {"lines": f"97112:{DAY_MINUTES + 1}"})


def test_run_length_encoding_round_trips() -> None:
    values = [0] * 8 + [1] * 15 + [2] * 3 + [1]
    assert expand(runs(values)) == values
    assert runs([]) == []


def _node_lookups(table_path: Path, cases: list[list[Any]]) -> list[Any]:
    node = shutil.which("node")
    assert node, "Node.js is needed (apt-get install nodejs)"
    script = f"""
import {{ readFileSync }} from "node:fs";
await import({json.dumps(PREVIEW_JS.as_uri())});  // no DOM here: it only defines its functions
const {{ lookUp, previewRequest }} = globalThis.calcUnitsPreview;
const table = JSON.parse(readFileSync({json.dumps(str(table_path))}, "utf8"));
const cases = JSON.parse(readFileSync(0, "utf8"));
const out = cases.map(([lines, method]) => {{
  const request = previewRequest(lines, method);
  const found = lookUp(table, request);
  return found && [found.code, found.minutes, found.method, found.units];
}});
process.stdout.write(JSON.stringify(out));
"""
    done = subprocess.run(
        [node, "--input-type=module", "-e", script],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: list[Any] = json.loads(done.stdout)
    return result


def test_the_pages_lookup_gives_the_engines_units(table: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "units-preview.json"
    path.write_text(json.dumps(table), encoding="utf-8")
    cases = [
        [f"{code}{sep}{minutes}", method]
        for code in table["codes"]
        for minutes in MINUTES[::5]
        for method, sep in ((None, ":"), ("cms", "="), ("per-code", ":"))
    ]
    found = _node_lookups(path, cases)
    for (lines, method), got in zip(cases, found, strict=True):
        code, minutes = lines.replace("=", ":").split(":")
        want = engine_units(code, int(minutes), method or "cms")
        assert got == [code, int(minutes), method or "cms", want], (lines, method)


def test_only_a_single_code_with_its_minutes_is_previewed(
    table: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "units-preview.json"
    path.write_text(json.dumps(table), encoding="utf-8")
    unanswered = [
        ["97112:24,97110:23", None],  # several codes: the engine allocates
        ["97112", None],  # no minutes
        ["97112:038", None],  # not the plain form
        ["97112:-3", None],
        ["97112:7.5", None],
        [" 97112:38", None],
        ["97112:1441", None],  # past a day
        ["98941:10", None],  # untimed
        ["97112:38", "fancy"],  # a method the engine does not know
        [None, None],
        ["<img src=x>:5", None],
    ]
    assert _node_lookups(path, unanswered) == [None] * len(unanswered)
