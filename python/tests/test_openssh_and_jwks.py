"""OpenSSH public keys and JWK sets through the Python binding: the core's rules reach Python as typed errors."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

import countermark

SMALL_ORDER_SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def _lines(private: object) -> tuple[str, str]:
    public = private.public_key()  # type: ignore[attr-defined]
    ssh = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return ssh, pem


@pytest.mark.parametrize("private", [ed25519.Ed25519PrivateKey.generate(), rsa.generate_private_key(public_exponent=65537, key_size=2048)])
def test_openssh_lines_are_the_keys_of_their_pem(private: object) -> None:
    ssh, pem = _lines(private)
    expected = countermark.VerifyingKey.from_pem(pem).key_id
    assert countermark.VerifyingKey.from_openssh(ssh + " me@host").key_id == expected
    assert countermark.VerifyingKey.from_pem(ssh).key_id == expected
    assert countermark.VerifyingKey.from_pem(ssh).to_pem() == pem


def test_weak_and_malformed_openssh_lines_raise_invalid_key() -> None:
    with pytest.raises(countermark.InvalidKey, match="small order"):
        countermark.VerifyingKey.from_openssh(SMALL_ORDER_SSH)
    with pytest.raises(countermark.InvalidKey, match="unsupported OpenSSH key type"):
        countermark.VerifyingKey.from_openssh("ssh-dss AAAA")


def test_jwks_round_trip_str_and_bytes() -> None:
    key = countermark.VerifyingKey.from_pem(_lines(ed25519.Ed25519PrivateKey.generate())[1])
    document = countermark.Jwks.from_keys([key]).to_json()
    for form in (document, document.encode()):
        parsed = countermark.Jwks.parse(form)
        assert len(parsed) == 1 and parsed.skipped == 0
        got = parsed.get(key.key_id)
        assert got is not None and got.to_pem() == key.to_pem()
    assert json.loads(key.to_jwk())["kid"] == key.key_id
    assert key.key_type == "ed25519"
    with pytest.raises(TypeError):
        countermark.Jwks.parse(42)  # type: ignore[arg-type]


def test_jwks_refusals_are_typed() -> None:
    with pytest.raises(countermark.Malformed):
        countermark.Jwks.parse("{}")
    with pytest.raises(countermark.TooLarge):
        countermark.Jwks.parse(b" " * (countermark.Jwks.MAX_LEN + 1))
    weak = {"kty": "OKP", "crv": "Ed25519", "x": "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "kid": "w"}
    with pytest.raises(countermark.InvalidKey):
        countermark.Jwks.parse(json.dumps({"keys": [weak]}))
