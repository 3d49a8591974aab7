"""The HMAC signature classes, as ``ska.signatures``; ``Signature`` is HMAC-SHA1, ska's default.

``HMACMD5Signature`` signs and validates as ska's does. MD5 is legacy: use it to validate links that were made
with it (e.g. by ska's JavaScript port), and sign new links with ``HMACSHA256Signature``.
"""

from __future__ import annotations

from . import base as _base
from .base import AbstractSignature

__all__ = [
    "HMACMD5Signature",
    "HMACSHA1Signature",
    "HMACSHA224Signature",
    "HMACSHA256Signature",
    "HMACSHA384Signature",
    "HMACSHA512Signature",
    "Signature",
]


class HMACSHA1Signature(AbstractSignature):
    """HMAC-SHA1 signature (ska's default ``Signature``)."""

    __slots__ = ()
    algorithm = "hmac-sha1"


class HMACSHA224Signature(AbstractSignature):
    """HMAC-SHA224 signature."""

    __slots__ = ()
    algorithm = "hmac-sha224"


class HMACSHA256Signature(AbstractSignature):
    """HMAC-SHA256 signature."""

    __slots__ = ()
    algorithm = "hmac-sha256"


class HMACSHA384Signature(AbstractSignature):
    """HMAC-SHA384 signature."""

    __slots__ = ()
    algorithm = "hmac-sha384"


class HMACSHA512Signature(AbstractSignature):
    """HMAC-SHA512 signature."""

    __slots__ = ()
    algorithm = "hmac-sha512"


class HMACMD5Signature(AbstractSignature):
    """HMAC-MD5 signature. Legacy: for links made with it; sign new ones with ``HMACSHA256Signature``."""

    __slots__ = ()
    algorithm = "hmac-md5"


#: ska's default signature class: HMAC-SHA1.
Signature = HMACSHA1Signature

_base._request_signers.update(
    (cls, {})
    for cls in (
        HMACMD5Signature,
        HMACSHA1Signature,
        HMACSHA224Signature,
        HMACSHA256Signature,
        HMACSHA384Signature,
        HMACSHA512Signature,
    )
)
