"""System checks (``manage.py check``) for the ``COUNTERMARK`` settings.

Errors (``countermark.E0xx``) stop ``runserver``, ``migrate`` and the test runner; warnings (``countermark.W0xx``)
name a setting that works but is weak in production.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from django.conf import settings as django_settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from .conf import DEFAULTS, DURATIONS, REPLACED, SCHEMES, raw_settings

__all__ = ["check_settings", "THROTTLE_RATE"]

#: A DRF throttle rate: ``<count>/<period>``.
THROTTLE_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")

_POSITIVE_INTS = (
    "TOKEN_MAX_AGE",
    "MAX_KEYS_PER_USER",
    "FAILED_ATTEMPTS_THRESHOLD",
    "FAILED_ATTEMPTS_WINDOW",
)
_STRINGS = ("AUTHORIZATION_HEADER", "REALM", "NONCE_CACHE", "NONCE_PREFIX", "TOKEN_KEYWORD")
_HMAC_ALGORITHMS = ("hmac-sha256", "hmac-sha384", "hmac-sha512")
_MIN_SECRET = 16
#: Above this KEY_CACHE_TTL (seconds), a warning: revocations would take that long to reach every process.
KEY_CACHE_TTL_WARN = 60


def _error(msg: str, hint: str, n: int) -> Error:
    return Error(msg, hint=hint, id=f"countermark.E{n:03d}")


@register(Tags.security, Tags.compatibility)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every problem of ``settings.COUNTERMARK``, each with the key it concerns."""
    raw = raw_settings()
    if not isinstance(raw, dict):
        return [_error("COUNTERMARK must be a dict.", f"Got {type(raw).__name__}.", 1)]
    out: list[CheckMessage] = []
    for name in sorted(set(raw) & set(REPLACED)):
        out.append(_error(f"COUNTERMARK['{name}'] is no longer a setting.", f"Replaced by {REPLACED[name]}.", 20))
    unknown = sorted(set(raw) - set(DEFAULTS) - set(REPLACED))
    if unknown:
        out.append(
            _error(
                f"COUNTERMARK has unknown keys: {', '.join(map(str, unknown))}.",
                f"The keys are: {', '.join(DEFAULTS)}.",
                2,
            )
        )
    conf = {**DEFAULTS, **raw}

    for name in _POSITIVE_INTS:
        value = conf[name]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            out.append(_error(f"COUNTERMARK['{name}'] must be a positive int (seconds or a count).", f"Got {value!r}.", 3))
    for name in DURATIONS:
        value = conf[name]
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf")
        ):
            out.append(
                _error(
                    f"COUNTERMARK['{name}'] must be None (the core's default) or a positive number of seconds.",
                    f"Got {value!r}.",
                    3,
                )
            )
    for name in _STRINGS:
        value = conf[name]
        if not isinstance(value, str) or not value or any(c.isspace() for c in value):
            out.append(_error(f"COUNTERMARK['{name}'] must be a non-empty string without spaces.", f"Got {value!r}.", 4))

    schemes = conf["SCHEMES"]
    if not isinstance(schemes, (list, tuple)) or not schemes or any(s not in SCHEMES for s in schemes):
        out.append(
            _error(
                "COUNTERMARK['SCHEMES'] must be a non-empty list of known schemes.",
                f"Got {schemes!r}; known: {', '.join(SCHEMES)}.",
                5,
            )
        )
    elif len(set(schemes)) != len(schemes):
        out.append(_error("COUNTERMARK['SCHEMES'] names a scheme twice.", f"Got {schemes!r}.", 5))

    algs = conf["HMAC_ALGORITHMS"]
    if not isinstance(algs, (list, tuple)) or not algs or any(a not in _HMAC_ALGORITHMS for a in algs):
        out.append(
            _error(
                "COUNTERMARK['HMAC_ALGORITHMS'] must be a non-empty list drawn from " + ", ".join(_HMAC_ALGORITHMS) + ".",
                f"Got {algs!r}." + _respelled(algs if isinstance(algs, (list, tuple)) else [algs]),
                6,
            )
        )

    components = conf["HTTP_SIGNATURE_COMPONENTS"]
    if not isinstance(components, (list, tuple)) or not all(isinstance(c, str) and c for c in components):
        out.append(_error("COUNTERMARK['HTTP_SIGNATURE_COMPONENTS'] must be a list of component names.", f"Got {components!r}.", 7))
    elif "@method" not in components or not ({"@path", "@target-uri", "@request-target"} & set(components)):
        out.append(
            _error(
                "COUNTERMARK['HTTP_SIGNATURE_COMPONENTS'] must require @method and the path "
                "(@path, @target-uri or @request-target).",
                "Without them a signature made for one request authenticates another.",
                7,
            )
        )
    label = conf["HTTP_SIGNATURE_LABEL"]
    if label is not None and (not isinstance(label, str) or not label):
        out.append(_error("COUNTERMARK['HTTP_SIGNATURE_LABEL'] must be None or a non-empty string.", f"Got {label!r}.", 8))

    for name in ("TOKEN_SECRET", "SIGNED_URL_SECRET"):
        value = conf[name]
        if name == "SIGNED_URL_SECRET" and _short_ska_secret_allowed(conf, value):
            continue  # a legacy ska secret: warned about in _check_signed_urls
        if value is not None and (not isinstance(value, str) or len(value.encode()) < _MIN_SECRET):
            out.append(_error(f"COUNTERMARK['{name}'] must be None or a string of at least {_MIN_SECRET} bytes.", "Generate one with: countermark keygen", 9))
    masters = conf["KEY_ENCRYPTION_KEYS"]
    if masters is not None and (
        not isinstance(masters, (list, tuple))
        or not masters
        or any(not isinstance(m, str) or len(m.encode()) < _MIN_SECRET for m in masters)
    ):
        out.append(
            _error(
                f"COUNTERMARK['KEY_ENCRYPTION_KEYS'] must be None or a non-empty list of strings of at least "
                f"{_MIN_SECRET} bytes, newest first.",
                "Keep the old ones after the new one until `manage.py countermark_reseal` has run.",
                10,
            )
        )
    lifetime = conf["KEY_LIFETIME"]
    if lifetime is not None and (isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime <= 0):
        out.append(_error("COUNTERMARK['KEY_LIFETIME'] must be None or a positive int (seconds).", f"Got {lifetime!r}.", 11))
    ttl = conf["KEY_CACHE_TTL"]
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not 0 <= ttl < float("inf"):
        out.append(
            _error(
                "COUNTERMARK['KEY_CACHE_TTL'] must be a number of seconds, 0 or more (0: no key cache).",
                f"Got {ttl!r}.",
                28,
            )
        )
    elif ttl > KEY_CACHE_TTL_WARN:
        out.append(
            Warning(
                f"COUNTERMARK['KEY_CACHE_TTL'] is {ttl} s: a key revoked in one process is still accepted by the "
                "others for that long.",
                hint=f"Keep it at {KEY_CACHE_TTL_WARN} s or less (the default is {DEFAULTS['KEY_CACHE_TTL']} s).",
                id="countermark.W014",
            )
        )
    size = conf["KEY_CACHE_SIZE"]
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        out.append(_error("COUNTERMARK['KEY_CACHE_SIZE'] must be an int, 0 or more (0: no key cache).", f"Got {size!r}.", 28))
    rate = conf["DEFAULT_THROTTLE_RATE"]
    if not isinstance(rate, str) or not THROTTLE_RATE.match(rate):
        out.append(_error("COUNTERMARK['DEFAULT_THROTTLE_RATE'] must look like '200/min'.", f"Got {rate!r}.", 12))
    proxies = conf["TRUSTED_PROXIES"]
    if not isinstance(proxies, (list, tuple)) or not all(_is_network(p) for p in proxies):
        out.append(
            _error(
                "COUNTERMARK['TRUSTED_PROXIES'] must be a list of IP addresses or networks (\"10.0.0.0/8\").",
                f"Got {proxies!r}. List only the reverse proxies that append to X-Forwarded-For.",
                21,
            )
        )

    explain = conf["EXPLAIN"]
    if not isinstance(explain, bool):
        out.append(_error("COUNTERMARK['EXPLAIN'] must be True or False.", f"Got {explain!r}.", 26))
    elif explain and not django_settings.DEBUG:
        out.append(
            _error(
                "COUNTERMARK['EXPLAIN'] is on without DEBUG.",
                "Explanations show the signature the server expected for any request sent to it: a client could "
                "use them to forge requests. Turn EXPLAIN on in development only, with DEBUG = True.",
                27,
            )
        )

    out.extend(_check_nonce_cache(conf["NONCE_CACHE"]))
    out.extend(_check_middleware())
    out.extend(_check_drf_permissions())
    out.extend(_check_signed_urls(conf))
    out.extend(_check_migration_features(conf))
    return out


