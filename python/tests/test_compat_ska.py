"""countermark.compat.ska: every case of shared/vectors/ska.json through the compat API, and live cross-checks
against the real ska 1.11.2 in both directions with the real clock."""

from __future__ import annotations

import ast
import datetime
import decimal
import inspect
import json
import os
import pathlib
import random
import time
import uuid
from urllib.parse import parse_qsl, urlsplit

import pytest
import ska
import ska.error_codes as their_codes
import ska.exceptions as their_exceptions
import ska.helpers as their_helpers

import countermark
from countermark.compat import ska as ours
from countermark.compat.ska import base as ours_base
from countermark.compat.ska import error_codes, exceptions, helpers

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS = pathlib.Path(os.environ.get("COUNTERMARK_VECTORS", os.path.join(REPO_ROOT, "..", "shared", "vectors")))
CASES = json.loads((VECTORS / "ska.json").read_text(encoding="utf-8"))["cases"]

SECRET = "your-secret-key"
CLASSES = ["Signature", "HMACSHA1Signature", "HMACSHA224Signature", "HMACSHA256Signature", "HMACSHA384Signature",
           "HMACSHA512Signature"]
EXTRAS = [
    {},
    {"provider": "service1.example.com", "email": "john.doe@mail.example.com"},
    {"q": "a b&c=d", "path": "/x/y?z=1", "plus": "1+1", "name": "Jöhn Dœ", "city": "Ереван"},
]


def query(url: str) -> dict:
    """The query parameters of a URL as a server sees them (str -> str)."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def codes(result) -> list:
    return [int(e) for e in result.errors]


@pytest.fixture
def frozen(monkeypatch):
    """Pin the compat layer's clock (the core's and datetime.now's stand-in) to a Unix time."""

    def freeze(now: float) -> None:
        monkeypatch.setattr(ours_base, "_clock", countermark.Clock.fixed(now))

    return freeze


# ---------------------------------------------------------------------------------------------------------------
# Vectors
# ---------------------------------------------------------------------------------------------------------------


def typed_valid_until(case):
    v = case["valid_until"]
    return {"str": str, "float": float, "int": int}[case["valid_until_type"]](v)


def names(case) -> dict:
    p = case.get("param_names") or {}
    return {k: p[k] for k in ("signature_param", "auth_user_param", "valid_until_param", "extra_param") if k in p}


def test_vector_count():
    assert len(CASES) == 26


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_vector(case, frozen):
    cls = getattr(ours, case["signature_class"])
    secret = bytes.fromhex(case["secret_key_hex"]).decode("utf-8")
    assert secret == case["secret_key"]
    op = case["op"]
    if op in ("generate_signature", "sign_url", "signature_to_dict"):
        valid_until = typed_valid_until(case)
        sig = cls.generate_signature(case["auth_user"], secret, valid_until=valid_until, extra=case["extra"])
        assert isinstance(sig, cls)
        if "signature" in case:
            assert sig.signature == case["signature"].encode()
            assert str(sig) == case["signature"]
            assert ours.HMACSHA1Signature.make_secret_key(secret) == secret.encode()
        assert sig.valid_until == valid_until and type(sig.valid_until) is type(valid_until)
        assert sig.extra == case["extra"]
        if op == "sign_url":
            url = ours.sign_url(
                auth_user=case["auth_user"], secret_key=secret, valid_until=valid_until, url=case["url"],
                suffix=case["suffix"], extra=case["extra"], signature_cls=cls, **names(case),
            )
            assert url == case["signed_url"]
            helper = ours.RequestHelper(signature_cls=cls, **names(case))
            assert helper.signature_to_url(sig, endpoint_url=case["url"], suffix=case["suffix"]) == url
        if op == "signature_to_dict":
            got = ours.signature_to_dict(
                auth_user=case["auth_user"], secret_key=secret, valid_until=valid_until, extra=case["extra"],
                signature_cls=cls, **names(case),
            )
            want = dict(case["signature_dict"])
            for key, kind in case["signature_dict_types"].items():
                if kind == "bytes":
                    want[key] = want[key].encode()
            assert got == want
            assert {k: type(v).__name__ for k, v in got.items()} == case["signature_dict_types"]
            assert list(got) == list(want)
        # What we generate validates while it has not expired, and not after.
        frozen(float(valid_until) - 100)
        assert sig.is_expired() is False and bool(sig)
        assert cls.validate_signature(sig.signature, case["auth_user"], secret, valid_until, extra=case["extra"])
        res = cls.validate_signature(str(sig), case["auth_user"], secret, valid_until, extra=case["extra"],
                                     return_object=True)
        assert res and res.errors == {} and res.message == ""
        frozen(float(valid_until))
        assert sig.is_expired() is True and not sig
        res = cls.validate_signature(sig.signature, case["auth_user"], secret, valid_until, extra=case["extra"],
                                     return_object=True)
        assert not res and codes(res) == [2]
    elif op == "validate":
        frozen(case["now"])
        data = case["data"]
        res = ours.validate_signed_request_data(data, secret, signature_cls=cls, **names(case))
        assert isinstance(res, ours.SignatureValidationResult)
        if case["expect"] == "error":
            # The reference raises TypeError; any rejection is acceptable. We report code 3.
            assert not res and res.result is False
            assert codes(res) == [1, 3]
            assert error_codes.INVALID_VALID_UNTIL in res.errors
            with pytest.raises(exceptions.InvalidData):
                ours.extract_signed_request_data(data, secret, validate=True, signature_cls=cls, **names(case))
            return
        assert res.result is case["result"] and bool(res) is case["result"]
        assert [{"code": e.code, "message": e.message} for e in (res.errors or [])] == case["errors"]
        assert res.message == " ".join(e["message"] for e in case["errors"])
        assert list(res.reason) == [e["message"] for e in case["errors"]]
        if case["result"]:
            assert res.errors == {}
            extra_param = names(case).get("extra_param", "extra")
            signed = [k for k in data[extra_param].split(",") if k]
            assert ours.extract_signed_request_data(
                data, secret, validate=True, signature_cls=cls, **names(case)
            ) == {k: data[k] for k in signed}
        else:
            with pytest.raises(exceptions.InvalidData) as info:
                ours.extract_signed_request_data(data, secret, validate=True, signature_cls=cls, **names(case))
            assert str(info.value) == res.message
            assert ours.extract_signed_request_data(
                data, secret, validate=True, fail_silently=True, signature_cls=cls, **names(case)
            ) == {}
        # The request helper and validate_signature agree with the shortcut.
        helper = ours.RequestHelper(signature_cls=cls, **names(case))
        assert codes(helper.validate_request_data(data, secret)) == codes(res)
    else:  # pragma: no cover
        pytest.fail(f"unknown op {op}")


