"""The JSON facade: plain dicts in, plain dicts out. The CLI and the browser worker
both call :func:`call`; nothing else in the product talks to the engine.

Errors come back as values, ``{"error": {"code": ..., "message": ...}}``, never as
exceptions or tracebacks.

>>> call("units", {"lines": "97112:24,97110:23"})["total_units"]
3
>>> call("units", {"lines": "97112:-3"})["error"]["code"]
'bad_minutes'
>>> call("shell", {})["error"]["code"]
'unknown_call'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from calc.changes import relevant, review_due, rule_changes
from calc.claim import REQUEST_FIELDS as CLAIM_FIELDS
from calc.claim import build_claim, visit_from_request
from calc.codes import load_codes, normalize
from calc.dates import Applied, Period, as_of, load_rulebook_dates, parse_dos, resolve
from calc.documentation import load_checklists, parse_record, require_entries
from calc.documentation import review as review_record
from calc.errors import CalcError, shown
from calc.inputs import MAX_DEPTH, MAX_TEXT, check_request, choice, too_deep_json
from calc.modifiers import load_modifier_rules
from calc.ncci import load_ncci_pairs
from calc.payers import load_payers
from calc.units import METHOD_NAMES, METHODS, SOURCES, compute_units, parse_entries

Request = Mapping[str, Any]
Handler = Callable[[Request], dict[str, Any]]


def _only(request: Request, allowed: set[str]) -> None:
    if not isinstance(request, Mapping):
        raise CalcError("bad_request", "The request must be a JSON object.")
    for key in request:
        if key not in allowed:
            raise CalcError(
                "bad_request",
                f"Unknown field {shown(key)}; expected: {', '.join(sorted(allowed))}.",
            )


def _dated(
    result: dict[str, Any], dos: object, codes: list[str], applied: list[Applied]
) -> dict[str, Any]:
    """An answer with its date of service first, and the date's statement as step one."""
    day, given = resolve(dos)
    nearby = relevant(rule_changes(), None, codes)
    dates = as_of(day, given, applied, nearby)
    steps = [dates.statement, *result.get("steps", [])]
    return {"date_of_service": dates.as_dict(), **result, "steps": steps}


def units(request: Request) -> dict[str, Any]:
    """``{"lines": "97112:24,97110:23" | [...], "method": "cms" | "per-code",
    "dos": "YYYY-MM-DD"}`` (without dos: the rule book's as_of date, stated)."""
    _only(request, {"lines", "method", "dos"})
    resolve(request.get("dos"))  # a bad date is reported before anything else
    method = choice("method", request.get("method"), METHODS, "cms")
    result = compute_units(parse_entries(request.get("lines")), method=str(method)).as_dict()
    # The units methods carry no date in their sources: in force on every covered date.
    method_rule = Applied(
        f"Units: {METHOD_NAMES[str(method)]}", Period(), SOURCES[str(method)], "high"
    )
    codes = [normalize(line["code"]) for line in result["lines"]]
    return _dated(result, request.get("dos"), codes, [method_rule])


def codes(request: Request) -> dict[str, Any]:
    """Every code the calculators know, with its source."""
    _only(request, set())
    return {"codes": [c.as_dict() for c in load_codes()]}


def checklist(request: Request) -> dict[str, Any]:
    """The documentation checklists, each item with its source, and the record fields."""
    _only(request, set())
    return load_checklists().as_dict()


def review(request: Request) -> dict[str, Any]:
    """The request is the record itself: ``{"body_parts": [...], "minutes": 24, ...}``,
    plus ``"dos": "YYYY-MM-DD"`` (without it: the rule book's as_of date, stated)."""
    record = dict(request) if isinstance(request, Mapping) else request
    dos = record.pop("dos", None) if isinstance(record, dict) else None
    resolve(dos)
    return _dated(
        review_record(require_entries(parse_record(record))).as_dict(), dos, ["97112"], []
    )


def changes(request: Request) -> dict[str, Any]:
    """``{"since": "YYYY-MM-DD"}`` (optional): every dated change, newest first."""
    _only(request, {"since"})
    since = request.get("since")
    found = rule_changes(parse_dos(since) if since not in (None, "") else None)
    return {
        "since": since or None,
        "rulebook": load_rulebook_dates().as_dict(),
        "changes": [c.as_dict() for c in found],
    }


def due(request: Request) -> dict[str, Any]:
    """``{"on": "YYYY-MM-DD"}``: the entries whose review is older than the interval."""
    _only(request, {"on"})
    if request.get("on") in (None, ""):
        raise CalcError("bad_date", "Give the date to check the reviews on (on: YYYY-MM-DD).")
    on = parse_dos(request.get("on"))
    dates = load_rulebook_dates()
    return {
        "on": on.isoformat(),
        "review_months": dates.review_months,
        "due": [d.as_dict() for d in review_due(on)],
    }


def claim(request: Request) -> dict[str, Any]:
    """``{"payer": "bcbsnc", "lines": "98941,97112:23:same-region,97140:10",
    "provider": "dc" | "pt", "phase": "initial" | "ongoing", "same_region": bool,
    "separate_encounter": bool, "modifier_style": "59" | "x", "cmt_abn": bool,
    "voluntary_abn": bool, "abn": bool, "care": "active" | "maintenance",
    "method": "cms" | "per-code"}`` (only payer and lines are required). A line's own
    facts (``same-region``, ``separate-encounter``) follow its minutes; the visit-wide
    ``same_region`` / ``separate_encounter`` say it of every line, and ``abn`` is the
    shorthand for both ABNs."""
    _only(request, set(CLAIM_FIELDS))
    return build_claim(visit_from_request(request)).as_dict()


