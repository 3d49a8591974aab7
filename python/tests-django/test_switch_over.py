"""Gradual switch-over (issue 19, item 7): with COUNTERMARK["PASS_UNKNOWN_KEYS"], credentials naming a key id
countermark does not hold go on to the next authentication class (the reference library, installed beside it);
keys countermark holds are verified by countermark alone, refusals and throttling included."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.http import JsonResponse
from django.test import Client
from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

import countermark
from countermark.django.drf import HMACAuthentication, HttpSignatureAuthentication

from conftest import BODY, Signers, send
from test_reference_libraries import reference_hmac_header

pytestmark = [pytest.mark.django_db, pytest.mark.urls("test_switch_over")]


def _reference_class() -> Any:
    from django_hmac_authentication.authentication import HMACAuthentication as Reference

    return Reference


@api_view(["GET", "POST"])
@authentication_classes([HMACAuthentication, _reference_class()])
@permission_classes([IsAuthenticated])
def both(request: Request) -> Response:
    """countermark's class first, the reference's second: as the guide's step 3 lists them."""
    signed = request._request.signed
    return Response(
        {
            "user": request.user.get_username(),
            "by": type(request.successful_authenticator).__module__.split(".")[0],
            "key_id": signed.key_id if signed else None,
        }
    )


@api_view(["GET", "POST"])
@authentication_classes([HttpSignatureAuthentication])
@permission_classes([AllowAny])
def rfc9421_public(request: Request) -> Response:
    signed = request._request.signed
    return Response({"signed": signed.scheme if signed else None})


def plain(request: Any) -> JsonResponse:
    return JsonResponse({"user": request.user.get_username() if request.user.is_authenticated else None})


urlpatterns = [path("both/", both), path("rfc9421/", rfc9421_public), path("plain/", plain)]


def _reference_key(user: Any) -> tuple[str, str]:
    from django_hmac_authentication.server_utils import create_shared_secret_for_user

    key_id, secret = create_shared_secret_for_user(user)
    return str(key_id), secret


def _post(client: Client, key_id: str, secret: str) -> Any:
    header = reference_hmac_header(key_id, secret, {"amount": 10.5, "to": "bob"})
    return send(client, "POST", "/both/", {"Authorization": header}, BODY)


def test_without_the_setting_an_unknown_key_is_refused_by_countermark(client: Client, user: Any) -> None:
    key_id, secret = _reference_key(user)
    response = _post(client, key_id, secret)
    assert response.status_code == 401
    assert response.json()["reason"] == "bad_signature"


def test_an_unknown_key_goes_on_to_the_reference_class(client: Client, user: Any, settings: Any) -> None:
    settings.COUNTERMARK = {**settings.COUNTERMARK, "PASS_UNKNOWN_KEYS": ["hmac"]}
    key_id, secret = _reference_key(user)
    response = _post(client, key_id, secret)
    assert response.status_code == 200, response.content
    assert response.json() == {"user": "alice", "by": "django_hmac_authentication", "key_id": None}
    # A forged signature under that key id is the reference's to refuse, in its own words.
    refused = _post(client, key_id, countermark.ApiSecret.generate().to_base64())
    assert refused.status_code == 401 and "reason" not in refused.json()


def test_a_key_countermark_holds_is_verified_by_countermark_alone(client: Client, user: Any, settings: Any) -> None:
    settings.COUNTERMARK = {**settings.COUNTERMARK, "PASS_UNKNOWN_KEYS": ["hmac"]}
    key_id, secret = _reference_key(user)
    call_command("countermark_import_hmac_keys", stdout=io.StringIO())
    response = _post(client, key_id, secret)
    assert response.status_code == 200, response.content
    assert response.json() == {"user": "alice", "by": "countermark", "key_id": key_id}
    # The reference still holds the key and would accept this signature: countermark's refusal is final.
    from countermark.django.models import ApiKey

    ApiKey.objects.get(key_id=key_id).revoke()
    revoked = _post(client, key_id, secret)
    assert revoked.status_code == 401 and revoked.json()["reason"] == "revoked"
    forged = _post(client, key_id, countermark.ApiSecret.generate().to_base64())
    assert forged.status_code == 401 and forged.json()["reason"] == "bad_signature"


def test_a_throttled_address_is_refused_whatever_key_it_names(client: Client, user: Any, settings: Any) -> None:
    settings.COUNTERMARK = {"PASS_UNKNOWN_KEYS": ["hmac"], "FAILED_ATTEMPTS_THRESHOLD": 2}
    from countermark.django.models import ApiKey

    known, _ = ApiKey.objects.create_key(user)
    for _ in range(2):
        assert _post(client, known.key_id, countermark.ApiSecret.generate().to_base64()).status_code == 401
    key_id, secret = _reference_key(user)  # valid for the reference, unknown here
    response = _post(client, key_id, secret)
    assert response.status_code == 429 and response.json()["reason"] == "throttled"