# ---------------------------------------------------------------------------------------------------------------
# Live cross-checks with the real ska (real clock)
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("extra", EXTRAS, ids=["no-extra", "extra", "extra-quoting"])
def test_sign_url_both_ways(cls, extra):
    mine, theirs = getattr(ours, cls), getattr(ska, cls)
    url = ours.sign_url("user", SECRET, url="http://e.com/api/", extra=extra, signature_cls=mine)
    res = ska.validate_signed_request_data(query(url), SECRET, signature_cls=theirs)
    assert res.result, res.message
    assert ska.extract_signed_request_data(query(url), SECRET, validate=True, signature_cls=theirs) == extra

    url = ska.sign_url("user", SECRET, url="http://e.com/api/", extra=extra, signature_cls=theirs)
    res = ours.validate_signed_request_data(query(url), SECRET, signature_cls=mine)
    assert res.result, res.message
    assert res.errors == {} and res.message == "" and str(res) == "True"
    assert ours.extract_signed_request_data(query(url), SECRET, validate=True, signature_cls=mine) == extra

    # With the same valid_until, the URLs are identical.
    valid_until = time.time() + 300
    assert ours.sign_url("user", SECRET, valid_until=valid_until, url="/x", extra=extra, signature_cls=mine) == \
        ska.sign_url("user", SECRET, valid_until=valid_until, url="/x", extra=extra, signature_cls=theirs)


@pytest.mark.parametrize("cls", CLASSES)
def test_signature_to_dict_both_ways(cls):
    mine, theirs = getattr(ours, cls), getattr(ska, cls)
    extra = {"email": "john.doe@mail.example.com", "count": 5, "ratio": 0.5, "on": True}
    # The dicts as returned (bytes signature, float valid_until, int/float/bool extra values).
    d = ours.signature_to_dict("user", SECRET, lifetime=120, extra=extra, signature_cls=mine)
    assert isinstance(d["signature"], bytes) and isinstance(d["valid_until"], float)
    assert ska.validate_signed_request_data(d, SECRET, signature_cls=theirs).result
    d = ska.signature_to_dict("user", SECRET, lifetime=120, extra=extra, signature_cls=theirs)
    assert ours.validate_signed_request_data(d, SECRET, signature_cls=mine).result
    # The same as text (as a server receives them).
    text = {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in d.items()}
    assert ours.validate_signed_request_data(text, SECRET, signature_cls=mine).result
    mine_d = ours.signature_to_dict("user", SECRET, lifetime=120, extra=extra, signature_cls=mine)
    text = {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in mine_d.items()}
    assert ska.validate_signed_request_data(text, SECRET, signature_cls=theirs).result
    # Same valid_until: identical dicts, key order and types included.
    vu = str(int(time.time()) + 100)
    a = ours.signature_to_dict("user", SECRET, valid_until=vu, extra=extra, signature_cls=mine)
    b = ska.signature_to_dict("user", SECRET, valid_until=vu, extra=extra, signature_cls=theirs)
    assert a == b and list(a) == list(b) and [type(v) for v in a.values()] == [type(v) for v in b.values()]


def test_default_valid_until_is_ska_float():
    for lifetime in (600, 5, 3600):
        before = ska.helpers.make_valid_until(lifetime)
        sig = ours.Signature.generate_signature("user", SECRET, lifetime=lifetime)
        after = ska.helpers.make_valid_until(lifetime)
        assert type(sig.valid_until) is float and sig.valid_until.is_integer()
        assert before <= sig.valid_until <= after
        assert ours.Signature.validate_signature(sig.signature, "user", SECRET, sig.valid_until)
        assert ska.Signature.validate_signature(sig.signature, "user", SECRET, sig.valid_until)
    assert before <= helpers.make_valid_until(3600) <= ska.helpers.make_valid_until(3600)
    url = ours.sign_url("user", SECRET, url="http://e.com/")
    assert query(url)["valid_until"].endswith(".0")


