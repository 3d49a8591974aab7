"""Every case of shared/vectors/hmac_header.json (django-hmac-authentication 5.0.3) through the Python binding.

Mirrors core/tests/hmac_header_vectors.rs case by case: client signatures (string to sign, signature, header,
then the server's verdict), server verification with a key store like the reference's, and secrets at rest.
"""

from __future__ import annotations

import base64
import json

import pytest
from conftest import assert_all_cases_ran, check_server, load_vectors, vector_cases

from countermark import (
    ApiSecret,
    Clock,
    HmacHeaderPolicy,
    HmacHeaderSigner,
    Request,
    parse_hmac_header,
    verify_hmac_header,
)
from countermark.exceptions import InvalidKey, UnknownKey

FILE = "hmac_header.json"
EXPECTED_COUNT = 28
RAN: set = set()

OUTCOMES = {
    "valid", "not_applicable", "bad_signature", "expired", "not_yet_valid", "malformed", "unsupported_algorithm",
    "unknown_key", "revoked_key", "expired_key", "error",
}


class KeyStore:
    """The reference's ApiHMACKey table: countermark leaves key lookup to the caller. No such key, a revoked key
    and a key past its expires_at all raise UnknownKey (as in the Rust test)."""

    def __init__(self, api_key, server_key):
        self.records = {} if server_key is None else {api_key: server_key}

    def lookup(self, api_key, now):
        record = self.records.get(api_key)
        if record is None:
            raise UnknownKey(f"no key {api_key!r}")
        if record["revoked"] or (record["expires_at"] is not None and record["expires_at"] <= now):
            raise UnknownKey(f"key {api_key!r} is revoked or expired")
        return ApiSecret.decrypt_legacy(
            record["cipher_algorithm"],
            record["kd_password"],
            base64.b64decode(record["salt_column_b64"]),
            base64.b64decode(record["secret_column_b64"]),
        )


def server_request(check, authorization=None):
    """The request the server receives."""
    headers = []
    if check.get("content_type") is not None:
        headers.append(("Content-Type", check["content_type"]))
    if authorization is not None:
        headers.append(("Authorization", authorization))
    body = check["request_body"].encode("utf-8") if check.get("request_body") is not None else None
    return Request(check["http_method"], check["path"], headers=headers, body=body)


def server(case_id, request, store, now, max_age, expect):
    """Parse, look the key up, verify (time window and signature)."""
    if expect not in OUTCOMES:
        pytest.fail(f"{case_id}: no hmac_header vector should expect {expect!r}")
    # Key-store outcomes are all UnknownKey (see KeyStore).
    if expect in ("revoked_key", "expired_key"):
        expect = "unknown_key"
    kwargs = {} if max_age is None else {"max_age": max_age}
    policy = HmacHeaderPolicy(clock=Clock.fixed(float(now)), **kwargs)

    def verify(creds):
        secret = store.lookup(creds.key_id, now)
        verified = verify_hmac_header(request, secret, policy)
        assert verified.key_id == creds.key_id, case_id
        assert verified.scheme == "hmac-header", case_id
        return verified

    return check_server(case_id, expect, lambda: parse_hmac_header(request), verify)


def api_secret(case):
    secret = ApiSecret(case["api_secret_b64"])
    assert bytes(secret) == bytes.fromhex(case["secret_hex"]), case["id"]
    assert secret.to_base64() == case["api_secret_b64"], case["id"]
    return secret


def check_server_key(case, server_key):
    """The server's stored secret decrypts to the one the case says the server holds."""
    if server_key is None:
        return
    stored = KeyStore("k", server_key).lookup("k", 0.0)
    assert bytes(stored) == bytes.fromhex(case["secret_hex"]), case["id"]


def op_sign(case):
    cid = case["id"]
    secret = api_secret(case)
    check = case["server_check"]
    # The vectors name the wire's method (``HMAC-SHA256``); the API takes the one spelling (``hmac-sha256``).
    signer = HmacHeaderSigner(case["api_key"], secret, case["method"].lower())
    signed = signer.sign(server_request(check), timestamp=case["utc_8601"])
    assert signed.signed_string == case["string_to_sign"], cid
    body_hash, _, utc = signed.signed_string.partition(";")
    assert body_hash == (case["body_hash_b64"] or ""), cid
    assert utc == case["utc_8601"], cid
    assert signed.signature == case["signature"], cid
    assert [tuple(h) for h in signed.headers] == [("Authorization", case["authorization"])], cid
    # The body as a client library would serialise it gives the same signature.
    if case["body_json"] is not None:
        client_body = json.dumps(case["body_json"], separators=(",", ":")).encode("utf-8")
        client = Request(check["http_method"], check["path"],
                         headers=[("Content-Type", "application/json")], body=client_body)
        assert signer.sign(client, timestamp=case["utc_8601"]).signed_string == case["string_to_sign"], cid
    check_server_key(case, check["server_key"])
    store = KeyStore(case["api_key"], check["server_key"])
    request = server_request(check, case["authorization"])
    got = server(cid, request, store, check["now"], check.get("timeout_seconds"), check["expect"])
    if got is not None:
        creds, _verified = got
        assert creds.key_id == case["api_key"], cid
        assert creds.algorithm == case["method"].lower(), cid


def op_verify(case):
    api_secret(case)
    check_server_key(case, case["server_key"])
    store = KeyStore(case["api_key"], case["server_key"])
    request = server_request(case, case["authorization"])
    server(case["id"], request, store, case["now"], case.get("timeout_seconds"), case["expect"])


def op_secret_at_rest(case):
    cid = case["id"]
    assert (case["cipher_mode"], case["kdf"], case["kdf_iterations"]) == ("CBC", "PBKDF2-HMAC-SHA256", 1000), cid
    password = bytes.fromhex(case["kd_password_hex"])
    assert password == case["kd_password"].encode("utf-8"), cid
    salt = bytes.fromhex(case["salt_hex"])
    assert len(salt) == 24, cid
    assert base64.b64decode(case["salt_b64"]) == salt == base64.b64decode(case["salt_column_b64"]), cid
    assert salt[8:] == bytes.fromhex(case["iv_hex"]), cid
    ciphertext = bytes.fromhex(case["ciphertext_hex"])
    assert base64.b64decode(case["secret_column_b64"]) == ciphertext, cid
    for pw in (case["kd_password"], password):
        secret = ApiSecret.decrypt_legacy(case["cipher_algorithm"], pw, salt, ciphertext)
        assert bytes(secret) == bytes.fromhex(case["secret_hex"]), cid
        assert secret.to_base64() == case["api_secret_b64"], cid
    # A wrong password fails cleanly (padding), or yields other bytes, never the secret.
    try:
        other = ApiSecret.decrypt_legacy(case["cipher_algorithm"], "wrong password", salt, ciphertext)
    except InvalidKey:
        pass
    else:
        assert bytes(other) != bytes.fromhex(case["secret_hex"]), cid


OPS = {
    "sign": op_sign,
    "verify": op_verify,
    "secret_at_rest": op_secret_at_rest,
}


@pytest.mark.parametrize("case", vector_cases(FILE))
def test_hmac_header_vector(case):
    op = OPS.get(case["op"])
    if op is None:
        pytest.fail(f"{case['id']}: unknown op {case['op']!r}")
    op(case)
    RAN.add(case["id"])


def test_hmac_header_vector_count(request):
    assert_all_cases_ran(request, FILE, "test_hmac_header_vector", RAN, EXPECTED_COUNT)
    assert {c["op"] for c in load_vectors(FILE)["cases"]} <= set(OPS)
