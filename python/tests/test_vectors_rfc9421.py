"""Every case of shared/vectors/rfc9421.json (RFC 9421 Appendix B examples and cases generated with
http-message-signatures 3.0.0; RFC 9530 Content-Digest) through the Python binding.

Mirrors core/tests/rfc9421_vectors.rs case by case. ``expect`` words without an exception class of their own map
as in the Rust test: ``missing_component`` -> Malformed, ``bad_digest`` -> BadSignature.
"""

from __future__ import annotations

import base64

import pytest
from conftest import assert_all_cases_ran, assert_raises_expect, check_server, load_vectors, vector_cases

from countermark import (
    Clock,
    HmacKey,
    MessagePolicy,
    MessageSigner,
    MessageVerifyingKey,
    Request,
    Response,
    SigningKey,
    VerifyingKey,
    content_digest,
    parse_message_signature,
    parse_response_signature,
    verify_content_digest,
    verify_message_signature,
    verify_response_signature,
)
from countermark.exceptions import BadSignature, UnknownKey

FILE = "rfc9421.json"
EXPECTED_COUNT = 27
RAN: set = set()

DETERMINISTIC = {"hmac-sha256", "ed25519", "rsa-v1_5-sha256"}
RANDOMISED = {"rsa-pss-sha512", "ecdsa-p256-sha256"}

#: expect words of this file -> the vectors' common words (see the module docstring).
EXPECT_ALIASES = {"missing_component": "malformed", "bad_digest": "bad_signature"}
KNOWN_EXPECTS = {
    "valid", "bad_signature", "expired", "not_yet_valid", "unsupported_algorithm", "malformed", "unknown_key",
    "missing_component", "bad_digest",
}


def doc_keys():
    return load_vectors(FILE)["keys"]


def hmac_key(entry):
    secret = bytes.fromhex(entry["secret_hex"])
    assert base64.b64decode(entry["secret_b64"]) == secret
    return HmacKey(secret, "hmac-sha256")


def verifying_key(keyid, alg):
    """The verifier's key for `keyid`, bound to the verifier's algorithm: the case's key when its algorithm is
    the verifier's, else (a verifier configured for another algorithm) a key of the verifier's algorithm.
    Raises UnknownKey for a keyid the verifier does not know (the caller's key lookup)."""
    keys = doc_keys()
    entry = keys.get(keyid)
    if entry is None:
        raise UnknownKey(f"no key {keyid!r}")
    if entry["algorithm"] != alg:
        entry = next(k for k in keys.values() if k["algorithm"] == alg and "public_pem" in k)
    if alg == "hmac-sha256":
        return MessageVerifyingKey.hmac(hmac_key(entry))
    return MessageVerifyingKey.public(VerifyingKey.from_pem(entry["public_pem"]), alg)


def policy(case, check_content_digest=None):
    """A fresh policy per verification (its default nonce store is its own, as the Rust test's fresh policies)."""
    v = case["verifier"]
    if check_content_digest is None:
        check_content_digest = bool(case.get("body_check", False))
    return MessagePolicy(
        clock=Clock.fixed(float(v["now"])),
        clock_skew=v["max_clock_skew_seconds"],
        max_age=v["max_age_seconds"],
        label=case["label"],
        check_content_digest=check_content_digest,
    )


def request_of(m, extra=()):
    assert m["type"] == "request"
    headers = [(n, v) for n, v in m["headers"]] + list(extra)
    return Request(m["method"], m["url"], headers=headers, body=m["body"].encode("utf-8"))


def message_of(m, extra=()):
    """A Request or Response from a case's `message`, with extra header lines appended."""
    if m["type"] == "request":
        return request_of(m, extra)
    if m["type"] == "response":
        headers = [(n, v) for n, v in m["headers"]] + list(extra)
        return Response(m["status"], headers=headers, body=m["body"].encode("utf-8"), request=request_of(m["request"]))
    pytest.fail(f"unknown message type {m['type']!r}")


