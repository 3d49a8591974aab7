"""Drop-in replacement of the public API of ska 1.11.2, over the countermark core.

Change ``import ska`` to ``from countermark.compat import ska`` (or ``from countermark.compat.ska import ...``):
signatures, signed URLs and signature dicts are byte for byte those of ska, so services on either library
accept each other's URLs while a fleet migrates.

>>> from countermark.compat.ska import sign_url, validate_signed_request_data
>>> url = sign_url("user", "your-secret-key", url="http://e.com/api/", extra={"email": "a@example.com"})
>>> from urllib.parse import parse_qsl, urlsplit
>>> bool(validate_signed_request_data(dict(parse_qsl(urlsplit(url).query)), "your-secret-key"))
True

The text that is signed, the HMAC and the validation (constant-time comparison, expiry) are done by
:class:`countermark.UrlSigner`. Differences from ska, all refusals rather than different bytes:

- a ``value_dumper`` or ``quoter`` other than ska's own helpers, a custom signature class implementing
  ``make_hash`` itself, and extra values the core cannot render exactly with ska's default value dumper (e.g.
  tuples, sets or big ints *inside* a dict or list) raise :class:`~.exceptions.NotSupportedByCountermark` (a
  ``NotImplementedError``);
- a ``valid_until`` that is not a Unix timestamp is refused (:class:`countermark.InvalidValue` when signing,
  :data:`~.error_codes.INVALID_VALID_UNTIL` when validating) where ska raises ``TypeError``;
- an empty secret, an extra key that is empty or holds ``,`` are refused by the core
  (:class:`countermark.InvalidKey` / :class:`countermark.InvalidValue`).

Supported byte for byte: every signature class including the legacy ``HMACMD5Signature`` (for links made with
it; sign new ones with ``HMACSHA256Signature``), and ska's ``default_value_dumper`` / ``default_quoter`` as well as
``javascript_value_dumper`` / ``javascript_quoter``, what ska's JavaScript port signs with.
"""

from __future__ import annotations

from . import error_codes, exceptions
from .base import AbstractSignature, SignatureValidationResult
from .defaults import (
    DEFAULT_AUTH_USER_PARAM,
    DEFAULT_EXTRA_PARAM,
    DEFAULT_SIGNATURE_PARAM,
    DEFAULT_URL_SUFFIX,
    DEFAULT_VALID_UNTIL_PARAM,
    SIGNATURE_LIFETIME,
    TIMESTAMP_FORMAT,
)
from .shortcuts import extract_signed_request_data, sign_url, signature_to_dict, validate_signed_request_data
from .signatures import (
    HMACMD5Signature,
    HMACSHA1Signature,
    HMACSHA224Signature,
    HMACSHA256Signature,
    HMACSHA384Signature,
    HMACSHA512Signature,
    Signature,
)
from .utils import RequestHelper

__title__ = "ska"
#: The ska version whose API this module reproduces.
__version__ = "1.11.2"

__all__ = [
    "AbstractSignature",
    "HMACMD5Signature",
    "HMACSHA1Signature",
    "HMACSHA224Signature",
    "HMACSHA256Signature",
    "HMACSHA384Signature",
    "HMACSHA512Signature",
    "RequestHelper",
    "Signature",
    "SignatureValidationResult",
    "extract_signed_request_data",
    "sign_url",
    "signature_to_dict",
    "validate_signed_request_data",
    "DEFAULT_AUTH_USER_PARAM",
    "DEFAULT_EXTRA_PARAM",
    "DEFAULT_SIGNATURE_PARAM",
    "DEFAULT_URL_SUFFIX",
    "DEFAULT_VALID_UNTIL_PARAM",
    "SIGNATURE_LIFETIME",
    "TIMESTAMP_FORMAT",
    "error_codes",
    "exceptions",
]
