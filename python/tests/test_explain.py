"""explain_*: the core's explanation of a verification, as a dict, for every request scheme."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

import countermark
from countermark import exceptions

NOW = 1_700_000_000
SECRET = bytes(range(32))
SECRET_B64 = base64.b64encode(SECRET).decode()
BODY = b'{"n": 1}'
TAMPERED = b'{"n": 2}'
KEYS = {
    "scheme",
    "verdict",
    "message",
    "algorithm",
    "key_id",
    "string_to_sign",
    "components",
    "time_window",
    "created",
    "expires",
    "received_signature",
    "expected_signature",
    "signature_matches",
    "replay_checked",
}
ED25519_PEM = (
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPgz7Ekv7cWzMyO1kHf/rqYkgkxqBaoPyOEzBlkIfGTO\n-----END PRIVATE KEY-----\n"
)


def assert_no_key(explanation: dict, secret: bytes = SECRET) -> None:
    shown = json.dumps(explanation) + repr(explanation)
    for spelling in (base64.b64encode(secret).decode(), secret.hex(), base64.urlsafe_b64encode(secret).decode()):
        assert spelling not in shown


def json_request(body: bytes, headers: list[tuple[str, str]]) -> countermark.Request:
    return countermark.Request(
        "POST",
        "/items",
        headers=[("Host", "api.example.com"), ("Content-Type", "application/json"), *headers],
        body=body,
        scheme="https",
        authority="api.example.com",
    )


def test_hmac_header_tampered_body_is_bad_signature_with_the_received_bodys_string_to_sign() -> None:
    secret = countermark.ApiSecret(SECRET_B64)
    signer = countermark.HmacHeaderSigner("api-1", secret, "hmac-sha256", clock=countermark.Clock.fixed(NOW - 1))
    signed = signer.sign(json_request(BODY, []))
    policy = countermark.HmacHeaderPolicy(clock=countermark.Clock.fixed(NOW), nonce_store=countermark.NonceStore.memory())

    good = countermark.explain_hmac_header(json_request(BODY, signed.headers), secret, policy)
    assert set(good) == KEYS
    assert good["verdict"] == "valid"
    assert good["scheme"] == "hmac"
    assert good["string_to_sign"] == signed.signed_string
    assert good["expected_signature"] == good["received_signature"] == signed.signature
    assert good["replay_checked"] is False
    assert_no_key(good)
    # Explaining recorded nothing: the policy's seen-signature store still accepts the request once.
    countermark.verify_hmac_header(json_request(BODY, signed.headers), secret, policy)
    with pytest.raises(exceptions.Replayed):
        countermark.verify_hmac_header(json_request(BODY, signed.headers), secret, policy)

    bad = countermark.explain_hmac_header(json_request(TAMPERED, signed.headers), secret, policy)
    assert bad["verdict"] == "bad_signature"
    body_hash = base64.b64encode(hashlib.sha256(b'{"n":2}').digest()).decode()
    assert bad["string_to_sign"].startswith(body_hash + ";")
    assert bad["signature_matches"] is False
    assert bad["expected_signature"] != bad["received_signature"]
    assert_no_key(bad)

    # Without the secret: unknown_key, no expected signature.
    unknown = countermark.explain_hmac_header(json_request(BODY, signed.headers), None, policy)
    assert (unknown["verdict"], unknown["expected_signature"], unknown["time_window"]) == ("unknown_key", None, "not_checked")


def test_fost_request_and_url() -> None:
    key = countermark.HmacKey(SECRET_B64, "hmac-sha1", legacy=True)
    request = json_request(BODY, [])
    signed = countermark.FostSigner("k1", key, clock=countermark.Clock.fixed(NOW)).sign(request, ["Content-Type"])
    policy = countermark.FostPolicy(clock=countermark.Clock.fixed(NOW))
    good = countermark.explain_fost(json_request(BODY, signed.headers), key, policy)
    assert (good["verdict"], good["scheme"], good["key_id"]) == ("valid", "fost", "k1")
    assert good["components"] == ["X-FOST-Headers", "Content-Type"]
    bad = countermark.explain_fost(json_request(TAMPERED, signed.headers), key, policy)
    assert bad["verdict"] == "bad_signature"
    assert bad["string_to_sign"].endswith("\n" + TAMPERED.decode())
    late = countermark.explain_fost(
        json_request(BODY, signed.headers), key, countermark.FostPolicy(clock=countermark.Clock.fixed(NOW + 600))
    )
    assert (late["verdict"], late["time_window"], late["signature_matches"]) == ("expired", "expired", True)

    url = countermark.FostUrlSigner("k1", key).sign("https://e.com/f?a=1", expires=NOW + 60)
    explained = countermark.explain_fost_url(countermark.Request.from_url("GET", url), key, policy)
    assert (explained["scheme"], explained["verdict"], explained["expires"]) == ("fost-url", "valid", NOW + 60)
    moved = countermark.explain_fost_url(countermark.Request.from_url("GET", url.replace("a=1", "a=2")), key, policy)
    assert moved["verdict"] == "bad_signature"


def test_rfc9421_does_not_consume_the_nonce() -> None:
    key = countermark.HmacKey(SECRET, "hmac-sha256")
    components = ["@method", "@authority", "@path", "content-digest"]
    headers = [("Content-Digest", countermark.content_digest(BODY))]
    signer = countermark.MessageSigner(
        key, key_id="k1", components=components, nonce="n-1", clock=countermark.Clock.fixed(NOW)
    )
    signed = signer.sign(json_request(BODY, headers))
    policy = countermark.MessagePolicy(clock=countermark.Clock.fixed(NOW), check_content_digest=True)
    verifying = countermark.MessageVerifyingKey.hmac(key)
    sent = json_request(BODY, [*headers, *signed.headers])
    for _ in range(2):
        explained = countermark.explain_message_signature(sent, verifying, policy)
        assert explained["verdict"] == "valid"
        assert explained["string_to_sign"] == signed.signed_string
        assert f"sig1=:{explained['expected_signature']}:" == dict(signed.headers)["Signature"]
    countermark.verify_message_signature(sent, verifying, policy)
    with pytest.raises(exceptions.Replayed):
        countermark.verify_message_signature(sent, verifying, policy)

    tampered = countermark.explain_message_signature(json_request(TAMPERED, [*headers, *signed.headers]), verifying, policy)
    assert tampered["verdict"] == "bad_signature"
    assert_no_key(tampered)

    plain = countermark.explain_message_signature(json_request(BODY, []), verifying, policy)
    assert (plain["verdict"], plain["string_to_sign"]) == ("malformed", None)


def test_jwt_has_no_expected_signature() -> None:
    private = countermark.SigningKey.from_pem(ED25519_PEM)
    token = countermark.sign_jwt(private, "alice", time=NOW, nonce="abc")
    policy = countermark.JwtPolicy(clock=countermark.Clock.fixed(NOW))
    explained = countermark.explain_jwt(token, private.verifying_key, policy)
    assert (explained["verdict"], explained["algorithm"], explained["expected_signature"]) == ("valid", "ed25519", None)
    assert explained["signature_matches"] is True
    assert token == f"{explained['string_to_sign']}.{explained['received_signature']}"
    # The nonce was not recorded.
    countermark.verify_jwt(token, [private.verifying_key], policy)
    assert countermark.explain_jwt("not.a.jwt", private.verifying_key, policy)["verdict"] == "malformed"