@pytest.mark.parametrize("cls", CLASSES)
def test_custom_names_and_suffix_both_ways(cls):
    mine, theirs = getattr(ours, cls), getattr(ska, cls)
    kw = dict(signature_param="sig", auth_user_param="user", valid_until_param="expires", extra_param="signed")
    url = ours.sign_url("svc", SECRET, url="http://e.com/api/?page=2", suffix="&", extra={"lang": "en"},
                        signature_cls=mine, **kw)
    assert query(url)["page"] == "2"
    assert ska.validate_signed_request_data(query(url), SECRET, signature_cls=theirs, **kw).result
    url = ska.sign_url("svc", SECRET, url="http://e.com/api/?page=2", suffix="&", extra={"lang": "en"},
                       signature_cls=theirs, **kw)
    assert ours.validate_signed_request_data(query(url), SECRET, signature_cls=mine, **kw).result
    # RequestHelper both ways.
    mh = ours.RequestHelper(signature_cls=mine, **kw)
    th = ska.RequestHelper(signature_cls=theirs, **kw)
    sig = mine.generate_signature("svc", SECRET, extra={"lang": "en"})
    assert th.validate_request_data(query(mh.signature_to_url(sig, "/e")), SECRET).result
    assert th.validate_request_data(mh.signature_to_dict(sig), SECRET).result
    tsig = theirs.generate_signature("svc", SECRET, extra={"lang": "en"})
    assert mh.validate_request_data(query(th.signature_to_url(tsig, "/e")), SECRET).result
    assert mh.validate_request_data(th.signature_to_dict(tsig), SECRET).result
    assert mh.extract_signed_data(th.signature_to_dict(tsig), SECRET, validate=True) == {"lang": "en"}


def tamper(data: dict, how: str, kw: dict) -> dict:
    data = dict(data)
    sig_p, user_p, vu_p = (kw.get("signature_param", "signature"), kw.get("auth_user_param", "auth_user"),
                           kw.get("valid_until_param", "valid_until"))
    if how == "signature":
        s = data[sig_p]
        data[sig_p] = ("B" if s[0] != "B" else "C") + s[1:]
    elif how == "user":
        data[user_p] = "admin"
    elif how == "extra":
        data["email"] = "mallory@example.com"
    elif how == "valid_until":
        data[vu_p] = str(float(data[vu_p]) + 3600)
    elif how == "missing-signature":
        del data[sig_p]
    elif how == "missing-valid-until":
        del data[vu_p]
    elif how == "empty-valid-until":
        data[vu_p] = ""
    elif how == "unlisted-extra":
        data["extra"] = "provider"
    return data


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("how", ["signature", "user", "extra", "valid_until", "missing-signature",
                                 "missing-valid-until", "empty-valid-until", "unlisted-extra"])
@pytest.mark.parametrize("expired", [False, True], ids=["live", "expired"])
def test_rejected_by_both(cls, how, expired):
    mine, theirs = getattr(ours, cls), getattr(ska, cls)
    extra = {"provider": "service1.example.com", "email": "john.doe@mail.example.com"}
    lifetime = -5 if expired else 300
    for signer in (ours.sign_url, ska.sign_url):
        sig_cls = mine if signer is ours.sign_url else theirs
        data = tamper(query(signer("user", SECRET, lifetime=lifetime, url="/", extra=extra, signature_cls=sig_cls)),
                      how, {})
        r_mine = ours.validate_signed_request_data(data, SECRET, signature_cls=mine)
        r_theirs = ska.validate_signed_request_data(data, SECRET, signature_cls=theirs)
        assert not r_mine and not r_theirs.result
        assert codes(r_mine) == codes(r_theirs)
        assert r_mine.message == r_theirs.message
        assert list(r_mine.reason) == list(r_theirs.reason)
        with pytest.raises(exceptions.InvalidData) as info:
            ours.extract_signed_request_data(data, SECRET, validate=True, signature_cls=mine)
        assert isinstance(info.value, countermark.InvalidToken)
        with pytest.raises(their_exceptions.InvalidData) as their_info:
            ska.extract_signed_request_data(data, SECRET, validate=True, signature_cls=theirs)
        assert str(info.value) == str(their_info.value)


@pytest.mark.parametrize("cls", CLASSES)
def test_expired_and_wrong_secret_both_ways(cls):
    mine, theirs = getattr(ours, cls), getattr(ska, cls)
    past = time.time() - 10
    for make in (mine, theirs):
        sig = make.generate_signature("user", SECRET, valid_until=past, extra={"a": "1"})
        for check in (mine, theirs):
            res = check.validate_signature(sig.signature, "user", SECRET, past, extra={"a": "1"}, return_object=True)
            assert not res.result and [int(e) for e in res.errors] == [2]
            assert check.validate_signature(sig.signature, "user", SECRET, past, extra={"a": "1"}) is False
            res = check.validate_signature(sig.signature, "user", SECRET + "!", past, extra={"a": "1"},
                                           return_object=True)
            assert [int(e) for e in res.errors] == [1, 2]
        assert sig.is_expired() is True and not sig
    live = time.time() + 60
    a = mine.generate_signature("user", SECRET, valid_until=live)
    b = theirs.generate_signature("user", SECRET, valid_until=live)
    assert a.signature == b.signature and str(a) == str(b) and a.is_expired() is b.is_expired() is False
    assert theirs.validate_signature(a.signature, "user", SECRET, live) is True
    assert mine.validate_signature(b.signature.decode(), "user", SECRET, live) is True
    assert mine.validate_signature(b.signature, "user", SECRET + "!", live) is False
    assert mine.validate_signature(b.signature, "user", SECRET, str(live)) is True
    assert mine.validate_signature(b"\xff" + b.signature, "user", SECRET, live) is False


