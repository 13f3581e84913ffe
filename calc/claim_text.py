"""Claim lines as text to paste: the formats the claim builder's copy buttons offer.

The same lines three ways: ``plain``, one line per code with its modifiers and units
separated by spaces (``97112 59 GP 2``), the form practice-management systems take;
``tab``, tab-separated columns (code, four modifier columns, units) for a spreadsheet
or a PM system's grid; and ``readable``, as the page shows a line (``97112-59-GP × 2``).
Only ``readable`` holds the ×: no pasteable format has a character a PM system may refuse.

>>> formats = copy_formats([("98941", (), 1), ("97112", ("59", "GP"), 2)])
>>> print(formats["plain"])
98941 1
97112 59 GP 2
>>> formats["tab"].splitlines()[1].split("\\t")
['97112', '59', 'GP', '', '', '2']
>>> print(formats["readable"])
98941 × 1
97112-59-GP × 2
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

#: The modifier columns of a claim line (CMS-1500 item 24D holds four).
MODIFIER_COLUMNS = 4

#: (code, modifiers in claim order, units): one billed line.
Line = tuple[str, Sequence[str], int]


def line_display(code: str, modifiers: Iterable[str], units: int) -> str:
    """How a line reads on a claim, and on the page.

    >>> line_display("97112", ("59", "GP"), 2)
    '97112-59-GP × 2'
    """
    return "-".join([code, *modifiers]) + f" × {units}"


def plain_line(code: str, modifiers: Sequence[str], units: int) -> str:
    """``97112 59 GP 2``: code, modifiers, units, separated by single spaces.

    >>> plain_line("98941", (), 1)
    '98941 1'
    """
    return " ".join([code, *modifiers, str(units)])


def tab_line(code: str, modifiers: Sequence[str], units: int) -> str:
    """Code, the modifier columns (empty where there is none), units, tab-separated. A
    line with more modifiers than columns keeps them all (the columns then run on).

    >>> tab_line("97112", ("59", "GP"), 2).split("\\t")
    ['97112', '59', 'GP', '', '', '2']
    """
    columns = list(modifiers) + [""] * (MODIFIER_COLUMNS - len(modifiers))
    return "\t".join([code, *columns, str(units)])


def copy_formats(lines: Iterable[Line]) -> dict[str, str]:
    """Every format of the lines, by name: ``plain``, ``tab`` and ``readable``."""
    rows = list(lines)
    return {
        "plain": "\n".join(plain_line(*row) for row in rows),
        "tab": "\n".join(tab_line(*row) for row in rows),
        "readable": "\n".join(line_display(*row) for row in rows),
    }
