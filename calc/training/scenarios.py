"""Training scenarios: practice visits as the data file holds them (an engine request,
a story, the learning point and its source, never the answer), and the facts a
trainee reads. The answers are computed in :mod:`calc.training.key`.

>>> from calc.training import scenario
>>> facts(scenario("cms-example-1"))[0]
('Units method', 'CMS total time (8-minute rule)')
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from calc._data import (
    ANSWERED_AS_SECTION,
    ANSWERED_AS_SOURCE,
    check_keys,
    entries,
    plain,
    want,
    want_confidence,
    want_date,
    want_id,
    want_text,
)
from calc.cases import UNITS_FILE, load_units_cases
from calc.claim import (
    LINE_FACTS,
    STYLE_NAMES,
)
from calc.codes import load_codes
from calc.documentation import (
    FIELDS,
    parse_record,
    value_text,
)
from calc.errors import CalcError, shown
from calc.modifiers import load_modifier_rules
from calc.payers import load_payers
from calc.sources import Citation, Cited, read_citation
from calc.units import (
    METHOD_NAMES,
    parse_entries,
)

DATA_FILE = "scenarios.toml"
KINDS = ("claim", "units", "review", "audit")
#: What a trainee's answer is graded on, per kind of scenario.
GRADED = {
    "claim": ("units", "modifiers"),
    "units": ("units",),
    "review": ("missing",),
    "audit": ("missing",),  # the kinds of finding the audit reports
}
#: Scenarios answered by ticking items: checklist items (review), kinds of finding (audit).
ITEM_KINDS = ("review", "audit")
MAX_MODIFIERS = 4  # a claim line holds at most four modifiers
MAX_ATTEMPT_LINES = 50
#: Every key a scenario in the data file must have: the facts, never an answer.
SCENARIO_KEYS = (
    "id",
    "title",
    "story",
    "kind",
    "tags",
    "learning_point",
    "confidence",
    "reviewed",
)
#: What the scenario poses: its own ``request`` and ``sources`` (and ``where``), or a
#: worked ``case`` of calc/data/cases/ (a units scenario), whose request and sources it
#: takes.
POSED_KEYS = ("request", "sources", "where", "case")
_PROVIDERS = {"dc": "chiropractor (DC)", "pt": "physical therapist (PT)"}


# --- the data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    """A rule a scenario exercises, and where it comes from (``section``: the citation's
    text)."""

    id: str
    title: str
    cite: Citation = field(metadata=ANSWERED_AS_SECTION)

    @property
    def section(self) -> str:
        return self.cite.text

    def as_dict(self) -> dict[str, str]:
        return plain(self)


@dataclass(frozen=True)
class StrictOrder(Cited):
    """Two modifiers whose order on a line is a rule: ``first`` goes before ``then``."""

    first: str
    then: str
    text: str
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    reviewed: dt.date

    def broken_by(self, modifiers: Sequence[str]) -> bool:
        """
        >>> rule = StrictOrder("59", "GP", "", "", "high", dt.date(2026, 11, 27))
        >>> rule.broken_by(["GP", "59"]), rule.broken_by(["59", "GP"]), rule.broken_by(["GP"])
        (True, False, False)
        """
        mods = list(modifiers)
        return (
            self.first in mods
            and self.then in mods
            and mods.index(self.then) < mods.index(self.first)
        )


@dataclass(frozen=True)
class Scenario(Cited):
    """One practice visit: its facts as an engine request, never its answer."""

    id: str
    title: str
    story: str
    kind: str  # claim, units or review
    tags: tuple[str, ...]
    request_json: str  # the engine request, as JSON text (so the scenario stays frozen)
    learning_point: str
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    reviewed: dt.date

    @property
    def request(self) -> dict[str, Any]:
        """A fresh copy of the engine request (callers may change it freely)."""
        value: dict[str, Any] = json.loads(self.request_json)
        return value


@dataclass(frozen=True)
class Scenarios:
    tags: tuple[Tag, ...]
    strict_order: tuple[StrictOrder, ...]
    scenarios: tuple[Scenario, ...]

    def require(self, scenario_id: object) -> Scenario:
        """The scenario, or a clear error (``unknown_scenario``)."""
        found = next((s for s in self.scenarios if s.id == scenario_id), None)
        if found is None:
            raise CalcError(
                "unknown_scenario",
                f"Unknown scenario {shown(scenario_id)}: choose one from the list of practice "
                "scenarios.",
            )
        return found


# --- reading the data file ---------------------------------------------------------------


def _parse_tags(name: str, data: Any) -> tuple[Tag, ...]:
    tags: list[Tag] = []
    for where, entry in entries(name, "tag", data):
        check_keys(where, entry, ["id", "title", "sources"], ["where"])
        tag_id = want_id(where, "id", entry["id"])
        if any(t.id == tag_id for t in tags):
            raise CalcError("bad_data", f"{where}: listed twice")
        tags.append(
            Tag(
                tag_id,
                want_text(where, "title", entry["title"]),
                read_citation(where, entry),
            )
        )
    return tuple(tags)


def _parse_order(name: str, data: Any) -> tuple[StrictOrder, ...]:
    known = load_modifier_rules().order.modifiers
    out = []
    for i, entry in enumerate(want(name, "strict_order", data, list), start=1):
        where = f"{name}, strict_order {i}"
        want(where, "strict_order", entry, dict)
        keys = ["first", "then", "text", "sources", "confidence", "reviewed"]
        check_keys(where, entry, keys, ["where"])
        pair = [want_text(where, k, entry[k]) for k in ("first", "then")]
        for mod in pair:
            if mod not in known:
                raise CalcError(
                    "bad_data",
                    f"{where}: unknown modifier {mod!r} (known: {', '.join(known)})",
                )
        out.append(
            StrictOrder(
                pair[0],
                pair[1],
                want_text(where, "text", entry["text"]),
                read_citation(where, entry),
                want_confidence(where, entry["confidence"]),
                want_date(where, "reviewed", entry["reviewed"]),
            )
        )
    return tuple(out)


def _posed(where: str, kind: str, entry: Mapping[str, Any]) -> tuple[str, Citation]:
    """The scenario's request (as JSON text) and citation: its own, or its case's."""
    if "case" not in entry:
        for key in ("request", "sources"):
            if key not in entry:
                raise CalcError("bad_data", f"{where}: missing key {key!r}")
        return _request_json(where, entry["request"]), read_citation(where, entry)
    if {"request", "sources", "where"} & set(entry):
        raise CalcError(
            "bad_data",
            f"{where}: a scenario that poses a case takes its request and source from it",
        )
    if kind != "units":
        raise CalcError("bad_data", f"{where}: only a units scenario can pose a worked case")
    case_id = want_text(where, "case", entry["case"])
    case = next((c for c in load_units_cases() if c.id == case_id), None)
    if case is None:
        raise CalcError("bad_data", f"{where}: unknown case {case_id!r} (see {UNITS_FILE})")
    return json.dumps(case.request, ensure_ascii=False), case.cite


def _request_json(where: str, value: Any) -> str:
    want(where, "request", value, dict)
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=False)
    except TypeError as exc:  # a TOML date or time: not something the engine takes
        raise CalcError("bad_data", f"{where}: 'request' is not plain JSON data ({exc})") from exc


# --- facts, as the trainee reads them ------------------------------------------------------


def codes_of(s: Scenario) -> tuple[dict[str, Any], ...]:
    """The codes the trainee bills (claim and units scenarios), in the order entered;
    the same code entered twice is one row with its minutes added.

    >>> from calc.training import scenario
    >>> codes_of(scenario("bcbsnc-cmt-97112"))[1]
    {'code': '97112', 'name': 'Neuromuscular reeducation (balance, coordination, posture, proprioception)', 'timed': True, 'minutes': 23}
    """  # noqa: E501
    if s.kind in ITEM_KINDS:
        return ()
    table = load_codes()
    rows: dict[str, dict[str, Any]] = {}
    for entry in parse_entries(s.request.get("lines"), facts=LINE_FACTS):
        info = table.require(entry.code)
        row = rows.setdefault(
            info.code, {"code": info.code, "name": info.name, "timed": info.timed, "minutes": None}
        )
        if entry.minutes is not None:
            row["minutes"] = (row["minutes"] or 0) + entry.minutes
    return tuple(rows.values())


def facts(s: Scenario) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs a trainee reads: the payer and visit flags, then the codes
    (claim and units), or the record's fields as entered (review).

    Whether the therapy treated the manipulated region, or came at a separate encounter,
    is what the trainee must judge from the story: those are never listed as facts.

    >>> from calc.training import scenario
    >>> facts(scenario("bcbsnc-same-region"))[:4]
    (('Date of service', '2026-12-01'), ('Payer', 'Blue Cross NC (bcbsnc)'), ('Provider', 'chiropractor (DC)'), ('98941', 'Chiropractic manipulative treatment (CMT), spinal, 3-4 regions (untimed)'))
    """  # noqa: E501
    request = s.request
    out: list[tuple[str, str]] = []
    if s.kind == "audit":
        rows = str(request.get("csv") or "").strip().splitlines()
        return (("Header (row 1)", rows[0]), *((f"Row {i}", r) for i, r in enumerate(rows[1:], 2)))
    if s.kind == "review":
        record = parse_record(request)
        return tuple(
            (f.label, value_text(record, f.name))
            for f in FIELDS
            if getattr(record, f.name) not in (None, ())
        )
    if s.kind == "claim":
        payer = load_payers().require(request.get("payer"))
        if request.get("dos"):
            out.append(("Date of service", str(request["dos"])))
        out.append(("Payer", f"{payer.name} ({payer.id})"))
        out.append(("Provider", _PROVIDERS[str(request.get("provider") or "dc")]))
        if request.get("phase"):
            out.append(("Phase of care", str(request["phase"])))
        flags = (
            ("abn", "ABN signed"),
            ("cmt_abn", "ABN signed for the maintenance CMT"),
            ("voluntary_abn", "Voluntary ABN signed for the excluded services"),
        )
        out += [(label, "yes") for key, label in flags if request.get(key)]
        if request.get("care") == "maintenance":
            out.append(("Care", "maintenance"))
        if request.get("modifier_style") == "x":
            out.append(("Modifier style", STYLE_NAMES["x"]))
    if s.kind == "units" or request.get("method"):
        out.append(("Units method", METHOD_NAMES[str(request.get("method") or "cms")]))
    for row in codes_of(s):
        minutes = "" if row["minutes"] is None else f": {row['minutes']} min"
        kind = "timed" if row["timed"] else "untimed"
        out.append((row["code"], f"{row['name']} ({kind}){minutes}"))
    return tuple(out)
