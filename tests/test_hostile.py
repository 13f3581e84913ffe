"""Hostile and sloppy input (issue 16): the engine and the CLI answer every input with
a result or one clear error, quote what they echo, and never end in a traceback.

The numbered cases are those of the issue; each test failed before the change. The
property tests run a short profile in CI; ``tools/fuzz.py`` runs the long round."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calc import api
from calc.errors import shown
from calc.inputs import MAX_DEPTH

PROBLEM_CHARS = "\x1b\x00\x07\u202e\u2066\u200b\u200e\ufeff\U000e0041\udcff\u2028"


def error(name: str, request: Any) -> dict[str, str]:
    answer = api.call(name, request)
    assert "error" in answer, answer
    err: dict[str, str] = answer["error"]
    return err


def assert_harmless(message: str) -> None:
    """Nothing that controls a terminal, reorders or hides text, or is not UTF-8."""
    assert len(message) < 400, message
    message.encode("utf-8")  # no lone surrogate
    for ch in message:
        assert unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"), repr(message)


def nested(depth: int, leaf: Any = None) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


# --- 4. errors quote what they show ---------------------------------------------------


@pytest.mark.parametrize(
    "lines",
    [
        "\u202eEVIL:x",
        "\x1b[2J\x1b[31mX:ten",
        "A" * 50_000 + ":ten",
        "97\u200b112:ten",
        "\U000e0041\U000e0042:1",
        "X\udcff:ten",
    ],
)
def test_case_4_error_messages_quote_the_input_harmlessly(lines: str) -> None:
    assert_harmless(error("units", {"lines": lines})["message"])


def test_case_4_the_same_in_a_record_and_in_a_claim() -> None:
    record = {"visit_codes": [{"code": "\x1b]0;owned\x07" + "9" * 5000, "minutes": "x"}]}
    assert_harmless(error("review", record)["message"])
    claim = {"payer": "\u202ebcbsnc" * 1000, "lines": "97112:24"}
    assert_harmless(error("claim", claim)["message"])
    assert_harmless(
        error("claim", {"payer": "bcbsnc", "lines": "97112:24", "phase": "\x1b"})["message"]
    )


def test_shown_is_bounded_and_escapes_whatever_it_is_given() -> None:
    for value in (PROBLEM_CHARS * 10, 10**5000, -(10**40), nested(10_000), {1: 2}, b"\xff", 1.5):
        assert_harmless(shown(value))
    assert shown("97112") == "'97112'"


# --- 5. call() and call_json() never raise ----------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 2_500, 5_000, 100_000])
def test_case_5_deep_nesting_is_a_clear_error(depth: int) -> None:
    for name in ("units", "claim", "review", "grade"):
        assert error(name, {"lines": nested(depth)})["code"] in ("bad_request", "unknown_field")
        text = api.call_json(name, "[" * depth + "]" * depth)
        assert json.loads(text)["error"]["code"] == "bad_request"
        text = api.call_json(name, '{"lines": ' + "[" * depth + "]" * depth + "}")
        assert json.loads(text)["error"]["message"].startswith("The request is nested too deeply")


def test_a_nested_request_within_bounds_is_still_read() -> None:
    assert api.call("units", {"lines": [{"code": "97112", "minutes": 24}]})["total_units"] == 2
    text = '{"lines": [{"code": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "minutes": 1}]}'
    assert json.loads(api.call_json("units", text))["error"]["code"] == "unknown_code"


@pytest.mark.parametrize(
    "request_",
    [
        {"lines": [{"code": "97112", "minutes": 10**5000}]},
        {"lines": "97112:24", "method": 10**5000},
        {1: 2, "lines": "97112:24"},
        {("a",): 1},
        {"lines": {1, 2}},
        {"lines": [b"97112:24"]},
        {"lines": "97112:24", "method": object()},
        {"lines": ["97112:24"] * 100_000},
        {"lines": float("nan")},
    ],
)
def test_case_5_odd_python_values_come_back_as_errors(request_: dict[Any, Any]) -> None:
    for name in ("units", "claim", "review", "grade", "scenarios"):
        err = error(name, request_)
        assert err["code"] != "engine_failure"
        assert_harmless(err["message"])


def test_case_5_huge_numbers_in_json_text() -> None:
    text = '{"lines": [{"code": "97112", "minutes": ' + "9" * 5000 + "}]}"
    assert json.loads(api.call_json("units", text))["error"]["code"] == "bad_request"
    assert "more than 15 digits" in error("review", {"sets": 10**20})["message"]


JSON_LEAF = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(0, 400).map(lambda n: (-1) ** n * 10 ** (4_000 + n))
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(
        ["97112:24", "97112", "cms", "per-code", "bcbsnc", "1", "x", "59", "pt", "", "٢٤", "0024"]
    )
)
FIELD = st.sampled_from(
    [
        "lines", "method", "payer", "provider", "phase", "same_region", "modifier_style",
        "care", "abn", "scenario", "answers", "attempt", "minutes", "body_parts",
        "problem", "missing", "code", "units", "modifiers", "visit_codes", "sets",
    ]
)  # fmt: skip
ANY_KEY = FIELD | st.text(max_size=4) | st.integers() | st.none() | st.booleans()
VALUES = st.recursive(
    JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner)
        | st.dictionaries(ANY_KEY, inner, max_size=4)
        | st.frozensets(st.integers(), max_size=2)
        | st.builds(nested, st.integers(0, 3 * MAX_DEPTH), inner)
    ),
    max_leaves=25,
)


NAMES = st.sampled_from([*sorted(api.CALLS), "nope", ""])
REQUESTS = st.dictionaries(ANY_KEY, VALUES) | VALUES
TEXTS = st.text(alphabet='[]{}",:0123456789 aé\\u', max_size=200)


def check_any_call(name: str, request_: Any) -> None:
    """call() answers a dict of JSON data; an error is never the engine's failure."""
    answer = api.call(name, request_)
    assert isinstance(answer, dict)
    json.dumps(answer, ensure_ascii=False).encode("utf-8")
    if "error" in answer:
        assert answer["error"]["code"] != "engine_failure", answer
        assert_harmless(answer["error"]["message"])


