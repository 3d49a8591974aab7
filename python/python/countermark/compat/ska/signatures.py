"""The HMAC signature classes, as ``ska.signatures``; ``Signature`` is HMAC-SHA1, ska's default.

``HMACMD5Signature`` exists so that imports keep working, but constructing it or signing/validating with it
raises :class:`~.exceptions.MD5NotSupported` (a :class:`countermark.UnsupportedAlgorithm`): countermark refuses
MD5.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Union

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
    algorithm = "sha1"


class HMACSHA224Signature(AbstractSignature):
    """HMAC-SHA224 signature."""

    __slots__ = ()
    algorithm = "sha224"


class HMACSHA256Signature(AbstractSignature):
    """HMAC-SHA256 signature."""

    __slots__ = ()
    algorithm = "sha256"


class HMACSHA384Signature(AbstractSignature):
    """HMAC-SHA384 signature."""

    __slots__ = ()
    algorithm = "sha384"


class HMACSHA512Signature(AbstractSignature):
    """HMAC-SHA512 signature."""

    __slots__ = ()
    algorithm = "sha512"


class HMACMD5Signature(AbstractSignature):
    """HMAC-MD5 signature: refused. Every use raises :class:`~.exceptions.MD5NotSupported`."""

    __slots__ = ()
    algorithm = "md5"

    def __init__(
        self,
        signature: bytes,
        auth_user: str,
        valid_until: Union[float, str],
        extra: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self._refuse_md5()


#: ska's default signature class: HMAC-SHA1.
Signature = HMACSHA1Signature

_base._request_signers.update(
    (cls, {})
    for cls in (
        HMACSHA1Signature,
        HMACSHA224Signature,
        HMACSHA256Signature,
        HMACSHA384Signature,
        HMACSHA512Signature,
    )
)
