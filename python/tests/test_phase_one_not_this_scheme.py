"""Phase one answers "no credentials of this scheme" the same way for every scheme: ``None``.

A request (or response) without the scheme's header(s) gives ``None``, so a server can try the schemes in turn;
a header of the scheme that is present but empty or broken raises ``Malformed``.
"""

from __future__ import annotations

import pytest

import countermark
from countermark import Malformed, Request, Response

#: Requests that carry credentials of no scheme at all, or of another scheme only.
UNSIGNED = [
    Request("GET", "/items?id=7"),
    Request("POST", "/items", headers=[("Content-Type", "application/json")], body=b'{"a": 1}'),
    Request("GET", "/items", headers=[("Authorization", "Bearer abc")]),
    Request("GET", "/items", headers=[("Authorization", "Basic YWxpY2U6cHc=")]),
]

PHASE_ONE = {
    "fost": countermark.parse_fost,
    "fost-url": countermark.parse_fost_url,
    "hmac-header": countermark.parse_hmac_header,
    "rfc9421": countermark.parse_message_signature,
    "jwt": countermark.parse_jwt_request,
}


@pytest.mark.parametrize("scheme", sorted(PHASE_ONE))
@pytest.mark.parametrize("request_index", range(len(UNSIGNED)))
def test_no_credentials_of_the_scheme_is_none(scheme: str, request_index: int) -> None:
    assert PHASE_ONE[scheme](UNSIGNED[request_index]) is None


def test_an_unsigned_response_is_none() -> None:
    response = Response(200, headers=[("Content-Type", "text/plain")], body=b"ok", request=UNSIGNED[0])
    assert countermark.parse_response_signature(response) is None


def test_each_scheme_answers_none_for_the_others_credentials() -> None:
    # A request signed with RFC 9421 is "not this scheme" for FOST, the HMAC header and JWT, and the other way.
    key = countermark.HmacKey(b"0" * 32, key_id="k1")
    signed = countermark.MessageSigner(key).sign(UNSIGNED[0])
    rfc9421 = UNSIGNED[0].with_headers(signed.headers)
    assert countermark.parse_message_signature(rfc9421) is not None
    for scheme in ("fost", "fost-url", "hmac-header", "jwt"):
        assert PHASE_ONE[scheme](rfc9421) is None, scheme
    hmac = countermark.HmacHeaderSigner("k1", countermark.ApiSecret.generate()).sign(UNSIGNED[1])
    hmac_request = UNSIGNED[1].with_headers(hmac.headers)
    assert countermark.parse_hmac_header(hmac_request) is not None
    for scheme in ("fost", "rfc9421", "jwt"):
        assert PHASE_ONE[scheme](hmac_request) is None, scheme


@pytest.mark.parametrize(
    "headers",
    [
        [("Signature-Input", "")],
        [("Signature", "")],
        [("Signature-Input", "sig1=("), ("Signature", "sig1=:AAAA:")],
        [("Signature", "sig1=:AAAA:")],
    ],
    ids=["empty-input", "empty-signature", "broken-input", "signature-without-input"],
)
def test_a_present_but_broken_rfc9421_header_is_malformed(headers: list[tuple[str, str]]) -> None:
    with pytest.raises(Malformed):
        countermark.parse_message_signature(Request("GET", "/items", headers=headers))

