"""The exceptions countermark raises.

Every error of the library derives from :class:`CountermarkError`, which carries two structured attributes:

- ``code``: the stable numeric code of the C ABI (``countermark_result``), e.g. ``300`` for a bad signature;
- ``reason``: its stable name, the word the test vectors use, e.g. ``"bad_signature"``.

Credentials that are refused raise a subclass of :class:`InvalidToken` (answer the request with 401); arguments
the caller got wrong raise :class:`ConfigurationError` (a ``ValueError``); shared state that cannot be reached
raises :class:`Unavailable` (answer with 503). Messages never contain a secret.
"""

from __future__ import annotations

__all__ = [
    "CountermarkError",
    "InvalidToken",
    "Malformed",
    "TooLarge",
    "Expired",
    "NotYetValid",
    "BadSignature",
    "UnknownKey",
    "Replayed",
    "UnsupportedAlgorithm",
    "ConfigurationError",
    "InvalidKey",
    "InvalidValue",
    "Unavailable",
]


class CountermarkError(Exception):
    """Base class of every countermark error."""

    code: int = 0
    reason: str = "error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message or self.reason


class InvalidToken(CountermarkError):
    """A credential (token, signed URL, request signature, JWT) was refused."""


class Malformed(InvalidToken):
    """The credential cannot be parsed: missing parts, bad encoding, bad structured field."""

    code = 200
    reason = "malformed"


class TooLarge(Malformed):
    """The credential is over a documented length limit."""

    code = 201
    reason = "too_large"


class Expired(InvalidToken):
    """The credential is older than its lifetime or the allowed clock skew."""

    code = 301
    reason = "expired"


class NotYetValid(InvalidToken):
    """The credential claims a time in the future beyond the allowed clock skew."""

    code = 302
    reason = "not_yet_valid"


class BadSignature(InvalidToken):
    """The MAC or signature does not match (tampering, wrong key, wrong algorithm)."""

    code = 300
    reason = "bad_signature"


class UnknownKey(InvalidToken):
    """No key is known for the credential's key id."""

    code = 102
    reason = "unknown_key"


class Replayed(InvalidToken):
    """A single-use credential (nonce, signature) was presented again."""

    code = 303
    reason = "replayed"


class UnsupportedAlgorithm(InvalidToken, ValueError):
    """The algorithm is not allowed for this key or format (``alg: none``, HMAC with a public key, MD5)."""

    code = 101
    reason = "unsupported_algorithm"


class ConfigurationError(CountermarkError, ValueError):
    """An argument given by the caller is refused (a key too short, a bad field, a bad option)."""


class InvalidKey(ConfigurationError):
    """A key or secret is unusable: wrong length, bad PEM/DER/JWK, wrong type."""

    code = 100
    reason = "invalid_key"


class InvalidValue(ConfigurationError):
    """An argument is out of range or contains forbidden characters."""

    code = 202
    reason = "invalid_value"


class Unavailable(CountermarkError):
    """Shared state (a Redis nonce store, the OS random source) cannot be reached: fail closed."""

    code = 400
    reason = "unavailable"
