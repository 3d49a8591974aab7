"""Every case of shared/vectors/ska.json (ska 1.11.2) through the Python binding.

Mirrors core/tests/ska_vectors.rs case by case.
"""

from __future__ import annotations

import pytest
from conftest import assert_all_cases_ran, assert_raises_expect, load_vectors, vector_cases

from countermark import Clock, HmacKey, UrlSigner
from countermark.exceptions import InvalidToken

FILE = "ska.json"
EXPECTED_COUNT = 26
RAN: set = set()

ALGORITHMS = {
    "Signature": "hmac-sha1",
    "HMACSHA1Signature": "hmac-sha1",
    "HMACSHA224Signature": "hmac-sha224",
    "HMACSHA256Signature": "hmac-sha256",
    "HMACSHA384Signature": "hmac-sha384",
    "HMACSHA512Signature": "hmac-sha512",
}

#: ska's result codes and messages (SignatureValidationResult.errors).
SKA_MESSAGES = {1: "Invalid signature!", 2: "Signature timestamp expired!"}


def key(case):
    cls = case["signature_class"]
    if cls not in ALGORITHMS:
        pytest.fail(f"{case['id']}: no vector should need signature class {cls!r}")
    secret = case["secret_key"]
    assert secret.encode("utf-8") == bytes.fromhex(case["secret_key_hex"]), case["id"]
    # ska secrets have no minimum length: the legacy constructor.
    return HmacKey(secret, ALGORITHMS[cls], legacy=True)


def param_names(case):
    p = case.get("param_names")
    if p is None:
        return None
    return {
        "signature": p["signature_param"],
        "auth_user": p["auth_user_param"],
        "valid_until": p["valid_until_param"],
        "extra": p["extra_param"],
    }


def names_or_default(case):
    return param_names(case) or {
        "signature": "signature", "auth_user": "auth_user", "valid_until": "valid_until", "extra": "extra"
    }


def signer(case, now=None):
    if now is None:
        now = case.get("now")
    clock = Clock.fixed(float(now)) if now is not None else None
    return UrlSigner(key(case), clock=clock, param_names=param_names(case))


def valid_until(case):
    """valid_until with the Python type the reference got (str() of it is what is signed)."""
    v, t = case["valid_until"], case["valid_until_type"]
    if t == "str":
        assert isinstance(v, str), case["id"]
        return v
    if t == "float":
        return float(v)
    if t == "int":
        assert isinstance(v, int), case["id"]
        return int(v)
    pytest.fail(f"{case['id']}: valid_until_type {t!r}")


def op_generate(case):
    s = signer(case)
    names = names_or_default(case)
    params = s.sign_params(case["auth_user"], valid_until=valid_until(case), extra=case["extra"])
    if "signature" in case:
        assert params[names["signature"]] == case["signature"], case["id"]
    assert params[names["auth_user"]] == case["auth_user"], case["id"]
    assert params[names["valid_until"]] == str(valid_until(case)), case["id"]
    assert params[names["extra"]] == ",".join(sorted(case["extra"])), case["id"]
    if case["op"] == "sign_url":
        url = s.sign_url(
            case["url"], case["auth_user"], valid_until=valid_until(case), extra=case["extra"], suffix=case["suffix"]
        )
        assert url == case["signed_url"], case["id"]
        # The native separator choice gives the same URLs for these cases.
        native = s.sign_url(case["url"], case["auth_user"], valid_until=valid_until(case), extra=case["extra"])
        assert native == case["signed_url"], case["id"]
    if case["op"] == "signature_to_dict":
        assert dict(params) == case["signature_dict"], case["id"]
        assert list(params) == list(case["signature_dict"]), f"{case['id']}: key order"
    # What we generate validates (while it has not expired).
    before = signer(case, now=1_000_000_000)
    data = before.validate(params)
    assert data.auth_user == case["auth_user"], case["id"]
    if case["op"] == "sign_url":
        data = before.validate_url(case["signed_url"])
        assert data.auth_user == case["auth_user"], case["id"]


def op_validate(case):
    s = signer(case)
    names = names_or_default(case)
    data_in = case["data"]
    expect = case["expect"]
    data, failures = s._validate_report(data_in)
    if expect == "valid":
        assert failures == [], case["id"]
        got = s.validate(data_in)
        assert got.auth_user == data_in[names["auth_user"]], case["id"]
        assert got.valid_until == data_in[names["valid_until"]], case["id"]
        listed = [k for k in data_in.get(names["extra"], "").split(",") if k]
        assert dict(got.extra) == {k: data_in[k] for k in listed if k in data_in}, case["id"]
        assert data is not None and data.auth_user == got.auth_user, case["id"]
        return
    if expect == "error":
        # The reference crashed; any clean rejection is acceptable.
        assert data is None, f"{case['id']}: the reference crashed; expected a rejection, got {data!r}"
        assert_raises_expect(case["id"], "error", s.validate, data_in)
        return
    want = [(e["code"], e["message"]) for e in case["errors"]]
    for code, message in want:
        assert SKA_MESSAGES[code] == message, case["id"]
    assert data is None, case["id"]
    assert [(int(c), m) for c, m in failures] == want, case["id"]
    if expect == "bad_signature+expired":
        assert [c for c, _ in want] == [1, 2], case["id"]
        err = assert_raises_expect(case["id"], "rejected", s.validate, data_in)
        assert isinstance(err, InvalidToken)
    else:
        err = assert_raises_expect(case["id"], expect, s.validate, data_in)
        assert str(err) == " ".join(m for _, m in want), case["id"]


OPS = {
    "generate_signature": op_generate,
    "sign_url": op_generate,
    "signature_to_dict": op_generate,
    "validate": op_validate,
}


@pytest.mark.parametrize("case", vector_cases(FILE))
def test_ska_vector(case):
    op = OPS.get(case["op"])
    if op is None:
        pytest.fail(f"{case['id']}: unknown op {case['op']!r}")
    op(case)
    RAN.add(case["id"])


def test_ska_vector_count(request):
    assert_all_cases_ran(request, FILE, "test_ska_vector", RAN, EXPECTED_COUNT)
    assert {c["op"] for c in load_vectors(FILE)["cases"]} <= set(OPS)
