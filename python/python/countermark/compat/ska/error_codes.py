"""Validation error codes, as ``ska.error_codes``.

ska 1.11.2 defines two: :data:`INVALID_SIGNATURE` (1) and :data:`SIGNATURE_TIMESTAMP_EXPIRED` (2).
countermark adds :data:`INVALID_VALID_UNTIL` (3) for a ``valid_until`` that is not a Unix timestamp, where ska
itself raises ``TypeError`` from ``is_expired()``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ErrorCode",
    "INVALID_SIGNATURE",
    "SIGNATURE_TIMESTAMP_EXPIRED",
    "INVALID_VALID_UNTIL",
]


class ErrorCode:
    """One validation error: an integer ``code`` and a human readable ``message``.

    ``str()`` gives the message and ``int()`` the code, as in ska. Two error codes are equal when their code and
    message are (ska compares by identity; equality also matches ska's own ``ErrorCode`` objects).
    """

    __slots__ = ("code", "message")

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    __repr__ = __str__

    def __int__(self) -> int:
        return self.code

    def __eq__(self, other: Any) -> bool:
        if self is other:
            return True
        try:
            return bool(self.code == other.code and self.message == other.message)
        except AttributeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash((self.code, self.message))


#: The signature does not match the data (tampering, wrong secret, wrong algorithm).
INVALID_SIGNATURE = ErrorCode(1, "Invalid signature!")

#: ``valid_until`` is not in the future.
SIGNATURE_TIMESTAMP_EXPIRED = ErrorCode(2, "Signature timestamp expired!")

#: ``valid_until`` is not a Unix timestamp (countermark only; ska raises ``TypeError``).
INVALID_VALID_UNTIL = ErrorCode(3, "Invalid valid_until!")

_BY_CODE = {e.code: e for e in (INVALID_SIGNATURE, SIGNATURE_TIMESTAMP_EXPIRED, INVALID_VALID_UNTIL)}


def _from_core(code: int, message: str) -> ErrorCode:
    """The module constant for a (code, message) pair reported by the countermark core."""
    known = _BY_CODE.get(code)
    if known is not None and known.message == message:
        return known
    return ErrorCode(code, message)
