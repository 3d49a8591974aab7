"""Every case of shared/vectors/asym_jwt.json (asymmetric-jwt-auth 1.3.0 with PyJWT 2.15.1) through the Python
binding.

Mirrors core/tests/jwt_vectors.rs case by case: signing (byte-exact tokens, then verified at the signing time),
verification, replay and the middleware (Authorization header, user -> keys repository).
"""

from __future__ import annotations

import base64
from collections import Counter

import pytest
from conftest import assert_all_cases_ran, assert_raises_expect, load_vectors, vector_cases

from countermark import (
    Clock,
    JwtPolicy,
    NonceStore,
    Request,
    SigningKey,
    VerifyingKey,
    parse_jwt,
    parse_jwt_request,
    sign_jwt,
    verify_jwt,
)

FILE = "asym_jwt.json"
EXPECTED_COUNT = 21
EXPECTED_OPS = {"middleware": 4, "replay": 1, "sign": 3, "verify": 13}
RAN: set = set()

KNOWN_EXPECTS = {
    "valid", "bad_signature", "expired", "not_yet_valid", "unsupported_algorithm", "malformed", "replayed",
    "rejected", "error", "not_applicable",
}


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_KEYS = {}


def keys():
    """The file's keys: name -> (private key, public key from its own PEM), kids checked."""
    if not _KEYS:
        for name, k in load_vectors(FILE)["keys"].items():
            sk = SigningKey.from_pem(k["private_pem"])
            pk = VerifyingKey.from_pem(k["public_pem"])
            assert pk.key_id == k["kid"], name
            assert pk.fingerprint == k["kid"], name
            assert sk.key_id == k["kid"], name
            assert sk.verifying_key.key_id == k["kid"], name
            _KEYS[name] = (sk, pk)
    return _KEYS


def key(case, field):
    name = case[field]
    if name not in keys():
        pytest.fail(f"{case['id']}: no key {name!r} in the file's keys")
    return keys()[name]


#: The JWS ``alg`` of the vectors (the wire spelling) -> the one spelling results carry (``algorithm``).
ALGORITHM_OF_JWS = {
    "EdDSA": "ed25519",
    "RS256": "rsa-v1_5-sha256",
    "RS384": "rsa-v1_5-sha384",
    "RS512": "rsa-v1_5-sha512",
    "PS512": "rsa-pss-sha512",
    "ES256": "ecdsa-p256-sha256",
}


def policy(now, nonce_store=None):
    kwargs = {} if nonce_store is None else {"nonce_store": nonce_store}
    return JwtPolicy(clock=Clock.fixed(float(now)), **kwargs)


def check(case, expect, fn, *args):
    """Checks a verification outcome against `expect`."""
    cid = case["id"]
    if expect not in KNOWN_EXPECTS or expect == "not_applicable":
        pytest.fail(f"{cid}: unexpected expect value {expect!r}")
    if expect != "valid":
        assert case.get("reference_result") is None, f"{cid}: the reference accepted it"
        assert_raises_expect(cid, expect, fn, *args)
        return None
    verified = fn(*args)
    want = case["reference_result"]
    if isinstance(want, str):
        assert verified.user == want, cid
    else:
        assert verified.user == want["username"], cid
        assert verified.created == float(want["time"]), cid
        assert int(verified.created) == want["time"], cid
    assert verified.scheme == "jwt", cid
    return verified


