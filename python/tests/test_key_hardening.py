"""Issue 15 items 3 and 8 through the Python binding: keys the core refuses at load reach Python as InvalidKey."""

from __future__ import annotations

import base64
import json

import pytest
from conftest import load_vectors

from countermark import SigningKey, VerifyingKey
from countermark import exceptions as cm_errors


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


P = 2**255 - 19
#: y of the small-order Ed25519 points (identity, order 2, order 4, the two of order 8), little-endian.
SMALL_ORDER_Y = [
    1,
    P - 1,
    0,
    int.from_bytes(bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"), "little"),
    int.from_bytes(bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"), "little"),
]
ENCODINGS = [
    (y | (sign << 255)).to_bytes(32, "little") for y in SMALL_ORDER_Y for sign in (0, 1)
] + [(P + 1).to_bytes(32, "little"), P.to_bytes(32, "little")]


@pytest.mark.parametrize("point", ENCODINGS, ids=[e.hex()[:8] + e.hex()[-2:] for e in ENCODINGS])
def test_small_order_and_non_canonical_ed25519_keys_are_refused(point: bytes) -> None:
    spki = bytes.fromhex("302a300506032b6570032100") + point
    pem = f"-----BEGIN PUBLIC KEY-----\n{base64.b64encode(spki).decode()}\n-----END PUBLIC KEY-----\n"
    with pytest.raises(cm_errors.InvalidKey):
        VerifyingKey.from_pem(pem)
    with pytest.raises(cm_errors.InvalidKey):
        VerifyingKey.from_jwk(json.dumps({"kty": "OKP", "crv": "Ed25519", "x": _b64url(point)}))


@pytest.mark.parametrize("e", [1, 2, 65536])
def test_rsa_exponents_that_are_even_or_below_3_are_refused(e: int) -> None:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    pem = load_vectors("rfc9421.json")["keys"]["test-key-rsa-pss"]["public_pem"]
    n = load_pem_public_key(pem.encode()).public_numbers().n  # type: ignore[union-attr]
    jwk = {"kty": "RSA", "n": _b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))}
    with pytest.raises(cm_errors.InvalidKey, match="odd and at least 3"):
        VerifyingKey.from_jwk(json.dumps({**jwk, "e": _b64url(e.to_bytes((e.bit_length() + 7) // 8, "big"))}))
    VerifyingKey.from_jwk(json.dumps({**jwk, "e": "AQAB"}))  # the same modulus with e = 65537 loads


def test_rfc9421_test_key_rsa_is_refused_for_signing_with_the_true_reason() -> None:
    key = load_vectors("rfc9421.json")["keys"]["test-key-rsa"]
    with pytest.raises(cm_errors.InvalidKey, match=r"primes differ in length \(1088 and 960 bits\)"):
        SigningKey.from_pem(key["private_pem"])
    VerifyingKey.from_pem(key["public_pem"])  # its public half still verifies
