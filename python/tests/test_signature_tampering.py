"""Every scheme refuses a tampered signature, and accepts the same credential untampered, in the same test.

For each scheme a credential is made with the public API at a fixed time, then its signature (only the
signature: everything else stays as signed) is replaced by the empty string, by the signature truncated by
one encoded group (one byte of hex, the last group of base64: still decodable, so the comparison itself
must refuse it) and by the signature with one byte changed (the first character replaced by another of the same
alphabet: one decoded byte differs). Each must raise exactly the pinned exception class (not a subclass, not
a parent); then the unmodified credential is accepted by the same verifier (and policy, so the refused
attempts did not use up its nonce).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Callable

import pytest

from countermark import (
    ApiSecret,
    BadSignature,
    Clock,
    FostPolicy,
    FostSigner,
    FostUrlSigner,
    HmacHeaderPolicy,
    HmacHeaderSigner,
    HmacKey,
    JwtPolicy,
    Malformed,
    MessagePolicy,
    MessageSigner,
    MessageVerifyingKey,
    Request,
    SigningKey,
    Tokens,
    UrlSigner,
    sign_jwt,
    verify_fost,
    verify_fost_url,
    verify_hmac_header,
    verify_jwt,
    verify_message_signature,
)

NOW = 1_700_000_000
# The Ed25519 test key of asymmetric-jwt-auth's vectors (published: tests only).
ED25519_PEM = (
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPgz7Ekv7cWzMyO1kHf/rqYkgkxqBaoPyOEzBlkIfGTO\n"
    "-----END PRIVATE KEY-----\n"
)
HEX = "0123456789abcdef"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
B64URL = B64[:-2] + "-_"


@dataclass
class Scheme:
    """A valid signature, its alphabet, and a verifier of the credential carrying a given signature."""

    signature: str
    alphabet: str
    verify: Callable[[str], object]  # raises or returns what was verified


def tampered(sig: str, alphabet: str) -> dict[str, str]:
    # One hex byte, or the last base64 group (the unpadded tail of a JWT's base64url, else a 4-character group).
    group = 2 if alphabet == HEX else len(sig) % 4 or 4
    assert len(sig) > group and sig[0] in alphabet
    first = alphabet[(alphabet.index(sig[0]) + 1) % len(alphabet)]
    return {"empty": "", "truncated": sig[:-group], "one_byte_changed": first + sig[1:]}


def request() -> Request:
    return Request.from_url("POST", "https://api.example.com/items?page=2", body=b'{"n": 1}',
                            headers=[("Content-Type", "application/json")])


def replace_header(req: Request, headers: list[tuple[str, str]], name: str, old: str, new: str) -> Request:
    return req.with_headers([(n, v.replace(old, new) if n == name else v) for n, v in headers])


def handshake() -> Scheme:
    tokens = Tokens(HmacKey(b"handshake-secret-0123456789abcdef"), clock=Clock.fixed(NOW))
    token = tokens.create("alice", "42")
    head, sig = token.rsplit(":", 1)
    return Scheme(sig, HEX, lambda s: tokens.verify(f"{head}:{s}", max_age=300))


def ska() -> Scheme:
    signer = UrlSigner(HmacKey(b"ska-secret-0123456789abcdef"), clock=Clock.fixed(NOW))
    params = signer.sign_params("alice", lifetime=600, extra={"scope": "read"})
    return Scheme(params["signature"], B64, lambda s: signer.validate({**params, "signature": s}))


def fost_request() -> Scheme:
    key = HmacKey(b"fost-secret-value", "hmac-sha1", legacy=True)
    req = request()
    signed = FostSigner("fost-key", key, clock=Clock.fixed(NOW)).sign(req)
    policy = FostPolicy(clock=Clock.fixed(NOW))
    auth = f"FOST fost-key:{signed.signature}"
    assert ("Authorization", auth) in signed.headers
    return Scheme(signed.signature, B64, lambda s: verify_fost(
        replace_header(req, signed.headers, "Authorization", auth, f"FOST fost-key:{s}"), key, policy))


def fost_url() -> Scheme:
    key = HmacKey(b"fost-secret-value", "hmac-sha1", legacy=True)
    url = FostUrlSigner("fost-key", key).sign("https://api.example.com/file?a=1", expires=NOW + 600)
    head, quoted = url.rsplit("&_s=", 1)
    policy = FostPolicy(clock=Clock.fixed(NOW))
    return Scheme(urllib.parse.unquote(quoted), B64, lambda s: verify_fost_url(
        Request.from_url("GET", f"{head}&_s={urllib.parse.quote(s, safe='')}"), key, policy))


def hmac_header() -> Scheme:
    secret = ApiSecret(b"aG1hYy1oZWFkZXItc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWY=")
    req = request()
    signed = HmacHeaderSigner("api-key", secret, clock=Clock.fixed(NOW)).sign(req)
    policy = HmacHeaderPolicy(clock=Clock.fixed(NOW + 1))  # stamped at now is "in the future" (the reference's rule)
    return Scheme(signed.signature, B64, lambda s: verify_hmac_header(
        replace_header(req, signed.headers, "Authorization", f";{signed.signature};", f";{s};"), secret, policy))


def rfc9421() -> Scheme:
    key = HmacKey(b"rfc9421-shared-secret-0123456789", key_id="client-1")
    req = request()
    signed = MessageSigner(key, clock=Clock.fixed(NOW), random_nonces=True,
                           components=["@method", "@authority", "@path", "@query"]).sign(req)
    (value,) = [v for n, v in signed.headers if n == "Signature"]
    assert value.startswith("sig1=:") and value.endswith(":")
    sig = value[len("sig1=:"):-1]
    policy = MessagePolicy(clock=Clock.fixed(NOW), require_nonce=True)
    return Scheme(sig, B64, lambda s: verify_message_signature(
        replace_header(req, signed.headers, "Signature", value, f"sig1=:{s}:"), MessageVerifyingKey.hmac(key),
        policy))


def jwt() -> Scheme:
    sk = SigningKey.from_pem(ED25519_PEM)
    token = sign_jwt(sk, "alice", clock=Clock.fixed(NOW))
    head, sig = token.rsplit(".", 1)
    policy = JwtPolicy(clock=Clock.fixed(NOW))
    return Scheme(sig, B64URL, lambda s: verify_jwt(f"{head}.{s}", [sk.verifying_key], policy))


# scheme -> the exact exception of each tampering (empty, truncated, one byte changed). An empty signature is
# Malformed where the format cannot carry one (a FOST or HMAC header without its signature, an empty `_s`, an
# empty RFC 9421 member); where it can (handshake, ska, JWT), its comparison fails.
CASES = {
    handshake: (BadSignature, BadSignature, BadSignature),
    ska: (BadSignature, BadSignature, BadSignature),
    fost_request: (Malformed, BadSignature, BadSignature),
    fost_url: (Malformed, BadSignature, BadSignature),
    hmac_header: (Malformed, BadSignature, BadSignature),
    rfc9421: (Malformed, BadSignature, BadSignature),
    jwt: (BadSignature, BadSignature, BadSignature),
}


@pytest.mark.parametrize("make", list(CASES), ids=lambda f: f.__name__)
def test_tampered_signature_refused_untampered_accepted(make: Callable[[], Scheme]) -> None:
    scheme = make()
    got = {}
    for what, sig in tampered(scheme.signature, scheme.alphabet).items():
        try:
            scheme.verify(sig)
            got[what] = "accepted"
        except Exception as e:  # noqa: BLE001 - the class is the assertion
            got[what] = type(e).__name__
    assert got == dict(zip(("empty", "truncated", "one_byte_changed"), (c.__name__ for c in CASES[make])))
    assert scheme.verify(scheme.signature) is not None
