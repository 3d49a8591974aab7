"""One authenticator per scheme, shared by the DRF classes, the backend and the middleware.

Each :class:`Scheme` answers a Django ``HttpRequest`` with ``None`` (no credentials of this scheme: leave the
request to the next one), ``(user, Signed)`` (verified), or raises :class:`AuthenticationError` with a stable
``reason`` (the words of :mod:`countermark.exceptions` plus ``revoked``, ``key_expired``, ``inactive_user``,
``user_mismatch``, ``scheme_retired`` and ``throttled``).

Unknown key ids and unknown users are verified against a decoy key and so fail as a bad signature does: the same
answer (``bad_signature``), the same work. The precise cause goes to the ``countermark.django`` logger.

With ``COUNTERMARK["PASS_UNKNOWN_KEYS"]`` naming a scheme, credentials of that scheme whose key id (JWT: whose
user key) countermark does not hold are left to the next authentication class instead, for the switch-over from
a reference library (:mod:`~countermark.django.migration`); keys countermark holds are verified as always.

Every refusal is counted for the client address and the claimed key id (:mod:`~countermark.django.failures`);
an address with ``FAILED_ATTEMPTS_THRESHOLD`` refusals in ``FAILED_ATTEMPTS_WINDOW`` gets 429 ``throttled`` for
its credentials, before any key is looked up. Keys themselves are never locked.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Optional, TypeVar, Union

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.http import HttpRequest
from django.http.request import split_domain_port, validate_host
from django.utils.translation import gettext_lazy as _

import countermark
from countermark import exceptions as cm_errors

from .conf import get_settings
from . import failures, jwks, keycache, usage
from .keycache import CachedKey, key_cache
from .keys import decoy_verifying_key, nonce_store, open_decoy_api_secret
from .models import ApiKey, PublicKey

__all__ = [
    "AuthenticationError",
    "Signed",
    "Scheme",
    "HmacScheme",
    "FostScheme",
    "HttpSignatureScheme",
    "JwtScheme",
    "SignedUrlScheme",
    "TokenScheme",
    "SCHEME_CLASSES",
    "core_request",
    "explanation",
    "make_token",
    "url_signer",
    "validate_signed_params",
    "UnknownProvider",
    "PROVIDER_FIELD",
]

logger = logging.getLogger("countermark.django")

#: Longest key id looked up in the database; longer ones go straight to the decoy.
MAX_KEY_ID = 64

MESSAGES = {
    "malformed": _("The credentials are malformed."),
    "too_large": _("The credentials are too large."),
    "expired": _("The credentials have expired."),
    "not_yet_valid": _("The credentials are dated in the future."),
    "bad_signature": _("Signature verification failed."),
    "replayed": _("These credentials were already used."),
    "unsupported_algorithm": _("This algorithm is not accepted here."),
    "revoked": _("This key has been revoked."),
    "key_expired": _("This key has expired."),
    "throttled": _("Too many refused credentials from this address: try again later."),
    "inactive_user": _("This user is inactive."),
    "user_mismatch": _("The signed user is not the key's owner."),
    "unavailable": _("Replay protection is unavailable; try again later."),
    "missing": _("This URL must be signed."),
    "scheme_retired": _("This key signs with RFC 9421 now: this scheme is off for it."),
}


class AuthenticationError(Exception):
    """Credentials of ``scheme`` were presented and refused; ``reason`` is a stable code, ``status`` 401 (429
    ``throttled`` with ``retry_after`` seconds; 503 when the cache could not be reached)."""

    def __init__(self, scheme: str, reason: str, *, status: int = 401, retry_after: Optional[int] = None) -> None:
        self.scheme = scheme
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.message = str(MESSAGES.get(reason, MESSAGES["malformed"]))
        super().__init__(f"{scheme}: {reason}")


@dataclass(frozen=True)
class Signed:
    """What was verified: set as ``request.signed`` (and DRF's ``request.auth``)."""

    scheme: str
    key_id: Optional[str]
    user: str
    covered: tuple[str, ...] = ()
    algorithm: Optional[str] = None
    created: Optional[float] = None
    extra: dict[str, str] = field(default_factory=dict)


T = TypeVar("T")


def _user_by_name(username: Optional[str]) -> Any:
    if not username:
        return None
    User = get_user_model()
    try:
        return User._default_manager.get_by_natural_key(username)
    except (User.DoesNotExist, ValueError, TypeError):
        return None


@functools.lru_cache(maxsize=256)
def _allowed_host(host: str, allowed_hosts: tuple[str, ...], debug: bool) -> bool:
    """Django's ``get_host`` check, memoised: ``validate_host`` over ``ALLOWED_HOSTS`` costs ~10 µs a request."""
    if debug and not allowed_hosts:
        allowed_hosts = (".localhost", "127.0.0.1", "[::1]")  # as HttpRequest.get_host
    domain, _ = split_domain_port(host)
    return bool(domain) and validate_host(domain, list(allowed_hosts))


def _host(request: HttpRequest) -> str:
    """``request.get_host()``: the host the request names, once Django's ``ALLOWED_HOSTS`` accepts it (else
    ``get_host`` raises ``DisallowedHost``, as it would)."""
    raw = request._get_raw_host()
    if len(raw) <= 255 and _allowed_host(raw, tuple(django_settings.ALLOWED_HOSTS), bool(django_settings.DEBUG)):
        return raw
    return request.get_host()


def core_request(request: HttpRequest) -> countermark.Request:
    """The request as the core sees it, built once per request: method, path and raw query, the headers, the raw
    body (read here, once; Django keeps the same bytes for the parsers), scheme and host."""
    cached = getattr(request, "_countermark_request", None)
    if cached is not None:
        return cached
    conf = get_settings()
    # Straight from the WSGI environ (what request.headers wraps): names in any case, the core compares them
    # case-insensitively.
    meta = request.META
    headers = [(name[5:].replace("_", "-"), value) for name, value in meta.items() if name.startswith("HTTP_")]
    for name, header in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        if meta.get(name):
            headers.append((header, meta[name]))
    if conf.AUTHORIZATION_HEADER.lower() != "authorization":
        custom = request.headers.get(conf.AUTHORIZATION_HEADER)
        headers = [(k, v) for k, v in headers if k.lower() != "authorization"]
        if custom is not None:
            headers.append(("Authorization", custom))
    try:
        built = countermark.Request(
            request.method or "GET",
            request.get_full_path(),
            headers=headers,
            body=request.body,
            scheme=request.scheme,
            authority=_host(request),
        )
    except cm_errors.CountermarkError:
        # A header the core cannot hold (control characters...): no scheme can verify this request.
        built = countermark.Request(request.method or "GET", request.get_full_path(), body=request.body)
    request._countermark_request = built  # type: ignore[attr-defined]
    return built


def hmac_header_request(request: HttpRequest) -> countermark.Request:
    """The request as the ``HMAC-SHA*`` header scheme reads it: the credentials header (as ``Authorization``),
    ``Content-Type`` (JSON or form) and the raw body; nothing else enters its string to sign. Built once per
    request, and cheaper than :func:`core_request` (no header list, host or URL to build): the scheme most
    requests of a django-hmac-authentication service use. The full request when it was already built."""
    cached = getattr(request, "_countermark_request", None) or getattr(request, "_countermark_hmac_request", None)
    if cached is not None:
        return cached
    conf = get_settings()
    meta = request.META
    if conf.AUTHORIZATION_HEADER.lower() == "authorization":
        credentials = meta.get("HTTP_AUTHORIZATION")
    else:
        credentials = request.headers.get(conf.AUTHORIZATION_HEADER)
    headers = []
    if credentials is not None:
        headers.append(("Authorization", credentials))
    if meta.get("CONTENT_TYPE"):
        headers.append(("Content-Type", meta["CONTENT_TYPE"]))
    try:
        built = countermark.Request(request.method or "GET", request.path, headers=headers, body=request.body)
    except cm_errors.CountermarkError:
        built = countermark.Request(request.method or "GET", request.path, body=request.body)
    request._countermark_hmac_request = built  # type: ignore[attr-defined]
    return built


class Scheme:
    """Base class: ``name`` is the scheme's code in ``COUNTERMARK['SCHEMES']`` and in ``Signed.scheme``."""

    name: ClassVar[str]
    challenge_word: ClassVar[str]

    def challenge(self, reason: Optional[str] = None) -> str:
        realm = get_settings().REALM.replace('"', "")
        value = f'{self.challenge_word} realm="{realm}"'
        return f'{value}, error="{reason}"' if reason else value

    def authenticate(self, request: HttpRequest) -> Optional[tuple[Any, Signed]]:
        """``None`` (not this scheme), ``(user, Signed)``, or raises :class:`AuthenticationError`.

        The outcome is remembered on the request: the middleware and a DRF class asking about the same request
        share one verification (a second one would see its own nonce as a replay)."""
        memo = request.__dict__.setdefault("_countermark_outcomes", {})
        if self.name not in memo:
            try:
                memo[self.name] = self._verify(request)
            except AuthenticationError as e:
                memo[self.name] = e
            else:
                if memo[self.name] is not None:
                    usage.record_use(self.name, memo[self.name][1].key_id)
        outcome = memo[self.name]
        if isinstance(outcome, AuthenticationError):
            raise outcome
        return outcome

    def _verify(self, request: HttpRequest) -> Optional[tuple[Any, Signed]]:
        try:
            return self._refuse_or_verify(request)
        except AuthenticationError as e:
            gated = request.__dict__.get("_countermark_gated", {})
            if e.status == 401 and self.name in gated:
                failures.record_failure(request, self.name, gated[self.name])
            raise

    def _gate(self, request: HttpRequest, key_id: Optional[str]) -> None:
        """Called by each scheme once it found its credentials, before it looks anything up: refuses them when
        the client address is throttled, and remembers ``key_id`` to count a refusal under."""
        try:
            throttled = failures.is_throttled(request)
        except Exception:  # noqa: BLE001 - the cache's own errors differ per backend
            logger.exception("%s: the cache that counts refusals is unavailable", self.name)
            raise AuthenticationError(self.name, "unavailable", status=503) from None
        if throttled:
            logger.info("%s: refused (throttled): %s", self.name, failures.client_address(request))
            raise AuthenticationError(
                self.name, "throttled", status=429, retry_after=get_settings().FAILED_ATTEMPTS_WINDOW
            )
        request.__dict__.setdefault("_countermark_gated", {})[self.name] = key_id

    def _refuse_or_verify(self, request: HttpRequest) -> Optional[tuple[Any, Signed]]:
        try:
            return self._authenticate(request)
        except AuthenticationError:
            raise
        except cm_errors.Unavailable:
            logger.error("%s: the nonce cache is unavailable", self.name)
            raise AuthenticationError(self.name, "unavailable", status=503) from None
        except cm_errors.UnknownKey:
            raise self.fail("bad_signature", "unknown key") from None
        except cm_errors.InvalidToken as e:
            raise self.fail(e.reason, str(e)) from None
        except cm_errors.InvalidValue as e:
            raise self.fail("malformed", str(e)) from None

    def _authenticate(self, request: HttpRequest) -> Optional[tuple[Any, Signed]]:
        raise NotImplementedError

    def explain(self, request: HttpRequest) -> Optional[dict[str, Any]]:
        """What the server computed for this request's credentials (the core's ``Explanation`` as a dict), with
        the key its key id names (none for an unknown one: verdict ``unknown_key``); None for schemes that have
        no explanation (signed URLs, tokens). No nonce is read or recorded. Only :func:`explanation` calls it,
        with ``DEBUG`` and ``COUNTERMARK["EXPLAIN"]`` on."""
        return None

    def _pass_unknown(self, what: str) -> bool:
        """True when credentials naming ``what`` (a key id or user countermark does not hold) are to be left to the
        next authentication class: ``COUNTERMARK["PASS_UNKNOWN_KEYS"]`` names this scheme. Called after
        :meth:`_gate`, so a throttled client address is refused whatever key it names."""
        if self.name not in get_settings().PASS_UNKNOWN_KEYS:
            return False
        logger.info("%s: %s is not held here: left to the next authentication class (PASS_UNKNOWN_KEYS)", self.name, what)
        return True

    def fail(self, reason: str, detail: str = "") -> AuthenticationError:
        logger.info("%s: refused (%s)%s", self.name, reason, f": {detail}" if detail else "")
        return AuthenticationError(self.name, reason)

    # --- shared by the schemes whose keys are ApiKey rows ----------------------------------------------------
    @staticmethod
    def _find_api_key(key_id: Optional[str]) -> Optional[ApiKey]:
        if not key_id or len(key_id) > MAX_KEY_ID:
            return None
        return ApiKey.objects.for_verification(key_id)

    def _lookup_or_pass(
        self, key_id: Optional[str]
    ) -> Optional[tuple[Optional[CachedKey], Callable[[], Optional[ApiKey]], Optional[float]]]:
        """For :meth:`_with_api_key`: the key cache's entry of ``key_id``, how to find its row, and when that row
        was read (None: not yet). None when countermark holds no such key and ``PASS_UNKNOWN_KEYS`` leaves it to
        the next authentication class (the row is then read here, before anything else is checked)."""
        cached = self._cached(key_id)
        if cached is not None or self.name not in get_settings().PASS_UNKNOWN_KEYS:
            return cached, lambda: self._find_api_key(key_id), None
        read_at = keycache.now()  # before the read: a cached entry's lifetime starts here
        found = self._find_api_key(key_id)
        if found is None and self._pass_unknown(f"key {key_id}"):
            return None
        return None, lambda: found, read_at

    @staticmethod
    def _cached(key_id: Optional[str]) -> Optional[CachedKey]:
        if not key_id or len(key_id) > MAX_KEY_ID:
            return None
        return key_cache.get(key_id)

    def _uncached_work(self, key_id: Optional[str]) -> None:
        """What a request whose key is not cached does before it verifies: the row lookup and an unseal. A
        request refused on the cache's fast path does it too, so that a refusal costs the same whether the key
        is cached, uncached or unknown (no existence oracle by timing; see :mod:`~countermark.django.keycache`)."""
        api_key = self._find_api_key(key_id)
        secret = api_key.secret() if api_key is not None else open_decoy_api_secret()
        del secret

    def _with_api_key(
        self,
        key_id: Optional[str],
        cached: Optional[CachedKey],
        find: Callable[[], Optional[ApiKey]],
        verify: Callable[[Union[CachedKey, countermark.ApiSecret]], T],
        read_at: Optional[float] = None,
    ) -> tuple[ApiKey, T]:
        """Verifies with the key of ``key_id`` (``cached``, its key cache entry, or else ``find()``'s row, or the
        decoy's when it finds none), then checks the key's state. ``verify`` gets the :class:`CachedKey` on the
        cache's path (to reuse what it derived from the secret) and the secret otherwise. ``read_at``: the
        ``keycache.now()`` taken before the caller read the row itself (the cached entry expires from then).

        Every refusal does the same work, so neither the answer nor its time tells whether a key id exists: the
        row is read, a secret is unsealed, the signature verified, and a refusal counted (:meth:`_verify`)."""
        if cached is not None:
            try:
                verified = verify(cached)
            except (cm_errors.Replayed, cm_errors.Unavailable):
                raise  # after the signature verified: only the key's holder gets here
            except cm_errors.CountermarkError as e:
                self._uncached_work(key_id)
                if isinstance(e, cm_errors.BadSignature):
                    raise self.fail("bad_signature", f"key {key_id}") from None
                raise
            api_key = cached.api_key
        else:
            if read_at is None:
                read_at = keycache.now()
            api_key = find()
            secret = api_key.secret() if api_key is not None else open_decoy_api_secret()
            try:
                verified = verify(secret)
            except cm_errors.BadSignature:
                raise self.fail("bad_signature", f"key {key_id}" if api_key is not None else "unknown key id") from None
            except cm_errors.Replayed:
                if api_key is not None:  # the signature verified: the key may serve its holder's next request
                    key_cache.put(api_key, secret, read_at)
                raise
            if api_key is None:
                raise self.fail("bad_signature", "decoy verified")  # pragma: no cover - 2^-256
            key_cache.put(api_key, secret, read_at)
            del secret
        self._check_key_state(api_key)
        api_key.record_success()
        if self.name == "rfc9421":
            usage.mark_rfc9421(api_key)
        return api_key, verified

    def _check_key_state(self, api_key: ApiKey) -> None:
        # After the signature: only the key's holder learns that it is revoked or expired.
        if api_key.is_revoked:
            raise self.fail("revoked", f"key {api_key.key_id}")
        if api_key.is_expired:
            raise self.fail("key_expired", f"key {api_key.key_id}")
        if not api_key.user.is_active:
            raise self.fail("inactive_user", f"key {api_key.key_id}")
        conf = get_settings()
        if conf.RETIRE_LEGACY_AFTER_RFC9421 and self.name in usage.LEGACY_SCHEMES and api_key.rfc9421_since:
            raise self.fail("scheme_retired", f"key {api_key.key_id} signs with RFC 9421 since {api_key.rfc9421_since}")
        if conf.KILL_SWITCH_CACHE is not None:
            # django-hmac-authentication's out-of-band switch: its HMAC_KILL_SWITCH__<key id> cache entries.
            try:
                switched = caches[conf.KILL_SWITCH_CACHE].get(f"HMAC_KILL_SWITCH__{api_key.key_id}")
            except Exception:  # noqa: BLE001 - the cache's own errors differ per backend: fail closed
                logger.exception("%s: the kill-switch cache is unavailable", self.name)
                raise AuthenticationError(self.name, "unavailable", status=503) from None
            if switched:
                raise self.fail("revoked", f"key {api_key.key_id}: kill switch")


def _secret_of(key: Union[CachedKey, countermark.ApiSecret]) -> countermark.ApiSecret:
    return key.secret if isinstance(key, CachedKey) else key


def _derived(key: Union[CachedKey, countermark.ApiSecret], name: str, make: Callable[[countermark.ApiSecret], T]) -> T:
    """``make(secret)``, made once per cached key (the FOST key, the RFC 9421 key) or per request otherwise."""
    return key.derive(name, make) if isinstance(key, CachedKey) else make(key)


def _fost_key(secret: countermark.ApiSecret) -> countermark.HmacKey:
    return secret.fost_key()


def _message_key(secret: countermark.ApiSecret) -> countermark.MessageVerifyingKey:
    return countermark.MessageVerifyingKey.hmac(secret.message_signature_key())


def _signed(scheme: str, verified: countermark.Verified, key_id: Optional[str], user: Any) -> Signed:
    return Signed(
        scheme=scheme,
        key_id=key_id,
        user=user.get_username(),
        covered=tuple(verified.covered),
        algorithm=verified.algorithm,
        created=verified.created,
        extra=dict(verified.details),
    )


class HmacScheme(Scheme):
    """``Authorization: HMAC-SHA256 <key id>;<signature>;<utc_8601>`` (django-hmac-authentication)."""

    name = "hmac"
    challenge_word = "HMAC-SHA256"

    def _authenticate(self, request: HttpRequest) -> Optional[tuple[Any, Signed]]:
        req = hmac_header_request(request)
        creds = countermark.parse_hmac_header(req)
        if creds is None:
            return None
        self._gate(request, creds.key_id)
        conf = get_settings()
        key_id = creds.key_id
        lookup = self._lookup_or_pass(key_id)
        if lookup is None:
            return None
        cached, find, read_at = lookup
        if creds.algorithm not in conf.HMAC_ALGORITHMS:
            raise self.fail("unsupported_algorithm", f"{creds.algorithm} is not in HMAC_ALGORITHMS")
        policy = countermark.HmacHeaderPolicy(
            max_age=conf.HMAC_MAX_AGE, nonce_store=nonce_store(self.name, key_id or "", cached)
        )

        def verify(key: Union[CachedKey, countermark.ApiSecret]) -> countermark.Verified:
            return countermark.verify_hmac_header(req, _secret_of(key), policy)

        api_key, verified = self._with_api_key(key_id, cached, find, verify, read_at)
        return api_key.user, _signed(self.name, verified, api_key.key_id, api_key.user)

    def explain(self, request: HttpRequest) -> Optional[dict[str, Any]]:
        req = core_request(request)
        api_key = self._find_api_key(_claimed_key_id(countermark.parse_hmac_header, req))
        policy = countermark.HmacHeaderPolicy(max_age=get_settings().HMAC_MAX_AGE)
        secret = api_key.secret() if api_key is not None else None
        return countermark.explain_hmac_header(req, secret, policy)


class FostScheme(Scheme):
    """``Authorization: FOST <key id>:<signature>`` with ``X-FOST-Timestamp`` and ``X-FOST-Headers``
    (django-fost-authn). The HMAC-SHA1 key is the API secret's base64 text. ``X-FOST-User``, when signed, must
    name the key's owner: keys do not act for other users."""

    name = "fost"
    challenge_word = "FOST"

    def _authenticate(self, request: HttpRequest) -> Optional[tuple[Any, Signed]]:
        req = core_request(request)
        creds = countermark.parse_fost(req)
        if creds is None:
            return None
        self._gate(request, creds.key_id)
        conf = get_settings()
        key_id = creds.key_id
        lookup = self._lookup_or_pass(key_id)
        if lookup is None:
            return None
        cached, find, read_at = lookup
        policy = countermark.FostPolicy(
            clock_skew=conf.FOST_CLOCK_SKEW, nonce_store=nonce_store(self.name, key_id or "", cached)
        )

        def verify(key: Union[CachedKey, countermark.ApiSecret]) -> countermark.Verified:
            return countermark.verify_fost(req, _derived(key, "fost", _fost_key), policy)

        api_key, verified = self._with_api_key(key_id, cached, find, verify, read_at)
        # The core's user is the signed X-FOST-User, decoded from UTF-7 as the reference decodes it (J+APw-rgen
        # is Jürgen), or the key id when the header is not signed. django-fost-authn lets a key act for any
        # X-FOST-User; here a key acts for its owner only.
        signed_user = verified.user
        if signed_user not in (None, key_id, api_key.user.get_username()):
            raise self.fail("user_mismatch", f"key {api_key.key_id} signed X-FOST-User {signed_user!r}")
        return api_key.user, _signed(self.name, verified, api_key.key_id, api_key.user)

    def explain(self, request: HttpRequest) -> Optional[dict[str, Any]]:
        req = core_request(request)
        api_key = self._find_api_key(_claimed_key_id(countermark.parse_fost, req))
        key = None
        if api_key is not None:
            key = api_key.secret().fost_key()
        return countermark.explain_fost(req, key, countermark.FostPolicy(clock_skew=get_settings().FOST_CLOCK_SKEW))


class HttpSignatureScheme(Scheme):
    """RFC 9421 ``Signature-Input``/``Signature`` (with RFC 9530 ``Content-Digest`` over any body). ``keyid`` names
    an :class:`ApiKey` (``hmac-sha256`` over the decoded secret) or a :class:`PublicKey` by its key id."""

    name = "rfc9421"
    challenge_word = "Signature"

    def _authenticate(self, request: HttpRequest) -> Optional[tuple[Any, Signed]]:
        conf = get_settings()
        req = core_request(request)
        creds = countermark.parse_message_signature(req, conf.HTTP_SIGNATURE_LABEL)
        if creds is None:
            return None
        key_id = creds.key_id
        self._gate(request, key_id)
        if not key_id:
            raise self.fail("malformed", "the signature has no key id (keyid parameter)")
        policy = self._policy(request, nonce_store(self.name, key_id))
        alg = creds.algorithm
        cached = self._cached(key_id)
        api_key: Optional[ApiKey] = None
        read_at: Optional[float] = None
        if cached is not None:
            if alg not in (None, "hmac-sha256"):
                self._uncached_work(key_id)  # refused before the signature: the work of an uncached key
                raise self.fail("unsupported_algorithm", f"{alg} with shared-secret key {key_id}")
        else:
            read_at = keycache.now()  # before the read: the cached entry's lifetime starts here
            api_key = self._find_api_key(key_id)
            # Looked up whether or not an API key has this id: an unknown id must not cost one query more.
            public = self._find_public_key(key_id)
            if api_key is None and public is None and self._pass_unknown(f"key {key_id}"):
                return None
            if api_key is None:
                if public is not None:
                    verified = countermark.verify_message_signature(req, self._public_key(public, alg), policy)
                    if not public.user.is_active:
                        raise self.fail("inactive_user", f"public key {public.key_id}")
                    public.touch()
                    return public.user, _signed(self.name, verified, public.key_id, public.user)
            elif alg not in (None, "hmac-sha256"):
                # An API key is a shared secret: it verifies hmac-sha256 and nothing else (no key confusion).
                raise self.fail("unsupported_algorithm", f"{alg} with shared-secret key {key_id}")

        def verify(key: Union[CachedKey, countermark.ApiSecret]) -> countermark.Verified:
            return countermark.verify_message_signature(req, _derived(key, "rfc9421", _message_key), policy)

        api_key, verified = self._with_api_key(key_id, cached, lambda: api_key, verify, read_at)
        return api_key.user, _signed(self.name, verified, api_key.key_id, api_key.user)

    @staticmethod
    def _find_public_key(key_id: str) -> Optional[PublicKey]:
        if len(key_id) > MAX_KEY_ID:
            return None
        return PublicKey.objects.select_related("user").filter(key_id=key_id).first()

    def _uncached_work(self, key_id: Optional[str]) -> None:
        super()._uncached_work(key_id)
        if key_id:
            self._find_public_key(key_id)

    @staticmethod
    def _policy(request: HttpRequest, nonces: Optional[countermark.NonceStore]) -> countermark.MessagePolicy:
        """The settings' policy; a non-empty body must be covered by ``content-digest`` and match it (the core's
        ``require_body_digest``), a request without one needs no digest."""
        conf = get_settings()
        # MessagePolicy's max_age=None means "no age limit": an unset HTTP_SIGNATURE_MAX_AGE is left out instead,
        # so that the core's default applies.
        max_age: dict[str, Any] = {} if conf.HTTP_SIGNATURE_MAX_AGE is None else {"max_age": conf.HTTP_SIGNATURE_MAX_AGE}
        return countermark.MessagePolicy(
            clock_skew=conf.HTTP_SIGNATURE_CLOCK_SKEW,
            required_components=list(conf.HTTP_SIGNATURE_COMPONENTS),
            label=conf.HTTP_SIGNATURE_LABEL,
            require_key_id=True,
            require_body_digest=True,
            nonce_store=nonces,
            remember_signatures=True,
            **max_age,
        )

    def explain(self, request: HttpRequest) -> Optional[dict[str, Any]]:
        req = core_request(request)
        try:
            creds = countermark.parse_message_signature(req, get_settings().HTTP_SIGNATURE_LABEL)
        except cm_errors.CountermarkError:
            creds = None
        key_id = creds.key_id if creds is not None else None
        key: Optional[countermark.MessageVerifyingKey] = None
        api_key = self._find_api_key(key_id)
        if api_key is not None:
            key = countermark.MessageVerifyingKey.hmac(api_key.secret().message_signature_key())
        elif key_id and len(key_id) <= MAX_KEY_ID:
            public = PublicKey.objects.filter(key_id=key_id).first()
            if public is not None:
                try:
                    key = self._public_key(public, creds.algorithm if creds is not None else None)
                except AuthenticationError:
                    key = None
        # The explanation never touches a nonce store: the policy's own is left out of the check.
        return countermark.explain_message_signature(req, key, self._policy(request, None))

    def _public_key(self, public: PublicKey, alg: Optional[str]) -> countermark.MessageVerifyingKey:
        """The key under the signature's ``alg``, or, when it names none, under the core's default algorithm of
        the key's type (``MessageVerifyingKey.public`` without an algorithm)."""
        try:
            return countermark.MessageVerifyingKey.public(public.verifying_key(), alg)
        except (cm_errors.InvalidKey, cm_errors.UnsupportedAlgorithm):
            what = alg if alg is not None else "no default algorithm"
            raise self.fail("unsupported_algorithm", f"{what} with public key {public.key_id}") from None


class JwtScheme(Scheme):
    """``Authorization: JWT <token>`` signed by one of the user's :class:`PublicKey` rows (asymmetric-jwt-auth):
    Ed25519 (``EdDSA``) or RSA (``RS512``, ``RS384``, ``RS256``); ``none`` and HMAC algorithms are refused."""

    name = "jwt"
    challenge_word = "JWT"

    def _authenticate(self, request: HttpRequest) -> Optional[tuple[Any, Signed]]:
        parsed = countermark.parse_jwt_request(core_request(request))
        if parsed is None:
            return None
        token, creds = parsed
        username = creds.user or ""
        self._gate(request, username)
        user = _user_by_name(username)
        public_keys = list(user.countermark_public_keys.all()) if user is not None else []
        # A token names its key by fingerprint (asymmetric-jwt-auth's kid); without one, any key of the user's.
        holds = any(pk.key_id == creds.key_id for pk in public_keys) if creds.key_id else bool(public_keys)
        if not holds and self._pass_unknown(f"user {username!r}, key {creds.key_id}"):
            return None
        policy = countermark.JwtPolicy(
            clock_skew=get_settings().JWT_CLOCK_SKEW, nonce_store=nonce_store(self.name, username)
        )
        keys = [pk.verifying_key() for pk in public_keys]
        # Keys of the JWKS URLs the user trusts, chosen by the token's kid from the cache (countermark.django.jwks);
        # a user who trusts none reads the decoy entry, so the cache work is the same either way.
        endpoints = list(user.countermark_jwks_endpoints.all()) if user is not None else []
        from_jwks: list[tuple[Any, str]] = []
        if not endpoints:
            jwks.read_decoy()
        for endpoint in endpoints:
            found = jwks.signing_key(endpoint.url, creds.key_id)
            if found is not None:
                keys.append(found)
                from_jwks.append((endpoint, found.key_id))
        if not keys or (endpoints and not from_jwks):
            keys.append(decoy_verifying_key())
        verified = countermark.verify_jwt(token, keys, policy)
        if user is None or not (public_keys or from_jwks):
            raise self.fail("bad_signature", "decoy verified")  # pragma: no cover
        if not user.is_active:
            raise self.fail("inactive_user", f"user {username}")
        used = next((pk for pk in public_keys if pk.key_id == verified.key_id), None)
        if used is not None:
            used.touch()
        else:
            endpoint = next((ep for ep, kid in from_jwks if kid == verified.key_id), None)
            if endpoint is not None:
                endpoint.touch()
        return user, _signed(self.name, verified, verified.key_id, user)

    def explain(self, request: HttpRequest) -> Optional[dict[str, Any]]:
        try:
            parsed = countermark.parse_jwt_request(core_request(request))
        except cm_errors.CountermarkError:
            parsed = None
        if parsed is None:
            return None
        token, creds = parsed
        user = _user_by_name(creds.user)
        keys = list(user.countermark_public_keys.all()) if user is not None else []
        # The key the token names (a PublicKey row, else a key of the user's JWKS URLs), else the user's first: a JWT
        # carries no key id when its client sets none.
        chosen = next((pk for pk in keys if pk.key_id == creds.key_id), None)
        key = chosen.verifying_key() if chosen is not None else None
        if key is None and user is not None:
            for endpoint in user.countermark_jwks_endpoints.all():
                key = jwks.signing_key(endpoint.url, creds.key_id)
                if key is not None:
                    break
        if key is None and keys:
            key = keys[0].verifying_key()
        return countermark.explain_jwt(token, key, countermark.JwtPolicy(clock_skew=get_settings().JWT_CLOCK_SKEW))


def _token_key() -> countermark.HmacKey:
    """The key of handshake-format tokens: ``TOKEN_SECRET`` under ``TOKEN_ALGORITHM`` (handshake's hashfunc)."""
    conf = get_settings()
    return countermark.HmacKey(conf.token_secret, conf.TOKEN_ALGORITHM)


def make_token(user: Any, *fields: str) -> str:
    """A handshake-format token for ``user`` (``<username>:<fields…>:<ts>:<random>:<sig>``), valid for
    ``COUNTERMARK['TOKEN_MAX_AGE']`` seconds, for ``Authorization: Token <token>``."""
    return countermark.Tokens(_token_key()).create(user.get_username(), *fields)


class TokenScheme(Scheme):
    """``Authorization: Token <handshake token>`` whose first field is the username (tokens are not single-use:
    they live ``TOKEN_MAX_AGE`` seconds). A value without ``:`` is not ours (DRF's own tokens are hex)."""

    name = "token"
    challenge_word = "Token"

    def _authenticate(self, request: HttpRequest) -> Optional[tuple[Any, Signed]]:
        conf = get_settings()
        header = core_request(request)
        value = next((v for k, v in header.headers if k.lower() == "authorization"), "")
        token = countermark.parse_token_authorization(value, conf.TOKEN_KEYWORD)
        if token is None:
            return None
        self._gate(request, None)
        verified = countermark.Tokens(_token_key()).verify(token, max_age=conf.TOKEN_MAX_AGE)
        user = _user_by_name(verified.fields[0] if verified.fields else None)
        if user is None:
            raise self.fail("bad_signature", "the token names no known user")
        if not user.is_active:
            raise self.fail("inactive_user", f"user {user.get_username()}")
        return user, Signed(
            scheme=self.name,
            key_id=None,
            user=user.get_username(),
            covered=(),
            algorithm=conf.TOKEN_ALGORITHM,
            created=float(verified.timestamp),
            extra={f"field{i}": f for i, f in enumerate(verified.fields[1:], 1)},
        )


#: The extra field that names a ska provider (ska's ``DEFAULT_PROVIDER_PARAM``).
PROVIDER_FIELD = "provider"


class UnknownProvider(LookupError):
    """A ska provider that ``COUNTERMARK['SIGNED_URL_PROVIDERS']`` does not list."""


def _ska_keys(algorithms: list[str], provider: Optional[str] = None) -> list[countermark.HmacKey]:
    conf = get_settings()
    legacy = conf.SIGNED_URL_LEGACY_SHORT_SECRET is True
    secret = conf.signed_url_secret
    if provider is not None:
        found = conf.provider_secret(provider)
        if found is None:
            raise UnknownProvider(provider)
        secret = found
    return [countermark.HmacKey(secret, alg, legacy=legacy) for alg in algorithms]


def url_signer(*, algorithm: Optional[str] = None, provider: Optional[str] = None) -> countermark.UrlSigner:
    """The signer of ska-format URLs under ``COUNTERMARK['SIGNED_URL_SECRET']`` (default ``SECRET_KEY``), or under
    the secret of ``provider`` in ``SIGNED_URL_PROVIDERS`` (ska's ``PROVIDERS``; :class:`UnknownProvider` when it
    is not listed): it signs with ``SIGNED_URL_ALGORITHM`` and also validates ``SIGNED_URL_LEGACY_ALGORITHMS``
    (only ``algorithm`` when given), with ska's helpers of ``SIGNED_URL_VALUE_DUMPER`` / ``SIGNED_URL_QUOTER``. A
    secret under 16 bytes is refused unless ``SIGNED_URL_LEGACY_SHORT_SECRET`` is True."""
    conf = get_settings()
    primary, *older = _ska_keys(
        [algorithm] if algorithm else [conf.SIGNED_URL_ALGORITHM, *conf.SIGNED_URL_LEGACY_ALGORITHMS], provider
    )
    return countermark.UrlSigner(
        countermark.KeyRing(primary, verify_only=older),
        value_dumper=conf.SIGNED_URL_VALUE_DUMPER,
        quoter=conf.SIGNED_URL_QUOTER,
    )


def _validated_algorithm(params: list[tuple[str, str]], provider: Optional[str] = None) -> str:
    """The algorithm of a signed URL that validated: ``SIGNED_URL_ALGORITHM``, or the legacy one that took it."""
    conf = get_settings()
    if conf.SIGNED_URL_LEGACY_ALGORITHMS:
        for alg in (conf.SIGNED_URL_ALGORITHM, *conf.SIGNED_URL_LEGACY_ALGORITHMS):
            try:
                url_signer(algorithm=alg, provider=provider).validate(params)
                return alg
            except cm_errors.CountermarkError:
                continue
    return conf.SIGNED_URL_ALGORITHM


def _first_use(signature: str, auth_user: str, valid_until: str) -> bool:
    """Records a signed URL as used (``SIGNED_URL_SINGLE_USE``, ska's ``DB_STORE_SIGNATURES`` with
    ``DB_PERFORM_SIGNATURE_CHECK``): True the first time, through the cache's atomic ``add`` in ``NONCE_CACHE``
    until the URL's ``valid_until`` (ska's table kept the same triple, unique)."""
    from django.core.cache import caches

    conf = get_settings()
    try:
        ttl = max(1, math.ceil(float(valid_until) - time.time()) + 1)
    except ValueError:
        ttl = 1
    digest = hashlib.sha256(f"{signature}\0{auth_user}\0{valid_until}".encode()).hexdigest()
    return bool(caches[conf.NONCE_CACHE].add(f"{conf.NONCE_PREFIX}ska:{digest}", b"1", timeout=ttl))


def validate_signed_params(params: list[tuple[str, str]]) -> tuple[countermark.SignedData, Optional[str], str]:
    """Validates ska signed-URL parameters: under the secret of the provider their ``provider`` field names (ska's
    ``PROVIDERS``; the field is signed, so it cannot be swapped), else under ``SIGNED_URL_SECRET``. Returns the
    verified data, the provider (or None) and the algorithm; raises the core's errors (``BadSignature`` for a
    provider not listed, as for a bad signature)."""
    provider = next((v for k, v in params if k == PROVIDER_FIELD), None)
    try:
        signer = url_signer(provider=provider)
    except UnknownProvider:
        raise cm_errors.BadSignature("bad signature") from None
    data = signer.validate(params)
    return data, provider, _validated_algorithm(params, provider)


class SignedUrlScheme(Scheme):
    """A ska signed URL (``signature``, ``auth_user``, ``valid_until``, ``extra`` query parameters): authenticates
    its ``auth_user`` until ``valid_until``. Not single-use (anyone holding the URL may use it until then) unless
    ``SIGNED_URL_SINGLE_USE`` is on. A signed ``provider`` field selects that provider's secret
    (``SIGNED_URL_PROVIDERS``)."""

    name = "signed_url"
    challenge_word = "SignedURL"

    def _authenticate(self, request: HttpRequest) -> Optional[tuple[Any, Signed]]:
        if "signature" not in request.GET or "auth_user" not in request.GET:
            return None
        self._gate(request, None)
        params = [(k, v) for k, values in request.GET.lists() for v in values]
        data, _provider, algorithm = validate_signed_params(params)
        user = _user_by_name(data.auth_user)
        if user is None:
            raise self.fail("bad_signature", "the URL names no known user")
        if not user.is_active:
            raise self.fail("inactive_user", f"user {data.auth_user}")
        if get_settings().SIGNED_URL_SINGLE_USE is True:
            try:
                first = _first_use(request.GET["signature"], data.auth_user, str(data.valid_until))
            except Exception:  # noqa: BLE001 - the cache's own errors differ per backend
                logger.exception("%s: the cache that records used URLs is unavailable", self.name)
                raise AuthenticationError(self.name, "unavailable", status=503) from None
            if not first:
                raise self.fail("replayed", f"signed URL of {data.auth_user} used before")
        return user, Signed(
            scheme=self.name,
            key_id=None,
            user=user.get_username(),
            # ska signs these parameters, not the path: the URL's other parts are not covered.
            covered=("auth_user", "valid_until", "extra"),
            algorithm=algorithm,
            extra={**data.extra, "valid_until": data.valid_until},
        )


SCHEME_CLASSES: dict[str, type[Scheme]] = {
    cls.name: cls for cls in (HmacScheme, FostScheme, HttpSignatureScheme, JwtScheme, SignedUrlScheme, TokenScheme)
}


def _claimed_key_id(parse: Callable[[countermark.Request], Optional[countermark.Credentials]], req: countermark.Request) -> Optional[str]:
    """The key id ``parse`` reads from ``req``, or None when it reads none (the explanation then says why)."""
    try:
        creds = parse(req)
    except cm_errors.CountermarkError:
        return None
    return creds.key_id if creds is not None else None


def explanation(request: HttpRequest, failure: AuthenticationError) -> Optional[dict[str, Any]]:
    """The explanation to add to the 401 body of ``failure``: only with ``settings.DEBUG`` and
    ``COUNTERMARK["EXPLAIN"]`` both on (``manage.py check`` refuses EXPLAIN without DEBUG: an explanation holds the
    signature the server expected, which would let a client forge requests). None otherwise, for refusals that
    are not 401, and for schemes without explanations."""
    if not (django_settings.DEBUG and get_settings().EXPLAIN is True) or failure.status != 401:
        return None
    return SCHEME_CLASSES[failure.scheme]().explain(request)
