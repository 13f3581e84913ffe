"""calc.api: the JSON facade used by the CLI and the browser worker."""

from __future__ import annotations

import json

import pytest

from calc import api


def test_units_from_a_link_string() -> None:
    out = api.call("units", {"lines": "97112:24,97110:23", "method": "cms"})
    assert [(x["code"], x["units"]) for x in out["lines"]] == [("97112", 2), ("97110", 1)]


def test_units_from_json_objects() -> None:
    out = api.call("units", {"lines": [{"code": "97112", "minutes": 38}]})
    assert out["total_units"] == 3


@pytest.mark.parametrize(
    ("name", "request_", "code"),
    [
        ("eval", {}, "unknown_call"),
        ("units", {"lines": "97112:10", "evil": 1}, "bad_request"),
        ("units", {"lines": "97112:10", "method": "x"}, "bad_method"),
        ("units", {"lines": 42}, "bad_request"),
        ("units", {"lines": "<script>alert(1)</script>:5"}, "unknown_code"),
        ("units", {}, "empty_input"),
        ("units", ["not", "a", "dict"], "bad_request"),
    ],
)
def test_errors_are_values(name: str, request_: object, code: str) -> None:
    out = api.call(name, request_)  # type: ignore[arg-type]
    assert out["error"]["code"] == code
    assert out["error"]["message"]


def test_call_json_round_trip_and_bad_json() -> None:
    assert json.loads(api.call_json("units", '{"lines": "97112:8"}'))["total_units"] == 1
    assert json.loads(api.call_json("units", "{nope"))["error"]["code"] == "bad_request"


def test_every_call_is_on_the_allow_list() -> None:
    assert set(api.CALLS) >= {"units", "codes"}
