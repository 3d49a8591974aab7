"""django-hmac-authentication 5.0.3's Django surface, for services moving from it.

* :class:`CreateApiHMACKey` is its obtain-key view under the same name: change the import in ``urls.py`` and keep
  the path and name its example uses, so scripts that fetch keys keep working::

      from countermark.django.compat_hmac import CreateApiHMACKey   # was: django_hmac_authentication.views

      urlpatterns = [path("obtain-hmac-api-key/", CreateApiHMACKey.as_view(), name="api_hmac_key")]

  ``POST`` ``username`` and ``password`` (JSON or a form) answers ``200 {"api_key", "api_secret", "message"}`` as
  the reference does: a new :class:`~countermark.django.models.ApiKey` (its id a UUID, its secret 32 random bytes
  in base64, as the reference hands out). Wrong credentials answer ``400 {"non_field_errors": [...]}`` and a
  user at ``MAX_KEYS_PER_USER`` live keys ``400 ["Maximum API secrets limit reached for user"]``, the
  reference's answers.
* :func:`countermark_settings` converts its ``HMAC_AUTHENTICATION_SETTINGS`` into the ``COUNTERMARK`` keys that
  mean the same (``manage.py countermark_hmac_settings`` prints them), with a note for each setting that has no
  equivalent.
* ``request.api_hmac_key`` (the reference's key row on a verified request) is :func:`api_key_of`: the
  :class:`~countermark.django.models.ApiKey` of ``request.signed.key_id``.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from django.contrib import auth
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from .models import ApiKey, KeyLimitReached

__all__ = ["CreateApiHMACKey", "api_key_of", "countermark_settings", "MESSAGE"]

#: The ``message`` of the reference's answer, word for word.
MESSAGE = "These credentials will be lost forever if not stored now"

_EXPIRES_IN = re.compile(r"^([0-9]+)([hms])$")
_UNITS = {"h": 3600, "m": 60, "s": 1}


def _data(request: HttpRequest) -> Any:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return None
        return data if isinstance(data, dict) else None
    return request.POST


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class CreateApiHMACKey(View):
    """django-hmac-authentication's ``CreateApiHMACKey``: a key and secret for a username and password."""

    http_method_names = ["post", "options"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = _data(request)
        if data is None:
            return JsonResponse({"detail": "JSON parse error."}, status=400)
        username, password = data.get("username"), data.get("password")
        missing = {f: ["This field is required."] for f in ("username", "password") if not data.get(f)}
        if missing:
            return JsonResponse(missing, status=400)
        # Through django.contrib.auth, so failed-login signals (and lockout apps listening to them) apply.
        user = auth.authenticate(request, username=str(username), password=str(password))
        if user is None or not user.is_active:
            return JsonResponse({"non_field_errors": ["Unable to log in with provided credentials."]}, status=400)
        try:
            key, secret = ApiKey.objects.create_key(user, comment="obtained with a password (api_hmac_key)")
        except KeyLimitReached:
            return JsonResponse(["Maximum API secrets limit reached for user"], status=400, safe=False)
        return JsonResponse({"api_key": key.key_id, "api_secret": secret, "message": MESSAGE})


def api_key_of(request: HttpRequest) -> Optional[ApiKey]:
    """The :class:`ApiKey` that signed ``request`` (what the reference sets as ``request.api_hmac_key``), or None
    when the request was not signed with an API key (unsigned, a public key, a token, a signed URL)."""
    signed = getattr(request, "signed", None)
    if signed is None or not signed.key_id or signed.scheme not in ("hmac", "fost", "rfc9421"):
        return None
    return ApiKey.objects.select_related("user").filter(key_id=signed.key_id).first()


def _header_name(meta_name: str) -> Optional[str]:
    """``HTTP_X_API_AUTH`` (a ``request.META`` key) -> ``X-Api-Auth``; None for a META key that is no header."""
    if not meta_name.startswith("HTTP_") or len(meta_name) == 5:
        return None
    return "-".join(part.capitalize() for part in meta_name[5:].split("_"))


def countermark_settings(hmac_settings: Optional[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """``HMAC_AUTHENTICATION_SETTINGS`` as ``COUNTERMARK`` keys: ``(keys, notes)``. Only what the project set is
    converted (a key it left unset keeps countermark's default); each note names a setting without an exact
    equivalent and what to do instead."""
    conf = dict(hmac_settings or {})
    out: dict[str, Any] = {}
    notes: list[str] = []
    if "HMAC_AUTH_REQUEST_TIMEOUT" in conf:
        out["HMAC_MAX_AGE"] = conf["HMAC_AUTH_REQUEST_TIMEOUT"]
    if "MAX_HMACS_PER_USER" in conf:
        out["MAX_KEYS_PER_USER"] = conf["MAX_HMACS_PER_USER"]
        notes.append("MAX_HMACS_PER_USER counted every key a user ever had; MAX_KEYS_PER_USER counts live ones")
    expires_in = conf.get("HMAC_EXPIRES_IN")
    if expires_in:
        m = _EXPIRES_IN.match(expires_in) if isinstance(expires_in, str) else None
        if m is None or int(m.group(1)) == 0:
            notes.append(f"HMAC_EXPIRES_IN {expires_in!r} is not '<n>h', '<n>m' or '<n>s': set KEY_LIFETIME (seconds)")
        else:
            out["KEY_LIFETIME"] = int(m.group(1)) * _UNITS[m.group(2)]
    header = conf.get("HMAC_AUTH_HEADER_NAME")
    if header and header != "HTTP_AUTHORIZATION":
        name = _header_name(str(header))
        if name is None:
            notes.append(f"HMAC_AUTH_HEADER_NAME {header!r} is not a request header's META name (HTTP_...)")
        else:
            out["AUTHORIZATION_HEADER"] = name
            notes.append(
                "AUTHORIZATION_HEADER applies to the hmac, fost, jwt and token schemes (the reference's to hmac only)"
            )
    if conf.get("HMAC_KILL_SWITCH"):
        alias = conf.get("HMAC_CACHE_ALIAS")
        if alias:
            out["KILL_SWITCH_CACHE"] = alias
        else:
            notes.append("HMAC_KILL_SWITCH is on without HMAC_CACHE_ALIAS: set KILL_SWITCH_CACHE to a cache alias")
    if conf.get("HMAC_AUTH_FAILED_ATTEMPTS_THRESHOLD"):
        notes.append(
            "HMAC_AUTH_FAILED_ATTEMPTS_THRESHOLD revoked a key after failed attempts (anyone could revoke anyone's "
            "key); countermark never locks keys: FAILED_ATTEMPTS_THRESHOLD throttles the failing client address"
        )
    if conf.get("HMAC_CACHE_ALIAS") and "KILL_SWITCH_CACHE" not in out:
        notes.append("HMAC_CACHE_ALIAS cached key rows; countermark needs no setting for that")
    if conf.get("HMAC_KD_PASSWORD"):
        notes.append(
            "HMAC_KD_PASSWORD is read only by countermark_import_hmac_keys (or pass --kd-password-env): keys are "
            "sealed again under KEY_ENCRYPTION_KEYS"
        )
    return out, notes
