"""Every case of shared/vectors/handshake.json (handshake 0.2.1) through the Python binding.

Mirrors core/tests/handshake_vectors.rs case by case.
"""

from __future__ import annotations

import pytest
from conftest import assert_all_cases_ran, assert_raises_expect, load_vectors, vector_cases

from countermark import Clock, HmacKey, Tokens

FILE = "handshake.json"
EXPECTED_COUNT = 24
RAN: set = set()


def secret(case):
    """The secret as the reference got it: the str when it was a str, else the bytes."""
    if case["secret_type"] == "str":
        assert case["secret"].encode("utf-8") == bytes.fromhex(case["secret_hex"]), case["id"]
        return case["secret"]
    return bytes.fromhex(case["secret_hex"])


def algorithm(case):
    """The vectors name handshake's hashlib function (``sha256``); the API takes the one spelling (``hmac-sha256``)."""
    return "hmac-" + case["hashfunc"]


def tokens(case, now):
    kwargs = {}
    if case.get("random_len") is not None:
        kwargs["random_len"] = case["random_len"]
    return Tokens(HmacKey(secret(case), algorithm(case)), clock=Clock.fixed(float(now)), **kwargs)


def max_age(time_range):
    """handshake's time_range: 0 disables the check."""
    assert isinstance(time_range, int) and time_range >= 0
    return None if time_range == 0 else time_range


def check_verify(case, t, token, time_range, expect, result):
    if expect == "valid":
        verified = t.verify(token, max_age(time_range))
        assert verified.fields == list(result), case["id"]
    else:
        assert_raises_expect(case["id"], expect, t.verify, token, max_age(time_range))


def op_create_verify(case):
    t = tokens(case, case["now"])
    token = t.create_with_random(case["metadata"], bytes.fromhex(case["urandom_hex"]))
    assert token == case["token"], case["id"]
    assert len(token) == case["token_length"], case["id"]
    # The recorded parts, so a difference points at the part that differs.
    assert token == f"{case['message']}:{case['signature']}", case["id"]
    assert case["message"].endswith(case["random"]), case["id"]
    assert token.split(":")[-2] == case["random"], case["id"]
    v = case["verify"]
    check_verify(case, tokens(case, v["now"]), token, v["time_range"], v["expect"], v.get("result"))
    if v["expect"] == "valid":
        assert tokens(case, v["now"]).verify(token).timestamp == int(case["now"]), case["id"]


def op_verify(case):
    t = tokens(case, case["now"])
    check_verify(case, t, case["token"], case["time_range"], case["expect"], case.get("result"))


def op_create(case):
    t = tokens(case, case["now"])
    assert_raises_expect(case["id"], case["expect"], t.create, *case["metadata"])


def op_config(case):
    assert_raises_expect(case["id"], case["expect"], HmacKey, secret(case), algorithm(case))
    assert_raises_expect(case["id"], case["expect"], HmacKey, bytes.fromhex(case["secret_hex"]), algorithm(case))


OPS = {
    "create+verify": op_create_verify,
    "verify": op_verify,
    "create": op_create,
    "config": op_config,
}


@pytest.mark.parametrize("case", vector_cases(FILE))
def test_handshake_vector(case):
    op = OPS.get(case["op"])
    if op is None:
        pytest.fail(f"{case['id']}: unknown op {case['op']!r}")
    op(case)
    RAN.add(case["id"])


def test_handshake_vector_count(request):
    assert_all_cases_ran(request, FILE, "test_handshake_vector", RAN, EXPECTED_COUNT)
    assert {c["op"] for c in load_vectors(FILE)["cases"]} <= set(OPS)