_JWKS_SECONDS = ("JWKS_CACHE_TTL", "JWKS_CACHE_MAX_AGE", "JWKS_REFRESH_COOLDOWN", "JWKS_FETCH_TIMEOUT", "JWKS_VIEW_TTL")
_TOKEN_ALGORITHMS = ("hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512")


def _positive_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and 0 < value < float("inf")


def _check_migration_features(conf: dict[str, Any]) -> list[CheckMessage]:
    """The settings of the features that mirror asymmetric-jwt-auth (JWKS), ska (providers, single use) and
    handshake (its hashfunc): E050-E058, W050-W052."""
    import countermark

    out: list[CheckMessage] = []
    for name in _JWKS_SECONDS:
        if not _positive_number(conf[name]):
            out.append(_error(f"COUNTERMARK['{name}'] must be a positive number of seconds.", f"Got {conf[name]!r}.", 50))
    if all(_positive_number(conf[n]) for n in _JWKS_SECONDS):
        if conf["JWKS_CACHE_TTL"] > conf["JWKS_CACHE_MAX_AGE"]:
            out.append(
                _error(
                    "COUNTERMARK['JWKS_CACHE_TTL'] is above JWKS_CACHE_MAX_AGE.",
                    "Key sets would stop being trusted before they are refreshed: keep the TTL below the maximum age.",
                    51,
                )
            )
        if conf["JWKS_FETCH_TIMEOUT"] >= conf["JWKS_REFRESH_COOLDOWN"]:
            out.append(
                Warning(
                    "COUNTERMARK['JWKS_FETCH_TIMEOUT'] is not below JWKS_REFRESH_COOLDOWN.",
                    hint="One slow JWKS URL holds up every refresh queued behind it; keep the timeout well below the cooldown.",
                    id="countermark.W050",
                )
            )
    limit = conf["JWKS_MAX_RESPONSE_BYTES"]
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= countermark.Jwks.MAX_LEN):
        out.append(
            _error(
                f"COUNTERMARK['JWKS_MAX_RESPONSE_BYTES'] must be None or an int from 1 to {countermark.Jwks.MAX_LEN} "
                "(the core's Jwks.MAX_LEN).",
                f"Got {limit!r}.",
                52,
            )
        )
    alias = conf["JWKS_CACHE"]
    if not isinstance(alias, str) or alias not in getattr(django_settings, "CACHES", {"default": {}}):
        out.append(_error("COUNTERMARK['JWKS_CACHE'] must name a cache of settings.CACHES.", f"Got {alias!r}.", 53))
    keys = conf["JWKS_PUBLIC_KEYS"]
    if not isinstance(keys, (list, tuple)) or not all(isinstance(k, str) for k in keys):
        out.append(_error("COUNTERMARK['JWKS_PUBLIC_KEYS'] must be a list of PEM or OpenSSH public keys.", f"Got {keys!r}.", 54))
    else:
        for i, text in enumerate(keys):
            try:
                countermark.VerifyingKey.from_pem(text)
            except countermark.CountermarkError as e:
                out.append(_error(f"COUNTERMARK['JWKS_PUBLIC_KEYS'][{i}] is not a public key countermark accepts.", str(e), 54))
    for name in ("JWKS_PUBLISH_USER_KEYS", "SIGNED_URL_SINGLE_USE"):
        if not isinstance(conf[name], bool):
            out.append(_error(f"COUNTERMARK['{name}'] must be True or False.", f"Got {conf[name]!r}.", 55))
    out.extend(_check_providers(conf))
    alg = conf["TOKEN_ALGORITHM"]
    if alg not in _TOKEN_ALGORITHMS:
        out.append(
            _error(
                "COUNTERMARK['TOKEN_ALGORITHM'] must be one of " + ", ".join(_TOKEN_ALGORITHMS) + ".",
                f"Got {alg!r}: handshake's hashfunc=hashlib.sha512 is 'hmac-sha512'." + _respelled([alg]),
                57,
            )
        )
    elif alg == "hmac-sha1":
        out.append(
            Warning(
                "COUNTERMARK['TOKEN_ALGORITHM'] is hmac-sha1.",
                hint="Keep it only while tokens made with handshake's hashfunc=hashlib.sha1 are in use.",
                id="countermark.W052",
            )
        )
    return out


