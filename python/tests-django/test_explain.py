"""COUNTERMARK["EXPLAIN"]: with DEBUG on, a refused request's 401 body carries the core's explanation."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from django.test import Client

from countermark.django.checks import check_settings

from conftest import BODY, Signers, send

pytestmark = pytest.mark.django_db

TAMPERED = BODY.replace(b"10.5", b"1000.5")
PATHS = ["/api/whoami/", "/plain/"]  # a DRF view, and a plain view behind the middleware


@pytest.fixture
def explain(settings: Any) -> None:
    settings.DEBUG = True
    settings.COUNTERMARK = {**settings.COUNTERMARK, "EXPLAIN": True}


def refused(response: Any) -> dict[str, Any]:
    assert response.status_code == 401, (response.status_code, response.content)
    body = response.json()
    assert body["reason"] == "bad_signature"
    return body


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("scheme", ["hmac", "fost", "rfc9421"])
def test_an_accepted_request_is_unchanged(explain: None, client: Client, signers: Signers, scheme: str, path: str) -> None:
    headers = getattr(signers, scheme)("POST", path, BODY, "application/json")
    response = send(client, "POST", path, headers, BODY)
    assert response.status_code == 200, response.content
    assert response.json()["user"] == "alice"
    assert "explanation" not in response.json()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("scheme", ["hmac", "fost", "rfc9421"])
def test_a_tampered_body_is_explained(explain: None, client: Client, signers: Signers, scheme: str, path: str) -> None:
    headers = getattr(signers, scheme)("POST", path, BODY, "application/json")
    body = refused(send(client, "POST", path, headers, TAMPERED))
    explanation = body["explanation"]
    assert explanation["scheme"] == scheme
    assert explanation["verdict"] == "bad_signature"
    assert explanation["key_id"] == signers.key_id
    assert explanation["time_window"] == "ok"
    assert explanation["replay_checked"] is False
    sts = explanation["string_to_sign"]
    if scheme == "fost":
        assert sts.endswith("\n" + TAMPERED.decode())  # the body received, as signed
    elif scheme == "hmac":
        canonical = json.dumps(json.loads(TAMPERED), separators=(",", ":")).encode()
        assert sts.startswith(base64.b64encode(hashlib.sha256(canonical).digest()).decode() + ";")
    else:
        # RFC 9421 signs the Content-Digest sent; the body received no longer matches it.
        assert '"content-digest": sha-256=:' in sts and "Content-Digest" in explanation["message"]
    if scheme != "rfc9421":
        assert explanation["signature_matches"] is False
        assert explanation["expected_signature"] != explanation["received_signature"]
    # Never the key: neither the API secret's base64 nor its bytes in hex.
    secret = signers.secret
    text = json.dumps(body)
    assert secret not in text and base64.b64decode(secret).hex() not in text


def test_a_replay_is_not_caused_by_explaining(explain: None, client: Client, signers: Signers) -> None:
    # The explanation of the first (refused) request reads no nonce: the same signature on the right body, sent
    # afterwards, is still accepted once.
    headers = signers.rfc9421("POST", "/plain/", BODY, "application/json")
    wrong_path = send(client, "POST", "/api/whoami/", headers, BODY)
    assert refused(wrong_path)["explanation"]["verdict"] == "bad_signature"
    assert send(client, "POST", "/plain/", headers, BODY).status_code == 200
    assert send(client, "POST", "/plain/", headers, BODY).json()["reason"] == "replayed"


def test_jwt_signed_by_another_key(explain: None, client: Client, signers: Signers) -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from conftest import _pem

    other = _pem(ed25519.Ed25519PrivateKey.generate())
    headers = signers.jwt("GET", "/api/whoami/", b"", "application/json", pem=other)
    explanation = refused(send(client, "GET", "/api/whoami/", headers))["explanation"]
    assert (explanation["scheme"], explanation["verdict"]) == ("jwt", "bad_signature")
    assert explanation["expected_signature"] is None and explanation["signature_matches"] is False


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("debug", "explain_on"), [(False, True), (True, False), (False, False)])
def test_no_explanation_without_debug_and_explain(
    settings: Any, client: Client, signers: Signers, path: str, debug: bool, explain_on: bool
) -> None:
    settings.DEBUG = debug
    settings.COUNTERMARK = {**settings.COUNTERMARK, "EXPLAIN": explain_on}
    headers = signers.hmac("POST", path, BODY, "application/json")
    body = refused(send(client, "POST", path, headers, TAMPERED))
    assert set(body) == {"detail", "reason"}


def test_the_system_check_refuses_explain_without_debug(settings: Any) -> None:
    settings.COUNTERMARK = {"EXPLAIN": True}
    settings.DEBUG = False
    errors = [m for m in check_settings() if m.id == "countermark.E027"]
    assert len(errors) == 1 and errors[0].level >= 40  # an Error, which stops runserver and the test runner
    settings.DEBUG = True
    assert [m.id for m in check_settings()] == []
    settings.COUNTERMARK = {"EXPLAIN": "yes"}
    assert [m.id for m in check_settings()] == ["countermark.E026"]
