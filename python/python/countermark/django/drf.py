"""Django REST framework authentication classes, one per scheme.

``authenticate`` returns ``None`` when the request carries no credentials of that scheme (DRF then tries the next
class), ``(user, Signed)`` when they verify (``request.user`` and ``request.auth``; ``request.signed`` too), and
raises ``AuthenticationFailed`` (401) when they do not: the body is ``{"detail": <message>, "reason": <code>}`` and
the ``WWW-Authenticate`` challenge names the scheme that refused them and carries the same code as
``error="<code>"``, whichever class is listed first (DRF asks the first class only for its challenge). A client
address with too many refusals is answered 429 ``throttled`` with ``Retry-After``; a cache that cannot be reached
answers 503, never an accept. ``request.signed`` is ``None`` on a request that carries no credentials.

    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "countermark.django.drf.HMACAuthentication",
            "countermark.django.drf.HttpSignatureAuthentication",
            "countermark.django.drf.JWTAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "DEFAULT_THROTTLE_CLASSES": ["countermark.django.drf.ApiKeyRateThrottle"],
    }

List a countermark class first: a request without credentials then gets the first class's challenge (a 401); with
another first class DRF may answer 403 without a challenge.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

from rest_framework import exceptions as drf_exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request as DrfRequest
from rest_framework.throttling import SimpleRateThrottle

from countermark.exceptions import CountermarkError

from . import schemes
from .conf import get_settings
from .keycache import key_cache
from .models import ApiKey

__all__ = [
    "HMACAuthentication",
    "FostAuthentication",
    "HttpSignatureAuthentication",
    "JWTAuthentication",
    "SignedURLAuthentication",
    "TokenAuthentication",
    "ApiKeyRateThrottle",
    "ServiceUnavailable",
    "CredentialsThrottled",
    "SignedRequestRequired",
    "ProviderSignedRequestRequired",
]


class ServiceUnavailable(drf_exceptions.APIException):
    status_code = 503
    default_detail = str(schemes.MESSAGES["unavailable"])
    default_code = "unavailable"


class CredentialsThrottled(drf_exceptions.APIException):
    """429: the client address sent too many refused credentials (DRF adds ``Retry-After`` from ``wait``)."""

    status_code = 429
    default_detail = str(schemes.MESSAGES["throttled"])
    default_code = "throttled"

    def __init__(self, wait: Optional[int]) -> None:
        super().__init__({"detail": self.default_detail, "reason": "throttled"})
        self.wait = wait


class CountermarkAuthentication(BaseAuthentication):
    """Base of the classes below: runs one :class:`~countermark.django.schemes.Scheme`."""

    scheme_class: ClassVar[type[schemes.Scheme]]

    def __init__(self) -> None:
        self.scheme = self.scheme_class()

    def authenticate(self, request: DrfRequest) -> Optional[tuple[Any, schemes.Signed]]:
        http = request._request
        if not hasattr(http, "signed"):
            http.signed = None  # always present: None until a class verifies the request
        try:
            result = self.scheme.authenticate(http)
        except schemes.AuthenticationError as e:
            http.countermark_failure = e
            if e.status == 503:
                raise ServiceUnavailable() from None
            if e.status == 429:
                raise CredentialsThrottled(e.retry_after) from None
            failed = drf_exceptions.AuthenticationFailed({"detail": e.message, "reason": e.reason}, code=e.reason)
            explained = schemes.explanation(http, e)
            if explained is not None:
                # Set after construction: DRF would turn every value of the detail into a string.
                failed.detail = {**failed.detail, "explanation": explained}
            raise failed from None
        if result is None:
            return None
        user, signed = result
        http.signed = signed
        # Credentials sent by a program, not a browser cookie: CSRF does not apply (as with DRF's token classes).
        http._dont_enforce_csrf_checks = True
        return user, signed

    def authenticate_header(self, request: DrfRequest) -> str:
        # DRF asks only the first class: the challenge is the refusing scheme's, whichever class that is.
        failure = getattr(request._request, "countermark_failure", None)
        if failure is not None and failure.status == 401:
            return schemes.SCHEME_CLASSES[failure.scheme]().challenge(failure.reason)
        return self.scheme.challenge(None)


class HMACAuthentication(CountermarkAuthentication):
    """``Authorization: HMAC-SHA256 <key id>;<signature>;<utc_8601>`` (django-hmac-authentication's header)."""

    scheme_class = schemes.HmacScheme


class FostAuthentication(CountermarkAuthentication):
    """``Authorization: FOST <key id>:<signature>`` (django-fost-authn)."""

    scheme_class = schemes.FostScheme


class HttpSignatureAuthentication(CountermarkAuthentication):
    """RFC 9421 HTTP Message Signatures with RFC 9530 ``Content-Digest``."""

    scheme_class = schemes.HttpSignatureScheme


class JWTAuthentication(CountermarkAuthentication):
    """``Authorization: JWT <token>`` signed by the user's private key (asymmetric-jwt-auth)."""

    scheme_class = schemes.JwtScheme


class SignedURLAuthentication(CountermarkAuthentication):
    """A ska signed URL authenticates its ``auth_user``."""

    scheme_class = schemes.SignedUrlScheme


class TokenAuthentication(CountermarkAuthentication):
    """``Authorization: Token <handshake-format token>``; DRF's own hex tokens are left to DRF's class."""

    scheme_class = schemes.TokenScheme


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Throttles each API key at its own ``throttle_rate`` (default ``COUNTERMARK['DEFAULT_THROTTLE_RATE']``);
    requests authenticated otherwise (public keys, tokens, signed URLs) are throttled per user at the default
    rate. Unauthenticated requests are left to DRF's other throttles."""

    scope = "countermark"

    def __init__(self) -> None:  # the rate depends on the request: set in allow_request
        pass

    def get_rate(self) -> str:
        return get_settings().DEFAULT_THROTTLE_RATE

    def allow_request(self, request: DrfRequest, view: Any) -> bool:
        signed = getattr(request._request, "signed", None)
        if signed is None:
            return True
        rate = self.get_rate()
        if signed.key_id and signed.scheme in ("hmac", "fost", "rfc9421"):
            cached = key_cache.get(signed.key_id)
            if cached is not None:  # the row its authentication just used (COUNTERMARK['KEY_CACHE_TTL'])
                own = cached.api_key.throttle_rate
            else:
                own = ApiKey.objects.filter(key_id=signed.key_id).values_list("throttle_rate", flat=True).first()
            rate = own or rate
            self.key = self.cache_format % {"scope": self.scope, "ident": f"key:{signed.key_id}"}
        else:
            self.key = self.cache_format % {"scope": self.scope, "ident": f"user:{request.user.pk}"}
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: DrfRequest, view: Any) -> Optional[str]:
        return self.key