def _check_providers(conf: dict[str, Any]) -> list[CheckMessage]:
    providers = conf["SIGNED_URL_PROVIDERS"]
    if not isinstance(providers, dict):
        return [_error("COUNTERMARK['SIGNED_URL_PROVIDERS'] must be a dict (ska's PROVIDERS).", f"Got {type(providers).__name__}.", 56)]
    out: list[CheckMessage] = []
    legacy = _short_ska_secret_allowed(conf, "x")
    for name, entry in providers.items():
        secret = entry.get("SECRET_KEY") if isinstance(entry, dict) else entry
        if not isinstance(name, str) or not name:
            out.append(_error("COUNTERMARK['SIGNED_URL_PROVIDERS'] keys must be non-empty strings.", f"Got {name!r}.", 56))
        elif not isinstance(secret, str) or not secret:
            out.append(
                _error(
                    f"COUNTERMARK['SIGNED_URL_PROVIDERS'][{name!r}] has no secret.",
                    "Give {'SECRET_KEY': '...'} (ska's form) or the secret string.",
                    56,
                )
            )
        elif len(secret.encode()) < _MIN_SECRET and not legacy:
            out.append(
                _error(
                    f"COUNTERMARK['SIGNED_URL_PROVIDERS'][{name!r}] has a secret under {_MIN_SECRET} bytes.",
                    "Set SIGNED_URL_LEGACY_SHORT_SECRET = True to keep a short ska secret while its links live.",
                    56,
                )
            )
        if isinstance(entry, dict) and set(entry) - {"SECRET_KEY"}:
            out.append(
                Warning(
                    f"COUNTERMARK['SIGNED_URL_PROVIDERS'][{name!r}] sets {', '.join(sorted(map(str, set(entry) - {'SECRET_KEY'})))}.",
                    hint="Only SECRET_KEY is read: countermark authenticates existing users and runs no ska callbacks.",
                    id="countermark.W051",
                )
            )
    return out


