"""`python -m calc scenarios` through a subprocess: the trainer's key and its JSON."""

from __future__ import annotations

import json
import subprocess
import sys

from calc import training


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calc", *args], capture_output=True, text=True, timeout=60
    )


def test_json_lists_every_scenario_with_the_engines_answer() -> None:
    proc = run("scenarios", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert len(out["scenarios"]) >= 25
    by_id = {s["id"]: s for s in out["scenarios"]}
    seed = by_id["bcbsnc-cmt-97112"]["answer"]["lines"]
    assert [(x["code"], x["units"], x["modifiers"]) for x in seed] == [
        ("98941", 1, []),
        ("97112", 2, ["59", "GP"]),
    ]


def test_text_is_the_trainers_key() -> None:
    proc = run("scenarios")
    assert proc.returncode == 0, proc.stderr
    for s in training.load_scenarios().scenarios:
        assert f"Scenario `{s.id}`" in proc.stdout
    assert "`97112-59-GP × 2`" in proc.stdout
    assert "{#" not in proc.stdout  # no Markdown anchors in the terminal


def test_one_scenario_and_an_unknown_one() -> None:
    proc = run("scenarios", "cms-example-4")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("Scenario `") == 1 and "Not billed: `97035`" in proc.stdout
    bad = run("scenarios", "--json", "nope")
    assert bad.returncode == 2
    assert json.loads(bad.stdout)["error"]["code"] == "unknown_scenario"
    assert bad.stderr.startswith("error: Unknown scenario 'nope'")
    assert "Traceback" not in bad.stderr
