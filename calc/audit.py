"""Claim file audit: a CSV export of claim lines, checked visit by visit.

The file is read as a stream (constant memory in the number of lines): rows are
grouped into visits (consecutive rows with the same ``visit_id``), each visit goes
through the same claim builder as the calculators (:func:`calc.claim.build_claim`),
and what was billed is compared with what the rules give. Per patient, the therapies
per visit are followed across the file for HNS's "reduction in the use of therapies"
reminder. Every finding names its rule, source and confidence.

>>> report = audit_text(
...     "visit_id,patient_id,dos,payer,provider,code,minutes,units,modifiers\\n"
...     "V1,P1,2026-01-05,bcbsnc,dc,98941,,1,\\n"
...     "V1,P1,2026-01-05,bcbsnc,dc,97112,23,2,GP-59\\n")
>>> [(f.kind, f.code, f.row) for f in report.findings]
[('modifier-order', '97112', 3)]
>>> report.findings[0].message
'97112: modifiers billed GP-59; the rules give 59-GP (same modifiers, other order).'

Bad rows are reported with their row and column, and the other visits are still
checked:

>>> report = audit_text(
...     "visit_id,patient_id,dos,payer,provider,code,minutes,units,modifiers\\n"
...     "V1,P1,2026-01-05,bcbsnc,dc,97112,ten,1,\\n"
...     "V2,P1,2026-01-06,bcbsnc,dc,97112,23,3,\\n")
>>> [(p.row, p.column_name, p.code) for p in report.problems]
[(2, 'minutes', 'bad_minutes')]
>>> [(f.kind, f.visit_id) for f in report.findings]
[('units-over', 'V2')]
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import tomllib
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import pairwise
from operator import itemgetter
from typing import Any
from urllib.parse import urlencode

from calc._data import (
    ANSWERED_AS_SOURCE,
    check_keys,
    plain,
    read_toml,
    want,
    want_choice,
    want_confidence,
    want_date,
    want_text,
)
from calc.claim import LINE_FACTS, Claim, Visit, build_claim
from calc.codes import PHASES, Code, CodeTable, load_codes
from calc.dates import load_rulebook_dates
from calc.errors import CalcError, shown
from calc.inputs import check_request
from calc.modifiers import (
    CARE,
    DISTINCT,
    MODIFIER_SHAPE,
    PROVIDERS,
    X_MODIFIERS,
    RuleBook,
    load_modifier_rules,
)
from calc.ncci import load_ncci_pairs
from calc.payers import PayerTable, load_payers
from calc.sources import Citation, Cited, read_citation
from calc.units import DAY_MINUTES, MAX_UNITS, METHOD_NAMES, Entry, plural

DATA_FILE = "audit.toml"
#: The columns of the CSV format, in the template's order (docs/calculators/audit.md).
COLUMNS = (
    "visit_id",
    "patient_id",
    "dos",
    "payer",
    "provider",
    "code",
    "minutes",
    "units",
    "modifiers",
    "same_region",
    "separate_encounter",
    "phase",
    "maintenance",
    "abn",
)
REQUIRED = COLUMNS[:9]
#: What each column holds (the format page's table is generated from this).
COLUMN_HELP = {
    "visit_id": "The claim or encounter id: every row of one visit has the same one, and a "
    "visit's rows are together in the file.",
    "patient_id": "Any pseudonymous patient id (used to follow a patient's visits over time).",
    "dos": "Date of service, YYYY-MM-DD.",
    "payer": "A payer id (bcbsnc, nc-shp, medcost, zelis, commercial, medicare), or your own "
    "spelling mapped to one in the payer map.",
    "provider": "dc (chiropractor) or pt (physical therapist); empty means dc.",
    "code": "The CPT/HCPCS code billed on this line.",
    "minutes": "Minutes of a timed code (needed); empty for an untimed code.",
    "units": "Units billed on this line (0 to 96).",
    "modifiers": 'Modifiers as billed, in order: 59-GP or "59,GP" (quoted: it has a '
    "comma). Empty for none.",
    "same_region": "yes on a therapy row done on the same body region as the CMT, in the "
    "same encounter (ignored on other rows).",
    "separate_encounter": "yes on a therapy row done at a separate encounter from the CMT.",
    "phase": "initial or ongoing (phase of care); empty if not stated.",
    "maintenance": "yes if the CMT is maintenance care (Medicare).",
    "abn": "yes if the patient signed an ABN (Medicare).",
}
SEVERITIES = ("error", "warning", "reminder")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
#: The browser refuses bigger files up front (the command line reads any size).
BROWSER_MAX_BYTES = 100 * 1024 * 1024
MAX_LISTED = 50_000  # findings (and, separately, problems) kept for the report
MAX_ID = 64  # characters in a visit or patient id
_TAIL_LIMIT = 1_000_000  # a "record" this long is an unclosed quote, not a row
#: rows of visits split across the file held for the second reading that checks them
GATHER_LIMIT = 100_000
_YES = frozenset({"1", "true", "yes", "y", "on", "x"})
_NO = frozenset({"0", "false", "no", "n", "off", ""})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGITS = re.compile(r"\d{1,6}")
_SPLIT_MODIFIERS = re.compile(r"[\s,;:\-/]+")
_HEADER_SPACE = re.compile(r"[\s_\-]+")
_DISTINCT_MODIFIERS = frozenset({DISTINCT, *X_MODIFIERS})


# --- the audit's own data ---------------------------------------------------------------


@dataclass(frozen=True)
class Trend(Cited):
    min_visits: int
    min_therapies: int
    text: str
    cite: Citation = field(metadata=ANSWERED_AS_SOURCE)
    confidence: str
    reviewed: dt.date


@dataclass(frozen=True)
class AuditRules:
    """What each kind of finding is called and how serious it is; the trend check."""

    severity: Mapping[str, str]
    titles: Mapping[str, str]
    trend: Trend


def parse_audit_rules(name: str, data: Mapping[str, Any]) -> AuditRules:
    """Check the parsed ``audit.toml``; every problem names the file and the entry."""
    check_keys(name, data, ["finding", "trend"])
    severity: dict[str, str] = {}
    titles: dict[str, str] = {}
    for i, entry in enumerate(want(name, "finding", data["finding"], list), 1):
        where = f"{name}, finding {i}"
        check_keys(where, want(where, "finding", entry, dict), ["kind", "severity", "title"])
        kind = want_text(where, "kind", entry["kind"])
        if kind in severity:
            raise CalcError("bad_data", f"{where}: kind {kind!r} is listed twice")
        severity[kind] = want_choice(where, "severity", entry["severity"], SEVERITIES)
        titles[kind] = want_text(where, "title", entry["title"])
    missing = sorted(set(KINDS) - set(severity))
    if missing:
        raise CalcError("bad_data", f"{name}: no [[finding]] for {', '.join(missing)}")
    where = f"{name}, [trend]"
    trend = want(where, "trend", data["trend"], dict)
    keys = ["min_visits", "min_therapies", "text", "sources", "confidence", "reviewed"]
    check_keys(where, trend, keys, ["where"])
    counts = [want(where, k, trend[k], int) for k in keys[:2]]
    if min(counts) < 1:
        raise CalcError("bad_data", f"{where}: min_visits and min_therapies must be at least 1")
    return AuditRules(
        severity=severity,
        titles=titles,
        trend=Trend(
            min_visits=counts[0],
            min_therapies=counts[1],
            text=want_text(where, "text", trend["text"]),
            cite=read_citation(where, trend),
            confidence=want_confidence(where, trend["confidence"]),
            reviewed=want_date(where, "reviewed", trend["reviewed"]),
        ),
    )


@cache
def load_audit_rules() -> AuditRules:
    return parse_audit_rules(DATA_FILE, read_toml(DATA_FILE))


#: The kinds of finding the audit knows (audit.toml gives each its severity and title).
KINDS = (
    "units-over",
    "units-under",
    "modifier-missing",
    "modifier-extra",
    "modifier-order",
    "59-on-em",
    "59-same-region",
    "not-reportable",
    "not-billable",
    "not-covered",
    "units-over-mue",
    "initial-phase-therapies",
    "therapies-not-decreasing",
    "dos-not-covered",
)


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing wrong (or worth a look) in the file, with the rule that says so."""

    severity: str
    kind: str
    title: str
    message: str
    rule: str
    source: str
    confidence: str
    visit_id: str
    patient_id: str
    dos: str
    payer: str
    code: str
    row: int  # the file's row (the header is row 1)
    link: str  # the claim builder's query string that reproduces the visit

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class Problem:
    """Bad input: what is wrong, where (row, and column when one is to blame)."""

    code: str
    message: str
    row: int
    column: int | None = None
    column_name: str = ""
    visit_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class Summary:
    lines: int
    visits: int
    visits_checked: int
    patients: int
    findings: Mapping[str, int]  # by severity
    problems: int
    findings_listed: int
    problems_listed: int
    ignored_columns: tuple[str, ...]
    split_visits: int = 0  # visits whose rows were apart in the file, checked as one

    @property
    def text(self) -> str:
        """The one-line summary the command line prints.

        >>> audit_text("visit_id,patient_id,dos,payer,provider,code,minutes,units,modifiers"
        ...            "\\nV1,P1,2026-01-05,bcbsnc,dc,97112,23,2,").summary.text
        '1 visit, 1 line: 0 errors, 0 warnings, 0 reminders.'
        """
        counts = ", ".join(plural(self.findings[s], s) for s in SEVERITIES)
        out = f"{plural(self.visits, 'visit')}, {plural(self.lines, 'line')}: {counts}."
        if self.split_visits:
            out += (
                f" {plural(self.split_visits, 'visit')} had rows apart in the file: checked as one."
            )
        if self.problems:
            skipped = self.visits - self.visits_checked
            out += (
                f" {plural(self.problems, 'input problem')}"
                + (f" ({plural(skipped, 'visit')} not checked)" if skipped else "")
                + "."
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {**plain(self), "findings": dict(self.findings), "text": self.text}


@dataclass(frozen=True)
class Report:
    summary: Summary
    findings: tuple[Finding, ...]  # by severity, then row
    problems: tuple[Problem, ...]  # by row

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary.as_dict(),
            "findings": [f.as_dict() for f in self.findings],
            "problems": [p.as_dict() for p in self.problems],
        }


