"""Issue 15, items 4 and 8 through the Python binding: repeated single-valued headers, FOST UTF-7 user names,
and HMAC header timestamps read as Python's own ``datetime.fromisoformat`` reads them.

The binding adds nothing for these: the core decides, and these tests check the behaviour reaches Python.
"""

from __future__ import annotations

import math
import sys
from datetime import datetime, timedelta, timezone

import pytest
from gen_fromisoformat_table import candidates

from countermark import (
    ApiSecret,
    Clock,
    FostPolicy,
    FostSigner,
    FostUrlSigner,
    HmacHeaderPolicy,
    HmacHeaderSigner,
    HmacKey,
    Malformed,
    Request,
    parse_fost,
    parse_hmac_header,
    verify_fost,
    verify_fost_url,
    verify_hmac_header,
)

FOST_KEY = HmacKey(b"secret-value", "hmac-sha1", legacy=True)
FOST_POLICY = FostPolicy(clock=Clock.fixed(1_303_874_807.0))


def test_a_second_host_line_is_malformed():
    url = FostUrlSigner("k", FOST_KEY).sign("http://a.example/p?x=1", expires=2_000_000_000)
    target = url[len("http://a.example") :]
    one = Request("GET", target, headers=[("Host", "a.example")])
    assert verify_fost_url(one, FOST_KEY, FostPolicy(clock=Clock.fixed(1_700_000_000.0))).key_id == "k"
    with pytest.raises(Malformed):
        # Refused as soon as the request is built (the core's view refuses the second line).
        two = Request("GET", target, headers=[("Host", "a.example"), ("Host", "b.example")])
        verify_fost_url(two, FOST_KEY, FostPolicy(clock=Clock.fixed(1_700_000_000.0)))


def test_fost_utf7_user_names_both_ways():
    # What django-fost-authn 0.3.8's own signer computes for this request (Python 2.7.18):
    # fost_hmac_request_signature_with_headers('secret-value', 'GET', '/', '2011-04-27 03:26:37',
    #     ['X-FOST-Headers X-FOST-User', 'J+APw-rgen'], '') == 'OyIkPjA5Lnb9Nmue4snCWhyboxQ='
    wire = [
        ("Authorization", "FOST key-value:OyIkPjA5Lnb9Nmue4snCWhyboxQ="),
        ("X-FOST-Timestamp", "2011-04-27 03:26:37"),
        ("X-FOST-Headers", "X-FOST-Headers X-FOST-User"),
        ("X-FOST-User", "J+APw-rgen"),
    ]
    request = Request("GET", "/", headers=wire)
    assert parse_fost(request).user == "J\u00fcrgen"
    assert verify_fost(request, FOST_KEY, FOST_POLICY).user == "J\u00fcrgen"

    # The signer takes the Unicode name and emits what the reference's client sends.
    signer = FostSigner("key-value", FOST_KEY)
    named = Request("GET", "/", headers=[("X-FOST-User", "J\u00fcrgen")])
    signed = signer.sign(named, ["X-FOST-User"], timestamp="2011-04-27 03:26:37")
    assert list(signed.headers) == wire
    # Every name survives the trip, '+' and characters beyond the BMP included.
    for name in ["Fran\u00e7ois M\u00fcller", "\u65e5\u672c\u8a9e", "a+b~\\", "\U0001f600"]:
        signed = FostSigner("key-value", FOST_KEY, clock=Clock.fixed(1_303_874_807.0)).sign(
            Request("GET", "/", headers=[("X-FOST-User", name)]), ["X-FOST-User"]
        )
        sent = dict(signed.headers)
        assert sent["X-FOST-User"] == name.encode("utf-7").decode("ascii")
        assert verify_fost(Request("GET", "/", headers=list(sent.items())), FOST_KEY, FOST_POLICY).user == name


def test_fost_user_that_is_not_utf7_is_malformed():
    for value in ["a+.b", "J\u00fcrgen", "+2D0-"]:
        request = Request(
            "GET",
            "/",
            headers=[
                ("Authorization", "FOST key-value:OyIkPjA5Lnb9Nmue4snCWhyboxQ="),
                ("X-FOST-Timestamp", "2011-04-27 03:26:37"),
                ("X-FOST-Headers", "X-FOST-Headers X-FOST-User"),
                ("X-FOST-User", value),
            ],
        )
        with pytest.raises(Malformed):
            parse_fost(request)


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def python_reads(text):
    """Microseconds since the epoch of what this interpreter's fromisoformat reads, or None (refused or naive)."""
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return None if dt.tzinfo is None else (dt - EPOCH) // timedelta(microseconds=1)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="fromisoformat reads the full grammar from Python 3.11")
def test_hmac_header_timestamps_agree_with_fromisoformat():
    texts = [
        t
        for t in candidates(seed=2026, combos=0.02, mutations=8000)
        if ";" not in t and not any(c.isspace() or c in "\x1c\x1d\x1e\x1f\0" for c in t)
    ]
    accepted = 0
    for text in texts:
        request = Request("POST", "/", headers=[("Authorization", f"HMAC-SHA256 key-1;c2ln;{text}")])
        want = python_reads(text)
        if want is None:
            with pytest.raises(Malformed):
                parse_hmac_header(request)
            continue
        creds = parse_hmac_header(request)
        assert creds is not None, text
        assert math.isclose(creds.created, want / 1e6, rel_tol=1e-15, abs_tol=1e-6), text
        accepted += 1
    assert accepted > 500


def test_hmac_header_python_3_11_forms_verify():
    secret = ApiSecret("cxqqF0m2Uel79+jSpBNQnMX/JjEjEpqdc0b4dypszaU=")
    signer = HmacHeaderSigner("key-1", secret)
    policy = HmacHeaderPolicy(clock=Clock.fixed(1_683_468_938.5))
    for text in ["2023-05-07T14:15:37.5+0000", "20230507T141537,5Z", "2023-05-07t19:45:37.5+05:30"]:
        signed = signer.sign(Request("GET", "/"), timestamp=text)
        request = Request("GET", "/", headers=list(signed.headers))
        assert verify_hmac_header(request, secret, policy).key_id == "key-1"