def is_response(msg):
    return isinstance(msg, Response)


def parse(msg, label):
    return parse_response_signature(msg, label) if is_response(msg) else parse_message_signature(msg, label)


def verify_with(msg, key, pol):
    return verify_response_signature(msg, key, pol) if is_response(msg) else verify_message_signature(msg, key, pol)


def signed_message(case, signature_input, signature):
    return message_of(case["message"], [("Signature-Input", signature_input), ("Signature", signature)])


def verify_message(case, msg, pol=None):
    """Phase one (claims), the caller's key lookup by keyid, phase two."""
    creds = parse(msg, case["label"])
    assert creds is not None, f"{case['id']}: the message has no signature"
    key = verifying_key(creds.key_id, case["verifier"]["algorithm"])
    return verify_with(msg, key, pol if pol is not None else policy(case))


def component_name(serialized):
    """A covered component as the binding reports it: the structured-field quotes around the name dropped."""
    if serialized.startswith('"'):
        name, _, rest = serialized[1:].partition('"')
        return name + rest
    return serialized


def details(obj):
    return dict(obj.details)


def sign(case):
    """Signs the case's message with the case's key, components and parameters; checks the exact output."""
    cid = case["id"]
    key_id = case["key_id"]
    entry = doc_keys()[key_id]
    alg = case["algorithm"]
    assert entry["algorithm"] == alg, cid
    if alg == "hmac-sha256":
        key = hmac_key(entry)
    else:
        key = SigningKey.from_pem(entry["private_pem"])
    params = case["params"]
    if "alg" in params:
        assert params["alg"] == alg, cid
    signer = MessageSigner(
        key,
        algorithm=alg,
        label=case["label"],
        components=case["covered_components"],
        created=params["created"],
        expires=params.get("expires"),
        key_id=key_id,
        nonce=params.get("nonce"),
        tag=params.get("tag"),
        include_alg="alg" in params,
    )
    msg = message_of(case["message"])
    signed = signer.sign_response(msg) if is_response(msg) else signer.sign(msg)
    assert signed.signed_string == case["signature_base"], cid
    assert case["signature_base"].endswith('\n"@signature-params": ' + case["signature_params"]) or (
        case["signature_base"] == '"@signature-params": ' + case["signature_params"]
    ), cid
    lines = [tuple(h) for h in signed.headers]
    assert [n for n, _ in lines] == ["Signature-Input", "Signature"], cid
    signature_input, signature = lines[0][1], lines[1][1]
    assert signature_input == case["signature_input"], cid
    assert signature_input == f"{case['label']}={case['signature_params']}", cid
    assert signature == signed.signature, cid
    assert signature.startswith(f"{case['label']}=:") and signature.endswith(":"), cid
    if alg in DETERMINISTIC:
        assert case["deterministic"] is True, cid
        assert signature == case["signature_header"], cid
        assert signature == f"{case['label']}=:{case['signature_b64']}:", cid
    elif alg in RANDOMISED:
        assert case["deterministic"] is False, cid
        assert signature != case["signature_header"], cid
    else:
        pytest.fail(f"{cid}: unknown algorithm {alg!r}")
    return signature_input, signature


def check_claims(case, creds):
    """The unverified claims match the case's parameters and components."""
    cid = case["id"]
    params = case["params"]
    d = details(creds)
    assert creds.scheme == "rfc9421", cid
    assert d["label"] == case["label"], cid
    assert creds.key_id == case["key_id"], cid
    assert creds.created == float(params["created"]), cid
    assert creds.algorithm == params.get("alg"), cid
    assert d.get("expires") == (str(params["expires"]) if "expires" in params else None), cid
    assert d.get("nonce") == params.get("nonce"), cid
    assert d.get("tag") == params.get("tag"), cid
    assert [v for k, v in creds.details if k == "component"] == [
        component_name(c) for c in case["covered_components"]
    ], cid


