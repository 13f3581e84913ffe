"""One input policy for everything people, links and scripts send the engine.

:func:`check_request` looks at a whole request before any rule reads it: only JSON
values (objects with text keys, lists, text, numbers, true/false, null), nested at most
:data:`MAX_DEPTH` deep, at most :data:`MAX_VALUES` values, no text longer than
:data:`MAX_TEXT` characters or holding an unpaired surrogate (text that was not valid
UTF-8), no number longer than :data:`MAX_DIGITS` digits. Then :func:`ascii_number` reads
numbers typed as text (the digits 0–9 only; leading zeros are fine), and
:func:`visible_text` takes invisible characters out of text that lands in a summary.

>>> check_request({"lines": "97112:24"})
>>> nested: list[object] = []
>>> for _ in range(40):
...     nested = [nested]
>>> check_request({"lines": nested})
Traceback (most recent call last):
...
calc.errors.CalcError: The request is nested too deeply (more than 32 levels).
>>> ascii_number("0024"), ascii_number(" 7 ")
(24, 7)
>>> ascii_number("2٤")
Traceback (most recent call last):
...
calc.errors.CalcError: use the digits 0-9 only: '٤' (ARABIC-INDIC DIGIT FOUR) is not one
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from calc.errors import CalcError, character_name, kind_of, shown

MAX_DEPTH = 32  # a review record or a graded attempt needs 5
MAX_VALUES = 20_000  # values in one request (a 1 MB record holds far fewer)
MAX_TEXT = 100_000  # characters in one text value (the rules bound each field further)
MAX_DIGITS = 15  # a number of minutes, sets or units never needs more
_ASCII_NUMBER = re.compile(r"[0-9]+", re.ASCII)
#: Characters that change how text reads without being seen: direction embeddings,
#: overrides and isolates. They are refused, not removed (they reorder what follows).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,30}", re.ASCII)


def _where(path: list[str]) -> str:
    """``lines[0].minutes``; a long path is cut at its start, odd names are quoted."""
    text = "".join(path) or "the request"
    return text if len(text) <= 80 else "…" + text[-80:]


def _step(path: list[str], key: str) -> list[str]:
    name = key if _PLAIN_NAME.fullmatch(key) else shown(key)
    return [*path, f".{name}" if path else name]


def check_request(request: object, max_text: int = MAX_TEXT) -> None:
    """Refuse what is not plain, bounded JSON data, naming where it is (see the module).
    ``max_text``: the longest text, for a call that takes a whole file (the audit).

    >>> check_request({"lines": [{"code": "97112", "minutes": 10**40}]})
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: The number at lines[0].minutes has more than 15 digits.
    """
    stack: list[tuple[object, list[str], int]] = [(request, [], 0)]
    count = 0
    while stack:
        value, path, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise CalcError("bad_request", f"The request holds more than {MAX_VALUES} values.")
        if depth > MAX_DEPTH:
            raise CalcError(
                "bad_request", f"The request is nested too deeply (more than {MAX_DEPTH} levels)."
            )
        if value is None or isinstance(value, bool | float):
            continue
        if isinstance(value, int):
            if abs(value) >= 10**MAX_DIGITS:
                raise CalcError(
                    "bad_request",
                    f"The number at {_where(path)} has more than {MAX_DIGITS} digits.",
                )
            continue
        if isinstance(value, str):
            _check_text(value, path, max_text)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise CalcError(
                        "bad_request",
                        f"The names of the fields at {_where(path)} must be text, not "
                        f"{kind_of(key)}.",
                    )
                _check_text(key, path, MAX_TEXT)
                stack.append((item, _step(path, key), depth + 1))
        elif isinstance(value, list | tuple):
            if len(value) > MAX_VALUES:
                raise CalcError("bad_request", f"The request holds more than {MAX_VALUES} values.")
            stack.extend((item, [*path, f"[{i}]"], depth + 1) for i, item in enumerate(value))
        else:
            raise CalcError(
                "bad_request",
                f"The value at {_where(path)} is {kind_of(value)}, which is not JSON data.",
            )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_text(text: str, path: list[str], limit: int) -> None:
    if len(text) > limit:
        raise CalcError(
            "bad_request", f"The text at {_where(path)} is over {limit:,} characters long."
        )
    if _SURROGATE.search(text):
        raise CalcError(
            "bad_request",
            f"The text at {_where(path)} is not valid Unicode (it came from text that is "
            "not UTF-8).",
        )


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def too_deep_json(text: str) -> bool:
    """Whether JSON text nests more than :data:`MAX_DEPTH` deep, found without parsing
    it: Python's parser recurses, and thousands of levels crash the browser's Python
    (its stack is small) before a RecursionError could be caught.

    >>> too_deep_json('{"lines": [["[[[["]]}'), too_deep_json("[" * 100 + "]" * 100)
    (False, True)
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif mark in "]}":
            depth -= 1
    return False


