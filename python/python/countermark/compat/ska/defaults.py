"""ska's defaults (parameter names, lifetime, timestamp format), the same values as ``ska.defaults``."""

from __future__ import annotations

__all__ = [
    "DEBUG",
    "DEFAULT_AUTH_USER_PARAM",
    "DEFAULT_EXTRA_PARAM",
    "DEFAULT_PROVIDER_PARAM",
    "DEFAULT_RESERVED_PARAMS",
    "DEFAULT_SIGNATURE_PARAM",
    "DEFAULT_TIME_ZONE_PARAM",
    "DEFAULT_URL_SUFFIX",
    "DEFAULT_VALID_UNTIL_PARAM",
    "SIGNATURE_LIFETIME",
    "TIMESTAMP_FORMAT",
]

#: Format of :meth:`AbstractSignature.datetime_to_timestamp`.
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S"

#: Signature lifetime in seconds when no ``valid_until`` is given.
SIGNATURE_LIFETIME = 600

#: Name of the request parameter holding the signature.
DEFAULT_SIGNATURE_PARAM = "signature"

#: Name of the request parameter holding ``auth_user``.
DEFAULT_AUTH_USER_PARAM = "auth_user"

#: Name of the request parameter holding ``valid_until``.
DEFAULT_VALID_UNTIL_PARAM = "valid_until"

#: Name of the request parameter holding the time zone (unused by the signatures, kept for ska parity).
DEFAULT_TIME_ZONE_PARAM = "time_zone"

#: Name of the request parameter holding the comma-separated list of signed extra keys.
DEFAULT_EXTRA_PARAM = "extra"

#: Name of the request parameter holding the provider (used by ska's Django integration).
DEFAULT_PROVIDER_PARAM = "provider"

#: Text put between the endpoint URL and the signature parameters.
DEFAULT_URL_SUFFIX = "?"

#: Request parameters reserved by default.
DEFAULT_RESERVED_PARAMS = (
    DEFAULT_SIGNATURE_PARAM,
    DEFAULT_AUTH_USER_PARAM,
    DEFAULT_VALID_UNTIL_PARAM,
    DEFAULT_TIME_ZONE_PARAM,
    DEFAULT_EXTRA_PARAM,
    DEFAULT_PROVIDER_PARAM,
)

DEBUG = False