CSV_FIELDS = (
    "severity",
    "kind",
    "visit_id",
    "patient_id",
    "dos",
    "payer",
    "code",
    "row",
    "message",
    "rule",
    "source",
    "confidence",
    "link",
)


def findings_csv(
    findings: Iterable[Mapping[str, Any]], problems: Iterable[Mapping[str, Any]]
) -> str:
    """The findings (then the input problems, as severity "input") as CSV text.

    >>> problem = Problem("bad_minutes", "Not a number.", 4, 7, "minutes")
    >>> print(findings_csv([], [problem.as_dict()]))
    severity,kind,visit_id,patient_id,dos,payer,code,row,message,rule,source,confidence,link
    input,bad_minutes,,,,,,4,"Not a number. (column 7, minutes)",,,,
    <BLANKLINE>
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for f in findings:
        writer.writerow([_cell(f[name]) for name in CSV_FIELDS])
    for p in problems:
        where = f" (column {p['column']}, {p['column_name']})" if p["column"] else ""
        writer.writerow(
            ["input", p["code"], p["visit_id"], "", "", "", "", p["row"], p["message"] + where]
            + [""] * 4
        )
    return out.getvalue()


def _cell(value: object) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula: never from a file
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# --- reading the header ---------------------------------------------------------------


def header_key(name: str) -> str:
    """Header names match case- and space-insensitively.

    >>> header_key(" Visit ID "), header_key("Separate-Encounter")
    ('visit_id', 'separate_encounter')
    """
    return _HEADER_SPACE.sub("_", name.strip().lower()).strip("_")


@dataclass(frozen=True)
class Header:
    index: Mapping[str, int]  # canonical column -> its position in a row
    names: tuple[str, ...]  # the header as written
    ignored: tuple[str, ...]


def read_header(fields: list[str], columns: Mapping[str, str] | None = None) -> Header:
    """Where each column is. ``columns`` maps a canonical name to the user's own.

    >>> read_header("visit_id;patient_id;dos".split(","))
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: The file uses ';' between columns; save it as CSV with commas (',').
    """
    names = tuple(f.lstrip("\ufeff") for f in fields)
    if len(names) == 1:
        for mark, label in ((";", "';'"), ("\t", "tabs"), ("|", "'|'")):
            if mark in names[0]:
                raise CalcError(
                    "wrong_delimiter",
                    f"The file uses {label} between columns; save it as CSV with commas (',').",
                )
    wanted = {header_key(v): k for k, v in (columns or {}).items() if v and v.strip()}
    bad = sorted(k for k in (columns or {}) if k not in COLUMNS)
    if bad:
        raise CalcError(
            "bad_column_map",
            f"Unknown column {shown(bad[0])} in the column map: use " + ", ".join(COLUMNS) + ".",
        )
    index: dict[str, int] = {}
    ignored = []
    for i, name in enumerate(names):
        key = header_key(name)
        canonical = wanted.get(key, key if key in COLUMNS and key not in wanted.values() else None)
        if canonical is None:
            if name.strip():
                ignored.append(name)
            continue
        if canonical in index:
            raise CalcError(
                "duplicate_header",
                f"Row 1: columns {index[canonical] + 1} and {i + 1} are both "
                f"{canonical!r}. Keep one, or rename the other.",
            )
        index[canonical] = i
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        raise CalcError(
            "missing_column",
            f"Row 1: the header has no {', '.join(repr(m) for m in missing)} column"
            f"{'' if len(missing) == 1 else 's'}. Found: "
            + (", ".join(shown(n, 30) for n in names[:20]) or "nothing")
            + ". Rename the columns (or map them on the audit page).",
        )
    return Header(index, names, tuple(ignored))


# --- reading rows -------------------------------------------------------------------


@dataclass(frozen=True)
class LinePart:
    """What a row says about its line: everything but the visit, patient and date.

    A file repeats the same few of these many times, so each is read once.
    """

    id: int
    payer: str
    provider: str
    code: Code
    minutes: int | None
    units: int
    modifiers: tuple[str, ...]
    facts: tuple[str, ...]  # this line's own facts (calc.claim.LINE_FACTS): same_region, ...
    phase: str | None
    care: str
    abn: bool
    #: the values every row of one visit must share: payer, provider, phase, care, abn
    visit_key: tuple[object, ...]


#: One row: (its row number, visit_id, patient_id, date of service, the line).
Row = tuple[int, str, str, dt.date, LinePart]
#: A problem before it knows its row: (column name, error code, message).
Issue = tuple[str, str, str]
_CACHE_LIMIT = 100_000


class _BadRow(Exception):
    def __init__(self, problems: list[Problem], visit_id: str) -> None:
        self.problems = problems
        self.visit_id = visit_id


@dataclass(frozen=True)
class _Context:
    codes: CodeTable
    payers: PayerTable
    payer_map: Mapping[str, str]  # a spelling (header_key'd) -> payer id


class RowReader:
    """Turns the fields of one CSV row into a :data:`Row`, or every problem it has."""

    def __init__(self, header: Header, ctx: _Context) -> None:
        self.header = header
        self.ctx = ctx
        self.width = len(header.names)
        # where each canonical column is; a missing optional one reads the "" padded on
        self._pick = itemgetter(*(header.index.get(c, self.width) for c in COLUMNS))
        self._dates: dict[str, dt.date | Issue] = {}
        self._parts: dict[tuple[str, ...], LinePart | tuple[Issue, ...]] = {}

    def column(self, name: str) -> int | None:
        """The 1-based column of a canonical name (None if the file has no such column)."""
        i = self.header.index.get(name)
        return None if i is None else i + 1

    def read(self, number: int, fields: list[str]) -> Row:
        extra = len(fields) - self.width
        padded = fields + [""] * (1 - extra) if extra <= 0 else [*fields[: self.width], ""]
        values = self._pick(padded)
        visit_id = values[0].strip()
        patient_id = values[1].strip()
        dos = self._dates.get(values[2])
        if dos is None:
            dos = self._date(values[2].strip())
            if len(self._dates) < _CACHE_LIMIT:
                self._dates[values[2]] = dos
        key = values[3:]
        part = self._parts.get(key)
        if part is None:
            part = self._part(key)
            if len(self._parts) < _CACHE_LIMIT:
                self._parts[key] = part
        if (
            extra > 0
            or isinstance(part, tuple)
            or isinstance(dos, tuple)
            or not 0 < len(visit_id) <= MAX_ID
            or not 0 < len(patient_id) <= MAX_ID
        ):
            raise self._bad(number, len(fields), visit_id, patient_id, dos, part)
        return (number, visit_id, patient_id, dos, part)

    def _bad(
        self,
        number: int,
        count: int,
        visit_id: str,
        patient_id: str,
        dos: dt.date | Issue,
        part: LinePart | tuple[Issue, ...],
    ) -> _BadRow:
        """Everything wrong with a row, each problem with its column."""
        issues: list[Issue] = []
        if count > self.width:
            issues.append(
                (
                    "",
                    "extra_columns",
                    f"Row {number} has {count} columns but the header has {self.width}. A "
                    'value with a comma in it must be in quotes ("59,GP"), or use 59-GP.',
                )
            )
        for name, value in (("visit_id", visit_id), ("patient_id", patient_id)):
            if not value:
                issues.append((name, f"missing_{name}", f"The {name} is empty."))
            elif len(value) > MAX_ID:
                issues.append(
                    (name, f"bad_{name}", f"The {name} is longer than {MAX_ID} characters.")
                )
        if isinstance(dos, tuple):
            issues.append(dos)
        if isinstance(part, tuple):
            issues += part
        short = visit_id[:MAX_ID]
        return _BadRow(
            [Problem(c, m, number, self.column(n), n, short) for n, c, m in issues], short
        )

    @staticmethod
    def _date(text: str) -> dt.date | Issue:
        try:
            if not _DATE.fullmatch(text):
                raise ValueError
            return dt.date.fromisoformat(text)
        except ValueError:
            return (
                "dos",
                "bad_date",
                f"The date of service {shown(text)} is not a date: write it as YYYY-MM-DD "
                "(2026-01-05)."
                if text
                else "The date of service is empty.",
            )

    def _part(self, raw: tuple[str, ...]) -> LinePart | tuple[Issue, ...]:
        issues: list[Issue] = []
        values = dict(zip(COLUMNS[3:], (v.strip() for v in raw), strict=True))
        payer = self._payer(values["payer"], issues)
        provider = values["provider"].lower() or "dc"
        if provider not in PROVIDERS:
            issues.append(
                ("provider", "bad_provider", f"Unknown provider {shown(provider)}: use dc or pt.")
            )
        raw_code = values["code"]
        code = self.ctx.codes.get(raw_code) if raw_code else None
        if code is None and raw_code:
            issues.append(
                (
                    "code",
                    "unknown_code",
                    f"Unknown code {shown(raw_code)}: the codes the calculators know are on "
                    "the Codes page.",
                )
            )
        elif code is None:
            issues.append(("code", "missing_code", "The code is empty."))
        minutes = self._minutes(values["minutes"], code, issues)
        units = self._units(values["units"], issues)
        modifiers = self._modifiers(values["modifiers"], issues)
        flags = {
            name: self._flag(name, values[name], issues)
            for name in ("same_region", "separate_encounter", "maintenance", "abn")
        }
        phase = values["phase"].lower() or None
        if phase is not None and phase not in PHASES:
            issues.append(
                ("phase", "bad_phase", f"Unknown phase {shown(phase)}: use initial or ongoing.")
            )
        if issues or payer is None or code is None or units is None:
            return tuple(issues)
        return LinePart(
            len(self._parts),
            payer,
            provider,
            code,
            minutes,
            units,
            modifiers,
            # said of a therapy line (how it relates to the CMT); on other rows it means
            # nothing, and exports that repeat visit flags on every row put it there
            tuple(f for f in LINE_FACTS if flags[f] and code.is_therapy),
            phase,
            CARE[1] if flags["maintenance"] else CARE[0],
            flags["abn"],
            (payer, provider, phase, CARE[1] if flags["maintenance"] else CARE[0], flags["abn"]),
        )

    def _payer(self, text: str, issues: list[Issue]) -> str | None:
        key = header_key(text)
        mapped = self.ctx.payer_map.get(key, key.replace("_", "-"))
        if mapped in self.ctx.payers:
            return mapped
        if not text:
            issues.append(("payer", "missing_payer", "The payer is empty."))
        else:
            issues.append(
                (
                    "payer",
                    "unknown_payer",
                    f"Unknown payer {shown(text)}: use a payer id ("
                    + ", ".join(p.id for p in self.ctx.payers)
                    + ") or add this spelling to the payer map.",
                )
            )
        return None

    @staticmethod
    def _minutes(text: str, code: Code | None, issues: list[Issue]) -> int | None:
        if not text:
            if code is not None and code.timed and code.billable:
                issues.append(
                    (
                        "minutes",
                        "missing_minutes",
                        f"{code.code} is a timed code: its minutes are needed to check its units.",
                    )
                )
            return None
        if not _DIGITS.fullmatch(text):
            issues.append(
                (
                    "minutes",
                    "bad_minutes",
                    f"Minutes must be a whole number of minutes; got {shown(text)}.",
                )
            )
            return None
        minutes = int(text)
        if code is not None and not code.timed:
            issues.append(
                (
                    "minutes",
                    "minutes_on_untimed",
                    f"{code.code} is not a timed code (one unit per visit), so it takes no "
                    f"minutes; got {minutes}. Leave the minutes empty on its row.",
                )
            )
        elif minutes > DAY_MINUTES:
            issues.append(("minutes", "day_too_long", f"{minutes} minutes is more than a day."))
        return minutes

    @staticmethod
    def _units(text: str, issues: list[Issue]) -> int | None:
        if _DIGITS.fullmatch(text) and int(text) <= MAX_UNITS:
            return int(text)
        issues.append(
            (
                "units",
                "bad_units",
                f"Units billed must be a whole number from 0 to {MAX_UNITS}; got {shown(text)}."
                if text
                else "The units billed are empty.",
            )
        )
        return None

    @staticmethod
    def _modifiers(text: str, issues: list[Issue]) -> tuple[str, ...]:
        mods = tuple(m for m in _SPLIT_MODIFIERS.split(text.upper()) if m)
        for mod in mods:
            if not MODIFIER_SHAPE.fullmatch(mod):
                issues.append(
                    (
                        "modifiers",
                        "bad_modifier",
                        f"{shown(mod)} is not a modifier: modifiers are two letters or digits, "
                        "written in order as billed (59,GP or 59-GP).",
                    )
                )
                return ()
        return mods

    @staticmethod
    def _flag(name: str, text: str, issues: list[Issue]) -> bool:
        value = text.lower()
        if value in _YES:
            return True
        if value not in _NO:
            issues.append(
                (name, f"bad_{name}", f"{name} must be yes or no (or empty); got {shown(text)}.")
            )
        return False


# --- dates of service: when the rules change ---------------------------------------------


def _dates_in(value: object, out: set[dt.date], seen: set[int]) -> None:
    """Every date in loaded rule data (but review dates), found by walking it."""
    if isinstance(value, dt.date):
        out.add(value if not isinstance(value, dt.datetime) else value.date())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        if id(value) in seen:
            return
        seen.add(id(value))
        for f in dataclasses.fields(value):
            if f.name != "reviewed":
                _dates_in(getattr(value, f.name), out, seen)
    elif isinstance(value, tuple | list | frozenset | set):
        for item in value:
            _dates_in(item, out, seen)
    elif isinstance(value, dict):
        for item in value.values():
            _dates_in(item, out, seen)


@cache
def rule_boundaries() -> tuple[dt.date, ...]:
    """The days on which some rule may start or stop applying, sorted.

    Every date in the rule data (a start, an end, an effective or deletion date) and the
    day after it: between two of these days every rule in force is the same, so a visit
    of the same shape gets the same answer. The audit checks each shape once per such
    stretch of days instead of once per day.

    >>> dt.date(2024, 12, 1) in rule_boundaries()  # Blue Cross NC: PT prior authorization
    True
    """
    from calc.mue import load_mue
    from calc.parameters import load_parameters

    found: set[dt.date] = set()
    seen: set[int] = set()
    for data in (
        load_codes(),
        load_payers(),
        load_modifier_rules(),
        load_ncci_pairs(),
        load_mue(),
        load_parameters(),
        load_rulebook_dates(),
    ):
        _dates_in(data, found, seen)
    found.add(load_rulebook_dates().reviewed_until)  # later dates get a warning of their own
    days = found | {d + dt.timedelta(days=1) for d in found if d < dt.date.max}
    return tuple(sorted(days))


def rule_epoch(dos: dt.date) -> int:
    """Which stretch of days between rule changes a date of service is in."""
    return bisect_right(rule_boundaries(), dos)


# --- checking one visit ---------------------------------------------------------------


@dataclass(frozen=True)
class Billed:
    """A code as billed on one row: units and modifiers in order."""

    code: str
    minutes: int | None
    units: int
    modifiers: tuple[str, ...]
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Draft:
    """A finding before it knows its visit: ``line`` is the billed row it is about."""

    kind: str
    message: str
    rule: str
    source: str
    confidence: str
    code: str = ""
    line: int = 0


def _codes_text(mods: Iterable[str]) -> str:
    return "-".join(mods) or "none"


def _modifier_rule(
    mod: str, rule_ids: Iterable[str], claim: Claim, book: RuleBook
) -> tuple[str, str, str]:
    """The rule that asks for ``mod`` on a line (its id, source, confidence)."""
    fired = {f.id: f for f in claim.fired}
    candidates = [fired[r] for r in rule_ids if r in fired]
    for f in candidates:
        try:
            rule = book.get(f.id)
        except KeyError:  # an NCCI pair: it asks for the distinct-procedure modifier
            if mod in _DISTINCT_MODIFIERS:
                return f.id, f.source, f.confidence
            continue
        adds = {*rule.add, *rule.with_abn}
        if mod in adds or (mod in _DISTINCT_MODIFIERS and DISTINCT in adds):
            return f.id, f.source, f.confidence
    if candidates:
        return candidates[0].id, candidates[0].source, candidates[0].confidence
    return "modifier-order", book.order.source, book.order.confidence


def _claim_request(visit: Visit) -> str:
    """The claim builder's link query for a visit (docs/calculators/claim.md#link).

    >>> _claim_request(Visit((Entry("98941"), Entry("97112", 23, ("same_region",))), "bcbsnc"))
    'payer=bcbsnc&lines=98941,97112:23:same-region'
    """
    fields: dict[str, str] = {
        "payer": visit.payer,
        "lines": ",".join(
            ":".join(
                [
                    e.code,
                    *([] if e.minutes is None else [str(e.minutes)]),
                    *(f.replace("_", "-") for f in e.facts),
                ]
            )
            for e in visit.lines
        ),
    }
    if visit.provider != "dc":
        fields["provider"] = visit.provider
    if visit.phase:
        fields["phase"] = visit.phase
    if visit.cmt_abn or visit.voluntary_abn:
        fields["abn"] = "1"
    if visit.care != "active":
        fields["care"] = visit.care
    return urlencode(fields, safe=",:")  # the date of service is added per visit


#: No rule asks for an extra modifier: the rule book itself is what the finding rests on.
_EXTRA_RULE = (
    "no-rule-for-modifier",
    "This site's rule book (modifier rules and NCCI pairs): no rule adds this modifier for "
    "this payer and these codes",
    "medium",
)
_NOT_COVERED_WARNINGS = frozenset({"medicare-dc-evaluation", "medicare-cmt-other-provider"})
_LIMIT_KINDS = {"hns-initial-phase-two-therapies": "initial-phase-therapies"}
#: The claim builder's warning that a date of service is outside the rule book's covered
#: dates (calc/data/rulebook.toml) is a finding of the visit: its other findings rest on
#: rules recorded for other dates.
_DATE_KIND, _DATE_RULE = "dos-not-covered", "rulebook-covered-dates"


@lru_cache(maxsize=16384)
def check_visit(
    visit: Visit, billed: tuple[Billed, ...], unbillable: tuple[Code, ...]
) -> tuple[Draft, ...]:
    """Compare one visit as billed with the claim the rules give.

    Cached: a day's file repeats the same visit shapes (codes, minutes, units,
    modifiers) many times, and the answer depends on nothing else.

    >>> from calc.units import Entry
    >>> visit = Visit(lines=(Entry("98941"), Entry("97112", 23)), payer="bcbsnc")
    >>> drafts = check_visit(visit, (Billed("98941", None, 1, ()),
    ...                              Billed("97112", 23, 3, ("GP",))), ())
    >>> [(d.kind, d.code, d.line) for d in drafts]
    [('units-over', '97112', 1), ('modifier-missing', '97112', 1)]
    """
    out: list[Draft] = []
    for code in unbillable:
        at = next(i for i, b in enumerate(billed) if b.code == code.code)
        out.append(
            Draft(
                "not-billable",
                f"{code.code} ({code.name}): {code.notes or 'the calculators do not bill it.'}",
                f"code-{code.code}",
                code.source,
                code.confidence,
                code.code,
                at,
            )
        )
    if not visit.lines:
        return tuple(out)
    claim = build_claim(visit)
    book = load_modifier_rules()
    lines = {line.code: line for line in claim.lines}
    not_billed = {n.code: n for n in claim.not_billed}
    units_rule = f"units-{claim.method}"
    units_source = "; ".join(claim.units.sources)
    skip = {code.code for code in unbillable}  # reported above, whatever their units
    seen: set[str] = set()
    for i, b in enumerate(billed):
        if b.code in skip:
            continue
        if b.code in not_billed:
            if b.code in seen or not any(x.units for x in billed if x.code == b.code):
                continue
            seen.add(b.code)
            nb = not_billed[b.code]
            if "same_region" in visit.facts_of(Entry(b.code, b.minutes, b.facts)) and (
                _DISTINCT_MODIFIERS & set(b.modifiers)
            ):
                kind = "59-same-region"
                message = (
                    f"{b.code}-{_codes_text(b.modifiers)} is billed with 'same region' marked: "
                    f"59 says the therapy was distinct from the CMT, but {nb.reason[0].lower()}"
                    f"{nb.reason[1:]}"
                )
            else:
                kind, message = "not-reportable", f"{b.code} is billed, but: {nb.reason}"
            out.append(
                Draft(kind, message, nb.rule.id, nb.rule.source, nb.rule.confidence, b.code, i)
            )
            continue
        line = lines.get(b.code)
        if b.code not in seen:
            seen.add(b.code)
            units = sum(x.units for x in billed if x.code == b.code)
            want_units = line.units if line else 0
            if units != want_units:
                minutes = line.minutes if line else b.minutes
                pool = claim.units
                how = (
                    f"{METHOD_NAMES[claim.method]}: {pool.total_minutes} timed minutes this "
                    f"visit → {plural(pool.timed_units, 'unit')} in all"
                    if b.minutes is not None
                    else "an untimed code is billed once per visit"
                )
                out.append(
                    Draft(
                        "units-over" if units > want_units else "units-under",
                        f"{b.code}: {plural(units, 'unit')} billed"
                        + (f" for {minutes} min" if minutes is not None else "")
                        + f"; the rules give {want_units} ({how}).",
                        units_rule,
                        units_source,
                        "high",
                        b.code,
                        i,
                    )
                )
        if line is None or not b.units:
            continue
        out += _modifier_drafts(b, i, line.modifiers, line.rules, claim, book)
    for w in claim.warnings:
        found: str | None = _LIMIT_KINDS.get(w.code)
        if found is None and (w.code in _NOT_COVERED_WARNINGS or _is_exclusion(w.code, book)):
            found = "not-covered"
        rule = w.code
        if found is None and w.code == "mue-exceeded":
            found, rule = "units-over-mue", f"mue-{w.lines[0]}"
        if found is None and w.code == "date-coverage":
            found, rule = _DATE_KIND, _DATE_RULE
        if found is None or (found == "initial-phase-therapies" and visit.phase != "initial"):
            continue  # with the phase not stated, the file cannot tell: no finding
        codes = [c for c in w.lines if any(b.code == c for b in billed)]
        line_no = next((i for i, b in enumerate(billed) if codes and b.code == codes[0]), 0)
        out.append(Draft(found, w.message, rule, w.source, w.confidence, ", ".join(codes), line_no))
    return tuple(out)


def _is_exclusion(rule_id: str, book: RuleBook) -> bool:
    try:
        return book.get(rule_id).kind == "exclusion"
    except KeyError:
        return False


def _modifier_drafts(
    b: Billed,
    i: int,
    expected: tuple[str, ...],
    rule_ids: tuple[str, ...],
    claim: Claim,
    book: RuleBook,
) -> list[Draft]:
    out = []
    billed = b.modifiers
    code = load_codes().require(b.code)
    if code.category == "em" and _DISTINCT_MODIFIERS & set(billed):
        rule = book.get("never-59-on-em")
        wrong = [m for m in billed if m in _DISTINCT_MODIFIERS]
        out.append(
            Draft(
                "59-on-em",
                f"{b.code}-{_codes_text(billed)}: {', '.join(wrong)} on an E/M code. {rule.text}",
                rule.id,
                rule.source,
                rule.confidence,
                b.code,
                i,
            )
        )
        billed = tuple(m for m in billed if m not in _DISTINCT_MODIFIERS)
    missing = [m for m in expected if m not in billed]
    extra = [m for m in dict.fromkeys(billed) if m not in expected]
    for mod in missing:
        rule_id, source, confidence = _modifier_rule(mod, rule_ids, claim, book)
        out.append(
            Draft(
                "modifier-missing",
                f"{b.code}: {mod} is missing (billed {_codes_text(b.modifiers)}; the rules give "
                f"{_codes_text(expected)} for {claim.payer.name}).",
                rule_id,
                source,
                confidence,
                b.code,
                i,
            )
        )
    for mod in extra:
        rule_id, source, confidence = _EXTRA_RULE
        said = next(
            (n for n in claim.notes if b.code in n.lines and re.search(rf"\b{mod}\b", n.message)),
            None,
        )
        if said is not None:  # a note on this line speaks of it: cite that note
            rule_id, source, confidence = said.code, said.source, said.confidence
        out.append(
            Draft(
                "modifier-extra",
                f"{b.code}: {mod} is billed, but no rule calls for it here (billed "
                f"{_codes_text(b.modifiers)}; the rules give {_codes_text(expected)} for "
                f"{claim.payer.name}). Check the record supports it.",
                rule_id,
                source,
                confidence,
                b.code,
                i,
            )
        )
    if not missing and not extra and billed != expected:
        out.append(
            Draft(
                "modifier-order",
                f"{b.code}: modifiers billed {_codes_text(b.modifiers)}; the rules give "
                f"{_codes_text(expected)} (same modifiers, other order).",
                "modifier-order",
                book.order.source,
                book.order.confidence,
                b.code,
                i,
            )
        )
    return out


def _check_parts(
    parts: list[LinePart], dos: dt.date
) -> tuple[tuple[Draft, ...], str, int] | CalcError:
    """A visit's lines → (its findings, its claim builder link, therapies billed)."""
    first = parts[0]
    visit = Visit(
        dos=dos,
        lines=tuple(Entry(p.code.code, p.minutes, p.facts) for p in parts if p.code.billable),
        payer=first.payer,
        provider=first.provider,
        phase=first.phase,
        # one "abn" column: the file does not tell the two Medicare notices apart
        cmt_abn=first.abn,
        voluntary_abn=first.abn,
        care=first.care,
    )
    billed = tuple(Billed(p.code.code, p.minutes, p.units, p.modifiers, p.facts) for p in parts)
    unbillable = tuple({p.code.code: p.code for p in parts if not p.code.billable}.values())
    try:
        drafts = check_visit(visit, billed, unbillable)
    except CalcError as err:
        return err
    therapies = len({p.code.code for p in parts if p.code.is_therapy and p.units > 0})
    return drafts, _claim_request(visit), therapies