def check_any_text(name: str, text: str) -> None:
    answer = json.loads(api.call_json(name, text))
    assert isinstance(answer, dict)
    assert answer.get("error", {}).get("code") != "engine_failure"


# CI's short profile; tools/fuzz.py runs the same checks for 10 minutes
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(NAMES, REQUESTS)
def test_call_answers_any_python_value(name: str, request_: Any) -> None:
    check_any_call(name, request_)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(NAMES, TEXTS)
def test_call_json_answers_any_text(name: str, text: str) -> None:
    check_any_text(name, text)


# --- 6. one input policy for numbers and names ------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "named"),
    [
        ("٢٤", "ARABIC-INDIC DIGIT TWO"),
        ("２４", "FULLWIDTH DIGIT TWO"),
        ("2٤", "ARABIC-INDIC DIGIT FOUR"),
    ],
)
def test_case_6_only_ascii_digits_count_and_the_other_one_is_named(
    minutes: str, named: str
) -> None:
    err = error("units", {"lines": f"97112:{minutes}"})
    assert err["code"] == "bad_minutes"
    assert named in err["message"] and "0-9" in err["message"]
    assert error("review", {"sets": minutes})["code"] == "bad_type"
    grade = {
        "scenario": "cms-example-1",
        "attempt": {"lines": [{"code": "97112", "units": minutes}]},
    }
    assert error("grade", grade)["code"] == "bad_attempt"


def test_case_6_leading_zeros_are_fine() -> None:
    assert api.call("units", {"lines": "97112:0000024"})["total_units"] == 2
    assert api.call("review", {"minutes": "0024", "sets": "003"})["record"]["sets"] == 3
    assert error("units", {"lines": "97112:" + "0" * 20 + "1441"})["code"] == "day_too_long"


@pytest.mark.parametrize("method", [False, True, 0, "", "  ", [], "CMS!"])
def test_case_6_a_method_that_is_no_name_is_refused(method: object) -> None:
    assert error("units", {"lines": "97112:24", "method": method})["code"] in (
        "bad_method",
        "bad_request",
    )
    claim = {"payer": "medicare", "lines": "97112:24", "method": method}
    if isinstance(method, str) and not method.strip():  # the claim's "payer's usual"
        assert api.call("claim", claim)["method"] == "cms"
    else:
        assert error("claim", claim)["code"] in ("bad_method", "bad_request")


def test_names_are_still_read_trimmed_and_in_any_case() -> None:
    assert api.call("units", {"lines": "97112:24", "method": " Per-Code "})["method"] == "per-code"


def test_case_6_lists_are_bounded() -> None:
    assert error("review", {"problem": ["balance"] * 10_000})["code"] == "too_long"
    attempt = {"missing": ["functional-goal"] * 10_000}
    grade = {"scenario": "review-no-goal-no-volume", "attempt": attempt}
    assert error("grade", grade)["code"] == "bad_attempt"


