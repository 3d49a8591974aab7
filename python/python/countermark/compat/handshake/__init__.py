"""A drop-in replacement of handshake 0.2.1 over the countermark core.

``from countermark.compat.handshake import AuthToken, errors`` instead of ``from handshake import AuthToken``
(and ``from handshake import errors``): same constructor, same tokens, same results, same exceptions.

>>> from countermark.compat.handshake import AuthToken
>>> auth = AuthToken("a secret of sixteen chars or more")
>>> auth.verify(auth.create("alice", 42), time_range=30)
('alice', '42')
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Tuple, Union

from ... import exceptions as _exc
from ..._countermark import HmacKey as _HmacKey
from ..._countermark import Tokens as _Tokens
from . import errors

__all__ = ["AuthToken", "errors"]

# hashlib names -> core algorithm names. MD5 is not offered: handshake accepted it, countermark refuses it.
_ALGORITHMS = {
    "sha1": "hmac-sha1",
    "sha224": "hmac-sha224",
    "sha256": "hmac-sha256",
    "sha384": "hmac-sha384",
    "sha512": "hmac-sha512",
    "blake2b": "hmac-blake2b",
    "blake2s": "hmac-blake2s",
}


def _handshake_error(e: _exc.CountermarkError) -> Exception:
    """The core's refusal as handshake's exception (a plain ``try`` at the call: free when nothing is raised)."""
    if isinstance(e, (_exc.Expired, _exc.NotYetValid)):
        return errors.TokenExpiredError(str(e))
    if isinstance(e, _exc.BadSignature):
        return errors.TokenSignatureError(str(e))
    return errors.InvalidTokenError(str(e))


def _algorithm_of(hashfunc: Callable[..., Any]) -> str:
    if not callable(hashfunc):
        raise errors.ConfigError(f"hashfunc must be a callable, got: {type(hashfunc)}")
    try:
        h = hashfunc(b"")
        h.hexdigest()
        name = h.name
    except Exception:
        raise errors.ConfigError(
            f"hash function is invalid: {hashfunc}, the callable must return an object with a hexdigest() method"
        ) from None
    try:
        return _ALGORITHMS[name]
    except KeyError:
        raise errors.ConfigError(f"hash function {name!r} is not supported by countermark") from None


class AuthToken:
    """handshake's ``AuthToken``: creates ``meta:…:timestamp:random:hmac`` tokens and verifies them."""

    MIN_SECRET_LEN = 16
    MAX_SECRET_LEN = 1024
    MAX_TOKEN_LEN = 2048

    __slots__ = ("_tokens", "hashfunc", "random_len")

    def __init__(
        self,
        secret: Union[str, bytes] = "",
        hashfunc: Callable[..., Any] = hashlib.sha256,
        random_len: int = 256,
    ) -> None:
        if isinstance(secret, str):
            secret = secret.encode()
        if not isinstance(secret, bytes):
            raise errors.ConfigError(f"secret must be a str or bytes, got: {type(secret)}")
        if len(secret) < self.MIN_SECRET_LEN or len(secret) > self.MAX_SECRET_LEN:
            raise errors.ConfigError(
                f"secret must be between {self.MIN_SECRET_LEN} and {self.MAX_SECRET_LEN} chars or bytes in "
                f"length, got: {len(secret)}"
            )
        algorithm = _algorithm_of(hashfunc)
        if not isinstance(random_len, int) or isinstance(random_len, bool):
            raise errors.ConfigError(f"random_len must be an int, got: {type(random_len)}")
        if random_len < self.MIN_SECRET_LEN or random_len > self.MAX_SECRET_LEN:
            raise errors.ConfigError(
                f"random_len must be between {self.MIN_SECRET_LEN} and {self.MAX_SECRET_LEN}, got: {random_len}"
            )
        self.hashfunc = hashfunc
        self.random_len = random_len
        # The secret lives in the core (wiped when this object goes), not in a Python attribute.
        self._tokens = _Tokens(_HmacKey(secret, algorithm), random_len=random_len)

    def __repr__(self) -> str:
        return f"AuthToken(hashfunc={getattr(self.hashfunc, '__name__', self.hashfunc)!r})"

    def create(self, *metadata: Any) -> str:
        """A token carrying ``metadata`` (each converted with ``str``; ``a-z A-Z 0-9 _ -`` only)."""
        params = [m if isinstance(m, str) else str(m) for m in metadata]
        try:
            return self._tokens.create(*params)
        except _exc.CountermarkError as e:
            raise errors.InvalidValueError(str(e)) from None

    def verify(self, token: str, time_range: int = 0) -> Tuple[str, ...]:
        """The metadata of ``token``; raises ``TokenSignatureError``, ``TokenExpiredError`` (``time_range`` > 0:
        the token's time must be within that many seconds of now) or ``InvalidTokenError``."""
        # The common case: the core checks the token and time_range as below, and returns None when one fails
        # (the checks below then raise handshake's exception).
        try:
            fields = self._tokens._verify_handshake(token, time_range, self.MAX_TOKEN_LEN)
        except _exc.CountermarkError as e:
            raise _handshake_error(e) from None
        if fields is not None:
            return fields
        if not isinstance(token, str):
            raise errors.InvalidTokenError(f"token must be a str, got: {type(token)}")
        if len(token) > self.MAX_TOKEN_LEN:
            raise errors.InvalidTokenError(f"token must be {self.MAX_TOKEN_LEN} chars or less, got: {len(token)}")
        if token.count(":") < 3:
            raise errors.InvalidTokenError("tokens must contain at least 4 parts separated by colons (:)")
        if not isinstance(time_range, int):
            raise errors.InvalidValueError(f"time_range must be an int, got: {type(time_range)}")
        if time_range < 0:
            raise errors.InvalidValueError(f"time_range must be postive, got: {time_range}")
        try:
            # The core reads one empty field back as none, as handshake does.
            return self._tokens._verify_fields(token, time_range if time_range > 0 else None)
        except _exc.CountermarkError as e:
            raise _handshake_error(e) from None
