"""Dates of service: reading them, inclusive periods, and what the rule book covers.

Billing rules change on dates, so every answer is "as of" a date of service. The
engine never reads the clock: a request carries ``dos``, or the answer says it used
the rule book's ``as_of`` date (``calc/data/rulebook.toml``).

A dated entry in a data file has ``from`` and/or ``until`` (TOML dates, both days
included); an entry with neither is in force for every date the rule book covers.

>>> parse_dos("2025-01-01")
datetime.date(2025, 1, 1)
>>> parse_dos("2025-02-30")
Traceback (most recent call last):
...
calc.errors.CalcError: '2025-02-30' is not a date of service: there is no such day. Use YYYY-MM-DD, for example 2025-01-31.
>>> shp_2025 = Period(dt.date(2025, 1, 1), None)
>>> shp_2025.contains(dt.date(2024, 12, 31)), shp_2025.contains(dt.date(2025, 1, 1))
(False, True)
>>> shp_2025.describe()
'from 2025-01-01'
"""  # noqa: E501

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from calc._data import check_keys, plain, read_toml, want, want_date, want_text
from calc.errors import CalcError, shown

DATA_FILE = "rulebook.toml"
FIRST_YEAR, LAST_YEAR = 1990, 2100
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)  # digits 0-9 only (calc.inputs)
_EXAMPLE = "Use YYYY-MM-DD, for example 2025-01-31."


def parse_dos(value: object) -> dt.date:
    """A date of service from a request (``YYYY-MM-DD``), or a ``bad_date`` error.

    Only the ISO form is accepted: ``12/01/2025`` could be 1 December or 12 January.

    >>> parse_dos("12/01/2025")
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: '12/01/2025' is not a date of service: write it as YYYY-MM-DD, for example 2025-01-31.
    >>> parse_dos("1989-12-31")
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: '1989-12-31' is not a date of service: the year must be between 1990 and 2100.
    """  # noqa: E501
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    else:
        text = value.strip() if isinstance(value, str) else None
        if text is None or not _ISO.fullmatch(text):
            raise CalcError(
                "bad_date",
                f"{shown(value)} is not a date of service: write it as YYYY-MM-DD, for "
                "example 2025-01-31.",
            )
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise CalcError(
                "bad_date",
                f"{shown(value)} is not a date of service: there is no such day. {_EXAMPLE}",
            ) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CalcError(
            "bad_date",
            f"{shown(value if isinstance(value, str) else day.isoformat())} is not a date of "
            f"service: the year must be between {FIRST_YEAR} and {LAST_YEAR}.",
        )
    return day


@dataclass(frozen=True)
class Period:
    """Days a rule or value is in force, both ends included; None = open-ended."""

    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def overlaps(self, other: Period) -> bool:
        """Whether some day lies in both periods.

        >>> Period(None, dt.date(2024, 12, 31)).overlaps(Period(dt.date(2025, 1, 1)))
        False
        """
        first = max((d for d in (self.start, other.start) if d is not None), default=None)
        last = min((d for d in (self.end, other.end) if d is not None), default=None)
        return first is None or last is None or first <= last

    def describe(self) -> str:
        """The period in words: ``calendar year 2025``, ``from 2025-01-01``, ...

        >>> Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)).describe()
        'calendar year 2025'
        """
        s, e = self.start, self.end
        if s is None and e is None:
            return "every date the rule book covers"
        if s is None:
            return f"until {e}"
        if e is None:
            return f"from {s}"
        if (s.month, s.day, e.month, e.day) == (1, 1, 12, 31) and s.year == e.year:
            return f"calendar year {s.year}"
        return f"{s} to {e}"

    def as_dict(self) -> dict[str, Any]:
        return {"from": _iso(self.start), "until": _iso(self.end)}


#: An entry without ``from`` / ``until``: in force on every covered date.
ALWAYS = Period()


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


PERIOD_KEYS = ("from", "until")


