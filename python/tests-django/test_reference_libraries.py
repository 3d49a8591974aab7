"""Credentials made by the libraries we replace authenticate through our DRF classes, and their keys import."""

from __future__ import annotations

import base64
import io
import json
from datetime import datetime, timezone
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from countermark.django.models import ApiKey

from conftest import send

pytestmark = pytest.mark.django_db


def reference_hmac_header(api_key: str, secret_b64: str, data: Any, digest: str = "HMAC-SHA256") -> str:
    """Exactly what a django-hmac-authentication client sends (its own functions)."""
    from django_hmac_authentication.client_utils import compose_authorization_header, prepare_string_to_sign
    from vevde_security_utils.crypt.signatures import sign_string

    utc_8601 = datetime.now(timezone.utc).isoformat()
    string_to_sign = prepare_string_to_sign(data, utc_8601, digest)
    signature = sign_string(string_to_sign, base64.b64decode(secret_b64), digest)
    return compose_authorization_header(digest, api_key, signature, utc_8601)


@pytest.mark.parametrize("digest", ["HMAC-SHA256", "HMAC-SHA384", "HMAC-SHA512"])
def test_django_hmac_authentication_client_is_accepted(client: Client, api_key: Any, digest: str) -> None:
    key, secret = api_key
    data = {"amount": 10.5, "to": "bøb", "items": [1, 2, {"z": None}]}
    header = reference_hmac_header(key.key_id, secret, data, digest)
    # The client serialises its own way; the server verifies what DRF parses, as the reference server does.
    body = json.dumps(data, indent=2).encode()
    response = send(client, "POST", "/api/whoami/", {"Authorization": header}, body)
    assert response.status_code == 200, response.content
    assert response.json()["scheme"] == "hmac" and response.json()["user"] == "alice"
    again = send(client, "POST", "/api/whoami/", {"Authorization": header}, body)
    assert again.status_code == 401 and again.json()["reason"] == "replayed"


def test_imported_django_hmac_authentication_keys_keep_working(client: Client, user: Any) -> None:
    from django_hmac_authentication.models import ApiHMACKey
    from django_hmac_authentication.server_utils import create_shared_secret_for_user

    ids_and_secrets = [create_shared_secret_for_user(user) for _ in range(3)]
    revoked_id = ids_and_secrets[2][0]
    ApiHMACKey.objects.filter(id=revoked_id).update(revoked=True)

    out = io.StringIO()
    call_command("countermark_import_hmac_keys", stdout=out)
    assert "imported 3 keys, skipped 0" in out.getvalue()
    out = io.StringIO()
    call_command("countermark_import_hmac_keys", stdout=out)
    assert "imported 0 keys, skipped 3" in out.getvalue()

    for key_id, secret in ids_and_secrets:
        imported = ApiKey.objects.get(key_id=str(key_id))
        assert imported.secret().to_base64() == secret
        header = reference_hmac_header(str(key_id), secret, {"n": 1})
        response = send(client, "POST", "/api/whoami/", {"Authorization": header}, b'{"n": 1}')
        if key_id == revoked_id:
            assert response.status_code == 401 and response.json()["reason"] == "revoked"
        else:
            assert response.status_code == 200, response.content
            assert response.json()["key_id"] == str(key_id)


@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
def test_asymmetric_jwt_auth_token_sign_is_accepted(
    client: Client, user: Any, ed25519_pem: str, rsa_pem: str, kind: str
) -> None:
    from asymmetric_jwt_auth.keys import PrivateKey
    from asymmetric_jwt_auth.tokens import Token

    from conftest import public_pem_of
    from countermark.django.models import PublicKey

    pem = ed25519_pem if kind == "ed25519" else rsa_pem
    PublicKey.objects.create(user=user, pem=public_pem_of(pem))
    token = Token("alice").sign(PrivateKey.load_pem(pem.encode()))
    response = send(client, "GET", "/api/whoami/", {"Authorization": f"JWT {token}"})
    assert response.status_code == 200, response.content
    assert response.json()["scheme"] == "jwt" and response.json()["key_id"] == PublicKey.objects.get().key_id
    again = send(client, "GET", "/api/whoami/", {"Authorization": f"JWT {token}"})
    assert again.status_code == 401 and again.json()["reason"] == "replayed"
