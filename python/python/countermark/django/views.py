"""Views: obtain an API key with a password, log in with a signed URL, publish public keys as JWKS.

    urlpatterns = [path("auth/", include("countermark.django.urls"))]

gives ``auth/api-key/`` (:func:`obtain_api_key`), ``auth/login/`` (:func:`signed_url_login`),
``auth/jwks.json`` (:func:`jwks_document`) and ``auth/users/<username>/jwks.json`` (:func:`user_jwks_document`).
"""

from __future__ import annotations

import json
import math
import time
from typing import Any, Optional

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

import countermark

from .backends import CountermarkBackend
from .conf import get_settings
from .decorators import _refuse, signed_url
from .keys import nonce_store
from .models import ApiKey, KeyLimitReached
from .schemes import AuthenticationError, SignedUrlScheme

__all__ = ["obtain_api_key", "signed_url_login", "login_url", "jwks_document", "user_jwks_document"]


def _credentials(request: HttpRequest) -> tuple[str, str]:
    if request.content_type == "application/json":
        try:
            data: Any = json.loads(request.body or b"{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
    else:
        data = request.POST
    return str(data.get("username") or ""), str(data.get("password") or "")


@csrf_exempt
@require_POST
@never_cache
def obtain_api_key(request: HttpRequest) -> HttpResponse:
    """POST ``username`` and ``password`` (form or JSON): answers 201 with ``key_id``, ``secret`` (base64; shown
    this once) and ``expires_at``; 401 ``bad_credentials``; 409 ``key_limit`` when the user holds
    ``MAX_KEYS_PER_USER`` live keys. Password checks go through ``django.contrib.auth.authenticate``, so its
    failed-login signal (and any lockout app listening to it) applies."""
    username, password = _credentials(request)
    user = auth.authenticate(request, username=username, password=password) if username and password else None
    if user is None or not user.is_active:
        return JsonResponse({"detail": "Wrong username or password.", "reason": "bad_credentials"}, status=401)
    try:
        key, secret = ApiKey.objects.create_key(user, comment="obtained with a password")
    except KeyLimitReached as e:
        return JsonResponse({"detail": " ".join(e.messages), "reason": "key_limit"}, status=409)
    return JsonResponse(
        {
            "key_id": key.key_id,
            "secret": secret,
            "expires_at": key.expires_at.isoformat() if key.expires_at else None,
        },
        status=201,
    )


def login_url(user: Any, *, next_url: Optional[str] = None, lifetime: Optional[float] = None) -> str:
    """A signed, single-use URL of :func:`signed_url_login` that logs ``user`` in (then goes to ``next_url``)."""
    extra = {"next": next_url} if next_url else None
    return signed_url(reverse("countermark-signed-url-login"), user.get_username(), lifetime=lifetime, extra=extra)


def _backend_path() -> str:
    for path in settings.AUTHENTICATION_BACKENDS:
        from django.utils.module_loading import import_string

        if issubclass(import_string(path), CountermarkBackend):
            return path
    return "countermark.django.backends.CountermarkBackend"


@require_GET
@never_cache
def signed_url_login(request: HttpRequest) -> HttpResponse:
    """Logs in the ``auth_user`` of a valid signed URL (a session, as a password login makes) and redirects to
    the signed ``next`` extra field, else ``LOGIN_REDIRECT_URL``. Each URL logs in once: its signature is kept
    in the nonce cache until it expires."""
    scheme = SignedUrlScheme()
    try:
        result = scheme.authenticate(request)
        if result is None:
            raise AuthenticationError(scheme.name, "missing")
        user, signed = result
        ttl = max(1, math.ceil(float(signed.extra.get("valid_until", "0")) - time.time()) + 1)
        nonce_store("signed_url_login", user.get_username()).check_and_insert(
            request.GET["signature"].encode(), ttl
        )
    except countermark.Replayed:
        return _refuse(AuthenticationError(scheme.name, "replayed"))
    except countermark.Unavailable:
        return _refuse(AuthenticationError(scheme.name, "unavailable", status=503))
    except AuthenticationError as e:
        return _refuse(e)
    auth.login(request, user, backend=_backend_path())
    target = signed.extra.get("next") or settings.LOGIN_REDIRECT_URL
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = settings.LOGIN_REDIRECT_URL
    return HttpResponseRedirect(target)


def _jwks_response(keys: list[countermark.VerifyingKey]) -> HttpResponse:
    response = HttpResponse(countermark.Jwks.from_keys(keys).to_json(), content_type="application/json")
    response["Cache-Control"] = f"public, max-age={int(get_settings().JWKS_VIEW_TTL)}"
    return response


@require_GET
def jwks_document(request: HttpRequest) -> HttpResponse:
    """``COUNTERMARK['JWKS_PUBLIC_KEYS']`` (PEM or OpenSSH texts) as a JWKS document, each key under its
    fingerprint ``kid`` (asymmetric-jwt-auth's ``.well-known/jwks.json`` of ``SIGNING_PUBLIC_KEYS``)."""
    return _jwks_response([countermark.VerifyingKey.from_pem(text) for text in get_settings().JWKS_PUBLIC_KEYS])


@require_GET
def user_jwks_document(request: HttpRequest, username: str) -> HttpResponse:
    """The public keys of ``username`` (:class:`~countermark.django.models.PublicKey` rows) as a JWKS document,
    when ``COUNTERMARK['JWKS_PUBLISH_USER_KEYS']`` is on (404 otherwise). An unknown user gets the answer of a user
    without keys (``{"keys": []}``), so the view does not tell who exists."""
    if get_settings().JWKS_PUBLISH_USER_KEYS is not True:
        raise Http404("JWKS_PUBLISH_USER_KEYS is off")
    from .models import PublicKey

    rows = PublicKey.objects.filter(**{f"user__{get_user_model().USERNAME_FIELD}": username})
    return _jwks_response([row.verifying_key() for row in rows])