# --- the stream -----------------------------------------------------------------------


def _quote_state(text: str, inside: bool) -> bool:
    """Whether a CSV stream is inside a quoted field after ``text``."""
    return inside ^ (text.count('"') % 2 == 1)


_FIRST_DAY = dt.date(1990, 1, 1).toordinal()  # the claim builder refuses earlier dates
_PATIENT_SHIFT = 24  # 17 bits of day (to 2348), 7 of therapies


def _pack(patient: int, ordinal: int, therapies: int) -> int:
    """One visit of the trend check as one number: patient, day, therapies (sortable).

    >>> day = dt.date(2026, 1, 5).toordinal()
    >>> _unpack(_pack(5, day, 2)) == (day, 2), _pack(5, day, 2) < _pack(6, day - 1, 0)
    (True, True)
    """
    day = min(max(ordinal - _FIRST_DAY, 0), (1 << 17) - 1)
    return (patient << _PATIENT_SHIFT) | (day << 7) | min(therapies, 127)


def _unpack(packed: int) -> tuple[int, int]:
    """(day ordinal, therapies) of a packed visit."""
    return ((packed >> 7) & ((1 << 17) - 1)) + _FIRST_DAY, packed & 127


class Auditor:
    """Feed CSV text in pieces of any size; :meth:`finish` returns the :class:`Report`.

    Memory: one visit's rows, the findings (at most :data:`MAX_LISTED` listed), and per
    patient one small number per visit (for the trend check).
    """

    def __init__(
        self,
        *,
        payer_map: Mapping[str, str] | None = None,
        columns: Mapping[str, str] | None = None,
        size: int | None = None,
        limit: int | None = None,
    ) -> None:
        if size is not None and limit is not None and size > limit:
            raise CalcError(
                "too_large",
                f"The file is {size / 1048576:.0f} MB; the page checks files up to "
                f"{limit // 1048576} MB. Split it into smaller files, or have it checked with "
                "the command-line audit, which reads a file of any size.",
            )
        self.payers = load_payers()
        self.ctx = _Context(load_codes(), self.payers, _payer_map(payer_map or {}, self.payers))
        self.columns = dict(columns or {})
        self.rules = load_audit_rules()
        self.reader: RowReader | None = None
        self.header_found: tuple[str, ...] = ()  # the file's header, for the page's column map
        self._tail = ""
        self._inside = False  # the text fed so far ends inside a quoted field
        self._row = 0
        self.lines = 0
        self.visits = 0
        self.checked = 0
        self._visit_rows: list[Row] = []
        self._visit_bad = False
        self._visit_id: str | None = None
        # each visit's id (hashed) and first row: a visit split across the file is found
        # at the end, in 16 bytes a visit
        self._visit_hashes = array("q")
        self._visit_starts = array("q")
        self.findings: list[Finding] = []
        self.counts = dict.fromkeys(SEVERITIES, 0)
        self.problems: list[Problem] = []
        self.problem_count = 0
        # per patient (by number): one packed number per visit, in one array (_pack)
        self._patients: dict[str, int] = {}
        self._visits = array("q")
        # each patient's latest visit: (its row << 17 | its day) and its id, payer, link
        self._latest_at = array("q")
        self._latest: list[tuple[str, str, str]] = []
        self._checked: dict[tuple[object, ...], tuple[tuple[Draft, ...], str, int] | CalcError] = {}
        # visits split across the file (their ids' hashes), found when the reading ends;
        # a second reading of the same file gathers their rows (at most GATHER_LIMIT)
        self._ended = False
        self._split: set[int] = set()
        self._split_pairs: list[tuple[int, int]] = []  # (first row, later row) of each
        self._gathering = False
        self._gathered: dict[str, list[list[Row | None]]] = {}  # id -> its parts' rows
        self._gathered_rows = 0
        self._previous_id: str | None = None
        self.split_checked = 0

    # -- feeding text --

    def feed(self, text: str) -> None:
        """Read more of the file (any piece: rows may be split across pieces)."""
        data = self._tail + text
        cut = data.rfind("\n") + 1
        if not cut:
            self._tail = data
            self._check_tail()
            return
        chunk = data[:cut]
        if _quote_state(chunk, self._inside):
            # a quoted field runs on past the last newline: stop at the last row that
            # ends outside quotes
            inside = self._inside
            end = 0
            pos = 0
            for line in chunk.splitlines(keepends=True):
                pos += len(line)
                inside = _quote_state(line, inside)
                if not inside:
                    end = pos
            chunk = data[:end]
            cut = end
        self._tail = data[cut:]
        self._check_tail()
        if chunk:
            self._records(chunk)

    def _check_tail(self) -> None:
        if len(self._tail) > _TAIL_LIMIT:
            raise CalcError(
                "unclosed_quote",
                f"Row {self._row + 1}: a row longer than {_TAIL_LIMIT // 1000} kB, or a "
                'quoted value (") that is never closed. Check the quotes in the file.',
            )

    def _records(self, chunk: str) -> None:
        reader = csv.reader(io.StringIO(chunk, newline=""))
        record = self._gather if self._gathering else self._record
        while True:
            try:
                for fields in reader:
                    self._row += 1
                    record(fields)
                return
            except csv.Error as exc:
                self._row += 1
                if not self._gathering:  # the second reading: listed already
                    self._problem(Problem("bad_csv", f"Row {self._row}: {exc}.", self._row))

    def _record(self, fields: list[str]) -> None:
        if self.reader is None:
            if not fields or not any(f.strip() for f in fields):
                raise CalcError(
                    "empty_file", "Row 1 is empty: the file must start with its header."
                )
            self.header_found = tuple(f.strip() for f in fields[:100])
            header = read_header(fields, self.columns)
            self.reader = RowReader(header, self.ctx)
            return
        if not any(fields):
            return  # a blank row
        self.lines += 1
        row: Row | None
        try:
            row = self.reader.read(self._row, fields)
            visit_id = row[1]
        except _BadRow as bad:
            for p in bad.problems:
                self._problem(p)
            row, visit_id = None, bad.visit_id
        if visit_id != self._visit_id:
            self._close_visit()
            self._visit_id = visit_id
            self.visits += 1
            self._visit_hashes.append(hash(visit_id))
            self._visit_starts.append(self._row)
        if row is None:
            self._visit_bad = True
        elif not self._visit_bad:
            self._visit_rows.append(row)

    def _problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)

    # -- one visit --

    def _close_visit(self) -> None:
        rows, bad = self._visit_rows, self._visit_bad
        self._visit_rows, self._visit_bad = [], False
        if bad or not rows:
            return
        self._take(rows)

    def _outcome(self, rows: list[Row]) -> Problem | tuple[tuple[Draft, ...], str, int]:
        """A visit's rows → why it cannot be checked, or (findings, link, therapies)."""
        number, visit_id, patient_id, dos, part = rows[0]
        for r in rows[1:]:
            if r[2] != patient_id or r[3] != dos or r[4].visit_key != part.visit_key:
                return self._disagrees(rows[0], r)
        # the rules in force depend on the date of service: so does the answer
        signature = (rule_epoch(dos), *(r[4].id for r in rows))
        checked = self._checked.get(signature)
        if checked is None:
            checked = _check_parts([r[4] for r in rows], dos)
            if len(self._checked) >= _CACHE_LIMIT:
                self._checked.clear()
            self._checked[signature] = checked
        if isinstance(checked, CalcError):
            message = f"Visit {shown(visit_id)}: {checked.message}"
            return Problem(checked.code, message, number, None, "", visit_id)
        return checked

    def _take(self, rows: list[Row]) -> None:
        """Check one visit (its rows all read well): its findings and its trend entry."""
        number, visit_id, patient_id, dos, part = rows[0]
        checked = self._outcome(rows)
        if isinstance(checked, Problem):
            self._problem(checked)
            return
        drafts, shape_link, therapies = checked
        self.checked += 1
        day = dos.isoformat()
        link = f"{shape_link}&dos={day}"
        if drafts:
            where = (visit_id, patient_id, day, part.payer, link)
            for d in drafts:
                self._add(d, where, rows[d.line][0])
        ordinal = dos.toordinal()
        number_of = self._patients.setdefault(patient_id, len(self._patients))
        self._visits.append(_pack(number_of, ordinal, therapies))
        since = _pack(0, ordinal, 0) >> 7  # days since _FIRST_DAY
        if number_of == len(self._latest):
            self._latest_at.append((number << 17) | since)
            self._latest.append((visit_id, part.payer, shape_link))
        elif since >= self._latest_at[number_of] & ((1 << 17) - 1):
            self._latest_at[number_of] = (number << 17) | since
            self._latest[number_of] = (visit_id, part.payer, shape_link)

    def _disagrees(self, first: Row, row: Row) -> Problem:
        """A visit's rows disagree on what one visit has once: say which value."""
        names = ("patient_id", "dos", "payer", "provider", "phase", "maintenance", "abn")
        mine = (first[2], first[3], *first[4].visit_key)
        theirs = (row[2], row[3], *row[4].visit_key)
        name = next(n for n, a, b in zip(names, mine, theirs, strict=True) if a != b)
        return Problem(
            "visit_disagrees",
            f"Row {row[0]}: the {name.replace('_', ' ')} differs from the visit's first row "
            f"(row {first[0]}); a visit has one. The visit was not checked.",
            row[0],
            self.reader.column(name) if self.reader else None,
            name,
            row[1],
        )

    def _add(self, d: Draft, visit: tuple[str, str, str, str, str], row: int) -> None:
        """Record a finding; ``visit`` is (visit_id, patient_id, dos, payer, link)."""
        severity = self.rules.severity[d.kind]
        self.counts[severity] += 1
        if len(self.findings) >= MAX_LISTED:
            return
        self.findings.append(
            Finding(
                severity,
                d.kind,
                self.rules.titles[d.kind],
                d.message,
                d.rule,
                d.source,
                d.confidence,
                *visit[:4],
                d.code,
                row,
                visit[4],
            )
        )

    # -- the end --

    def progress(self) -> dict[str, int]:
        """Counts so far, for a progress bar."""
        return {
            "lines": self.lines,
            "visits": self.visits,
            "findings": sum(self.counts.values()),
            "problems": self.problem_count,
        }

    def _end_reading(self) -> None:
        if self._tail:
            tail, self._tail = self._tail, ""
            if _quote_state(tail, self._inside):
                raise CalcError(
                    "unclosed_quote",
                    f'Row {self._row + 1}: a quoted value (") is never closed.',
                )
            self._records(tail + "\n")

    def end(self) -> bool:
        """The first reading is over: close the last visit, find the visits split across
        the file. True when some are: reading the same file again (:meth:`read_again`,
        :meth:`feed`, then :meth:`finish`) checks each of them as one visit."""
        if self._ended:
            return bool(self._split)
        self._end_reading()
        if self.reader is None:
            raise CalcError(
                "empty_file", "The file is empty: it needs a header row and claim lines."
            )
        self._close_visit()
        self._ended = True
        self._find_split()
        return bool(self._split)

    def read_again(self) -> None:
        """Start the second reading of the same file (after :meth:`end` said True)."""
        if not self._ended or self._gathering or not self._split:
            raise CalcError("bad_request", "The audit reads a file again only after end().")
        self._gathering = True
        self._tail, self._inside, self._row, self._previous_id = "", False, 0, None

    def finish(self) -> Report:
        """Read what is left, check the split visits (after a second reading) or say why
        they were not, run the per-patient checks."""
        if self._gathering:
            self._end_reading()
            self._check_gathered()
        else:
            self.end()
            self._split_not_checked(
                "The file was read once, as a stream, so the two parts could not be put together"
            )
        if not self.lines:
            raise CalcError("no_rows", "The file has a header but no claim lines.")
        self._trends()
        findings = sorted(self.findings, key=lambda f: (SEVERITY_RANK[f.severity], f.row))
        summary = Summary(
            lines=self.lines,
            visits=self.visits,
            visits_checked=self.checked,
            patients=len(self._patients),
            findings=dict(self.counts),
            problems=self.problem_count,
            findings_listed=len(findings),
            problems_listed=len(self.problems),
            ignored_columns=self.reader.header.ignored if self.reader else (),
            split_visits=self.split_checked,
        )
        return Report(summary, tuple(findings), tuple(sorted(self.problems, key=lambda p: p.row)))

    def _find_split(self) -> None:
        """The visit ids used again after other visits, and where."""
        hashes, starts = self._visit_hashes, self._visit_starts
        order = sorted(range(len(hashes)), key=hashes.__getitem__)
        for a, b in pairwise(order):
            if hashes[a] == hashes[b]:
                self._split.add(hashes[a])
                first, later = sorted((starts[a], starts[b]))
                self._split_pairs.append((first, later))

    def _drop_split_findings(self) -> None:
        """The findings of each part of a split visit: not the visit's."""
        split = self._split
        dropped = {f.visit_id for f in self.findings if hash(f.visit_id) in split}
        for f in self.findings:
            if f.visit_id in dropped:
                self.counts[f.severity] -= 1
        self.findings = [f for f in self.findings if f.visit_id not in dropped]

    def _split_not_checked(self, why: str) -> None:
        """A visit id used again after other visits, not read again: neither part is
        checked, and the problem says why."""
        if not self._split:
            return
        column = self.reader.column("visit_id") if self.reader else None
        for first, later in sorted(self._split_pairs, key=itemgetter(1)):
            self._problem(
                Problem(
                    "visit_not_together",
                    f"Row {later}: this visit id was used earlier in the file (row {first}), "
                    f"with other visits in between. {why}, so neither part was checked. Sort "
                    "the file so each visit's rows are together.",
                    later,
                    column,
                    "visit_id",
                )
            )
        self._drop_split_findings()
        split = self._split
        self.checked = max(0, self.checked - sum(1 for h in self._visit_hashes if h in split))
        self._split = set()

    def _gather(self, fields: list[str]) -> None:
        """Second reading: keep the rows of the split visits, part by part."""
        if self._row == 1 or not any(fields) or self.reader is None:
            return  # the header, a blank row
        at = self.reader.header.index["visit_id"]
        visit_id = (fields[at] if at < len(fields) else "").strip()[:MAX_ID]
        new_part = visit_id != self._previous_id
        self._previous_id = visit_id
        if hash(visit_id) not in self._split:
            return
        if self._gathered_rows >= GATHER_LIMIT:
            self._gathered_rows += 1
            return
        self._gathered_rows += 1
        parts = self._gathered.setdefault(visit_id, [])
        if new_part or not parts:
            parts.append([])
        row: Row | None
        try:
            row = self.reader.read(self._row, fields)
        except _BadRow:
            row = None  # its problems were listed on the first reading
        parts[-1].append(row)

    def _check_gathered(self) -> None:
        """Each split visit, its parts put together, checked as one visit."""
        self._gathering = False
        if self._gathered_rows > GATHER_LIMIT:
            self._gathered.clear()
            self._split_not_checked(
                f"More than {GATHER_LIMIT:,} rows belong to visits split across the file, too "
                "many to hold and put together"
            )
            return
        self._drop_split_findings()
        unpack: Counter[int] = Counter()  # trend entries the parts made
        for parts in self._gathered.values():
            for part in parts:
                unpack.update(self._undo(part))
            self.visits -= len(parts) - 1
            rows = [r for part in parts for r in part]
            if len(parts) > 1:
                self.split_checked += 1
            good = [r for r in rows if r is not None]
            if len(good) == len(rows) and good:
                self._take(good)
        if unpack:
            kept = [v for v in self._visits if not _taken(unpack, v)]
            self._visits = array("q", kept)
        self._gathered.clear()
        self._split = set()

    def _undo(self, part: list[Row | None]) -> list[int]:
        """Take back what the first reading did with one part of a split visit: its
        problem, or its count as checked; returns its trend entry (to remove)."""
        if not part or any(r is None for r in part):
            return []  # not checked: only its rows' own problems, which stay
        rows = [r for r in part if r is not None]
        outcome = self._outcome(rows)
        if isinstance(outcome, Problem):
            if outcome in self.problems:
                self.problems.remove(outcome)
            self.problem_count -= 1
            return []
        self.checked -= 1
        number_of = self._patients[rows[0][2]]
        return [_pack(number_of, rows[0][3].toordinal(), outcome[2])]

    def _trends(self) -> None:
        trend = self.rules.trend
        kind = "therapies-not-decreasing"
        names = list(self._patients)
        visits = sorted(self._visits)  # by patient, then date; ties keep a stable order
        start = 0
        while start < len(visits):
            number_of = visits[start] >> _PATIENT_SHIFT
            end = start
            while end < len(visits) and visits[end] >> _PATIENT_SHIFT == number_of:
                end += 1
            mine = [_unpack(v) for v in visits[start:end]]
            start = end
            counts = [c for _, c in mine]
            if (
                len(mine) < trend.min_visits
                or counts[-1] < trend.min_therapies
                or counts[-1] < counts[0]
            ):
                continue
            patient = names[number_of]
            shown_visits = [f"{c} ({dt.date.fromordinal(o).isoformat()})" for o, c in mine]
            if len(shown_visits) > 6:
                shown_visits = [*shown_visits[:3], "…", *shown_visits[-3:]]
            visit_id, payer, shape_link = self._latest[number_of]
            row = self._latest_at[number_of] >> 17
            dos = dt.date.fromordinal(mine[-1][0]).isoformat()
            link = f"{shape_link}&dos={dos}"
            message = (
                "HNS: there should be a reduction in the use of therapies as the patient's "
                f"condition improves. Patient {shown(patient, MAX_ID)}: therapies or "
                f"modalities per visit, in date order: {', '.join(shown_visits)} "
                f"({len(mine)} visits). A reminder, not an error: the record should show why "
                "the care has not been reduced."
            )
            self._add(
                Draft(kind, message, "hns-therapies-decrease", trend.source, trend.confidence),
                (visit_id, patient, dos, payer, link),
                row,
            )