def test_case_6_invisible_characters_leave_the_summary_with_a_note() -> None:
    answer = api.call(
        "review",
        {
            "exercises": ["tan\u200bdem stance\u200e", "heel\U000e0041 walks"],
            "functional_goal": "\ufeffwalk to the mailbox\u2060",
            "sets": 3,
        },
    )
    assert "Exercises or activities: tandem stance; heel walks" in answer["summary"]
    assert ": walk to the mailbox\n" in answer["summary"]
    assert all(unicodedata.category(ch) != "Cf" for ch in answer["summary"])
    note = next(n for n in answer["notes"] if n.startswith("Invisible characters"))
    assert "exercises" in note and "functional_goal" in note


def test_direction_controls_are_refused_with_the_character_named() -> None:
    err = error("review", {"exercises": ["tandem \u202estance"]})
    assert err["code"] == "bad_value" and "RIGHT-TO-LEFT OVERRIDE" in err["message"]


# --- 3. the CLI never ends in a traceback -----------------------------------------------


def cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "calc", *args], capture_output=True, timeout=60, **kwargs
    )


def assert_one_error_line(proc: subprocess.CompletedProcess[bytes], status: int = 2) -> str:
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == status, err
    assert "Traceback" not in err and err.startswith("error: ") and err.count("\n") == 1, err
    return err


def test_case_3_a_record_with_a_huge_number(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text('{"minutes": ' + "9" * 5000 + "}", encoding="utf-8")
    assert "too long" in assert_one_error_line(cli("review", str(record)))
    proc = cli("review", str(record), "--json")
    assert json.loads(proc.stdout)["error"]["code"] == "bad_json"


def test_case_3_text_that_was_not_utf8(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text('{"visit_codes": [{"code": "\\udcff97110", "minutes": 10}]}', "utf-8")
    proc = cli("review", str(record), "--json")
    assert_one_error_line(proc)
    assert json.loads(proc.stdout)["error"]["code"] == "bad_request"
    proc = subprocess.run(
        [sys.executable.encode(), b"-m", b"calc", b"units", b"\xff97112=24", b"--json"],
        capture_output=True,
        timeout=60,
    )
    assert_one_error_line(proc)


def test_case_3_an_output_encoding_without_the_arrow() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    proc = cli("units", "97112=24", env=env)
    assert proc.returncode == 0, proc.stderr
    assert b"24 min \\u2192 2 units" in proc.stdout
    proc = cli("units", "\u202e97112=ten", env=env)
    assert_one_error_line(proc)


def test_case_3_a_full_disk() -> None:
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "calc", "checklist"],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    assert "No space left" in assert_one_error_line(proc, status=1)


def test_case_3_a_closed_pipe() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "calc", "scenarios", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head -1` once it has its line
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert_one_error_line(subprocess.CompletedProcess([], proc.returncode, b"", err), status=1)


def waiting_for_stdin(pid: int, timeout: float = 30.0) -> None:
    """Until the process blocks reading its standard input (Linux: the read system
    call, 0, on file descriptor 0): a Ctrl-C before Python has started would be
    Python's own start-up to report, not the CLI's."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            call = Path(f"/proc/{pid}/syscall").read_text().split()
        except OSError:  # no /proc/PID/syscall here: give Python time to start
            time.sleep(3)
            return
        if call[:2] == ["0", "0x0"]:
            return
        time.sleep(0.05)


def test_case_3_ctrl_c_is_a_quiet_exit_130() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "calc", "review", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    waiting_for_stdin(proc.pid)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out, err) == (130, b"", b"")


def test_case_6_a_date_of_service_in_other_digits_is_no_date() -> None:
    err = error("claim", {"payer": "bcbsnc", "lines": "97112:24", "dos": "２０２５-01-01"})
    assert err["code"] == "bad_date" and "write it as YYYY-MM-DD" in err["message"]


def test_a_whole_claim_file_is_not_held_to_the_text_limit() -> None:
    from calc.audit import BROWSER_MAX_BYTES
    from calc.inputs import MAX_TEXT

    assert api.TEXT_LIMITS["audit"] == BROWSER_MAX_BYTES
    csv = "visit_id,patient_id,dos,payer,code,minutes\n" + "x" * MAX_TEXT
    err = api.call("audit", {"csv": csv}).get("error", {})
    assert "characters long" not in err.get("message", "")
    assert "characters long" in error("units", {"lines": "x" * (MAX_TEXT + 1)})["message"]
