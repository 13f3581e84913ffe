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
from collections.abc import Callable
from typing import Any

from calc.changes import relevant, review_due, rule_changes
from calc.claim import build_claim
from calc.codes import load_codes, normalize
from calc.dates import Applied, Period, as_of, load_rulebook_dates, resolve
from calc.documentation import load_checklists
from calc.documentation import review as review_record
from calc.errors import CalcError, shown
from calc.inputs import MAX_DEPTH, MAX_TEXT, check_request, too_deep_json
from calc.modifiers import load_modifier_rules
from calc.ncci import load_ncci_pairs
from calc.payers import load_payers
from calc.requests import (
    TEXT_LIMITS,
    Request,
    audit_request,
    claim_request,
    grade_request,
    on_request,
    only,
    review_request,
    scenarios_request,
    since_request,
    units_request,
)
from calc.sources import source_links
from calc.units import METHOD_NAMES, compute_units, method_statement

Handler = Callable[[Request], dict[str, Any]]


def _dated(
    result: dict[str, Any], dos: object, codes: list[str], applied: list[Applied]
) -> dict[str, Any]:
    """An answer with its date of service first, and the date's statement as step one."""
    day, given = resolve(dos)
    nearby = relevant(rule_changes(), None, codes)
    dates = as_of(day, given, applied, nearby)
    steps = [dates.statement, *result.get("steps", [])]
    return {"date_of_service": dates.as_dict(), **result, "steps": steps}


def linked(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer with ``source_links``: each public document its sources name, so a
    page can link the name (last, so the rest of the answer keeps its order)."""
    return {**answer, "source_links": source_links(answer)}


def units(request: Request) -> dict[str, Any]:
    """``{"lines": "97112:24,97110:23" | [...], "method": "cms" | "per-code",
    "dos": "YYYY-MM-DD"}`` (without dos: the rule book's as_of date, stated)."""
    read = units_request(request)
    result = compute_units(read.entries, method=read.method).as_dict()
    # The units methods carry no date in their sources: in force on every covered date.
    said = method_statement(read.method)
    method_rule = Applied(
        f"Units: {METHOD_NAMES[read.method]}", Period(), said.source, said.confidence
    )
    # changes about a code that earns no unit are not about this visit's bill
    codes = [normalize(line["code"]) for line in result["lines"] if line["units"]]
    return linked(_dated(result, read.dos, codes, [method_rule]))


def codes(request: Request) -> dict[str, Any]:
    """Every code the calculators know, with its source."""
    only(request, set())
    return {"codes": [c.as_dict() for c in load_codes()]}


def checklist(request: Request) -> dict[str, Any]:
    """The documentation checklists, each item with its source, and the record fields."""
    only(request, set())
    return load_checklists().as_dict()


def review(request: Request) -> dict[str, Any]:
    """The request is the record itself: ``{"body_parts": [...], "minutes": 24, ...}``,
    plus ``"dos": "YYYY-MM-DD"`` (without it: the rule book's as_of date, stated)."""
    read = review_request(request)
    return linked(_dated(review_record(read.record).as_dict(), read.dos, ["97112"], []))


def changes(request: Request) -> dict[str, Any]:
    """``{"since": "YYYY-MM-DD"}`` (optional): every dated change, newest first."""
    found = rule_changes(since_request(request))
    return {
        "since": request.get("since") or None,
        "rulebook": load_rulebook_dates().as_dict(),
        "changes": [c.as_dict() for c in found],
    }


def due(request: Request) -> dict[str, Any]:
    """``{"on": "YYYY-MM-DD"}``: the entries whose review is older than the interval."""
    on = on_request(request)
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
    return linked(build_claim(claim_request(request)).as_dict())


def payers(request: Request) -> dict[str, Any]:
    """Every payer profile, with its units method, flags, verify marks and sources."""
    only(request, set())
    return {"payers": [p.as_dict() for p in load_payers()]}


def rules(request: Request) -> dict[str, Any]:
    """The modifier rules (with their order) and the NCCI pairs: the help sheet's data."""
    only(request, set())
    return {**load_modifier_rules().as_dict(), "ncci": load_ncci_pairs().as_dict()}


def scenarios(request: Request) -> dict[str, Any]:
    """The training scenarios with their stories, facts and the engine's answers.
    ``{"scenario": ID}`` returns that one only; ``{"answers": false}`` leaves the
    answers out."""
    # calc.training is imported on first use, not with this module: the calculators'
    # engine in the browser is ready ~70 ms sooner without it (bench/browser_bench.py)
    from calc.training import load_scenarios, scenario_dict

    read = scenarios_request(request)
    data = load_scenarios()
    chosen = data.scenarios if read.scenario is None else (data.require(read.scenario),)
    return {
        "scenarios": [scenario_dict(s, with_answer=read.answers) for s in chosen],
        "tags": [t.as_dict() for t in data.tags],
        "modifiers": list(load_modifier_rules().order.modifiers),
    }


def grade(request: Request) -> dict[str, Any]:
    """``{"scenario": ID, "attempt": {"lines": [{"code", "units", "modifiers"}]}}``, or
    ``"attempt": {"missing": [ITEM_ID, ...]}`` for a review scenario."""
    from calc.training import grade as grade_attempt  # on first use (see scenarios)

    read = grade_request(request)
    return grade_attempt(read.scenario, read.attempt).as_dict()


def audit(request: Request) -> dict[str, Any]:
    """``{"csv": TEXT, "payer_map": {SPELLING: PAYER_ID}, "columns": {COLUMN: THEIRS}}``:
    the whole file at once (the page streams big files through calc.audit.Session)."""
    from calc.audit import BROWSER_MAX_BYTES, Auditor  # on first use (see scenarios)

    read = audit_request(request)
    auditor = Auditor(
        payer_map=read.payer_map,
        columns=read.columns,
        size=len(read.csv.encode("utf-8")),
        limit=BROWSER_MAX_BYTES,
    )
    auditor.feed(read.csv)
    if auditor.end():  # visits split across the file: read it again to check them
        auditor.read_again()
        auditor.feed(read.csv)
    return auditor.finish().as_dict()


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
