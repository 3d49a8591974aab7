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
``FOST_CLOCK_SKEW``            ``None``: the core's                        seconds (int or float) a FOST timestamp
                               ``fost::DEFAULT_CLOCK_SKEW``                may be ahead of or behind the server's
                                                                           clock
``HMAC_MAX_AGE``               ``None``: the core's                        seconds an ``HMAC-SHA*`` header may be
                               ``hmac_header::DEFAULT_MAX_AGE``            old
``HMAC_ALGORITHMS``            ``["hmac-sha256", "hmac-sha384",            ``HMAC-SHA*`` methods accepted, in the
                               "hmac-sha512"]``                            one spelling of algorithm names
``HTTP_SIGNATURE_MAX_AGE``     ``None``: the core's RFC 9421               seconds an RFC 9421 ``created`` may be
                               ``DEFAULT_MAX_AGE``                         old
``HTTP_SIGNATURE_CLOCK_SKEW``  ``None``: the core's RFC 9421               seconds an RFC 9421 ``created`` may be
                               ``DEFAULT_CLOCK_SKEW``                      ahead of the server's clock
``HTTP_SIGNATURE_LABEL``       ``None`` (the only signature)               RFC 9421 signature label to verify
``HTTP_SIGNATURE_COMPONENTS``  ``["@method", "@authority", "@path"]``      components every RFC 9421 signature must
                                                                           cover (``content-digest`` too whenever
                                                                           the request has a body)
``JWT_CLOCK_SKEW``             ``None``: the core's                        seconds an asymmetric JWT's ``time``
                               ``jwt::DEFAULT_CLOCK_SKEW``                 claim may be ahead of or behind the
                                                                           server's clock
