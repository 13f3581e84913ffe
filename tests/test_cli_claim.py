"""`python -m calc claim` and `python -m calc payers` through a subprocess: the JSON and
error contract of calc/cli.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calc", *args], capture_output=True, text=True, timeout=60
    )


def test_done_when_bcbsnc_cmt_and_97112() -> None:
    """Issue 2, done when: 98941 × 1 and 97112 × 2 with ["59", "GP"], steps and sources."""
    proc = run("claim", "--payer", "bcbsnc", "--json", "98941", "97112=23")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["payer"] == "bcbsnc"
    assert [(x["code"], x["units"], x["modifiers"]) for x in out["lines"]] == [
        ("98941", 1, []),
        ("97112", 2, ["59", "GP"]),
    ]
    assert out["steps"] and out["sources"]
    assert isinstance(out["warnings"], list) and isinstance(out["notes"], list)


def test_text_output_shows_lines_steps_and_sources() -> None:
    proc = run("claim", "--payer", "bcbsnc", "98941", "97112=23")
    assert proc.returncode == 0, proc.stderr
    assert "97112-59-GP × 2" in proc.stdout
    assert "Claim: 98941 × 1; 97112-59-GP × 2." in proc.stdout
    assert "Sources:" in proc.stdout and "[verify]" in proc.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--same-region", "98941", "97112=23"], ["98941 × 1"]),
        (["--style", "x", "98941", "97112=23"], ["98941 × 1", "97112-XS-GP × 2"]),
        (
            ["--style", "x", "--separate-encounter", "98941", "97112=23"],
            ["98941 × 1", "97112-XE-GP × 2"],
        ),
    ],
)
def test_flags_reach_the_engine(args: list[str], expected: list[str]) -> None:
    out = json.loads(run("claim", "--payer", "bcbsnc", "--json", *args).stdout)
    assert [x["display"] for x in out["lines"]] == expected


def test_medicare_flags() -> None:
    out = json.loads(
        run(
            "claim", "--payer", "medicare", "--abn", "--maintenance", "--json", "98941", "97112=23"
        ).stdout
    )
    assert [x["display"] for x in out["lines"]] == ["98941-GA × 1", "97112-GP-GY-GX × 2"]
    pt = json.loads(
        run("claim", "--payer", "medicare", "--provider", "pt", "--json", "97112=23").stdout
    )
    assert [x["display"] for x in pt["lines"]] == ["97112-GP × 2"]


def test_method_and_phase() -> None:
    out = json.loads(
        run(
            "claim",
            "--payer",
            "commercial",
            "--method",
            "per-code",
            "--phase",
            "initial",
            "--json",
            "97112=8",
            "97110=8",
            "97116=8",
        ).stdout
    )
    assert [x["units"] for x in out["lines"]] == [1, 1, 1]
    assert "hns-initial-phase-two-therapies" in {w["code"] for w in out["warnings"]}


def test_payers() -> None:
    out = json.loads(run("payers", "--json").stdout)
    assert [p["id"] for p in out["payers"]] == [
        "bcbsnc",
        "nc-shp",
        "medcost",
        "zelis",
        "commercial",
        "uhc",
        "medicare",
    ]
    text = run("payers").stdout
    assert "nc-shp" in text and "Aetna" in text


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["claim", "--json", "--payer", "aetna", "97112=10"], "unknown_payer"),
        (["claim", "--json", "--payer", "bcbsnc", "9711=10"], "unknown_code"),
        (["claim", "--json", "--payer", "bcbsnc", "97112=-4"], "bad_minutes"),
        (
            [
                "claim",
                "--json",
                "--payer",
                "bcbsnc",
                "--same-region",
                "--separate-encounter",
                "98941",
                "97112=23",
            ],
            "conflicting_flags",
        ),
        (
            ["claim", "--json", "--payer", "bcbsnc", "--method", "per-code", "97112=8"],
            "method_not_allowed",
        ),
        (["claim", "--json", "97112=10"], "bad_arguments"),
        (["claim", "--json", "--payer", "bcbsnc"], "bad_arguments"),
        (["claim", "--json", "--payer", "bcbsnc", "--style", "xs", "97112=8"], "bad_arguments"),
        (["payers", "--json", "extra"], "bad_arguments"),
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
    proc = run("claim", "--payer", "aetna", "97112=10")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error: Unknown payer 'aetna'")


def test_done_when_issue_11_cmt_and_pt_evaluation() -> None:
    """Issue 11, done when: 97161 with CMT is not billed, with the indicator 0 reason."""
    proc = run("claim", "--payer", "commercial", "--json", "98941", "97161")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [x["code"] for x in out["lines"]] == ["98941"]
    [gone] = out["not_billed"]
    assert gone["code"] == "97161"
    assert "indicator 0" in gone["reason"] and "No modifier makes 97161 payable" in gone["reason"]
    assert "standards of medical/surgical practice" in gone["reason"]
    assert any("PTP (procedure-to-procedure) edits — version 30.1" in s for s in out["sources"])


def test_done_when_issue_11_97112_over_its_mue() -> None:
    """Issue 11, done when: 75 minutes of 97112 are 5 units, over the MUE of 4."""
    proc = run("claim", "--payer", "commercial", "98941", "97112=75")
    assert proc.returncode == 0, proc.stderr
    assert "97112-59 × 5" in proc.stdout
    assert "5 units exceed the MUE of 4" in proc.stdout
    assert "medical review" in proc.stdout and "MAI 3" in proc.stdout
    assert "Practitioner Services MUE table — the table effective 2024-04-01" in proc.stdout