def _taken(counts: Counter[int], value: int) -> bool:
    """Whether ``value`` is one of those still to remove (each taken once)."""
    if counts[value] > 0:
        counts[value] -= 1
        return True
    return False


def _payer_map(raw: Mapping[str, str], payers: PayerTable) -> dict[str, str]:
    """A spelling → payer id map (from a MAP.toml or the page), checked."""
    out = {}
    for spelling, payer_id in raw.items():
        if not isinstance(spelling, str) or not isinstance(payer_id, str):
            raise CalcError("bad_payer_map", "The payer map pairs a spelling with a payer id.")
        if payer_id.strip().lower() not in payers:
            raise CalcError(
                "bad_payer_map",
                f"The payer map sends {shown(spelling)} to {shown(payer_id)}, which is not a "
                "payer id: use " + ", ".join(p.id for p in payers) + ".",
            )
        out[header_key(spelling)] = payer_id.strip().lower()
    return out


def parse_payer_map(text: str) -> dict[str, str]:
    """A payer map file: TOML, ``"BCBS of NC" = "bcbsnc"`` lines under ``[payers]``.

    >>> parse_payer_map('[payers]\\n"Blue Cross NC" = "bcbsnc"')
    {'Blue Cross NC': 'bcbsnc'}
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalcError("bad_payer_map", f"The payer map is not valid TOML: {exc}.") from None
    table = data.get("payers")
    if set(data) != {"payers"} or not isinstance(table, dict):
        raise CalcError(
            "bad_payer_map",
            'The payer map needs one [payers] table of "spelling" = "payer id" lines.',
        )
    _payer_map(table, load_payers())
    return {str(k): str(v) for k, v in table.items()}


def parse_payer_lines(text: str) -> dict[str, str]:
    """The page's payer map: one ``spelling = payer id`` a line.

    >>> parse_payer_lines("Blue Cross of NC = bcbsnc\\n\\nMedicare B=medicare")
    {'Blue Cross of NC': 'bcbsnc', 'Medicare B': 'medicare'}
    """
    out = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        spelling, equals, payer_id = line.rpartition("=")
        if not equals or not spelling.strip() or not payer_id.strip():
            raise CalcError(
                "bad_payer_map",
                f"Payer map, line {number}: write it as 'spelling = payer id' "
                f"(Blue Cross of NC = bcbsnc); got {shown(line, 40)}.",
            )
        out[spelling.strip()] = payer_id.strip()
    return out


class Session:
    """The browser worker's handle on one audit: JSON text in and out, errors as values.

    The worker feeds the file in pieces and posts the progress between them, so the page
    stays responsive; nothing of the file is kept once the session is dropped.

    >>> s = Session('{"size": 120}')
    >>> json.loads(s.feed("visit_id,patient_id,dos,payer,provider,code,minutes,units,"
    ...                   "modifiers\\nV1,P1,2026-01-05,bcbsnc,dc,97112,23,3,\\n"))
    {'progress': {'lines': 1, 'visits': 1, 'findings': 0, 'problems': 0}}
    >>> answer = json.loads(s.finish())
    >>> answer["report"]["summary"]["text"], answer["csv"].count("\\n")
    ('1 visit, 1 line: 1 error, 0 warnings, 0 reminders.', 2)
    >>> json.loads(Session('{"size": 999999999999}').feed(""))["error"]["code"]
    'too_large'
    """

    def __init__(self, options_json: str) -> None:
        self.auditor: Auditor | None = None
        self.error: dict[str, Any] | None = None
        self.again = False  # the file is being read the second time (split visits)
        try:
            options = json.loads(options_json)
            if not isinstance(options, dict) or set(options) - {"size", "payer_map", "columns"}:
                raise CalcError("bad_request", "Audit options: size, payer_map, columns.")
            check_request(options)
            columns = options.get("columns") or {}
            size = options.get("size")
            if not isinstance(columns, dict) or not isinstance(size, int | None):
                raise CalcError("bad_request", "Audit options: columns is a map, size a number.")
            self.auditor = Auditor(
                payer_map=parse_payer_lines(str(options.get("payer_map") or "")),
                columns={str(k): str(v) for k, v in columns.items()},
                size=size,
                limit=BROWSER_MAX_BYTES,
            )
        except (CalcError, ValueError) as err:
            self._fail(err)

    def _fail(self, err: Exception) -> str:
        if isinstance(err, CalcError):
            self.error = dict(err.as_dict())
        else:
            self.error = dict(
                CalcError("bad_request", "The audit options are not valid.").as_dict()
            )
        if self.auditor is not None and self.auditor.header_found:
            # the page offers to map the file's own column names to ours
            self.error["header"] = list(self.auditor.header_found)
            self.error["columns"] = list(COLUMNS)
            self.error["required"] = list(REQUIRED)
        self.auditor = None  # nothing of the file is kept
        return json.dumps(self.error)

    def feed(self, text: str) -> str:
        """Read the next piece: ``{"progress": {...}}`` or ``{"error": {...}}``."""
        if self.auditor is None:
            return json.dumps(self.error)
        try:
            self.auditor.feed(text)
        except CalcError as err:
            return self._fail(err)
        return json.dumps({"progress": self.auditor.progress()})

    def finish(self) -> str:
        """``{"report": REPORT, "csv": FINDINGS_CSV}`` or ``{"error": {...}}``; or, the
        first time when visits are split across the file, ``{"again": true}``: feed the
        same file once more, then call finish again (the split visits are checked)."""
        if self.auditor is None:
            return json.dumps(self.error)
        try:
            if not self.again and self.auditor.end():
                self.again = True
                self.auditor.read_again()
                return json.dumps({"again": True})
            report = self.auditor.finish().as_dict()
        except CalcError as err:
            return self._fail(err)
        self.auditor = None
        csv_text = findings_csv(report["findings"], report["problems"])
        return json.dumps({"report": report, "csv": csv_text}, ensure_ascii=False)


def audit_text(text: str, **options: Any) -> Report:
    """Audit a whole CSV text at once (tests, and small files); a visit split across
    the text is checked as one (the text is read a second time for it).

    >>> report = audit_text(
    ...     "visit_id,patient_id,dos,payer,provider,code,minutes,units,modifiers\\n"
    ...     "V1,P1,2026-01-05,bcbsnc,dc,98941,,1,\\n"
    ...     "V2,P2,2026-01-05,bcbsnc,dc,98941,,1,\\n"
    ...     "V1,P1,2026-01-05,bcbsnc,dc,97112,23,2,GP\\n")
    >>> [(f.visit_id, f.kind, f.row) for f in report.findings]
    [('V1', 'modifier-missing', 4)]
    >>> report.summary.text[-51:]
    '1 visit had rows apart in the file: checked as one.'
    """
    auditor = Auditor(**options)
    auditor.feed(text)
    if auditor.end():
        auditor.read_again()
        auditor.feed(text)
    return auditor.finish()