def want_period(where: str, entry: Mapping[str, Any]) -> Period:
    """The optional ``from`` / ``until`` keys of a data entry; a reversed period is refused.

    >>> want_period("payers.toml, payer 'x'", {"from": dt.date(2025, 1, 1),
    ...                                       "until": dt.date(2024, 1, 1)})
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: payers.toml, payer 'x': 'until' 2024-01-01 is before 'from' 2025-01-01
    """
    start = want_date(where, "from", entry["from"]) if "from" in entry else None
    end = want_date(where, "until", entry["until"]) if "until" in entry else None
    if start is not None and end is not None and end < start:
        raise CalcError("bad_data", f"{where}: 'until' {end} is before 'from' {start}")
    for key, day in (("from", start), ("until", end)):
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise CalcError(
                "bad_data", f"{where}: {key!r} {day} is outside {FIRST_YEAR}–{LAST_YEAR}"
            )
    return Period(start, end)


def check_no_overlap(where: str, periods: Iterable[tuple[str, Period]]) -> None:
    """Refuse two periods of one entry that share a day, naming both.

    >>> check_no_overlap("parameters.toml, parameter 'kx'", [
    ...     ("value 1", Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
    ...     ("value 2", Period(dt.date(2025, 12, 1), None))])
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: parameters.toml, parameter 'kx': value 1 (calendar year 2025) and value 2 (from 2025-12-01) overlap
    """  # noqa: E501
    seen: list[tuple[str, Period]] = []
    for name, period in periods:
        for other_name, other in seen:
            if period.overlaps(other):
                raise CalcError(
                    "bad_data",
                    f"{where}: {other_name} ({other.describe()}) and {name} "
                    f"({period.describe()}) overlap",
                )
        seen.append((name, period))


# --- the rule book's own dates ----------------------------------------------------------


@dataclass(frozen=True)
class RuleBookDates:
    """What dates the rule book answers for (``calc/data/rulebook.toml``)."""

    covered_from: dt.date
    covered_from_why: str
    as_of: dt.date
    review_months: int
    change_window_days: int

    @property
    def reviewed_until(self) -> dt.date:
        """The last date of service the rule book speaks for: a year after ``as_of``."""
        return _plus_months(self.as_of, 12)

    def review_due(self, reviewed: dt.date, on: dt.date) -> bool:
        """Whether a rule reviewed on ``reviewed`` is due for review on ``on``.

        >>> book = load_rulebook_dates()
        >>> book.review_due(dt.date(2025, 1, 1), dt.date(2026, 1, 1))
        False
        >>> book.review_due(dt.date(2025, 1, 1), dt.date(2026, 1, 2))
        True
        """
        return _plus_months(reviewed, self.review_months) < on

    def coverage_warnings(self, day: dt.date) -> tuple[str, ...]:
        """Why an answer for ``day`` may not be right: outside what the data covers."""
        if day < self.covered_from:
            return (
                f"The date of service {day} is before {self.covered_from}, the first date "
                f"the rule book covers ({self.covered_from_why}). Rules in force before then "
                "are not recorded: the answer uses the oldest rules the rule book has. Check "
                "the rules in force on that date.",
            )
        if day > self.reviewed_until:
            return (
                f"The date of service {day} is more than a year after the rule book was last "
                f"reviewed ({self.as_of}): the rules may have changed since. Check them "
                "before relying on the answer.",
            )
        return ()

    def as_dict(self) -> dict[str, Any]:
        return {**plain(self), "reviewed_until": self.reviewed_until.isoformat()}


def _plus_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def parse_rulebook_dates(name: str, data: Mapping[str, Any]) -> RuleBookDates:
    """Validate ``rulebook.toml``; every problem names the file and the key."""
    check_keys(
        name,
        data,
        ["covered_from", "covered_from_why", "as_of", "review_months", "change_window_days"],
    )
    covered_from = want_date(name, "covered_from", data["covered_from"])
    as_of = want_date(name, "as_of", data["as_of"])
    if as_of < covered_from:
        raise CalcError("bad_data", f"{name}: 'as_of' {as_of} is before 'covered_from'")
    numbers = {}
    for key in ("review_months", "change_window_days"):
        numbers[key] = want(name, key, data[key], int)
        if numbers[key] <= 0:
            raise CalcError("bad_data", f"{name}: {key!r} must be a positive whole number")
    return RuleBookDates(
        covered_from=covered_from,
        covered_from_why=want_text(name, "covered_from_why", data["covered_from_why"]),
        as_of=as_of,
        review_months=numbers["review_months"],
        change_window_days=numbers["change_window_days"],
    )


