"""ApiKey / PublicKey, the obtain-key view, the management commands, and secrets at rest."""

from __future__ import annotations

import base64
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

import countermark
from countermark.django.models import ApiKey, KeyLimitReached, PublicKey

from conftest import BODY, Signers, public_pem_of, send

pytestmark = pytest.mark.django_db


def run(*args: Any) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_secret_is_sealed_at_rest_and_bound_to_its_row(user: Any) -> None:
    key, secret = ApiKey.objects.create_key(user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_secret FROM countermark_apikey WHERE id = %s", [key.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("cm1$") and secret not in stored
    assert base64.b64decode(secret) not in base64.urlsafe_b64decode(stored.rsplit("$", 1)[1] + "==")
    assert key.secret().to_base64() == secret
    # A sealed secret copied onto another row does not open there.
    other, _ = ApiKey.objects.create_key(user)
    other.sealed_secret = key.sealed_secret
    with pytest.raises(countermark.BadSignature):
        other.secret()


def test_key_limit_expiry_and_revocation(user: Any, settings: Any) -> None:
    settings.COUNTERMARK = {"MAX_KEYS_PER_USER": 2, "KEY_LIFETIME": 3600}
    first, _ = ApiKey.objects.create_key(user)
    ApiKey.objects.create_key(user)
    assert first.expires_at is not None and first.expires_at - timezone.now() > timedelta(seconds=3590)
    with pytest.raises(KeyLimitReached):
        ApiKey.objects.create_key(user)
    first.revoke()  # revoked keys no longer count
    ApiKey.objects.create_key(user)
    assert ApiKey.objects.live().filter(user=user).count() == 2


def test_rotation_of_the_master_secret(user: Any, settings: Any, client: Client) -> None:
    settings.COUNTERMARK = {"KEY_ENCRYPTION_KEYS": ["old master secret, 16+ bytes"]}
    key, secret = ApiKey.objects.create_key(user)
    settings.COUNTERMARK = {"KEY_ENCRYPTION_KEYS": ["new master secret, 16+ bytes", "old master secret, 16+ bytes"]}
    assert "re-sealed 1 of 1" in run("countermark_reseal")
    assert "re-sealed 0 of 1" in run("countermark_reseal")
    settings.COUNTERMARK = {"KEY_ENCRYPTION_KEYS": ["new master secret, 16+ bytes"]}
    key.refresh_from_db()
    assert key.secret().to_base64() == secret
    signers = Signers(key.key_id, secret, "alice", None)
    assert send(client, "GET", "/api/whoami/", signers.hmac("GET", "/api/whoami/", b"", "")).status_code == 200


def test_public_key_key_id_is_asymmetric_jwt_auths_fingerprint(user: Any, ed25519_pem: str) -> None:
    from asymmetric_jwt_auth.keys import PublicKey as RefPublicKey

    pem = public_pem_of(ed25519_pem)
    key = PublicKey(user=user, pem=pem)
    key.full_clean()
    key.save()
    assert key.key_id == RefPublicKey.load_pem(pem.encode()).fingerprint
    bad = PublicKey(user=user, pem="-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    with pytest.raises(Exception, match="Not a public key"):
        bad.full_clean()


def test_obtain_key_view(client: Client, user: Any, settings: Any) -> None:
    response = client.post("/auth/api-key/", {"username": "alice", "password": "correct horse"})
    assert response.status_code == 201
    got = response.json()
    key = ApiKey.objects.get(key_id=got["key_id"])
    assert key.secret().to_base64() == got["secret"]
    signers = Signers(got["key_id"], got["secret"], "alice", None)
    assert send(client, "POST", "/api/whoami/", signers.hmac("POST", "/api/whoami/", BODY, "application/json"), BODY).status_code == 200
    as_json = client.post("/auth/api-key/", json.dumps({"username": "alice", "password": "nope"}), content_type="application/json")
    assert as_json.status_code == 401 and as_json.json()["reason"] == "bad_credentials"
    settings.COUNTERMARK = {"MAX_KEYS_PER_USER": 1}
    full = client.post("/auth/api-key/", {"username": "alice", "password": "correct horse"})
    assert full.status_code == 409 and full.json()["reason"] == "key_limit"
    assert client.get("/auth/api-key/").status_code == 405


def test_create_key_add_public_key_and_revoke_commands(user: Any, tmp_path: Any, ed25519_pem: str, client: Client) -> None:
    out = run("countermark_create_key", "alice", "--comment", "ci", "--format", "env")
    values = dict(line.split("=", 1) for line in out.strip().splitlines())
    key = ApiKey.objects.get(key_id=values["KEY_ID"])
    assert key.comment == "ci" and key.secret().to_base64() == values["SECRET"]

    pem_file = tmp_path / "client.pub.pem"
    pem_file.write_text(public_pem_of(ed25519_pem))
    key_id = run("countermark_add_public_key", "alice", str(pem_file)).split(": ")[1].strip()
    assert PublicKey.objects.get(key_id=key_id).user == user

    assert "revoked API key" in run("countermark_revoke", values["KEY_ID"])
    signers = Signers(values["KEY_ID"], values["SECRET"], "alice", None)
    response = send(client, "GET", "/api/whoami/", signers.hmac("GET", "/api/whoami/", b"", ""))
    assert response.status_code == 401 and response.json()["reason"] == "revoked"
    assert "deleted public key" in run("countermark_revoke", key_id)
    with pytest.raises(CommandError, match="no API key or public key"):
        run("countermark_revoke", "nope")
    with pytest.raises(CommandError, match="no user"):
        run("countermark_create_key", "nobody")
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    with pytest.raises(CommandError):
        run("countermark_add_public_key", "alice", str(bad))


def test_commands_have_help() -> None:
    for name in ("countermark_create_key", "countermark_add_public_key", "countermark_revoke", "countermark_reseal", "countermark_import_hmac_keys"):
        from django.core.management import load_command_class

        parser = load_command_class("countermark.django", name).create_parser("manage.py", name)
        assert parser.description and len(parser.format_help()) > 100


def test_admin_lists_keys_without_secrets(admin_client: Client, user: Any, ed25519_pem: str) -> None:
    key, secret = ApiKey.objects.create_key(user)
    page = admin_client.get("/admin/countermark/apikey/").content.decode()
    assert key.key_id in page and secret not in page
    change = admin_client.get(f"/admin/countermark/apikey/{key.pk}/change/").content.decode()
    assert key.key_id in change and secret not in change and key.sealed_secret not in change
    assert admin_client.get("/admin/countermark/apikey/add/").status_code == 403
    # The revoke action.
    admin_client.post("/admin/countermark/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.is_revoked
    # Public keys are added through the admin with their PEM validated and fingerprinted.
    response = admin_client.post(
        "/admin/countermark/publickey/add/", {"user": user.pk, "pem": public_pem_of(ed25519_pem), "comment": "laptop"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PublicKey.objects.get(comment="laptop").key_id