_SKA_ALGORITHMS = ("hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-md5")
#: Spellings of countermark 0.1 (``sha256``, ``HMAC-SHA256``) -> the one spelling.
_OLD_SPELLINGS = {
    old: new
    for new in (*_SKA_ALGORITHMS, "hmac-blake2s", "hmac-blake2b")
    for old in (new.removeprefix("hmac-"), new.upper(), new.removeprefix("hmac-").upper())
}


def _respelled(values: Any) -> str:
    """A hint naming the one spelling of every algorithm given in an old spelling (empty when there is none)."""
    found = [(v, _OLD_SPELLINGS[v]) for v in values if isinstance(v, str) and v in _OLD_SPELLINGS]
    if not found:
        return ""
    return " Algorithm names are spelled " + ", ".join(f"{new!r} (not {old!r})" for old, new in found) + "."
_SKA_HELPERS = (None, "python", "javascript")


def _short_ska_secret_allowed(conf: dict[str, Any], value: Any) -> bool:
    """``SIGNED_URL_SECRET`` is a non-empty string under 16 bytes and ``SIGNED_URL_LEGACY_SHORT_SECRET`` is True."""
    return (
        conf["SIGNED_URL_LEGACY_SHORT_SECRET"] is True
        and isinstance(value, str)
        and 0 < len(value.encode()) < _MIN_SECRET
    )


