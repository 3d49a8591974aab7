"""Issue 15 items 2 and 3 through Django: a re-encoded ECDSA signature is still a replay in the RFC 9421
seen-signature mode, and a small-order Ed25519 key (a universal forgery) cannot be registered as a PublicKey."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.test import Client

import countermark
from countermark.django.models import PublicKey

from conftest import BODY, HOST, send

pytestmark = pytest.mark.django_db

WHOAMI = "/api/whoami/"
#: The order of the P-256 group.
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _p256_pair() -> tuple[str, str]:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return pem, public


def _malleate(signature_header: str) -> str:
    """``label=:r||s:`` -> ``label=:r||(n-s):``: the same ECDSA signature, other bytes."""
    label, value = signature_header.split("=", 1)
    raw = base64.b64decode(value.strip(":"))
    assert len(raw) == 64
    s = int.from_bytes(raw[32:], "big")
    other = raw[:32] + (P256_N - s).to_bytes(32, "big")
    return f"{label}=:{base64.b64encode(other).decode()}:"


def test_a_re_encoded_ecdsa_signature_is_a_replay(client: Client, user: Any) -> None:
    private_pem, public_pem = _p256_pair()
    row = PublicKey(user=user, pem=public_pem, comment="p-256")
    row.full_clean()
    row.save()
    signer = countermark.MessageSigner(
        countermark.SigningKey.from_pem(private_pem),
        algorithm="ecdsa-p256-sha256",
        key_id=row.key_id,
        components=["@method", "@authority", "@path", "content-digest"],
        random_nonces=False,  # no nonce: the seen-signature mode is the only replay protection
    )
    headers = {"Content-Type": "application/json", "Content-Digest": countermark.content_digest(BODY)}
    req = countermark.Request("POST", WHOAMI, headers=headers, body=BODY, scheme="http", authority=HOST)
    signed = {**headers, **dict(signer.sign(req).headers)}
    assert "nonce" not in signed["Signature-Input"]
    malleated = {**signed, "Signature": _malleate(signed["Signature"])}
    assert malleated["Signature"] != signed["Signature"]

    first = send(client, "POST", WHOAMI, signed, BODY)
    assert first.status_code == 200, first.content
    assert first.json()["key_id"] == row.key_id
    again = send(client, "POST", WHOAMI, malleated, BODY)
    assert again.status_code == 401, again.content
    assert again.json()["reason"] == "replayed"


def _ed25519_spki_pem(point: bytes) -> str:
    spki = bytes.fromhex("302a300506032b6570032100") + point
    body = base64.b64encode(spki).decode()
    return f"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n"


IDENTITY = b"\x01" + b"\x00" * 31
ORDER_2 = b"\xec" + b"\xff" * 30 + b"\x7f"


@pytest.mark.parametrize("point", [IDENTITY, ORDER_2], ids=["identity", "order-2"])
def test_a_small_order_ed25519_key_cannot_be_registered(user: Any, point: bytes) -> None:
    pem = _ed25519_spki_pem(point)
    with pytest.raises(ValidationError) as refused:
        PublicKey(user=user, pem=pem).full_clean()
    assert "pem" in refused.value.message_dict
    assert "small order" in refused.value.message_dict["pem"][0]
    # The admin's form (a ModelForm over the same model) refuses it too.
    form = modelform_factory(PublicKey, fields=["user", "pem", "comment"])(
        data={"user": user.pk, "pem": pem, "comment": ""}
    )
    assert not form.is_valid()
    assert "pem" in form.errors
    assert not PublicKey.objects.filter(user=user).exists()

