"""Errors are values with a stable ``code`` and a message that says what to fix."""

from __future__ import annotations


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


def shown(text: object, limit: int = 24) -> str:
    """Quote user input in a message, cut short so hostile input stays harmless.

    >>> shown("97112")
    "'97112'"
    >>> shown("x" * 40)
    "'xxxxxxxxxxxxxxxxxxxxxxxx…'"
    """
    s = str(text)
    return repr(s if len(s) <= limit else s[:limit] + "…")