def test_only_the_named_schemes_pass_on(client: Client, signers: Signers, settings: Any) -> None:
    unknown = Signers("no-such-key", countermark.ApiSecret.generate().to_base64(), "alice", None)
    headers = unknown.rfc9421("POST", "/rfc9421/", BODY, "application/json")
    settings.COUNTERMARK = {**settings.COUNTERMARK, "PASS_UNKNOWN_KEYS": ["hmac"]}
    refused = send(client, "POST", "/rfc9421/", headers, BODY)
    assert refused.status_code == 401 and refused.json()["reason"] == "bad_signature"
    settings.COUNTERMARK = {**settings.COUNTERMARK, "PASS_UNKNOWN_KEYS": ["rfc9421"]}
    headers = unknown.rfc9421("POST", "/rfc9421/", BODY, "application/json")
    passed = send(client, "POST", "/rfc9421/", headers, BODY)
    assert passed.status_code == 200 and passed.json() == {"signed": None}
    # A key countermark holds is still verified (and a wrong signature under it refused).
    known = signers.rfc9421("POST", "/rfc9421/", BODY, "application/json")
    assert send(client, "POST", "/rfc9421/", known, BODY).json() == {"signed": "rfc9421"}
    forged = Signers(signers.key_id, countermark.ApiSecret.generate().to_base64(), "alice", None)
    bad = send(client, "POST", "/rfc9421/", forged.rfc9421("POST", "/rfc9421/", BODY, "application/json"), BODY)
    assert bad.status_code == 401 and bad.json()["reason"] == "bad_signature"


def test_an_asymmetric_jwt_auth_key_not_imported_is_left_to_its_middleware(
    client: Client, user: Any, ed25519_pem: str, rsa_pem: str, settings: Any
) -> None:
    from asymmetric_jwt_auth.keys import PrivateKey
    from asymmetric_jwt_auth.models import PublicKey as ReferencePublicKey
    from asymmetric_jwt_auth.tokens import Token

    from conftest import public_pem_of
    from countermark.django.models import PublicKey

    # As the guide lists them: countermark's middleware first, the old one after it.
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "asymmetric_jwt_auth.middleware.JWTAuthMiddleware"]
    settings.ASYMMETRIC_JWT_AUTH = {**settings.ASYMMETRIC_JWT_AUTH, "TIMESTAMP_TOLERANCE": 20}  # its nonce backend reads it
    # The user holds two keys in the reference app; only the Ed25519 one is in countermark yet.
    ReferencePublicKey.objects.create(user=user, key=public_pem_of(rsa_pem))
    PublicKey.objects.create(user=user, pem=public_pem_of(ed25519_pem))
    rsa_token = Token("alice").sign(PrivateKey.load_pem(rsa_pem.encode()))
    refused = send(client, "GET", "/plain/", {"Authorization": f"JWT {rsa_token}"})
    # Verified against the user's countermark keys only (an RSA token, an Ed25519 key): refused.
    assert refused.status_code == 401 and refused.json()["reason"] == "unsupported_algorithm"

    settings.COUNTERMARK = {**settings.COUNTERMARK, "PASS_UNKNOWN_KEYS": ["jwt"]}
    rsa_token = Token("alice").sign(PrivateKey.load_pem(rsa_pem.encode()))
    passed = send(client, "GET", "/plain/", {"Authorization": f"JWT {rsa_token}"})
    assert passed.status_code == 200 and passed.json() == {"user": "alice"}
    # A token of the key countermark holds, but signed by another key under its kid: refused, not passed on.
    ed_token = Token("alice").sign(PrivateKey.load_pem(ed25519_pem.encode()))
    assert send(client, "GET", "/plain/", {"Authorization": f"JWT {ed_token}"}).status_code == 200
    forged_head, _, _ = ed_token.partition(".")
    other = Token("alice").sign(PrivateKey.load_pem(rsa_pem.encode())).split(".")
    forged = ".".join([forged_head, other[1], other[2]])
    answer = send(client, "GET", "/plain/", {"Authorization": f"JWT {forged}"})
    assert answer.status_code == 401 and answer.json()["reason"] == "bad_signature"


def test_check_warns_while_unknown_keys_pass_on(settings: Any) -> None:
    from countermark.django.migration import check_migration_settings

    settings.COUNTERMARK = {"PASS_UNKNOWN_KEYS": ["hmac"]}
    assert [m.id for m in check_migration_settings()] == ["countermark.W040"]
    settings.COUNTERMARK = {"PASS_UNKNOWN_KEYS": ["token"]}
    assert [m.id for m in check_migration_settings()] == ["countermark.E040"]
    settings.COUNTERMARK = {}
    assert check_migration_settings() == []


def test_fost_keys_import_as_the_guide_says_and_unknown_ones_pass_on(client: Client, user: Any, settings: Any) -> None:
    from countermark.django.models import ApiKey

    secret = countermark.ApiSecret.generate().to_base64()  # a FOST secret of the shape countermark hands out
    # The FOST guide's step 2: the key id is the FOST key, the secret's base64 text the FOST secret.
    ApiKey.objects.create_key(user, key_id="fost-client-1", secret=countermark.ApiSecret(secret))

    def get(key_id: str) -> Any:
        headers = Signers(key_id, secret, "alice", None).fost("GET", "/plain/", b"", "")
        return send(client, "GET", "/plain/", headers)

    assert get("fost-client-1").json() == {"user": "alice"}
    refused = get("fost-client-2")
    assert refused.status_code == 401 and refused.json()["reason"] == "bad_signature"
    settings.COUNTERMARK = {**settings.COUNTERMARK, "PASS_UNKNOWN_KEYS": ["fost"]}
    passed = get("fost-client-2")  # left to the next middleware (the old app's; none in this project)
    assert passed.status_code == 200 and passed.json() == {"user": None}
    assert get("fost-client-1").json() == {"user": "alice"}
