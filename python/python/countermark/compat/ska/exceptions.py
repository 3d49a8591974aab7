"""Exceptions, as ``ska.exceptions``, plus the two countermark adds for what it refuses to do.

They also derive from the matching :mod:`countermark.exceptions` classes, so ``except CountermarkError`` catches
them too.
"""

from __future__ import annotations

from countermark.exceptions import ConfigurationError, InvalidToken, UnsupportedAlgorithm

__all__ = [
    "BaseSkaException",
    "ImproperlyConfigured",
    "InvalidData",
    "NotSupportedByCountermark",
    "MD5NotSupported",
]


class BaseSkaException(Exception):
    """Base exception (as ska's)."""


class ImproperlyConfigured(BaseSkaException, ConfigurationError):
    """The code calling ska is misconfigured (e.g. ``validate=True`` without a ``secret_key``)."""


class InvalidData(BaseSkaException, InvalidToken):
    """Signed request data failed validation (tampered or expired)."""


class NotSupportedByCountermark(BaseSkaException, NotImplementedError):
    """An option of ska that countermark does not reproduce byte for byte (a ``value_dumper`` or ``quoter`` other
    than ska's default and JavaScript helpers, a custom signature class, an extra value it cannot render).

    Raised instead of silently producing a signature that ska would not accept.
    """


class MD5NotSupported(UnsupportedAlgorithm):
    """No longer raised: ``HMACMD5Signature`` is supported (legacy). Kept so that code importing it still works."""
