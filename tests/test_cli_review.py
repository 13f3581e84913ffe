"""`python -m calc checklist` and `python -m calc review` through a subprocess: the
JSON and error contract of calc/cli.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from calc.documentation import load_checklists
from tests.conftest import golden

COMPLETE = golden("documentation_complete.json")["record"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calc", *args],
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
    )


def write(tmp_path: Path, data: Any, name: str = "record.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_checklist_json_lists_every_item_with_its_source() -> None:
    proc = run("checklist", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    by_id = {i["id"]: i for i in out["items"]}
    for item in load_checklists().items:
        assert by_id[item.id]["source"] == item.source
        assert by_id[item.id]["confidence"] == item.confidence


def test_checklist_text() -> None:
    proc = run("checklist")
    assert proc.returncode == 0
    assert "[specific-body-parts]" in proc.stdout and "Source: HNS, CPT 97112" in proc.stdout


def test_review_json_of_a_complete_record(tmp_path: Path) -> None:
    proc = run("review", write(tmp_path, COMPLETE), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["passed"] is True
    assert out["visit"]["units_supported"] == 3
    assert out["summary"].startswith("CPT 97112 neuromuscular reeducation\n")


def test_review_reads_standard_input() -> None:
    proc = run("review", "-", "--json", stdin=json.dumps({"minutes": 24}))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["passed"] is False


def test_review_text_explains(tmp_path: Path) -> None:
    record = {**COMPLETE, "visit_codes": [{"code": "97110", "minutes": 10}, {"code": "97140"}]}
    proc = run("review", write(tmp_path, record), "--dos", "2026-11-27")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Date of service: 2026-11-27.")
    assert "\n\nDocumentation review: 2 missing, 1 warning." in proc.stdout
    assert "✗ MISSING" in proc.stdout and "No minutes entered for 97140" in proc.stdout
    assert "Summary (only what was entered):" in proc.stdout
    assert "Sources: HNS, CPT 97112 – Neuromuscular Reeducation" in proc.stdout


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("{nope", "bad_json"),
        ("[1, 2]", "bad_request"),
        ("null", "bad_request"),
        ('"text"', "bad_request"),
        ("[" * 100_000, "bad_json"),
        ('{"patient_name": "Jane Doe"}', "unknown_field"),
        ('{"minutes": -5}', "bad_minutes"),
        ('{"sets": "many"}', "bad_type"),
        ('{"visit_codes": [{"code": "ABCDE", "minutes": 5}]}', "unknown_code"),
    ],
)
def test_bad_records_exit_2_with_one_line(tmp_path: Path, content: str, code: str) -> None:
    proc = run("review", write(tmp_path, content), "--json")
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert json.loads(proc.stdout)["error"]["code"] == code


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["review", "/no/such/record.json", "--json"], "no_such_file"),
        (["review", "--json"], "bad_arguments"),
        (["checklist", "extra", "--json"], "bad_arguments"),
    ],
)
def test_file_and_argument_errors(args: list[str], code: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ") and len(proc.stderr.splitlines()) == 1
    assert json.loads(proc.stdout)["error"]["code"] == code


def test_directory_and_binary_files_are_clear_errors(tmp_path: Path) -> None:
    proc = run("review", str(tmp_path), "--json")
    assert proc.returncode == 2 and json.loads(proc.stdout)["error"]["code"] == "cannot_read"
    path = tmp_path / "binary.json"
    path.write_bytes(b"\xff\xfe{}")
    proc = run("review", str(path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "error: The record file is not UTF-8 text.\n"


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    proc = run("review", write(tmp_path, " " * 1_000_001 + "{}"), "--json")
    assert proc.returncode == 2 and json.loads(proc.stdout)["error"]["code"] == "too_long"