``NONCE_CACHE``                ``"default"``                               Django cache alias for single-use values
``NONCE_PREFIX``               ``"countermark:nonce:"``                    prefix of those cache keys
``TOKEN_SECRET``               ``None`` (``SECRET_KEY``)                   secret of handshake-format tokens
``TOKEN_MAX_AGE``              ``3600`` (s)                                token lifetime
``TOKEN_KEYWORD``              ``"Token"``                                 ``Authorization: <keyword> <token>``
``SIGNED_URL_SECRET``          ``None`` (``SECRET_KEY``)                   secret of ska signed URLs
``SIGNED_URL_LIFETIME``        ``None``: the core's                        seconds (int or float) URLs this app
                               ``UrlSigner::DEFAULT_LIFETIME`` (ska's)     signs are valid
``SIGNED_URL_ALGORITHM``       ``"hmac-sha1"`` (ska's ``Signature``)       HMAC algorithm that signs and validates
                                                                           signed URLs: ``hmac-sha1``,
                                                                           ``hmac-sha224``, ``hmac-sha256``,
                                                                           ``hmac-sha384``, ``hmac-sha512``, or
                                                                           ``hmac-md5`` (legacy, with a check
                                                                           warning)
``SIGNED_URL_LEGACY_ALGORITHMS`` ``[]``                                    more algorithms accepted when
                                                                           *validating* only (e.g.
                                                                           ``["hmac-md5"]`` for links of ska's
                                                                           ``HMACMD5Signature``)
``SIGNED_URL_VALUE_DUMPER``    ``None`` (ska's default)                    ``"python"`` or ``"javascript"``: ska's
                                                                           ``javascript_value_dumper``
``SIGNED_URL_QUOTER``          ``None`` (ska's default)                    ``"python"`` or ``"javascript"``: ska's
                                                                           ``javascript_quoter``, for links made by
                                                                           ska's JavaScript port
``SIGNED_URL_LEGACY_SHORT_SECRET`` ``False``                               allow a ``SIGNED_URL_SECRET`` under 16
                                                                           bytes (ska has no minimum), with a check
                                                                           warning
``SIGNED_URL_PROVIDERS``       ``{}``                                      ska's ``PROVIDERS``: ``{"name":
                                                                           {"SECRET_KEY": "..."}}`` (or ``{"name":
                                                                           "secret"}``); a signed URL whose signed
                                                                           ``provider`` extra field names one is
                                                                           validated with that provider's secret
``SIGNED_URL_SINGLE_USE``      ``False``                                   a signed URL authenticates once
                                                                           (ska's ``DB_STORE_SIGNATURES`` +
                                                                           ``DB_PERFORM_SIGNATURE_CHECK``), through
                                                                           ``cache.add`` in ``NONCE_CACHE`` until
                                                                           its ``valid_until``
``TOKEN_ALGORITHM``            ``"hmac-sha256"`` (handshake's ``sha256``)  HMAC of handshake-format tokens:
                                                                           handshake's ``hashfunc``
                                                                           (``hmac-sha1``, ``hmac-sha224``,
                                                                           ``hmac-sha256``, ``hmac-sha384``,
                                                                           ``hmac-sha512``)
``JWKS_CACHE``                 ``"default"``                               Django cache alias of fetched key sets
``JWKS_CACHE_TTL``             ``300`` (s)                                 age at which a key set is refreshed in
                                                                           the background
``JWKS_CACHE_MAX_AGE``         ``3600`` (s)                                age at which a key set is no longer
                                                                           trusted
``JWKS_REFRESH_COOLDOWN``      ``30`` (s)                                  least time between two fetches of one
                                                                           URL
``JWKS_FETCH_TIMEOUT``         ``5`` (s)                                   time a whole download may take
``JWKS_MAX_RESPONSE_BYTES``    ``None``: the core's ``Jwks.MAX_LEN``       largest JWKS body accepted (may only be
                               (1 MiB)                                     lowered)
``JWKS_PUBLIC_KEYS``           ``[]``                                      PEM or OpenSSH public keys the
                                                                           ``jwks.json`` view publishes
                                                                           (asymmetric-jwt-auth's
                                                                           ``SIGNING_PUBLIC_KEYS``)
``JWKS_PUBLISH_USER_KEYS``     ``False``                                   serve each user's public keys at
                                                                           ``users/<username>/jwks.json``
``JWKS_VIEW_TTL``              ``300`` (s)                                 ``Cache-Control: max-age`` of those two
                                                                           views
``KEY_ENCRYPTION_KEYS``        ``None`` (``SECRET_KEY`` then               master secrets, newest first, that seal
                               ``SECRET_KEY_FALLBACKS``)                   API-key secrets at rest (AES-256-GCM)
``MAX_KEYS_PER_USER``          ``5``                                       live (not revoked, not expired) API keys
``KEY_LIFETIME``               ``None`` (no expiry)                        seconds new API keys live
``KEY_CACHE_TTL``              ``5`` (s)                                   seconds an API key's row and opened
                                                                           secret stay in the process's key cache
                                                                           (:mod:`~countermark.django.keycache`):
                                                                           a revocation made elsewhere is honoured
                                                                           within this bound; ``0``: no cache
``KEY_CACHE_SIZE``             ``1000``                                    most keys in that cache per process
                                                                           (the oldest goes first); ``0``: no cache
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
``PASS_UNKNOWN_KEYS``          ``[]``                                      schemes (of ``hmac``, ``fost``,
                                                                           ``rfc9421``, ``jwt``) whose credentials
                                                                           naming a key id (a JWT: a user key)
                                                                           countermark does not hold are left to
                                                                           the next authentication class instead
                                                                           of refused: for the switch-over from a
                                                                           reference library still installed
                                                                           (:mod:`~countermark.django.migration`;
                                                                           a check warning while set)
``RETIRE_LEGACY_AFTER_RFC9421`` ``False``                                  once an API key has signed an RFC 9421
                                                                           request, refuse its ``hmac`` and
                                                                           ``fost`` credentials (``scheme_retired``)
``KILL_SWITCH_CACHE``          ``None``                                    cache alias whose
                                                                           ``HMAC_KILL_SWITCH__<key id>`` entries
                                                                           refuse that key (``revoked``), as
                                                                           django-hmac-authentication's
                                                                           ``HMAC_KILL_SWITCH``
=============================  ==========================================  ==========================================

Every duration is a number of seconds (``int`` or ``float``). A duration left unset (``None``) is not passed to
countermark, so the core's default applies: ``countermark.policy_defaults()`` lists them as the policies
describe themselves (``clock_skew=... max_age=...``).

Keys of 0.1 and their replacements (``manage.py check`` errors when an old key is set): ``CLOCK_SKEW`` ->
``FOST_CLOCK_SKEW``, ``REQUEST_TIMEOUT`` -> ``HMAC_MAX_AGE``, ``JWT_TOLERANCE`` -> ``JWT_CLOCK_SKEW``; algorithm
names are spelled ``hmac-sha256`` (not ``sha256``) in ``HMAC_ALGORITHMS`` and the ``SIGNED_URL_*ALGORITHM*`` keys.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Optional

from django.conf import settings as django_settings
from django.core.signals import setting_changed

__all__ = ["DEFAULTS", "DURATIONS", "REPLACED", "SCHEMES", "CountermarkSettings", "get_settings"]

#: Every scheme this app authenticates, in the default order.
SCHEMES = ("hmac", "fost", "rfc9421", "jwt", "signed_url", "token")

DEFAULTS: dict[str, Any] = {
    "SCHEMES": list(SCHEMES),
    "AUTHORIZATION_HEADER": "Authorization",
    "REALM": "api",
    "FOST_CLOCK_SKEW": None,
    "HMAC_MAX_AGE": None,
    "HMAC_ALGORITHMS": ["hmac-sha256", "hmac-sha384", "hmac-sha512"],
    "HTTP_SIGNATURE_MAX_AGE": None,
    "HTTP_SIGNATURE_CLOCK_SKEW": None,
    "HTTP_SIGNATURE_LABEL": None,
    "HTTP_SIGNATURE_COMPONENTS": ["@method", "@authority", "@path"],
    "JWT_CLOCK_SKEW": None,
    "NONCE_CACHE": "default",
    "NONCE_PREFIX": "countermark:nonce:",
    "TOKEN_SECRET": None,
    "TOKEN_MAX_AGE": 3600,
    "TOKEN_KEYWORD": "Token",
    "SIGNED_URL_SECRET": None,
    "SIGNED_URL_LIFETIME": None,
    "SIGNED_URL_ALGORITHM": "hmac-sha1",
    "SIGNED_URL_LEGACY_ALGORITHMS": [],
    "SIGNED_URL_VALUE_DUMPER": None,
    "SIGNED_URL_QUOTER": None,
    "SIGNED_URL_LEGACY_SHORT_SECRET": False,
    "SIGNED_URL_PROVIDERS": {},
    "SIGNED_URL_SINGLE_USE": False,
    "TOKEN_ALGORITHM": "hmac-sha256",
    "JWKS_CACHE": "default",
    "JWKS_CACHE_TTL": 300,
    "JWKS_CACHE_MAX_AGE": 3600,
    "JWKS_REFRESH_COOLDOWN": 30,
    "JWKS_FETCH_TIMEOUT": 5,
    "JWKS_MAX_RESPONSE_BYTES": None,
    "JWKS_PUBLIC_KEYS": [],
    "JWKS_PUBLISH_USER_KEYS": False,
    "JWKS_VIEW_TTL": 300,
    "KEY_ENCRYPTION_KEYS": None,
    "MAX_KEYS_PER_USER": 5,
    "KEY_LIFETIME": None,
    "KEY_CACHE_TTL": 5,
    "KEY_CACHE_SIZE": 1000,
    "DEFAULT_THROTTLE_RATE": "200/min",
    "FAILED_ATTEMPTS_THRESHOLD": 5,
    "FAILED_ATTEMPTS_WINDOW": 300,
    "TRUSTED_PROXIES": [],
    "EXPLAIN": False,
    "PASS_UNKNOWN_KEYS": [],
    "RETIRE_LEGACY_AFTER_RFC9421": False,
    "KILL_SWITCH_CACHE": None,
}

#: Keys of earlier versions and what replaced them (``manage.py check`` names the replacement).
REPLACED = {
    "LOCKOUT_BASE": "FAILED_ATTEMPTS_WINDOW (keys are no longer locked: failing client addresses are throttled)",
    "LOCKOUT_MAX": "FAILED_ATTEMPTS_WINDOW (keys are no longer locked: failing client addresses are throttled)",
    "CLOCK_SKEW": "FOST_CLOCK_SKEW (seconds; unset means the core's default)",
    "REQUEST_TIMEOUT": "HMAC_MAX_AGE (seconds; unset means the core's default)",
    "JWT_TOLERANCE": "JWT_CLOCK_SKEW (seconds; unset means the core's default)",
}

#: Durations: None (the core's default) or a positive number of seconds.
DURATIONS = (
    "FOST_CLOCK_SKEW",
    "HMAC_MAX_AGE",
    "HTTP_SIGNATURE_MAX_AGE",
    "HTTP_SIGNATURE_CLOCK_SKEW",
    "JWT_CLOCK_SKEW",
    "SIGNED_URL_LIFETIME",
)


@dataclass(frozen=True)
class CountermarkSettings:
    """The effective settings: ``DEFAULTS`` overlaid with ``settings.COUNTERMARK`` (see the module docs)."""

    SCHEMES: tuple[str, ...]
    AUTHORIZATION_HEADER: str
    REALM: str
    FOST_CLOCK_SKEW: Optional[float]
    HMAC_MAX_AGE: Optional[float]
    HMAC_ALGORITHMS: tuple[str, ...]
    HTTP_SIGNATURE_MAX_AGE: Optional[float]
    HTTP_SIGNATURE_CLOCK_SKEW: Optional[float]
    HTTP_SIGNATURE_LABEL: Optional[str]
    HTTP_SIGNATURE_COMPONENTS: tuple[str, ...]
    JWT_CLOCK_SKEW: Optional[float]
    NONCE_CACHE: str
    NONCE_PREFIX: str
    TOKEN_SECRET: Optional[str]
    TOKEN_MAX_AGE: int
    TOKEN_KEYWORD: str
    SIGNED_URL_SECRET: Optional[str]
    SIGNED_URL_LIFETIME: Optional[float]
    SIGNED_URL_ALGORITHM: str
    SIGNED_URL_LEGACY_ALGORITHMS: tuple[str, ...]
    SIGNED_URL_VALUE_DUMPER: Optional[str]
    SIGNED_URL_QUOTER: Optional[str]
    SIGNED_URL_LEGACY_SHORT_SECRET: bool
    SIGNED_URL_PROVIDERS: dict[str, Any]
    SIGNED_URL_SINGLE_USE: bool
    TOKEN_ALGORITHM: str
    JWKS_CACHE: str
    JWKS_CACHE_TTL: float
    JWKS_CACHE_MAX_AGE: float
    JWKS_REFRESH_COOLDOWN: float
    JWKS_FETCH_TIMEOUT: float
    JWKS_MAX_RESPONSE_BYTES: Optional[int]
    JWKS_PUBLIC_KEYS: tuple[str, ...]
    JWKS_PUBLISH_USER_KEYS: bool
    JWKS_VIEW_TTL: int
    KEY_ENCRYPTION_KEYS: Optional[tuple[str, ...]]
    MAX_KEYS_PER_USER: int
    KEY_LIFETIME: Optional[int]
    KEY_CACHE_TTL: float
    KEY_CACHE_SIZE: int
    DEFAULT_THROTTLE_RATE: str
    FAILED_ATTEMPTS_THRESHOLD: int
    FAILED_ATTEMPTS_WINDOW: int
    TRUSTED_PROXIES: tuple[str, ...]
    EXPLAIN: bool
    PASS_UNKNOWN_KEYS: tuple[str, ...]
    RETIRE_LEGACY_AFTER_RFC9421: bool
    KILL_SWITCH_CACHE: Optional[str]

    def __repr__(self) -> str:
        # Secrets stay out of reprs (and so out of tracebacks and debug pages).
        secret = {"TOKEN_SECRET", "SIGNED_URL_SECRET", "KEY_ENCRYPTION_KEYS", "SIGNED_URL_PROVIDERS"}
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

    def provider_secret(self, provider: str) -> Optional[str]:
        """The secret of ska provider ``provider`` in ``SIGNED_URL_PROVIDERS`` (None when it has none)."""
        entry = self.SIGNED_URL_PROVIDERS.get(provider) if isinstance(self.SIGNED_URL_PROVIDERS, dict) else None
        if isinstance(entry, dict):
            entry = entry.get("SECRET_KEY")
        return entry if isinstance(entry, str) and entry else None

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
        from . import jwks, keys  # the sealer, decoys and parsed key sets hang off the settings
        from .keycache import key_cache

        keys.reset_caches()
        jwks.reset()
        key_cache.clear()


setting_changed.connect(_reset, dispatch_uid="countermark.django.conf.reset")
