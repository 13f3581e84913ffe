"""Requests: what each call of :mod:`calc.api` reads from its JSON request, as typed
input. The facade and the training scenarios read a request the same way, here.

Each reader checks the request's fields first (an unknown field is ``bad_request``),
then reads the values in a fixed order, so the first problem reported is always the
same one.

>>> units_request({"lines": "97112:24,97110:23"}).method
'cms'
>>> claim_request({"payer": "bcbsnc", "lines": "98941,97112:23:same-region"}).lines[1]
Entry(code='97112', minutes=23, facts=('same_region',))
>>> only({"payer": "bcbsnc", "colour": "red"}, {"payer"})
Traceback (most recent call last):
...
calc.errors.CalcError: Unknown field 'colour'; expected: payer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from calc.claim import LINE_FACTS, Visit
from calc.codes import PHASES
from calc.dates import parse_dos, resolve
from calc.documentation import Record, parse_record, require_entries
from calc.errors import CalcError, shown
from calc.inputs import choice, flag
from calc.modifiers import CARE, PROVIDERS
from calc.payers import MODIFIER_STYLES
from calc.units import METHODS, Entry, parse_entries

Request = Mapping[str, Any]

#: Calls that take a whole file as text: their longest text (the audit checks the
#: file's size in bytes itself, against calc.audit.BROWSER_MAX_BYTES; tested equal).
TEXT_LIMITS = {"audit": 100 * 1024 * 1024}

#: The fields a claim request may carry (the API rejects any other).
CLAIM_FIELDS = frozenset(
    {
        "payer",
        "lines",
        "provider",
        "phase",
        "same_region",
        "separate_encounter",
        "modifier_style",
        "abn",
        "cmt_abn",
        "voluntary_abn",
        "care",
        "method",
        "dos",
    }
)


def only(request: object, allowed: Collection[str]) -> None:
    """Refuse a request that is not an object, or that carries a field not allowed."""
    if not isinstance(request, Mapping):
        raise CalcError("bad_request", "The request must be a JSON object.")
    for key in request:
        if key not in allowed:
            raise CalcError(
                "bad_request",
                f"Unknown field {shown(key)}; expected: {', '.join(sorted(allowed))}.",
            )


@dataclass(frozen=True)
class UnitsRequest:
    entries: tuple[Entry, ...]
    method: str
    dos: object  # as given: the answer states the date used (see calc.dates.resolve)


def units_request(request: Request) -> UnitsRequest:
    """``{"lines": "97112:24,97110:23" | [...], "method": "cms" | "per-code",
    "dos": "YYYY-MM-DD"}``; a bad date is reported before anything else.

    >>> units_request({"lines": "97112:24", "method": "per-code"}).entries
    (Entry(code='97112', minutes=24, facts=()),)
    """
    only(request, {"lines", "method", "dos"})
    resolve(request.get("dos"))
    method = str(choice("method", request.get("method"), METHODS, "cms"))
    return UnitsRequest(parse_entries(request.get("lines")), method, request.get("dos"))


def _dos(value: object) -> dt.date | None:
    day, given = resolve(value)
    return day if given else None


def claim_request(request: Request) -> Visit:
    """Read a claim request (JSON, or the fields of a link) into a :class:`Visit`.

    ``abn`` is the shorthand for both notices (``cmt_abn`` and ``voluntary_abn``).

    >>> claim_request({"payer": "bcbsnc", "lines": "98941,97112:23:same-region"}).lines
    (Entry(code='98941', minutes=None, facts=()), Entry(code='97112', minutes=23, facts=('same_region',)))
    >>> v = claim_request({"payer": "medicare", "lines": "98941", "abn": "1"})
    >>> v.cmt_abn, v.voluntary_abn, v.abn_shorthand
    (True, True, True)
    """  # noqa: E501
    only(request, CLAIM_FIELDS)
    payer = request.get("payer")
    if payer is not None and not isinstance(payer, str):
        raise CalcError("unknown_payer", "The payer must be a payer id such as 'bcbsnc'.")
    both = flag("abn", request.get("abn"))
    return Visit(
        lines=parse_entries(request.get("lines"), facts=LINE_FACTS),
        payer=str(payer or "").strip().lower(),
        provider=choice("provider", request.get("provider"), PROVIDERS, "dc") or "dc",
        phase=choice("phase", request.get("phase"), PHASES, None),
        same_region=flag("same_region", request.get("same_region")),
        separate_encounter=flag("separate_encounter", request.get("separate_encounter")),
        modifier_style=choice(
            "modifier_style", request.get("modifier_style"), MODIFIER_STYLES, None
        ),
        cmt_abn=both or flag("cmt_abn", request.get("cmt_abn")),
        voluntary_abn=both or flag("voluntary_abn", request.get("voluntary_abn")),
        abn_shorthand=both,
        care=choice("care", request.get("care"), CARE, "active") or "active",
        method=choice("method", request.get("method"), METHODS, None),
        dos=_dos(request.get("dos")),
    )


@dataclass(frozen=True)
class ReviewRequest:
    record: Record
    dos: object  # as given


def review_request(request: object) -> ReviewRequest:
    """The request is the record itself, plus ``"dos"``; an empty record is refused.

    >>> review_request({"minutes": 24}).record.minutes
    24
    """
    record = dict(request) if isinstance(request, Mapping) else request
    dos = record.pop("dos", None) if isinstance(record, dict) else None
    resolve(dos)
    return ReviewRequest(require_entries(parse_record(record)), dos)


def since_request(request: Request) -> dt.date | None:
    """``{"since": "YYYY-MM-DD"}`` (optional)."""
    only(request, {"since"})
    since = request.get("since")
    return parse_dos(since) if since not in (None, "") else None


def on_request(request: Request) -> dt.date:
    """``{"on": "YYYY-MM-DD"}`` (required)."""
    only(request, {"on"})
    if request.get("on") in (None, ""):
        raise CalcError("bad_date", "Give the date to check the reviews on (on: YYYY-MM-DD).")
    return parse_dos(request.get("on"))


@dataclass(frozen=True)
class ScenariosRequest:
    scenario: object  # an id to look up, or None for every scenario
    answers: bool


def scenarios_request(request: Request) -> ScenariosRequest:
    """``{"scenario": ID, "answers": false}`` (both optional)."""
    only(request, {"scenario", "answers"})
    answers = request.get("answers", True)
    if not isinstance(answers, bool):
        raise CalcError("bad_request", "answers must be true or false.")
    return ScenariosRequest(request.get("scenario"), answers)


@dataclass(frozen=True)
class GradeRequest:
    scenario: object
    attempt: Any  # read by calc.training.grading against the scenario's kind


def grade_request(request: Request) -> GradeRequest:
    """``{"scenario": ID, "attempt": {...}}``."""
    only(request, {"scenario", "attempt"})
    if "attempt" not in request:
        raise CalcError("bad_attempt", "The request needs an attempt.")
    return GradeRequest(request.get("scenario"), request["attempt"])


@dataclass(frozen=True)
class AuditRequest:
    csv: str
    payer_map: dict[str, str]
    columns: dict[str, str]


def _texts(name: str, value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise CalcError("bad_request", f"{name} must map names to names.")
    return dict(value)


def audit_request(request: Request) -> AuditRequest:
    """``{"csv": TEXT, "payer_map": {SPELLING: PAYER_ID}, "columns": {COLUMN: THEIRS}}``."""
    only(request, {"csv", "payer_map", "columns"})
    text = request.get("csv")
    if not isinstance(text, str):
        raise CalcError("bad_request", "csv must be the text of the file.")
    return AuditRequest(
        text,
        _texts("payer_map", request.get("payer_map")),
        _texts("columns", request.get("columns")),
    )