def payers(request: Request) -> dict[str, Any]:
    """Every payer profile, with its units method, flags, verify marks and sources."""
    _only(request, set())
    return {"payers": [p.as_dict() for p in load_payers()]}


def rules(request: Request) -> dict[str, Any]:
    """The modifier rules (with their order) and the NCCI pairs: the help sheet's data."""
    _only(request, set())
    return {**load_modifier_rules().as_dict(), "ncci": load_ncci_pairs().as_dict()}


def scenarios(request: Request) -> dict[str, Any]:
    """The training scenarios with their stories, facts and the engine's answers.
    ``{"scenario": ID}`` returns that one only; ``{"answers": false}`` leaves the
    answers out."""
    # calc.training is imported on first use, not with this module: the calculators'
    # engine in the browser is ready ~70 ms sooner without it (bench/browser_bench.py)
    from calc.training import load_scenarios, scenario_dict

    _only(request, {"scenario", "answers"})
    data = load_scenarios()
    answers = request.get("answers", True)
    if not isinstance(answers, bool):
        raise CalcError("bad_request", "answers must be true or false.")
    chosen = data.scenarios
    if request.get("scenario") is not None:
        chosen = (data.require(request["scenario"]),)
    return {
        "scenarios": [scenario_dict(s, with_answer=answers) for s in chosen],
        "tags": [t.as_dict() for t in data.tags],
        "modifiers": list(load_modifier_rules().order.modifiers),
    }


def grade(request: Request) -> dict[str, Any]:
    """``{"scenario": ID, "attempt": {"lines": [{"code", "units", "modifiers"}]}}``, or
    ``"attempt": {"missing": [ITEM_ID, ...]}`` for a review scenario."""
    from calc.training import grade as grade_attempt  # on first use (see scenarios)

    _only(request, {"scenario", "attempt"})
    if "attempt" not in request:
        raise CalcError("bad_attempt", "The request needs an attempt.")
    return grade_attempt(request.get("scenario"), request["attempt"]).as_dict()


def audit(request: Request) -> dict[str, Any]:
    """``{"csv": TEXT, "payer_map": {SPELLING: PAYER_ID}, "columns": {COLUMN: THEIRS}}``:
    the whole file at once (the page streams big files through calc.audit.Session)."""
    from calc.audit import BROWSER_MAX_BYTES, Auditor  # on first use (see scenarios)

    _only(request, {"csv", "payer_map", "columns"})
    text = request.get("csv")
    if not isinstance(text, str):
        raise CalcError("bad_request", "csv must be the text of the file.")
    auditor = Auditor(
        payer_map=_texts("payer_map", request.get("payer_map")),
        columns=_texts("columns", request.get("columns")),
        size=len(text.encode("utf-8")),
        limit=BROWSER_MAX_BYTES,
    )
    auditor.feed(text)
    return auditor.finish().as_dict()


def _texts(name: str, value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise CalcError("bad_request", f"{name} must map names to names.")
    return dict(value)


#: The allow-list of calls the CLI and the browser may make.
CALLS: dict[str, Handler] = {
    "checklist": checklist,
    "review": review,
    "units": units,
    "codes": codes,
    "claim": claim,
    "payers": payers,
    "rules": rules,
    "scenarios": scenarios,
    "grade": grade,
    "audit": audit,
    "changes": changes,
    "due": due,
}


#: Calls that take a whole file as text: their longest text (the audit checks the
#: file's size in bytes itself, against calc.audit.BROWSER_MAX_BYTES; tested equal).
TEXT_LIMITS = {"audit": 100 * 1024 * 1024}


def call(name: str, request: Request | None = None) -> dict[str, Any]:
    """Run one allow-listed call; any bad input comes back as an error dict, whatever
    Python value it is (the request is checked as plain, bounded JSON data first).

    >>> call("units", {"lines": "97112:24", 3: "x"})["error"]["message"]
    'The names of the fields at the request must be text, not a number.'
    """
    handler = CALLS.get(name) if isinstance(name, str) else None
    if handler is None:
        return CalcError("unknown_call", f"Unknown call {shown(name)}.").as_dict()
    try:
        request = {} if request is None else request
        check_request(request, TEXT_LIMITS.get(name, MAX_TEXT))
        return handler(request)
    except CalcError as err:
        return err.as_dict()
    except Exception:  # a bug in a rule: answer, never raise (tests fail on this code)
        return CalcError(
            "engine_failure",
            "The engine failed on this input. Please report it with the input that caused it.",
        ).as_dict()


def call_json(name: str, request_json: str) -> str:
    """The worker's entry point: JSON text in, JSON text out.

    >>> json.loads(call_json("units", '{"lines": "97112:38"}'))["total_units"]
    3
    """
    if isinstance(request_json, str) and too_deep_json(request_json):
        return json.dumps(
            CalcError(
                "bad_request", f"The request is nested too deeply (more than {MAX_DEPTH} levels)."
            ).as_dict()
        )
    try:
        request = json.loads(request_json)
    except (TypeError, ValueError, RecursionError):  # ValueError: also a 5,000-digit number
        return json.dumps(CalcError("bad_request", "The request is not valid JSON.").as_dict())
    return json.dumps(call(name, request), ensure_ascii=False)
