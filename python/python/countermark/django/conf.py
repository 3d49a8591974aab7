"""The ``COUNTERMARK`` settings dict: every key, its default, and the one accessor that reads them.

Every key is optional; ``settings.COUNTERMARK`` holds only what a project changes::

    COUNTERMARK = {
        "SCHEMES": ["hmac", "rfc9421", "jwt"],
        "NONCE_CACHE": "nonces",
    }

=============================  ==========================================  ==========================================
Key                            Default                                     Meaning
=============================  ==========================================  ==========================================
``SCHEMES``                    all six: ``hmac``, ``fost``, ``rfc9421``,   schemes :class:`CountermarkMiddleware`
                               ``jwt``, ``signed_url``, ``token``          and the backend try, in this order
``AUTHORIZATION_HEADER``       ``"Authorization"``                         header that carries the credentials of
                                                                           the ``hmac``, ``fost`` (its
                                                                           ``Authorization: FOST``), ``jwt`` and
                                                                           ``token`` schemes
``REALM``                      ``"api"``                                   realm of the ``WWW-Authenticate``
                                                                           challenge
``CLOCK_SKEW``                 ``300`` (s)                                 FOST timestamps may be this far from the
                                                                           server's clock (django-fost-authn's)
``REQUEST_TIMEOUT``            ``5`` (s)                                   age limit of an ``HMAC-SHA*`` header (as
                                                                           django-hmac-authentication's
                                                                           ``HMAC_AUTH_REQUEST_TIMEOUT``)
``HMAC_ALGORITHMS``            ``["sha256", "sha384", "sha512"]``          ``HMAC-SHA*`` methods accepted
``HTTP_SIGNATURE_MAX_AGE``     ``300`` (s)                                 RFC 9421 ``created`` at most this old
                                                                           (plus ``HTTP_SIGNATURE_CLOCK_SKEW``)
``HTTP_SIGNATURE_CLOCK_SKEW``  ``5`` (s)                                   RFC 9421 clock skew, either way
``HTTP_SIGNATURE_LABEL``       ``None`` (the only signature)               RFC 9421 signature label to verify
``HTTP_SIGNATURE_COMPONENTS``  ``["@method", "@authority", "@path"]``      components every RFC 9421 signature must
                                                                           cover (``content-digest`` too whenever
                                                                           the request has a body)
``JWT_TOLERANCE``              ``20`` (s)                                  asymmetric JWT ``time`` claim tolerance
``NONCE_CACHE``                ``"default"``                               Django cache alias for single-use values
``NONCE_PREFIX``               ``"countermark:nonce:"``                    prefix of those cache keys
``TOKEN_SECRET``               ``None`` (``SECRET_KEY``)                   secret of handshake-format tokens
``TOKEN_MAX_AGE``              ``3600`` (s)                                token lifetime
``TOKEN_KEYWORD``              ``"Token"``                                 ``Authorization: <keyword> <token>``
``SIGNED_URL_SECRET``          ``None`` (``SECRET_KEY``)                   secret of ska signed URLs
``SIGNED_URL_LIFETIME``        ``600`` (s)                                 lifetime of URLs this app signs
``SIGNED_URL_ALGORITHM``       ``"sha1"`` (ska's ``Signature``)            HMAC hash that signs and validates signed
                                                                           URLs: ``sha1``, ``sha224``, ``sha256``,
                                                                           ``sha384``, ``sha512``, or ``md5``
                                                                           (legacy, with a check warning)
``SIGNED_URL_LEGACY_ALGORITHMS`` ``[]``                                    more hashes accepted when *validating*
                                                                           only (e.g. ``["md5"]`` for links of
                                                                           ska's ``HMACMD5Signature``)
``SIGNED_URL_VALUE_DUMPER``    ``None`` (ska's default)                    ``"python"`` or ``"javascript"``: ska's
                                                                           ``javascript_value_dumper``
``SIGNED_URL_QUOTER``          ``None`` (ska's default)                    ``"python"`` or ``"javascript"``: ska's
                                                                           ``javascript_quoter``, for links made by
                                                                           ska's JavaScript port
``SIGNED_URL_LEGACY_SHORT_SECRET`` ``False``                               allow a ``SIGNED_URL_SECRET`` under 16
                                                                           bytes (ska has no minimum), with a check
                                                                           warning
``KEY_ENCRYPTION_KEYS``        ``None`` (``SECRET_KEY`` then               master secrets, newest first, that seal
                               ``SECRET_KEY_FALLBACKS``)                   API-key secrets at rest (AES-256-GCM)
``MAX_KEYS_PER_USER``          ``5``                                       live (not revoked, not expired) API keys
``KEY_LIFETIME``               ``None`` (no expiry)                        seconds new API keys live
``DEFAULT_THROTTLE_RATE``      ``"200/min"``                               rate of :class:`ApiKeyRateThrottle` for
                                                                           keys without their own
``FAILED_ATTEMPTS_THRESHOLD``  ``5``                                       refused credentials from one client
                                                                           address within
                                                                           ``FAILED_ATTEMPTS_WINDOW`` before that
                                                                           address is throttled (answered 429
                                                                           ``throttled`` until the window ends)
``FAILED_ATTEMPTS_WINDOW``     ``300`` (s)                                 the fixed window of that count
``TRUSTED_PROXIES``            ``[]`` (trust no ``X-Forwarded-For``)       addresses or networks (``"10.0.0.0/8"``)
                                                                           of the reverse proxies in front of
                                                                           Django: behind them the client address
                                                                           is the rightmost untrusted
                                                                           ``X-Forwarded-For`` entry
``EXPLAIN``                    ``False``                                   with ``DEBUG`` on, a refused request's
                                                                           401 body carries ``explanation``: what
                                                                           the server computed (the core's
                                                                           ``Explanation``, as ``countermark
                                                                           request explain --json`` prints it);
                                                                           a check error without ``DEBUG``
=============================  ==========================================  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Optional

from django.conf import settings as django_settings
from django.core.signals import setting_changed

__all__ = ["DEFAULTS", "REPLACED", "SCHEMES", "CountermarkSettings", "get_settings"]

#: Every scheme this app authenticates, in the default order.
SCHEMES = ("hmac", "fost", "rfc9421", "jwt", "signed_url", "token")

DEFAULTS: dict[str, Any] = {
    "SCHEMES": list(SCHEMES),
    "AUTHORIZATION_HEADER": "Authorization",
    "REALM": "api",
    "CLOCK_SKEW": 300,
    "REQUEST_TIMEOUT": 5,
    "HMAC_ALGORITHMS": ["sha256", "sha384", "sha512"],
    "HTTP_SIGNATURE_MAX_AGE": 300,
    "HTTP_SIGNATURE_CLOCK_SKEW": 5,
    "HTTP_SIGNATURE_LABEL": None,
    "HTTP_SIGNATURE_COMPONENTS": ["@method", "@authority", "@path"],
    "JWT_TOLERANCE": 20,
    "NONCE_CACHE": "default",
    "NONCE_PREFIX": "countermark:nonce:",
    "TOKEN_SECRET": None,
    "TOKEN_MAX_AGE": 3600,
    "TOKEN_KEYWORD": "Token",
    "SIGNED_URL_SECRET": None,
    "SIGNED_URL_LIFETIME": 600,
    "SIGNED_URL_ALGORITHM": "sha1",
    "SIGNED_URL_LEGACY_ALGORITHMS": [],
    "SIGNED_URL_VALUE_DUMPER": None,
    "SIGNED_URL_QUOTER": None,
    "SIGNED_URL_LEGACY_SHORT_SECRET": False,
    "KEY_ENCRYPTION_KEYS": None,
    "MAX_KEYS_PER_USER": 5,
    "KEY_LIFETIME": None,
    "DEFAULT_THROTTLE_RATE": "200/min",
    "FAILED_ATTEMPTS_THRESHOLD": 5,
    "FAILED_ATTEMPTS_WINDOW": 300,
    "TRUSTED_PROXIES": [],
    "EXPLAIN": False,
}

#: Keys of earlier versions and what replaced them (``manage.py check`` names the replacement).
REPLACED = {
    "LOCKOUT_BASE": "FAILED_ATTEMPTS_WINDOW (keys are no longer locked: failing client addresses are throttled)",
    "LOCKOUT_MAX": "FAILED_ATTEMPTS_WINDOW (keys are no longer locked: failing client addresses are throttled)",
}


@dataclass(frozen=True)
class CountermarkSettings:
    """The effective settings: ``DEFAULTS`` overlaid with ``settings.COUNTERMARK`` (see the module docs)."""

    SCHEMES: tuple[str, ...]
    AUTHORIZATION_HEADER: str
    REALM: str
    CLOCK_SKEW: int
    REQUEST_TIMEOUT: int
    HMAC_ALGORITHMS: tuple[str, ...]
    HTTP_SIGNATURE_MAX_AGE: int
    HTTP_SIGNATURE_CLOCK_SKEW: int
    HTTP_SIGNATURE_LABEL: Optional[str]
    HTTP_SIGNATURE_COMPONENTS: tuple[str, ...]
    JWT_TOLERANCE: int
    NONCE_CACHE: str
    NONCE_PREFIX: str
    TOKEN_SECRET: Optional[str]
    TOKEN_MAX_AGE: int
    TOKEN_KEYWORD: str
    SIGNED_URL_SECRET: Optional[str]
    SIGNED_URL_LIFETIME: int
    SIGNED_URL_ALGORITHM: str
    SIGNED_URL_LEGACY_ALGORITHMS: tuple[str, ...]
    SIGNED_URL_VALUE_DUMPER: Optional[str]
    SIGNED_URL_QUOTER: Optional[str]
    SIGNED_URL_LEGACY_SHORT_SECRET: bool
    KEY_ENCRYPTION_KEYS: Optional[tuple[str, ...]]
    MAX_KEYS_PER_USER: int
    KEY_LIFETIME: Optional[int]
    DEFAULT_THROTTLE_RATE: str
    FAILED_ATTEMPTS_THRESHOLD: int
    FAILED_ATTEMPTS_WINDOW: int
    TRUSTED_PROXIES: tuple[str, ...]
    EXPLAIN: bool

    def __repr__(self) -> str:
        # Secrets stay out of reprs (and so out of tracebacks and debug pages).
        secret = {"TOKEN_SECRET", "SIGNED_URL_SECRET", "KEY_ENCRYPTION_KEYS"}
        shown = ", ".join(
            f"{f.name}={'<hidden>' if f.name in secret and getattr(self, f.name) else repr(getattr(self, f.name))}"
            for f in fields(self)
        )
        return f"CountermarkSettings({shown})"

    @property
    def token_secret(self) -> str:
        return self.TOKEN_SECRET or django_settings.SECRET_KEY

    @property
    def signed_url_secret(self) -> str:
        return self.SIGNED_URL_SECRET or django_settings.SECRET_KEY

    @property
    def key_encryption_keys(self) -> list[str]:
        """Master secrets, newest first: the first seals, every one opens."""
        if self.KEY_ENCRYPTION_KEYS:
            return list(self.KEY_ENCRYPTION_KEYS)
        fallbacks = getattr(django_settings, "SECRET_KEY_FALLBACKS", None) or []
        return [django_settings.SECRET_KEY, *fallbacks]


def raw_settings() -> dict[str, Any]:
    """``settings.COUNTERMARK`` as the project wrote it (what the system checks look at)."""
    value = getattr(django_settings, "COUNTERMARK", None)
    return {} if value is None else value


def _as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, (list, tuple)) else value


_cached: Optional[CountermarkSettings] = None


def get_settings() -> CountermarkSettings:
    """The effective settings, built once and rebuilt when Django's settings change (``override_settings``).

    Values are not validated here: ``manage.py check`` (run by ``runserver``, ``migrate`` and the test runner)
    reports bad values with their key; see :mod:`countermark.django.checks`.
    """
    global _cached
    if _cached is None:
        raw = raw_settings()
        merged = {
            name: _as_tuple(raw.get(name, default)) if isinstance(raw, dict) else _as_tuple(default)
            for name, default in DEFAULTS.items()
        }
        _cached = CountermarkSettings(**merged)
    return _cached


def _reset(*, setting: str, **_: Any) -> None:
    global _cached
    if setting in {"COUNTERMARK", "SECRET_KEY", "SECRET_KEY_FALLBACKS", "CACHES"}:
        _cached = None
        from . import keys  # the sealer and decoys hang off the settings

        keys.reset_caches()


setting_changed.connect(_reset, dispatch_uid="countermark.django.conf.reset")