def test_non_string_extra_values_validate_like_ska():
    """Values a request cannot carry (ints, nested dicts, lists) go through the regenerate-and-compare path."""
    extra = {"n": 5, "f": 0.25, "meta": {"b": 2, "a": [1, {"y": None, "x": "it's"}]}, "on": False, "none": None}
    live = time.time() + 60
    for make in (ours.HMACSHA256Signature, ska.HMACSHA256Signature):
        sig = make.generate_signature("user", SECRET, valid_until=live, extra=extra)
        assert ours.HMACSHA256Signature.validate_signature(sig.signature, "user", SECRET, live, extra=extra)
        assert ska.HMACSHA256Signature.validate_signature(sig.signature, "user", SECRET, live, extra=extra)
        bad = dict(extra, n=6)
        res = ours.HMACSHA256Signature.validate_signature(sig.signature, "user", SECRET, live, extra=bad,
                                                          return_object=True)
        assert codes(res) == [1]


def random_value(rng: random.Random, depth: int = 0):
    kinds = ["str", "int", "float", "bool", "none"] + (["list", "dict"] if depth < 2 else [])
    kind = rng.choice(kinds)
    if kind == "str":
        alphabet = "ab Z09_-.~/?&=+%#@:;,'\"\\\n\té€Ж😀"
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
    if kind == "int":
        return rng.choice([0, -1, 7, 2**31, -(2**63), 2**63 - 1, 2**64 + 3, rng.randint(-10**6, 10**6)])
    if kind == "float":
        return rng.choice([0.5, -0.0, 1e16, 1e-7, 1.0, 3.141592653589793, 1e300, rng.uniform(-1e6, 1e6)])
    if kind == "bool":
        return rng.choice([True, False])
    if kind == "none":
        return None
    if kind == "list":
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice("abcXYZé"): random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def nested_big_int(value) -> bool:
    if isinstance(value, list):
        return any(nested_big_int(v) for v in value)
    if isinstance(value, dict):
        return any(nested_big_int(v) for v in value.values())
    return type(value) is int and not -(2**63) <= value < 2**63


def test_random_extras_byte_for_byte():
    rng = random.Random(20240611)
    checked = 0
    for i in range(300):
        extra = {f"k{rng.choice('abcdefé')}{j}": random_value(rng) for j in range(rng.randint(0, 4))}
        cls = rng.choice(CLASSES)
        vu = rng.choice(["1700000600.0", 1700000600, 1700000600.25, str(2_000_000_000)])
        user = rng.choice(["user", "a_b", "ü", "bob_x%3D1", ""])
        theirs = getattr(ska, cls).generate_signature(user, SECRET, valid_until=vu, extra=extra)
        try:
            mine = getattr(ours, cls).generate_signature(user, SECRET, valid_until=vu, extra=extra)
        except exceptions.NotSupportedByCountermark:
            # Of these values, only ints beyond 64 bits nested inside a list or dict are refused.
            assert any(nested_big_int(v) for v in extra.values() if isinstance(v, (list, dict))), extra
            continue
        assert mine.signature == theirs.signature, (cls, vu, extra)
        url = ours.RequestHelper().signature_to_url(mine, "/p")
        assert url == ska.RequestHelper().signature_to_url(theirs, "/p")
        checked += 1
    assert checked > 250


def test_top_level_values_of_any_type_are_signed_like_ska():
    extra = {"uuid": uuid.UUID(int=5), "dec": decimal.Decimal("1.10"), "dt": datetime.datetime(2020, 1, 2, 3, 4),
             "tuple": (1, {"b": 1, "a": 2}), "bytes": b"xy", "big": 2**80, "nan": float("nan"), "inf": float("-inf"),
             "set": {1}}
    vu = time.time() + 60
    for cls in CLASSES:
        a = getattr(ours, cls).generate_signature("user", SECRET, valid_until=vu, extra=extra)
        b = getattr(ska, cls).generate_signature("user", SECRET, valid_until=vu, extra=extra)
        assert a.signature == b.signature
        assert ours.sign_url("u", SECRET, valid_until=vu, extra=extra, signature_cls=getattr(ours, cls)) == \
            ska.sign_url("u", SECRET, valid_until=vu, extra=extra, signature_cls=getattr(ska, cls))