def _ska_check(http: Any) -> tuple[bool, Optional[str]]:
    """Whether the request carries a valid ska signed URL, and its provider: the signature only, as ska's
    permissions check it (its ``auth_user`` need not be a user here). Once per request: an outcome of
    :class:`SignedURLAuthentication` on the same request is reused, so a single-use URL is not spent twice."""
    outcome = http.__dict__.get("_countermark_outcomes", {}).get(schemes.SignedUrlScheme.name)
    if isinstance(outcome, tuple):
        return True, outcome[1].extra.get(schemes.PROVIDER_FIELD)
    memo = http.__dict__.get("_countermark_ska_check")
    if memo is None:
        memo = (False, None)
        params = [(k, v) for k, values in http.GET.lists() for v in values]
        if "signature" in http.GET:
            try:
                data, provider, _ = schemes.validate_signed_params(params)
            except CountermarkError:
                pass
            else:
                first = True
                if get_settings().SIGNED_URL_SINGLE_USE is True:
                    try:
                        first = schemes._first_use(http.GET["signature"], data.auth_user, str(data.valid_until))
                    except Exception:  # noqa: BLE001 - fails closed, as the authentication classes do
                        raise ServiceUnavailable() from None
                if first:
                    memo = (True, provider)
        http.__dict__["_countermark_ska_check"] = memo
    return memo


class SignedRequestRequired(BasePermission):
    """ska's DRF permission, under its name: the request carries a valid ska signed URL made with
    ``COUNTERMARK['SIGNED_URL_SECRET']`` (not with a provider's secret). With ``SIGNED_URL_SINGLE_USE`` each URL
    passes once (shared with :class:`SignedURLAuthentication` on the same request)."""

    provider_required = False

    def has_permission(self, request: DrfRequest, view: Any) -> bool:
        ok, provider = _ska_check(request._request)
        return ok and (provider is not None) == self.provider_required

    def has_object_permission(self, request: DrfRequest, view: Any, obj: Any) -> bool:
        return self.has_permission(request, view)


class ProviderSignedRequestRequired(SignedRequestRequired):
    """ska's DRF permission, under its name: the request carries a valid ska signed URL made with the secret of a
    provider of ``COUNTERMARK['SIGNED_URL_PROVIDERS']`` (ska's ``PROVIDERS``), named by its signed ``provider``
    field."""

    provider_required = True
