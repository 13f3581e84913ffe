"""The day the site is built, and the "review due" marks measured from it.

>>> review_due("2000-01-01")
' <strong class="review-due">review due</strong>'
"""

from __future__ import annotations

import datetime as dt
import os

from calc.dates import load_rulebook_dates, parse_dos


def build_date() -> dt.date:
    """The day the site is built: the rules the pages show are those in force that day.
    The build may read the clock (the engine never does); ``BUILD_DATE=YYYY-MM-DD``
    pins it, for a reproducible build or a test."""
    pinned = os.environ.get("BUILD_DATE")
    return parse_dos(pinned) if pinned else dt.date.today()


def review_due(reviewed: dt.date | str) -> str:
    """A "review due" mark when the review is older than the interval on the build date
    (the build never fails because time passed)."""
    day = reviewed if isinstance(reviewed, dt.date) else dt.date.fromisoformat(reviewed)
    if not load_rulebook_dates().review_due(day, build_date()):
        return ""
    return ' <strong class="review-due">review due</strong>'


def reviewed(date: str) -> str:
    return f'<small class="nowrap">(reviewed {date}{review_due(date)})</small>'