def test_extra_keys_named_like_parameters():
    """ska signs an extra key called 'auth_user' like any other (and the URL's parameter is overwritten)."""
    vu = "1700000600.0"
    extra = {"auth_user": "evil", "signature": "s", "extra": "x", "valid_until": "1"}
    a = ours.Signature.generate_signature("user", SECRET, valid_until=vu, extra=extra)
    b = ska.Signature.generate_signature("user", SECRET, valid_until=vu, extra=extra)
    assert a.signature == b.signature
    assert ours.signature_to_dict("user", SECRET, valid_until=vu, extra=extra) == \
        ska.signature_to_dict("user", SECRET, valid_until=vu, extra=extra)
    # A request listing a parameter name among the signed extra keys.
    live = str(time.time() + 60)
    data = {"auth_user": "user", "valid_until": live, "extra": "auth_user"}
    data["signature"] = ska.Signature.generate_signature("user", SECRET, valid_until=live,
                                                         extra={"auth_user": "user"}).signature.decode()
    assert ska.validate_signed_request_data(data, SECRET).result
    assert ours.validate_signed_request_data(data, SECRET).result


@pytest.mark.parametrize("expired", [False, True])
def test_unsignable_request_data_is_rejected_not_raised(expired):
    """A request can smuggle an empty extra key ("?=x&extra=,a"), which the core cannot sign: rejected like ska."""
    vu = str(time.time() + (-60 if expired else 60))
    sig = ska.Signature.generate_signature("u", SECRET, valid_until=vu, extra={"a": "1"}).signature.decode()
    for extra_param in ("", ",a", "a,,"):
        data = {"": "x", "a": "1", "signature": sig, "auth_user": "u", "valid_until": vu, "extra": extra_param}
        mine, theirs = (ours.validate_signed_request_data(data, SECRET),
                        ska.validate_signed_request_data(data, SECRET))
        assert not mine and not theirs.result
        assert codes(mine) == codes(theirs) == ([1, 2] if expired else [1])
    res = ours.Signature.validate_signature(sig, "u", SECRET, vu, extra={"a,b": "1"}, return_object=True)
    assert codes(res) == ([1, 2] if expired else [1])


def test_real_ska_classes_accepted_as_signature_cls():
    vu = "1700000600.0"
    assert ours.sign_url("u", SECRET, valid_until=vu, signature_cls=ska.HMACSHA512Signature) == \
        ska.sign_url("u", SECRET, valid_until=vu, signature_cls=ska.HMACSHA512Signature)
    assert ours.RequestHelper(signature_cls=ska.HMACSHA256Signature).signature_cls is ours.HMACSHA256Signature
    with pytest.raises(exceptions.NotSupportedByCountermark):
        ours.RequestHelper(signature_cls=dict)


# ---------------------------------------------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------------------------------------------


# ska's legacy helpers: HMACMD5Signature and the JavaScript value dumper and quoter, against the real ska.
JS_EXTRAS = [
    {},
    {"path": "/a/b (c)", "q": "two words", "punct": "~!*'()._-", "amp": "a&b=c+d;e,f"},
    {"name": "Jöhn Dœ", "city": "Ереван", "emoji": "😀"},
    {"n": 5, "f": 0.5, "t": True, "none": None},
    {"list": [1, "x", True, None, 0.25, "Jürgen"], "dict": {"b": 2, "a": [1, {"d": None, "c": "é"}]}},
    {"tuple": (1, "a"), "nested_odd": [(1, 2), 2**70, float("nan")], "keys": {1: "x"}},
]
DUMPERS = {
    "none": None,
    "default": helpers.default_value_dumper,
    "ska-default": their_helpers.default_value_dumper,
    "js": helpers.javascript_value_dumper,
    "ska-js": their_helpers.javascript_value_dumper,
}
QUOTERS = {
    "none": None,
    "default": helpers.default_quoter,
    "ska-default": their_helpers.default_quoter,
    "js": helpers.javascript_quoter,
    "ska-js": their_helpers.javascript_quoter,
}


def ska_same(func):
    """ska's own helper of the same name (ours may be passed to countermark, ska's to ska)."""
    if func is None:
        return None
    return getattr(their_helpers, func.__name__)


@pytest.mark.parametrize("cls", ["HMACMD5Signature", "HMACSHA1Signature", "HMACSHA256Signature"])
@pytest.mark.parametrize("dumper", DUMPERS, ids=list(DUMPERS))
@pytest.mark.parametrize("quoter", QUOTERS, ids=list(QUOTERS))
def test_legacy_helpers_sign_like_ska(cls, dumper, quoter):
    mine, theirs = getattr(ours, cls), getattr(ska, cls)
    d, q = DUMPERS[dumper], QUOTERS[quoter]
    vu = str(time.time() + 300)
    for extra in JS_EXTRAS:
        if d is None or d.__name__ == "default_value_dumper":
            if "nested_odd" in extra or "keys" in extra:
                continue  # refused with the default dumper (test_unrenderable_nested_values_are_refused)
        a = mine.generate_signature("user", SECRET, valid_until=vu, extra=extra, value_dumper=d, quoter=q)
        b = theirs.generate_signature("user", SECRET, valid_until=vu, extra=extra, value_dumper=ska_same(d),
                                      quoter=ska_same(q))
        assert a.signature == b.signature, (cls, dumper, quoter, extra)
        assert mine.make_hash("user", SECRET, vu, extra, d, q) == theirs.make_hash("user", SECRET, vu, extra,
                                                                                   ska_same(d), ska_same(q))
        # Each validates the other's signature of the same data.
        assert mine.validate_signature(b.signature, "user", SECRET, vu, extra=extra, value_dumper=d, quoter=q)
        assert theirs.validate_signature(a.signature, "user", SECRET, vu, extra=extra,
                                         value_dumper=ska_same(d), quoter=ska_same(q))