def op_sign(case):
    cid = case["id"]
    sk, _ = key(case, "key")
    assert sk.key_id == case["kid"], cid
    token = sign_jwt(sk, case["username"], time=case["timestamp"], nonce=case["nonce"])
    assert token == case["jwt"], cid
    signing_input, signature = token.rsplit(".", 1)
    assert signing_input == case["signing_input"], cid
    header_b64, payload_b64 = signing_input.split(".")
    assert b64url_decode(header_b64).decode("utf-8") == case["header_json"], cid
    assert b64url_decode(payload_b64).decode("utf-8") == case["payload_json"], cid
    assert signing_input == f"{b64url(case['header_json'].encode())}.{b64url(case['payload_json'].encode())}", cid
    assert signature == case["signature_b64url"], cid
    assert f"JWT {token}" == case["authorization"], cid

    # The claims, unverified, from the token and from the Authorization header.
    creds = parse_jwt(token)
    parsed = parse_jwt_request(Request("GET", "/", headers=[("Authorization", case["authorization"])]))
    assert parsed is not None, cid
    header_token, header_creds = parsed
    assert header_token == token, cid
    for c in (creds, header_creds):
        assert c.scheme == "jwt", cid
        assert c.user == case["username"], cid
        assert dict(c.details)["nonce"] == case["nonce"], cid
        assert c.key_id == case["kid"], cid
        assert c.algorithm == ALGORITHM_OF_JWS[case["alg"]], cid
        assert c.created == float(case["timestamp"]), cid

    # The reference verified each signed token at the signing time.
    _, pk = key(case, "verify_key")
    verified = check(case, case["expect"], verify_jwt, token, [pk], policy(case["now"]))
    if verified is not None:
        assert verified.algorithm == ALGORITHM_OF_JWS[case["alg"]], cid
        assert verified.key_id == case["kid"], cid
        assert dict(verified.details)["nonce"] == case["nonce"], cid


def op_verify(case):
    _, pk = key(case, "verify_key")
    check(case, case["expect"], verify_jwt, case["jwt"], [pk], policy(case["now"]))


def op_replay(case):
    cid = case["id"]
    _, pk = key(case, "verify_key")
    store = NonceStore.memory(1000)
    first = policy(case["now"], store)
    second = policy(case["second_now"], store)
    v = verify_jwt(case["jwt"], [pk], first)
    assert v.user == case["first_result"]["username"], cid
    assert int(v.created) == case["first_result"]["time"], cid
    assert case["second_result"] is None, cid
    assert case["expect"] == "replayed", cid
    check(case, "replayed", verify_jwt, case["jwt"], [pk], second)


def op_middleware(case):
    cid = case["id"]
    expect = case["expect"]
    request = Request("GET", "/", headers=[("Authorization", case["authorization"])])
    if expect == "not_applicable":
        assert parse_jwt_request(request) is None, cid
        assert case["reference_result"] is None, cid
        return
    if expect in ("rejected", "malformed", "error"):
        # Refused while parsing the header, or by the key check: either is the rejection.
        def middleware():
            parsed = parse_jwt_request(request)
            assert parsed is not None, f"{cid}: parse_jwt_request returned None (not applicable)"
            token, creds = parsed
            return verify_jwt(token, user_keys(case, creds.user), policy(case["now"]))

        assert case["reference_result"] is None, cid
        assert_raises_expect(cid, expect, middleware)
        return
    parsed = parse_jwt_request(request)
    assert parsed is not None, f"{cid}: parse_jwt_request returned None for a JWT header"
    token, creds = parsed
    check(case, expect, verify_jwt, token, user_keys(case, creds.user), policy(case["now"]))


def user_keys(case, username):
    """The user repository: the claimed username picks the user, whose every key is tried."""
    return [keys()[name][1] for name in case["users"].get(username, [])]


OPS = {
    "sign": op_sign,
    "verify": op_verify,
    "replay": op_replay,
    "middleware": op_middleware,
}


@pytest.mark.parametrize("case", vector_cases(FILE))
def test_asym_jwt_vector(case):
    op = OPS.get(case["op"])
    if op is None:
        pytest.fail(f"{case['id']}: unknown op {case['op']!r}")
    op(case)
    RAN.add(case["id"])


def test_asym_jwt_vector_count(request):
    assert_all_cases_ran(request, FILE, "test_asym_jwt_vector", RAN, EXPECTED_COUNT)
    assert dict(Counter(c["op"] for c in load_vectors(FILE)["cases"])) == EXPECTED_OPS
    assert set(EXPECTED_OPS) <= set(OPS)