def _check_signed_urls(conf: dict[str, Any]) -> list[CheckMessage]:
    """The signed-URL keys: algorithm, legacy algorithms, ska's helpers and the legacy short secret."""
    out: list[CheckMessage] = []
    alg = conf["SIGNED_URL_ALGORITHM"]
    if alg not in _SKA_ALGORITHMS:
        out.append(
            _error(
                "COUNTERMARK['SIGNED_URL_ALGORITHM'] must be one of " + ", ".join(_SKA_ALGORITHMS) + ".",
                f"Got {alg!r}." + _respelled([alg]),
                22,
            )
        )
    elif alg == "hmac-md5":
        out.append(
            Warning(
                "COUNTERMARK['SIGNED_URL_ALGORITHM'] is hmac-md5: new signed URLs are signed with HMAC-MD5, a legacy "
                "algorithm kept for existing ska links.",
                hint="Sign with hmac-sha256 and list hmac-md5 in SIGNED_URL_LEGACY_ALGORITHMS to keep validating old "
                "links.",
                id="countermark.W012",
            )
        )
    legacy = conf["SIGNED_URL_LEGACY_ALGORITHMS"]
    if not isinstance(legacy, (list, tuple)) or any(a not in _SKA_ALGORITHMS for a in legacy):
        out.append(
            _error(
                "COUNTERMARK['SIGNED_URL_LEGACY_ALGORITHMS'] must be a list drawn from " + ", ".join(_SKA_ALGORITHMS) + ".",
                f"Got {legacy!r}." + _respelled(legacy if isinstance(legacy, (list, tuple)) else [legacy]),
                23,
            )
        )
    for name in ("SIGNED_URL_VALUE_DUMPER", "SIGNED_URL_QUOTER"):
        if conf[name] not in _SKA_HELPERS:
            out.append(_error(f"COUNTERMARK['{name}'] must be None, 'python' or 'javascript'.", f"Got {conf[name]!r}.", 24))
    flag = conf["SIGNED_URL_LEGACY_SHORT_SECRET"]
    if not isinstance(flag, bool):
        out.append(_error("COUNTERMARK['SIGNED_URL_LEGACY_SHORT_SECRET'] must be True or False.", f"Got {flag!r}.", 25))
    elif _short_ska_secret_allowed(conf, conf["SIGNED_URL_SECRET"]):
        out.append(
            Warning(
                f"COUNTERMARK['SIGNED_URL_SECRET'] is shorter than {_MIN_SECRET} bytes (allowed by "
                "SIGNED_URL_LEGACY_SHORT_SECRET for an existing ska deployment): it is easier to guess.",
                hint="Move to a new secret of 32 bytes (countermark keygen) on both sides.",
                id="countermark.W011",
            )
        )
    out.extend(_check_shared_secret(conf, {alg, *(legacy if isinstance(legacy, (list, tuple)) else ())}))
    return out


def _check_shared_secret(conf: dict[str, Any], url_hashes: set[Any]) -> list[CheckMessage]:
    """Tokens and signed URLs under one secret and one hash: a MAC made in one format can pass in the other
    (SECURITY.md, "Never share one secret between schemes")."""
    token_algorithm = conf["TOKEN_ALGORITHM"]
    secret_key = getattr(django_settings, "SECRET_KEY", None)
    if token_algorithm not in url_hashes or (conf["TOKEN_SECRET"] or secret_key) != (conf["SIGNED_URL_SECRET"] or secret_key):
        return []
    return [
        Warning(
            f"Tokens and signed URLs share one secret and the hash {token_algorithm}: a signature made in one "
            "format can be accepted in the other.",
            hint="Give TOKEN_SECRET and SIGNED_URL_SECRET different secrets (countermark keygen makes one).",
            id="countermark.W013",
        )
    ]