@pytest.mark.parametrize("cls", ["HMACMD5Signature", "HMACSHA1Signature", "HMACSHA256Signature"])
def test_links_of_the_javascript_helpers_validate(cls):
    # What a JavaScript client sends: every value as text, signed with both JavaScript helpers.
    mine, theirs = getattr(ours, cls), getattr(ska, cls)
    js = {"value_dumper": their_helpers.javascript_value_dumper, "quoter": their_helpers.javascript_quoter}
    ours_js = {"value_dumper": helpers.javascript_value_dumper, "quoter": helpers.javascript_quoter}
    extra = {"path": "/a/b (c)", "punct": "~!*'()", "name": "Jöhn", "list": "[1,\"x\"]", "none": "null"}
    sig = theirs.generate_signature("user", SECRET, lifetime=300, extra=extra, **js)
    data = {"signature": sig.signature.decode(), "auth_user": "user", "valid_until": str(sig.valid_until),
            "extra": ",".join(sorted(extra)), **extra, "unsigned": "x"}
    assert theirs and ska.validate_signed_request_data(data, SECRET, signature_cls=theirs, **js).result
    res = ours.validate_signed_request_data(data, SECRET, signature_cls=mine, **ours_js)
    assert res.result, res.message
    res = ours.validate_signed_request_data(data, SECRET, signature_cls=theirs, **js)
    assert res.result, res.message
    assert ours.RequestHelper(signature_cls=mine).validate_request_data(data, SECRET, **ours_js).result
    assert ours.extract_signed_request_data(data, SECRET, validate=True, signature_cls=mine, **ours_js) == extra
    # ska's default helpers refuse it (the quoting differs), in ska and here alike.
    assert not ska.validate_signed_request_data(data, SECRET, signature_cls=theirs).result
    res = ours.validate_signed_request_data(data, SECRET, signature_cls=mine)
    assert codes(res) == [int(error_codes.INVALID_SIGNATURE)]


@pytest.mark.parametrize("extra", EXTRAS, ids=["no-extra", "extra", "extra-quoting"])
def test_md5_sign_url_both_ways(extra):
    mine, theirs = ours.HMACMD5Signature, ska.HMACMD5Signature
    url = ours.sign_url("user", SECRET, url="http://e.com/api/", extra=extra, signature_cls=mine)
    assert ska.validate_signed_request_data(query(url), SECRET, signature_cls=theirs).result
    url = ska.sign_url("user", SECRET, url="http://e.com/api/", extra=extra, signature_cls=theirs)
    res = ours.validate_signed_request_data(query(url), SECRET, signature_cls=mine)
    assert res.result, res.message
    valid_until = time.time() + 300
    for dumper in (None, "js"):
        kw = {} if dumper is None else {"value_dumper": helpers.javascript_value_dumper}
        theirs_kw = {} if dumper is None else {"value_dumper": their_helpers.javascript_value_dumper}
        assert ours.sign_url("user", SECRET, valid_until=valid_until, url="/x", extra=extra, signature_cls=mine,
                             **kw) == ska.sign_url("user", SECRET, valid_until=valid_until, url="/x", extra=extra,
                                                   signature_cls=theirs, **theirs_kw)
    # A SHA-1 validator does not take an MD5 link.
    assert not ours.validate_signed_request_data(query(url), SECRET).result


def test_url_signer_helper_names():
    key = countermark.HmacKey(SECRET, "hmac-md5", legacy=True)
    assert key.algorithm == "hmac-md5"
    signer = countermark.UrlSigner(key, value_dumper="javascript", quoter="javascript")
    assert (signer.value_dumper, signer.quoter) == ("javascript", "javascript")
    default = countermark.UrlSigner(key)
    assert (default.value_dumper, default.quoter) == ("python", "python")
    vu = "1900000000.0"
    extra = {"path": "/a (b)", "l": [1, None]}
    expected = ska.HMACMD5Signature.generate_signature(
        "user", SECRET, valid_until=vu, extra=extra, value_dumper=their_helpers.javascript_value_dumper,
        quoter=their_helpers.javascript_quoter).signature.decode()
    params = signer.sign_params("user", valid_until=vu, extra=extra)
    assert params["signature"] == expected
    assert params["l"] == "[1,null]"  # the JSON that was signed, so the link validates
    assert signer.validate(params).auth_user == "user"
    with pytest.raises(countermark.BadSignature):
        default.validate(params)
    for bad in ("js", "", "PHP"):
        with pytest.raises(countermark.InvalidValue):
            countermark.UrlSigner(key, quoter=bad)
        with pytest.raises(countermark.InvalidValue):
            countermark.UrlSigner(key, value_dumper=bad)


