"""The CLI through a subprocess: the JSON and error contract of calc/cli.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calc", *args], capture_output=True, text=True, timeout=60
    )


def test_units_json_contract() -> None:
    proc = run("units", "--json", "97112=24", "97110=23")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["method"] == "cms" and out["total_minutes"] == 47 and out["total_units"] == 3
    assert [(x["code"], x["minutes"], x["units"]) for x in out["lines"]] == [
        ("97112", 24, 2),
        ("97110", 23, 1),
    ]
    assert out["tie"] is None and out["warnings"] == [] and out["steps"]


def test_untimed_codes_with_or_without_minutes() -> None:
    out = json.loads(run("units", "--json", "97112=10", "G0283=30", "98941").stdout)
    assert [(x["code"], x["timed"], x["units"]) for x in out["lines"]] == [
        ("97112", True, 1),
        ("G0283", False, 1),
        ("98941", False, 1),
    ]
    assert out["total_minutes"] == 10


def test_per_code_method() -> None:
    out = json.loads(run("units", "--method", "per-code", "--json", "97110=10", "97116=10").stdout)
    assert [x["units"] for x in out["lines"]] == [1, 1]


def test_text_output_explains() -> None:
    proc = run("units", "97112=24", "97110=23")
    assert proc.returncode == 0 and "Bill: 97112 × 2, 97110 × 1." in proc.stdout


def test_codes() -> None:
    out = json.loads(run("codes", "--json").stdout)
    assert any(c["code"] == "97112" and c["timed"] for c in out["codes"])
    assert "97112" in run("codes").stdout


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["units", "--json", "97112=-4"], "bad_minutes"),
        (["units", "--json", "97112=2.5"], "bad_minutes"),
        (["units", "--json", "97112"], "missing_minutes"),
        (["units", "--json", "ABCDE=10"], "unknown_code"),
        (["units", "--json", "97112=1000", "97110=1000"], "day_too_long"),
        (["units", "--json"], "bad_arguments"),
        (["units", "--json", "--method", "eights", "97112=10"], "bad_arguments"),
        (["frobnicate", "--json"], "bad_arguments"),
    ],
)
def test_errors_exit_2_with_one_line_and_json(args: list[str], code: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["error"]["code"] == code


def test_error_without_json_prints_nothing_on_stdout() -> None:
    proc = run("units", "97112=-4")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error: 97112: minutes cannot be negative")