def check_verified(case, verified):
    cid = case["id"]
    params = case["params"]
    d = details(verified)
    assert verified.scheme == "rfc9421", cid
    assert d["label"] == case["label"], cid
    assert verified.key_id == case["key_id"], cid
    assert verified.algorithm == case["verifier"]["algorithm"], cid
    assert verified.covered == [component_name(c) for c in case["covered_components"]], cid
    assert verified.created == float(params["created"]), cid
    assert d.get("expires") == (str(params["expires"]) if "expires" in params else None), cid
    assert d.get("nonce") == params.get("nonce"), cid
    assert d.get("tag") == params.get("tag"), cid


def op_sign(case):
    signature_input, signature = sign(case)
    # Our own signature verifies, and so does the published one.
    for sig in (signature, case["signature_header"]):
        msg = signed_message(case, signature_input, sig)
        check_claims(case, parse(msg, case["label"]))
        check_verified(case, verify_message(case, msg))


def flip_signature_bit(header):
    """A copy of `header` (`label=:base64:`) with one bit of the decoded signature flipped."""
    label, _, rest = header.partition("=")
    sig = bytearray(base64.b64decode(rest.strip(":")))
    sig[0] ^= 1
    return f"{label}=:{base64.b64encode(bytes(sig)).decode()}:"


def op_verify(case):
    cid = case["id"]
    expect = case["expect"]
    if expect not in KNOWN_EXPECTS:
        pytest.fail(f"{cid}: unexpected expect value {expect!r}")
    if "covered_components" in case:
        # The published examples: reproduce the base and Signature-Input, and check a fresh signature verifies.
        signature_input, signature = sign(case)
        check_verified(case, verify_message(case, signed_message(case, signature_input, signature)))
    signature_input, signature = case["signature_input"], case["signature_header"]
    msg = signed_message(case, signature_input, signature)
    if "signature_base" in case:
        check_claims(case, parse(msg, case["label"]))

    def lookup_and_verify(creds):
        key = verifying_key(creds.key_id, case["verifier"]["algorithm"])
        return verify_with(msg, key, policy(case))

    got = check_server(cid, EXPECT_ALIASES.get(expect, expect), lambda: parse(msg, case["label"]), lookup_and_verify)
    if expect == "valid":
        _creds, verified = got
        if "covered_components" in case:
            check_verified(case, verified)
        # Its negative twin: one flipped bit of the signature is refused.
        flipped = signed_message(case, signature_input, flip_signature_bit(signature))
        assert_raises_expect(cid, "bad_signature", verify_message, case, flipped)
    elif expect == "bad_digest":
        # The headers themselves verify: only the body check fails.
        verified = verify_message(case, msg, policy(case, check_content_digest=False))
        assert details(verified)["body_checked"] == "false", cid


def op_content_digest(case):
    cid = case["id"]
    alg = case["algorithm"]
    body = case["body"].encode("utf-8")
    assert len(body) == case["body_length"], cid
    value = content_digest(body, [alg])
    assert value == case["content_digest"], cid
    verify_content_digest(value, body)
    with pytest.raises(BadSignature):
        verify_content_digest(value, body + b" ")


OPS = {
    "sign": op_sign,
    "verify": op_verify,
    "content_digest": op_content_digest,
}


@pytest.mark.parametrize("case", vector_cases(FILE))
def test_rfc9421_vector(case):
    op = OPS.get(case["op"])
    if op is None:
        pytest.fail(f"{case['id']}: unknown op {case['op']!r}")
    op(case)
    RAN.add(case["id"])


def test_rfc9421_vector_count(request):
    assert_all_cases_ran(request, FILE, "test_rfc9421_vector", RAN, EXPECTED_COUNT)
    assert {c["op"] for c in load_vectors(FILE)["cases"]} <= set(OPS)