@pytest.mark.parametrize("kw", [
    {"value_dumper": lambda v: v},
    {"quoter": str.upper},
], ids=["lambda", "upper"])
def test_custom_codecs_are_refused(kw):
    with pytest.raises(NotImplementedError) as info:
        ours.Signature.generate_signature("user", SECRET, extra={"a": [1]}, **kw)
    assert isinstance(info.value, exceptions.NotSupportedByCountermark)
    assert ("quoter" if "quoter" in kw else "value_dumper") in str(info.value)
    with pytest.raises(exceptions.NotSupportedByCountermark):
        ours.Signature.validate_signature("sig", "user", SECRET, "1700000600.0", **kw)
    with pytest.raises(exceptions.NotSupportedByCountermark):
        ours.signature_to_dict("user", SECRET, **kw)
    with pytest.raises(exceptions.NotSupportedByCountermark):
        ours.validate_signed_request_data({}, SECRET, **kw)
    if "value_dumper" in kw:
        with pytest.raises(exceptions.NotSupportedByCountermark):
            ours.sign_url("user", SECRET, **kw)


def test_default_codecs_are_accepted():
    vu = "1700000600.0"
    for dumper in (None, helpers.default_value_dumper, their_helpers.default_value_dumper):
        for quoter in (None, helpers.default_quoter, their_helpers.default_quoter):
            a = ours.Signature.generate_signature("u", SECRET, valid_until=vu, extra={"a": "b c"},
                                                  value_dumper=dumper, quoter=quoter)
            assert a.signature == ska.Signature.generate_signature("u", SECRET, valid_until=vu,
                                                                   extra={"a": "b c"}).signature


@pytest.mark.parametrize("extra", [
    {"a": [(1, 2)]}, {"a": {"b": {1, 2}}}, {"a": [2**64]}, {"a": {1: "x"}}, {"a": [float("nan")]}, {"a": [b"x"]},
])
def test_unrenderable_nested_values_are_refused(extra):
    with pytest.raises(exceptions.NotSupportedByCountermark):
        ours.Signature.generate_signature("user", SECRET, extra=extra)


def test_invalid_valid_until():
    with pytest.raises(countermark.InvalidValue):
        ours.Signature.generate_signature("user", SECRET, valid_until="tomorrow")
    res = ours.Signature.validate_signature("x", "user", SECRET, "tomorrow", return_object=True)
    assert not res and res.errors == [error_codes.INVALID_SIGNATURE, error_codes.INVALID_VALID_UNTIL]
    # Same through the regenerate path (non-str extra).
    res = ours.Signature.validate_signature("x", "user", SECRET, "tomorrow", extra={"n": 1}, return_object=True)
    assert codes(res) == [1, 3]
    sig = ours.Signature(b"x", "user", "tomorrow")
    assert sig.is_expired() is True  # ska raises TypeError here
    with pytest.raises(TypeError):
        ska.Signature(b"x", "user", "tomorrow").is_expired()


def test_lifetime_must_be_int():
    for fn in (ours.sign_url, ours.signature_to_dict):
        with pytest.raises(TypeError, match="lifetime"):
            fn("user", SECRET, lifetime=1.5)
    assert ours.signature_to_dict("user", SECRET, lifetime=None)["valid_until"] > time.time() + 500


def test_extract_signed_data_without_secret():
    data = {"signature": "x", "auth_user": "u", "valid_until": "1", "extra": "a", "a": "1", "b": "2"}
    assert ours.extract_signed_request_data(data) == ska.extract_signed_request_data(data) == {"a": "1"}
    with pytest.raises(exceptions.ImproperlyConfigured):
        ours.extract_signed_request_data(data, validate=True)
    with pytest.raises(their_exceptions.ImproperlyConfigured):
        ska.extract_signed_request_data(data, validate=True)
    assert ours.extract_signed_request_data(data, validate=True, fail_silently=True) == {}
    assert isinstance(exceptions.ImproperlyConfigured("x"), countermark.ConfigurationError)


# ---------------------------------------------------------------------------------------------------------------
# API surface
# ---------------------------------------------------------------------------------------------------------------


def test_exports_match_ska():
    assert set(ska.__all__) <= set(ours.__all__)
    for name in ska.__all__:
        assert hasattr(ours, name), name
    for name in ("DEFAULT_AUTH_USER_PARAM", "DEFAULT_EXTRA_PARAM", "DEFAULT_SIGNATURE_PARAM", "DEFAULT_URL_SUFFIX",
                 "DEFAULT_VALID_UNTIL_PARAM", "SIGNATURE_LIFETIME", "TIMESTAMP_FORMAT"):
        assert getattr(ours, name) == getattr(ska, name)
    assert ours.Signature is ours.HMACSHA1Signature
    assert ours.__version__ == ska.__version__ == "1.11.2"
    import ska.defaults as their_defaults
    from countermark.compat.ska import defaults
    for name in their_defaults.__all__:
        assert getattr(defaults, name) == getattr(their_defaults, name)


PUBLIC_CALLABLES = [
    "sign_url", "signature_to_dict", "validate_signed_request_data", "extract_signed_request_data",
    "Signature.generate_signature", "Signature.validate_signature", "Signature.is_expired", "Signature.make_hash",
    "Signature.make_secret_key", "Signature.datetime_to_timestamp", "Signature.datetime_to_unix_timestamp",
    "Signature.timestamp_to_date", "Signature.unix_timestamp_to_date", "Signature.__init__",
    "RequestHelper.__init__", "RequestHelper.signature_to_url", "RequestHelper.signature_to_dict",
    "RequestHelper.validate_request_data", "RequestHelper.extract_signed_data",
    "SignatureValidationResult.__init__",
]