#: The words a link, a form or JSON may use for yes and no (``same_region=1``).
YES_WORDS = ("1", "true", "yes", "on")
NO_WORDS = ("0", "false", "no", "off", "")


def flag(name: str, value: object) -> bool:
    """A yes/no field from JSON, a form or a link (``same_region=1``); absent is no.

    >>> flag("abn", " Yes"), flag("abn", 0), flag("abn", None)
    (True, False, False)
    """
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in YES_WORDS + NO_WORDS:
        return value.strip().lower() in YES_WORDS
    raise CalcError("bad_request", f"{name} must be true or false; got {shown(value)}.")


def choice(name: str, value: object, allowed: Iterable[str], default: str | None) -> str | None:
    """One of a field's names, compared trimmed and lower-case; absent (null) gives
    the default. True/false and unknown names are refused, never taken for the
    default; so is an empty text, unless the default is None ("not stated", "the
    payer's usual": the forms offer those as an empty choice).

    >>> choice("method", " Per-Code", ("cms", "per-code"), "cms"), choice("method", None, (), "cms")
    ('per-code', 'cms')
    >>> choice("method", False, ("cms", "per-code"), "cms")
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: Unknown method false: use 'cms' or 'per-code'.
    """
    if value is None:
        return default
    options = tuple(allowed)
    use = " or ".join(repr(o) for o in options)
    label = name.replace("_", " ")
    if isinstance(value, str) and not value.strip():
        if default is None:
            return None
        raise CalcError(f"bad_{name}", f"The {label} is empty: use {use}, or leave it out.")
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    if isinstance(value, bool) or text not in options:
        raise CalcError(f"bad_{name}", f"Unknown {label} {shown(value)}: use {use}.")
    return text


def ascii_number(text: str) -> int:
    """Digits typed as text, surrounding spaces ignored, leading zeros fine. A digit
    that is not 0-9 (Arabic-Indic or full-width digits look right) is named.

    >>> ascii_number("0000024")
    24
    >>> ascii_number("２４")
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: use the digits 0-9 only: '２' (FULLWIDTH DIGIT TWO) is not one
    >>> ascii_number("ten")
    Traceback (most recent call last):
    ...
    calc.errors.CalcError: not a whole number
    """
    stripped = text.strip()
    if _ASCII_NUMBER.fullmatch(stripped):
        significant = stripped.lstrip("0") or "0"
        if len(significant) > MAX_DIGITS:
            raise CalcError("too_long", f"{len(significant)} digits is too many")
        return int(significant)
    foreign = next((ch for ch in stripped if ch.isdecimal() and not "0" <= ch <= "9"), None)
    if foreign is not None:
        raise CalcError(
            "bad_digit", f"use the digits 0-9 only: {character_name(foreign)} is not one"
        )
    raise CalcError("bad_number", "not a whole number")


def invisible(ch: str) -> bool:
    """A character that shows nothing (zero-width spaces and joiners, direction marks,
    soft hyphens, tag characters, byte-order marks): Unicode's "format" category.

    >>> invisible("\\u200b"), invisible("\\u200e"), invisible("\\U000e0041"), invisible("a")
    (True, True, True, False)
    """
    return unicodedata.category(ch) == "Cf"


def visible_text(text: str) -> tuple[str, int]:
    """The text without its invisible characters, and how many were taken out (a
    summary pasted into the record must read exactly as it looks).

    >>> visible_text("tan\\u200bdem stance\\u200e")
    ('tandem stance', 2)
    """
    kept = "".join(ch for ch in text if not invisible(ch))
    return kept, len(text) - len(kept)
