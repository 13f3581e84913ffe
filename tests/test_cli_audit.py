"""`python -m calc audit` through a subprocess: exit status, summary line, JSON, CSV."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from audit_file import generate

HEADER = "visit_id,patient_id,dos,payer,provider,code,minutes,units,modifiers\n"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calc", "audit", *args], capture_output=True, text=True, timeout=120
    )


def write(tmp_path: Path, content: str | bytes, name: str = "claims.csv") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def test_planted_file_json_has_exactly_the_planted_findings(tmp_path: Path) -> None:
    lines, expected = generate(1500, planted_every=10)
    path = write(tmp_path, "\n".join(lines) + "\n")
    proc = run(path, "--json")
    assert proc.returncode == 1, proc.stderr
    out = json.loads(proc.stdout)
    got = Counter((f["visit_id"], f["kind"]) for f in out["findings"])
    assert got == Counter((e.visit_id, e.kind) for e in expected)
    assert out["problems"] == []
    summary = out["summary"]
    assert proc.stderr.strip() == summary["text"]
    assert summary["visits"] == summary["visits_checked"] >= 1500


def test_exit_0_and_one_line_summary_when_clean(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "V1,P1,2026-01-05,bcbsnc,dc,97112,23,2,\n")
    proc = run(path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        0,
        "1 visit, 1 line: 0 errors, 0 warnings, 0 reminders.\n",
        "",
    )


def test_exit_2_on_a_bad_row_with_the_good_rows_still_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + "V1,P1,2026-01-05,bcbsnc,dc,97112,ten,2,\nV2,P1,2026-01-06,bcbsnc,dc,97112,23,3,\n",
    )
    proc = run(path)
    assert proc.returncode == 2
    assert "INPUT    row 2, column 7 (minutes)" in proc.stdout
    assert "ERROR    row 3 · visit V2 97112" in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1] == (
        "2 visits, 2 lines: 1 error, 0 warnings, 0 reminders. 1 input problem "
        "(1 visit not checked)."
    )


def test_exit_2_and_error_line_on_a_bad_file(tmp_path: Path) -> None:
    proc = run(write(tmp_path, HEADER.replace(",", ";")))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error: The file uses ';' between columns")
    proc = run(write(tmp_path, b"visit_id,p\xe9\n", "latin1.csv"))
    assert proc.returncode == 2 and "not UTF-8" in proc.stderr
    proc = run(str(tmp_path / "none.csv"), "--json")
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"]["code"] == "no_such_file"


def test_csv_output_and_payer_map(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "V1,P1,2026-01-05,Blue Cross of NC,dc,97112,23,3,\n")
    assert run(path).returncode == 2
    mapping = write(tmp_path, '[payers]\n"Blue Cross of NC" = "bcbsnc"\n', "map.toml")
    out = tmp_path / "findings.csv"
    proc = run(path, "--payer-map", mapping, "--csv", str(out))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == "1 visit, 1 line: 1 error, 0 warnings, 0 reminders.\n"
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["severity"], r["kind"], r["visit_id"], r["row"]) for r in rows] == [
        ("error", "units-over", "V1", "2")
    ]
    assert rows[0]["link"] == "payer=bcbsnc&lines=97112:23&dos=2026-01-05"


def test_the_template_on_the_site_is_a_valid_clean_file(root: Path) -> None:
    proc = run(str(root / "docs" / "calculators" / "audit-template.csv"))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_visit_outside_the_covered_dates_is_a_warning_on_the_command_line(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, HEADER + "V1,P1,2023-06-05,bcbsnc,dc,98941,,1,\n")
    proc = run(path)
    assert proc.returncode == 1, proc.stderr
    first, message, rule, summary = proc.stdout.splitlines()
    assert first == (
        "WARNING  row 2 · visit V1 · Date of service outside the dates the rule book covers"
    )
    assert "2023-06-05 is before 2024-01-01" in message
    assert rule.strip().startswith("Rule rulebook-covered-dates [verify]: ")
    assert summary == "1 visit, 1 line: 0 errors, 1 warning, 0 reminders."


SPLIT = (
    HEADER
    + "V1,P1,2026-01-05,bcbsnc,dc,98941,,1,\n"
    + "V2,P2,2026-01-05,bcbsnc,dc,98941,,1,\n"
    + "V1,P1,2026-01-05,bcbsnc,dc,97112,23,2,59-GP\n"
)


def test_a_split_visit_is_checked_from_a_file_and_standard_input_says_why_not(
    tmp_path: Path,
) -> None:
    proc = run(write(tmp_path, SPLIT))
    assert (proc.returncode, proc.stdout) == (
        0,
        "2 visits, 3 lines: 0 errors, 0 warnings, 0 reminders. 1 visit had rows apart in "
        "the file: checked as one.\n",
    )
    piped = subprocess.run(
        [sys.executable, "-m", "calc", "audit", "-"],
        input=SPLIT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.returncode == 2
    (problem,) = [line for line in piped.stdout.splitlines() if line.startswith("INPUT")]
    assert "row 4, column 1 (visit_id): Row 4: this visit id was used earlier" in problem
    assert "read once, as a stream, so the two parts could not be put together" in problem
    assert "neither part was checked" in problem
