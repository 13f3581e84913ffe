"""Errors are values with a stable ``code`` and a message that says what to fix."""

from __future__ import annotations

import unicodedata


class CalcError(ValueError):
    """Bad input or bad data, explained for the person who has to fix it.

    >>> err = CalcError("unknown_code", "Unknown code '9711'.")
    >>> err.as_dict()
    {'error': {'code': 'unknown_code', 'message': "Unknown code '9711'."}}
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


#: Integers past this many digits are described, not written out (and Python refuses
#: to write out more than 4,300 digits at all).
_SHOWN_DIGITS = 30


def kind_of(value: object) -> str:
    """What a JSON value is, in words, for messages that must not echo it.

    >>> kind_of(None), kind_of(True), kind_of(3), kind_of([1]), kind_of({"a": 1})
    ('null', 'true/false', 'a number', 'a list', 'an object')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def shown(text: object, limit: int = 24) -> str:
    """Quote user input in a message: cut short, and every control, direction,
    invisible or unpaired (not UTF-8) character written as an escape, so hostile
    input can neither flood, reorder nor hide part of the message. Numbers are shown
    as they are (a number too long to read is described); lists and objects by kind.

    >>> shown("97112")
    "'97112'"
    >>> shown("x" * 40)
    "'xxxxxxxxxxxxxxxxxxxxxxxx…'"
    >>> shown("\\u202eEVIL\\x1b[2J")
    "'\\\\u202eEVIL\\\\x1b[2J'"
    >>> shown(10**5000), shown(24), shown([1, 2])
    ('a number of 5001 digits', '24', 'a list')
    """
    if isinstance(text, bool):
        return "true" if text else "false"
    if isinstance(text, int):
        digits = len(str(abs(text))) if text.bit_length() < 4 * _SHOWN_DIGITS else None
        if digits is None or digits > _SHOWN_DIGITS:
            # bit_length() * log10(2), +1: the digits without writing the number out
            return f"a number of {int(text.bit_length() * 0.30103) + 1} digits"
        return str(text)
    if isinstance(text, float):
        return repr(text)
    if not isinstance(text, str):
        return kind_of(text)
    # repr() writes every character str.isprintable() refuses (controls, direction and
    # invisible marks, unpaired surrogates, separators) as an escape
    return repr(text if len(text) <= limit else text[:limit] + "…")


def character_name(ch: str) -> str:
    """A character as a message names it: ``'٢' (ARABIC-INDIC DIGIT TWO)``.

    >>> character_name("٢"), character_name("\\u200b")
    ("'٢' (ARABIC-INDIC DIGIT TWO)", "'\\\\u200b' (ZERO WIDTH SPACE)")
    """
    return f"{shown(ch)} ({unicodedata.name(ch, f'U+{ord(ch):04X}')})"
