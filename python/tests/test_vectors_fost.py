"""Every case of shared/vectors/fost.json (django-fost-authn 0.3.8 port) through the Python binding.

Mirrors core/tests/fost_vectors.rs case by case: request signatures (document, signature, headers, then the
server's verdict on the signed request), request verification, URL signatures and URL verification.
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl, quote

import pytest
from conftest import assert_all_cases_ran, check_server, load_vectors, vector_cases

from countermark import (
    Clock,
    FostPolicy,
    FostSigner,
    FostUrlSigner,
    HmacKey,
    Request,
    parse_fost,
    parse_fost_url,
    verify_fost,
    verify_fost_url,
)

FILE = "fost.json"
EXPECTED_COUNT = 27
RAN: set = set()

OUTCOMES = {"valid", "not_applicable", "bad_signature", "expired", "not_yet_valid", "malformed"}


def key(case):
    """HMAC-SHA1 with the case's secret (FOST secrets have no minimum length: the legacy constructor)."""
    secret = bytes.fromhex(case["secret_hex"])
    if case["secret_type"] == "str":
        assert case["secret"].encode("utf-8") == secret, case["id"]
        return HmacKey(case["secret"], "hmac-sha1", legacy=True)
    return HmacKey(secret, "hmac-sha1", legacy=True)


def policy(now, clock_skew=None):
    kwargs = {} if clock_skew is None else {"clock_skew": clock_skew}
    return FostPolicy(clock=Clock.fixed(float(now)), **kwargs)


def target(path, query):
    return f"{path}?{query}" if query else path


def request_with(method, tgt, headers, body):
    return Request(
        method,
        tgt,
        headers=[(n, v) for n, v in headers],
        body=body.encode("utf-8") if body else None,
    )


def check(case_id, expect, parse, verify, request, k, pol):
    """The server side: parse (None = not this scheme), then verify with the only key there is."""
    if expect not in OUTCOMES:
        pytest.fail(f"{case_id}: no fost vector should expect {expect!r}")
    return check_server(case_id, expect, lambda: parse(request), lambda _creds: verify(request, k, pol))


def header_value(lines, name):
    values = [v for n, v in lines if n.lower() == name.lower()]
    assert len(values) == 1, (name, lines)
    return values[0]


def op_request_signature(case):
    cid = case["id"]
    k = key(case)
    tgt = target(case["path"], case["query_string"])
    signed_headers = [(n, v) for n, v in case["signed_headers"]]
    request = request_with(case["method"], tgt, signed_headers, case["body"])
    signer = FostSigner(case["key"], k)
    signed = signer.sign(request, [n for n, _ in signed_headers], timestamp=case["timestamp"])
    assert signed.signed_string == case["document"], cid
    assert signed.signature == case["signature"], cid
    assert header_value(signed.headers, "Authorization") == case["authorization"], cid
    assert header_value(signed.headers, "X-FOST-Headers") == case["x_fost_headers"], cid
    assert header_value(signed.headers, "X-FOST-Timestamp") == case["timestamp"], cid
    sent = [tuple(line) for line in signed.headers] + signed_headers
    assert sent == list(case["request_headers"].items()), cid
    # The MAC is over the exact document bytes.
    assert base64.b64encode(k.sign(case["document"].encode("utf-8"))).decode() == case["signature"], cid

    server = case["server_check"]
    request = request_with(case["method"], tgt, sent, case["body"])
    got = check(
        cid, server["expect"], parse_fost, verify_fost, request, k,
        policy(server["now"], server.get("max_skew_seconds")),
    )
    if got is not None:
        creds, verified = got
        assert creds.scheme == "fost" and creds.key_id == case["key"], cid
        assert verified.scheme == "fost" and verified.key_id == case["key"], cid
        assert verified.covered[0] == "X-FOST-Headers", cid
        assert verified.covered[1:] == [n for n, _ in signed_headers], cid
        users = [v for n, v in signed_headers if n.lower() == "x-fost-user"]
        assert verified.user == (users[0] if users else case["key"]), cid


def op_verify_request(case):
    tgt = target(case["path"], case["query_string"])
    request = request_with(case["method"], tgt, case["request_headers"].items(), case["body"])
    check(
        case["id"], case["expect"], parse_fost, verify_fost, request, key(case),
        policy(case["now"], case.get("max_skew_seconds")),
    )


def op_url_signature(case):
    cid = case["id"]
    k = key(case)
    signed_url = case["signed_url"]
    scheme = signed_url.split("://", 1)[0]
    url = f"{scheme}://{case['host']}{target(case['path'], case['query_string'])}"
    expires = int(case["expires"]) if case["expires"] != "" else None
    got_url = FostUrlSigner(case["key"], k).sign(url, expires=expires)
    assert got_url == signed_url, cid
    assert got_url.split("?", 1)[1] == case["signed_query_string"], cid
    # The signature in the URL is the recorded one, percent-encoded, and is the MAC of the recorded document.
    params = dict(parse_qsl(case["signed_query_string"], keep_blank_values=True))
    assert params["_s"] == case["signature"], cid
    assert f"_s={quote(case['signature'], safe='')}" in got_url, cid
    assert base64.b64encode(k.sign(case["document"].encode("utf-8"))).decode() == case["signature"], cid
    if case["filtered_query"]:
        assert f"?{case['filtered_query']}\n" in case["document"], cid

    server = case["server_check"]
    # As the Rust test: the request target is the absolute URL.
    request = Request("GET", got_url)
    got = check(cid, server["expect"], parse_fost_url, verify_fost_url, request, k, policy(server["now"]))
    if got is not None:
        creds, verified = got
        assert creds.scheme == "fost-url" and creds.key_id == case["key"], cid
        assert verified.scheme == "fost-url" and verified.key_id == case["key"], cid
        assert dict(verified.details).get("expires") == (case["expires"] or None), cid
    # The same URL as a server sees it: origin-form target plus the Host header.
    request = Request("GET", target(case["path"], case["signed_query_string"]), headers=[("Host", case["host"])])
    check(cid, server["expect"], parse_fost_url, verify_fost_url, request, k, policy(server["now"]))


def op_verify_url(case):
    tgt = target(case["path"], case["query_string"])
    request = Request("GET", tgt, headers=[("Host", case["host"])])
    check(case["id"], case["expect"], parse_fost_url, verify_fost_url, request, key(case), policy(case["now"]))


OPS = {
    "request_signature": op_request_signature,
    "verify_request": op_verify_request,
    "url_signature": op_url_signature,
    "verify_url": op_verify_url,
}


@pytest.mark.parametrize("case", vector_cases(FILE))
def test_fost_vector(case):
    op = OPS.get(case["op"])
    if op is None:
        pytest.fail(f"{case['id']}: unknown op {case['op']!r}")
    op(case)
    RAN.add(case["id"])


def test_fost_vector_count(request):
    assert_all_cases_ran(request, FILE, "test_fost_vector", RAN, EXPECTED_COUNT)
    assert {c["op"] for c in load_vectors(FILE)["cases"]} <= set(OPS)
