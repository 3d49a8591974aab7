"""The WWW-Authenticate challenge names the scheme that refused (issue 15, item 6), with the DRF classes alone (no
middleware, as django-hmac-authentication is set up) and with the middleware; request.signed is always present
(item 7)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.test import Client

import countermark
from countermark.django.decorators import signed_url

from conftest import BODY, Signers, _pem, send

pytestmark = pytest.mark.django_db

WHOAMI = "/api/whoami/"
MIDDLEWARE = "countermark.django.middleware.CountermarkMiddleware"
WORDS = {
    "hmac": "HMAC-SHA256",
    "fost": "FOST",
    "rfc9421": "Signature",
    "jwt": "JWT",
    "token": "Token",
    "signed_url": "SignedURL",
}


@pytest.fixture(params=["drf-only", "with-middleware"])
def setup(request: Any, settings: Any) -> str:
    if request.param == "drf-only":
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    else:
        assert MIDDLEWARE in settings.MIDDLEWARE
    return str(request.param)


def refused(client: Client, signers: Signers, scheme: str) -> Any:
    """A request of ``scheme`` that is refused as a bad signature."""
    if scheme == "signed_url":
        return client.get(signed_url(WHOAMI, "alice").replace("auth_user=alice", "auth_user=admin"))
    if scheme == "token":
        token = signers.token("GET", WHOAMI, b"", "")["Authorization"].replace("Token alice:", "Token admin:")
        return send(client, "GET", WHOAMI, {"Authorization": token})
    if scheme == "jwt":
        headers = signers.jwt("POST", WHOAMI, BODY, "application/json", pem=_pem(ed25519.Ed25519PrivateKey.generate()))
    else:
        wrong = Signers(signers.key_id, countermark.ApiSecret.generate().to_base64(), "alice", None)
        headers = getattr(wrong, scheme)("POST", WHOAMI, BODY, "application/json")
    return send(client, "POST", WHOAMI, headers, BODY)


@pytest.mark.parametrize("scheme", list(WORDS))
def test_challenge_names_the_refusing_scheme_and_its_reason(
    client: Client, signers: Signers, scheme: str, setup: str
) -> None:
    response = refused(client, signers, scheme)
    assert response.status_code == 401, response.content
    assert response.json()["reason"] == "bad_signature"
    assert response["WWW-Authenticate"] == f'{WORDS[scheme]} realm="api", error="bad_signature"'


def test_unsigned_request_gets_the_first_class_challenge(client: Client, setup: str) -> None:
    response = client.post(WHOAMI, BODY, content_type="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'HMAC-SHA256 realm="api"'


def test_request_signed_is_none_without_credentials(client: Client, signers: Signers, setup: str) -> None:
    # A view that lets anonymous requests in reads request.signed directly: None, not an AttributeError.
    for method in ("GET", "POST"):
        response = client.generic(method, "/api/public/", BODY, content_type="application/json")
        assert response.status_code == 200, response.content
        assert response.json() == {"signed": None}
    headers = signers.hmac("POST", "/api/public/", BODY, "application/json")
    assert send(client, "POST", "/api/public/", headers, BODY).json() == {"signed": "hmac"}


def test_backend_sets_request_signed_to_none(rf: Any) -> None:
    from countermark.django.backends import CountermarkBackend

    request = rf.get("/")
    assert CountermarkBackend().authenticate(request) is None
    assert request.signed is None


def test_throttled_answer_is_429_with_retry_after(client: Client, signers: Signers, settings: Any, setup: str) -> None:
    settings.COUNTERMARK = {"FAILED_ATTEMPTS_THRESHOLD": 2, "FAILED_ATTEMPTS_WINDOW": 120}
    assert refused(client, signers, "hmac").status_code == 401
    assert refused(client, signers, "jwt").status_code == 401
    for scheme in ("hmac", "token"):
        response = refused(client, signers, scheme)
        assert response.status_code == 429, (scheme, response.content)
        assert response.json()["reason"] == "throttled"
        assert response["Retry-After"] == "120"
        assert "WWW-Authenticate" not in response
