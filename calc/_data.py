"""Loading the TOML rule files shipped inside the package, with clear errors.

The files are read with :mod:`importlib.resources`, so the same code works from a
source checkout, an installed wheel and Pyodide's in-browser file system.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from calc.errors import CalcError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

CONFIDENCE_LEVELS = ("high", "medium", "low", "verify")
#: Sorting key for confidence levels: the higher, the less sure.
CONFIDENCE_RANK = {level: rank for rank, level in enumerate(CONFIDENCE_LEVELS)}
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
#: Field metadata of a data entry's citation (``cite``): answers give it as its text,
#: under the key ``source`` (see ``plain``); a training tag's, under ``section``.
ANSWERED_AS_SOURCE = MappingProxyType({"answered_as": "source"})
ANSWERED_AS_SECTION = MappingProxyType({"answered_as": "section"})


def weakest(levels: Iterable[str]) -> str:
    """The least sure of some confidence levels ("high" when there are none).

    >>> weakest(["high", "verify", "medium"]), weakest([])
    ('verify', 'high')
    """
    return max(levels, key=CONFIDENCE_RANK.__getitem__, default="high")


def read_toml(name: str) -> dict[str, Any]:
    """Parse ``calc/data/<name>``; a syntax error names the file."""
    text = resources.files("calc").joinpath("data", name).read_text(encoding="utf-8")
    return parse_toml(name, text)


def parse_toml(name: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalcError("bad_data", f"{name}: not valid TOML: {exc}") from exc


def check_keys(
    where: str,
    entry: Mapping[str, Any],
    required: Iterable[str],
    optional: Iterable[str] = (),
) -> None:
    """Reject missing and unknown keys, naming the file and entry.

    >>> check_keys("codes.toml, code '97112'", {"code": "97112"}, ["code", "source"])
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: codes.toml, code '97112': missing key 'source'
    """
    required = list(required)
    allowed = set(required) | set(optional)
    for key in required:
        if key not in entry:
            raise CalcError("bad_data", f"{where}: missing key {key!r}")
    for key in entry:
        if key not in allowed:
            raise CalcError(
                "bad_data", f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(allowed))})"
            )


def want(where: str, key: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    """Check one value's type; bools are not accepted where ints are wanted."""
    if (
        isinstance(value, bool)
        and kind is not bool
        and bool not in (kind if isinstance(kind, tuple) else (kind,))
    ):
        raise CalcError("bad_data", f"{where}: {key!r} must not be true/false")
    if not isinstance(value, kind):
        raise CalcError("bad_data", f"{where}: {key!r} has the wrong type ({type(value).__name__})")
    return value


def entries(name: str, kind: str, value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """The entries of a file's ``[[kind]]`` list, each with where it is for messages: by
    its id when it has one, else by its place in the list.

    >>> [where for where, _ in entries("p.toml", "payer", [{"id": "zelis"}, {"id": 7}])]
    ["p.toml, payer 'zelis'", 'p.toml, payer 2']
    >>> list(entries("p.toml", "payer", [[]]))
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: p.toml, payer 1: 'payer' has the wrong type (list)
    """
    for i, entry in enumerate(want(name, kind, value, list), start=1):
        where = f"{name}, {kind} {i}"
        want(where, kind, entry, dict)
        if isinstance(entry.get("id"), str):
            where = f"{name}, {kind} {entry['id']!r}"
        yield where, entry


def want_text(where: str, key: str, value: Any) -> str:
    text = want(where, key, value, str)
    if not text.strip():
        raise CalcError("bad_data", f"{where}: {key!r} must not be empty")
    return str(text)


def want_texts(where: str, key: str, value: Any) -> tuple[str, ...]:
    """A list of non-empty texts; an item's error names its place (``'notes[2]'``)."""
    items = want(where, key, value, list)
    return tuple(want_text(where, f"{key}[{i}]", item) for i, item in enumerate(items, 1))


def want_id(where: str, key: str, value: Any) -> str:
    """A stable id: lower-case words joined by hyphens (``functional-goal``)."""
    text = want_text(where, key, value)
    if not _ID.fullmatch(text):
        raise CalcError(
            "bad_data", f"{where}: {key!r} must be lower-case words joined by hyphens, got {text!r}"
        )
    return text


def want_choice(where: str, key: str, value: Any, choices: Iterable[str]) -> str:
    """One of a fixed set of words.

    >>> want_choice("x.toml, item 1", "check", "magic", ("fields", "service-code"))
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: x.toml, item 1: 'check' must be one of fields, service-code, got 'magic'
    """
    choices = tuple(choices)
    if value not in choices:
        raise CalcError(
            "bad_data", f"{where}: {key!r} must be one of {', '.join(choices)}, got {value!r}"
        )
    return str(value)


def want_date(where: str, key: str, value: Any) -> dt.date:
    """TOML dates (``reviewed = 2026-11-27``) or ISO strings are accepted."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise CalcError("bad_data", f"{where}: {key!r} must be a date like 2026-11-27, got {value!r}")


def want_confidence(where: str, value: Any) -> str:
    if value not in CONFIDENCE_LEVELS:
        raise CalcError(
            "bad_data",
            f"{where}: confidence must be one of {', '.join(CONFIDENCE_LEVELS)}, got {value!r}",
        )
    return str(value)


def plain(record: DataclassInstance) -> dict[str, Any]:
    """A frozen dataclass as JSON-ready data, field by field in declaration order:
    tuples become lists, dates ISO text, nested dataclasses dicts; a citation marked
    ``ANSWERED_AS_SOURCE`` becomes its text under ``source``.

    >>> @dataclasses.dataclass(frozen=True)
    ... class Row:
    ...     codes: tuple[str, ...]
    ...     reviewed: dt.date
    >>> plain(Row(("98941", "97112"), dt.date(2026, 11, 27)))
    {'codes': ['98941', '97112'], 'reviewed': '2026-11-27'}
    """
    out: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if "answered_as" in f.metadata:
            out[f.metadata["answered_as"]] = None if value is None else str(value)
        else:
            out[f.name] = _plain_value(value)
    return out


def _plain_value(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(value)
    if isinstance(value, tuple | list):
        return [_plain_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain_value(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