def _is_network(value: Any) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except (TypeError, ValueError):
        return False
    return isinstance(value, str)


#: DRF permission classes that let requests without credentials through (for some methods at least).
_ANONYMOUS_PERMISSIONS = {
    "rest_framework.permissions.AllowAny",
    "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
}


def _check_drf_permissions() -> list[CheckMessage]:
    """DRF's default permission is ``AllowAny``: with it, a request without credentials reaches every view as
    ``AnonymousUser``, whatever the authentication classes say."""
    drf = getattr(django_settings, "REST_FRAMEWORK", None) or {}
    if not isinstance(drf, dict):
        return []
    classes = [str(c) for c in drf.get("DEFAULT_AUTHENTICATION_CLASSES", None) or []]
    if not any(c.startswith("countermark.django.drf.") for c in classes):
        return []
    permissions = [str(p) for p in drf.get("DEFAULT_PERMISSION_CLASSES", ["rest_framework.permissions.AllowAny"])]
    if permissions and not set(permissions) & _ANONYMOUS_PERMISSIONS:
        return []
    return [
        Warning(
            "REST_FRAMEWORK uses countermark's authentication classes, but its DEFAULT_PERMISSION_CLASSES let "
            "requests without credentials through: every view that sets no permission_classes answers them as "
            "AnonymousUser.",
            hint='Add "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"] and open '
            "public views one by one with permission_classes = [AllowAny].",
            id="countermark.W010",
        )
    ]


def _check_middleware() -> list[CheckMessage]:
    middleware = list(getattr(django_settings, "MIDDLEWARE", None) or [])
    ours = "countermark.django.middleware.CountermarkMiddleware"
    if ours not in middleware:
        return []
    out: list[CheckMessage] = []
    auth = "django.contrib.auth.middleware.AuthenticationMiddleware"
    if auth in middleware and middleware.index(auth) > middleware.index(ours):
        out.append(_error(f"{ours} must come after {auth} in MIDDLEWARE.", "Otherwise the user it sets is replaced.", 16))
    backends = getattr(django_settings, "AUTHENTICATION_BACKENDS", [])
    if not any(b.startswith("countermark.django.backends.") for b in backends):
        out.append(
            _error(
                f"{ours} needs countermark.django.backends.CountermarkBackend in AUTHENTICATION_BACKENDS.",
                "Add it after ModelBackend.",
                17,
            )
        )
    return out


def _check_nonce_cache(alias: Any) -> list[CheckMessage]:
    caches = getattr(django_settings, "CACHES", {}) or {}
    if not isinstance(alias, str) or alias not in caches:
        return [
            _error(
                f"COUNTERMARK['NONCE_CACHE'] names the cache {alias!r}, which is not in CACHES.",
                f"Configured caches: {', '.join(caches) or 'none'}.",
                14,
            )
        ]
    backend = str(caches[alias].get("BACKEND", ""))
    if backend.endswith("DummyCache"):
        return [
            _error(
                f"COUNTERMARK['NONCE_CACHE'] ({alias!r}) is a DummyCache, which remembers nothing: every replayed "
                "request would be accepted.",
                "Use Redis (django.core.cache.backends.redis.RedisCache) or another shared cache.",
                15,
            )
        ]
    if backend.endswith(("LocMemCache", "FileBasedCache")):
        return [
            Warning(
                f"COUNTERMARK['NONCE_CACHE'] ({alias!r}) is {backend.rsplit('.', 1)[-1]}: replays are only caught "
                "inside one process (locmem) or one machine (file).",
                hint="Use a cache every worker shares (Redis) in production.",
                id="countermark.W001",
            )
        ]
    return []