@cache
def load_rulebook_dates() -> RuleBookDates:
    """The rule book's dates shipped with the package (read once, then cached)."""
    return parse_rulebook_dates(DATA_FILE, read_toml(DATA_FILE))


# --- what an answer says about its date ---------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """A dated rule or value that applied to the answer."""

    what: str
    period: Period
    source: str
    confidence: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "period": self.period.describe(),
            **self.period.as_dict(),
            "source": self.source,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class Change:
    """A dated change in the rule book: on ``on``, ``text`` started (or ended)."""

    on: dt.date
    text: str
    payer: str | None  # the payer's id; None = every payer
    payer_name: str | None
    codes: tuple[str, ...]  # the codes it is about; () = the visit or the profile
    source: str
    confidence: str

    def said(self, day: dt.date) -> str:
        """The change as an answer for ``day`` mentions it.

        >>> Change(dt.date(2025, 1, 1), "Aetna administers the plan.", "nc-shp",
        ...        "NC State Health Plan", (), "shpnc.org", "high").said(dt.date(2025, 2, 1))
        'Changed on 2025-01-01 (NC State Health Plan): Aetna administers the plan.'
        """
        verb = "Changed" if self.on <= day else "Changes"
        who = f" ({self.payer_name})" if self.payer_name else ""
        return f"{verb} on {self.on}{who}: {self.text}"

    def as_dict(self) -> dict[str, Any]:
        return plain(self)


@dataclass(frozen=True)
class AsOf:
    """The date an answer is for, and what about its rules depends on that date."""

    date: dt.date
    given: bool  # False: no date of service was given; the rule book's as_of was used
    applied: tuple[Applied, ...]
    changes: tuple[Change, ...]  # within the change window of the date
    warnings: tuple[str, ...]

    @property
    def statement(self) -> str:
        """The answer's first words about its date.

        >>> AsOf(dt.date(2026, 11, 27), False, (), (), ()).statement[:80]
        'No date of service was given: the answer uses the rules in force on 2026-11-27 ('
        """
        if self.given:
            return f"Date of service: {self.date}. The answer uses the rules in force on that day."
        return (
            f"No date of service was given: the answer uses the rules in force on "
            f"{self.date} (the date the rule book was last reviewed). Give the date of "
            "service for another day."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "given": self.given,
            "statement": self.statement,
            "applied": [a.as_dict() for a in self.applied],
            "changes": [{**c.as_dict(), "said": c.said(self.date)} for c in self.changes],
            "warnings": list(self.warnings),
        }


def resolve(dos: object) -> tuple[dt.date, bool]:
    """The date of service of a request and whether it was given (None or "" = not).

    >>> resolve("2025-01-01"), resolve(None)[1]
    ((datetime.date(2025, 1, 1), True), False)
    """
    if dos is None or (isinstance(dos, str) and not dos.strip()):
        return load_rulebook_dates().as_of, False
    return parse_dos(dos), True


def near(
    changes: Iterable[Change], day: dt.date, window_days: int | None = None
) -> tuple[Change, ...]:
    """The changes within the window (90 days by default) before or after ``day``."""
    window = dt.timedelta(
        days=load_rulebook_dates().change_window_days if window_days is None else window_days
    )
    return tuple(c for c in changes if abs(c.on - day) <= window)


def as_of(
    day: dt.date,
    given: bool,
    applied: Iterable[Applied] = (),
    changes: Iterable[Change] = (),
) -> AsOf:
    """The date block of an answer: the date, the dated rules used, nearby changes."""
    return AsOf(
        date=day,
        given=given,
        applied=tuple(dict.fromkeys(applied)),
        changes=near(changes, day),
        warnings=load_rulebook_dates().coverage_warnings(day),
    )