@pytest.mark.parametrize("path", PUBLIC_CALLABLES)
def test_same_signatures(path):
    def resolve(mod):
        obj = mod
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj

    mine, theirs = inspect.signature(resolve(ours)), inspect.signature(resolve(ska))
    assert list(mine.parameters) == list(theirs.parameters)
    for name, p in theirs.parameters.items():
        q = mine.parameters[name]
        assert q.kind == p.kind, name
        if p.default is not inspect.Parameter.empty and not isinstance(p.default, type):
            assert q.default == p.default, name
        elif isinstance(p.default, type):
            assert q.default.__name__ == p.default.__name__, name


def test_validation_result_and_error_codes():
    ok = ours.SignatureValidationResult(True)
    assert bool(ok) and ok.errors == {} and ok.message == "" and list(ok.reason) == [] and repr(ok) == "True"
    both = [error_codes.INVALID_SIGNATURE, error_codes.SIGNATURE_TIMESTAMP_EXPIRED]
    bad = ours.SignatureValidationResult(False, both)
    assert not bad and bad.message == "Invalid signature! Signature timestamp expired!"
    assert list(bad.reason) == ["Invalid signature!", "Signature timestamp expired!"]
    theirs = ska.SignatureValidationResult(
        False, [their_codes.INVALID_SIGNATURE, their_codes.SIGNATURE_TIMESTAMP_EXPIRED]
    )
    assert bad.message == theirs.message and str(bad) == str(theirs)
    assert int(error_codes.INVALID_SIGNATURE) == int(their_codes.INVALID_SIGNATURE) == 1
    assert int(error_codes.SIGNATURE_TIMESTAMP_EXPIRED) == int(their_codes.SIGNATURE_TIMESTAMP_EXPIRED) == 2
    assert str(error_codes.INVALID_SIGNATURE) == str(their_codes.INVALID_SIGNATURE)
    assert repr(error_codes.SIGNATURE_TIMESTAMP_EXPIRED) == repr(their_codes.SIGNATURE_TIMESTAMP_EXPIRED)
    assert error_codes.INVALID_SIGNATURE == their_codes.INVALID_SIGNATURE
    assert error_codes.INVALID_SIGNATURE != error_codes.SIGNATURE_TIMESTAMP_EXPIRED
    assert error_codes.ErrorCode(1, "Invalid signature!") in {error_codes.INVALID_SIGNATURE}
    assert ours.error_codes is error_codes
    # The module constants are the objects a validation reports.
    res = ours.Signature.validate_signature("x", "u", SECRET, time.time() - 5, return_object=True)
    assert res.errors[0] is error_codes.INVALID_SIGNATURE and res.errors[1] is error_codes.SIGNATURE_TIMESTAMP_EXPIRED


def test_time_helpers_match_ska():
    dtv = datetime.datetime(2021, 5, 6, 7, 8, 9)
    for name, arg in (("datetime_to_timestamp", dtv), ("datetime_to_unix_timestamp", dtv),
                      ("timestamp_to_date", "2021-05-06T07:08:09"), ("timestamp_to_date", "bad"),
                      ("unix_timestamp_to_date", "1700000000.5"), ("unix_timestamp_to_date", "bad"),
                      ("datetime_to_timestamp", None)):
        assert getattr(ours.Signature, name)(arg) == getattr(ska.Signature, name)(arg)
    with pytest.raises(ValueError):
        ours.Signature.timestamp_to_date("bad", fail_silently=False)
    with pytest.raises(ValueError):
        ours.Signature.unix_timestamp_to_date("bad", fail_silently=False)


def test_make_hash_is_the_raw_hmac():
    for cls in CLASSES:
        assert getattr(ours, cls).make_hash("u", SECRET, "1700000600.0", {"a": "1"}) == \
            getattr(ska, cls).make_hash("u", SECRET, "1700000600.0", {"a": "1"})


def test_abstract_and_custom_classes_are_refused():
    with pytest.raises(exceptions.NotSupportedByCountermark):
        ours.AbstractSignature.generate_signature("u", SECRET)

    class Custom(ours.AbstractSignature):
        @classmethod
        def make_hash(cls, *args, **kwargs):  # pragma: no cover - never called
            return b"x"

    with pytest.raises(NotImplementedError):
        Custom.generate_signature("u", SECRET)


def test_helpers_match_ska():
    data = {"b": 1, "a": 2, "c": 3}
    assert helpers.dict_keys(data) == their_helpers.dict_keys(data)
    assert helpers.dict_keys(data, return_string=True) == their_helpers.dict_keys(data, return_string=True)
    assert helpers.dict_to_ordered_list(data) == their_helpers.dict_to_ordered_list(data)
    keys = ["a", "c", "x"]
    assert helpers.extract_signed_data(data, keys) == their_helpers.extract_signed_data(data, keys)
    assert helpers.javascript_value_dumper({"a": 1}) == their_helpers.javascript_value_dumper({"a": 1})
    assert helpers.javascript_quoter("a b~(") == their_helpers.javascript_quoter("a b~(")
    assert helpers.get_callback_func("json.dumps") is json.dumps
    assert helpers.get_callback_func("nodots") is None


def test_no_hmac_or_hashlib_in_the_compat_layer():
    package = pathlib.Path(ours.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & {"hmac", "hashlib"}, path
            elif isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] not in {"hmac", "hashlib"}, path
