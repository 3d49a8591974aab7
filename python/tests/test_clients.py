"""countermark.clients: requests and httpx auth classes, checked end to end.

Each test sends a real request to a local HTTP server that records what it received (method, target, header
lines, body bytes), rebuilds a countermark.Request from that and verifies it with countermark's verifiers, and
for RFC 9421 also with the independent http-message-signatures library.
"""

from __future__ import annotations

import asyncio
import datetime
import http.server
import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Optional

import pytest

import countermark
from countermark import (
    ApiSecret,
    BadSignature,
    FostPolicy,
    HmacHeaderPolicy,
    HmacKey,
    JwtPolicy,
    MessagePolicy,
    MessageVerifyingKey,
    SigningKey,
)

# Imported outright, never importorskip: these are in python/requirements-test.txt, and a missing one must fail
# the suite rather than skip its tests silently.
import http_message_signatures as hms  # noqa: E402
import httpx  # noqa: E402
import requests  # noqa: E402
from http_message_signatures import HTTPSignatureKeyResolver  # noqa: E402

from countermark.clients import httpx as cm_httpx  # noqa: E402
from countermark.clients import requests as cm_requests  # noqa: E402

# The Ed25519 test key of asymmetric-jwt-auth's vectors (published: tests only).
ED25519_PEM = (
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIPgz7Ekv7cWzMyO1kHf/rqYkgkxqBaoPyOEzBlkIfGTO\n"
    "-----END PRIVATE KEY-----\n"
)
FOST_SECRET = b"fost-secret-value"
RFC9421_SECRET = b"rfc9421-shared-secret-0123456789"
PAYLOAD = {"name": "widget", "tags": ["a", "b"], "price": 12.5, "note": "caf\u00e9"}


# ------------------------------------------------------------------------------------------------ server


@dataclass
class Received:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> Optional[str]:
        values = [v for n, v in self.headers if n.lower() == name.lower()]
        assert len(values) <= 1, f"{name} repeated: {values}"
        return values[0] if values else None

    def request(self, *, body: Optional[bytes] = None, target: Optional[str] = None) -> countermark.Request:
        """The countermark.Request the server saw (``body``/``target``: tampered replacements)."""
        return countermark.Request(
            self.method,
            self.target if target is None else target,
            headers=self.headers,
            body=self.body if body is None else body,
            scheme="http",
            authority=self.header("Host"),
        )


class _Handler(http.server.BaseHTTPRequestHandler):
    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.received.append(  # type: ignore[attr-defined]
            Received(self.command, self.path, list(self.headers.items()), body)
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = do_PUT = do_DELETE = _record

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


@pytest.fixture
def base_url(server) -> str:
    server.received.clear()
    return f"http://127.0.0.1:{server.server_address[1]}"


CLIENTS = {"requests": cm_requests, "httpx": cm_httpx}


def send(client: str, auth_name: str, auth_args: tuple, auth_kwargs: dict, server, url: str, **kw) -> Received:
    """Sends one request with the client's auth class ``auth_name`` and returns what the server received."""
    auth = getattr(CLIENTS[client], auth_name)(*auth_args, **auth_kwargs)
    method = kw.pop("method", "POST")
    before = len(server.received)
    if client == "requests":
        r = requests.request(method, url, auth=auth, timeout=10, **kw)
        assert r.status_code == 200
    else:
        r = httpx.request(method, url, auth=auth, timeout=10, **kw)
        assert r.status_code == 200
    assert len(server.received) == before + 1
    return server.received[-1]


both_clients = pytest.mark.parametrize("client", ["requests", "httpx"])


class _KeyResolver(HTTPSignatureKeyResolver):
    """http-message-signatures key lookup by keyid."""

    def __init__(self, keys: dict[str, Any]) -> None:
        self.keys = keys

    def resolve_public_key(self, key_id: str) -> Any:
        return self.keys.get(key_id)

    def resolve_private_key(self, key_id: str) -> Any:
        raise KeyError(key_id)


class _Lines:
    """Header lines as http-message-signatures reads them (``items()`` in wire order)."""

    def __init__(self, lines: list[tuple[str, str]]) -> None:
        self.lines = lines

    def items(self) -> list[tuple[str, str]]:
        return list(self.lines)


def hms_verify(received: Received, algorithm: Any, keys: dict[str, Any], *, body: Optional[bytes] = None) -> list:
    """Verifies the received request with http-message-signatures 3.0.0 (and its Content-Digest with body=)."""
    message = SimpleNamespace(
        method=received.method,
        url=f"http://{received.header('Host')}{received.target}",
        headers=_Lines(received.headers),
    )
    verifier = hms.HTTPMessageVerifier(signature_algorithm=algorithm, key_resolver=_KeyResolver(keys))
    return verifier.verify(
        message,
        max_age=datetime.timedelta(minutes=5),
        body=received.body if body is None else body,
    )


# ------------------------------------------------------------------------------------------------ FOST


def fost_key() -> HmacKey:
    return HmacKey(FOST_SECRET, "hmac-sha1", legacy=True)


@both_clients
def test_fost_json_body(client, server, base_url):
    got = send(client, "FostAuth", ("key-1", fost_key()), {}, server, base_url + "/api/items/?page=2", json=PAYLOAD)
    assert got.header("Authorization").startswith("FOST key-1:")
    assert json.loads(got.body) == PAYLOAD
    v = countermark.verify_fost(got.request(), fost_key(), FostPolicy())
    assert (v.scheme, v.key_id, v.user) == ("fost", "key-1", "key-1")
    assert v.covered == ["X-FOST-Headers", "Host"]
    assert dict(v.details)["header.Host"] == got.header("Host") == base_url.split("//")[1]

    with pytest.raises(BadSignature):
        countermark.verify_fost(got.request(body=got.body.replace(b"widget", b"gadget")), fost_key(), FostPolicy())
    with pytest.raises(BadSignature):
        countermark.verify_fost(got.request(target="/api/other/?page=2"), fost_key(), FostPolicy())
    with pytest.raises(BadSignature):
        countermark.verify_fost(got.request(), HmacKey(b"another-secret", "hmac-sha1", legacy=True), FostPolicy())


@both_clients
def test_fost_user_and_more_headers(client, server, base_url):
    got = send(
        client,
        "FostAuth",
        ("key-1", fost_key()),
        {"headers": ("Host", "Content-Type"), "user": "alice"},
        server,
        base_url + "/api/items/",
        method="PUT",
        json=PAYLOAD,
    )
    assert got.header("X-FOST-User") == "alice"
    v = countermark.verify_fost(got.request(), fost_key(), FostPolicy())
    assert v.user == "alice"
    assert v.covered == ["X-FOST-Headers", "Host", "Content-Type", "X-FOST-User"]
    tampered = [(n, "bob" if n.lower() == "x-fost-user" else v) for n, v in got.headers]
    req = countermark.Request(got.method, got.target, headers=tampered, body=got.body, scheme="http",
                              authority=got.header("Host"))
    with pytest.raises(BadSignature):
        countermark.verify_fost(req, fost_key(), FostPolicy())


@both_clients
def test_fost_get_signs_the_query(client, server, base_url):
    got = send(client, "FostAuth", ("key-1", fost_key()), {}, server, base_url + "/items?q=1", method="GET")
    assert got.body == b""
    countermark.verify_fost(got.request(), fost_key(), FostPolicy())
    with pytest.raises(BadSignature):
        countermark.verify_fost(got.request(target="/items?q=2"), fost_key(), FostPolicy())


@both_clients
def test_fost_missing_signed_header_is_refused_before_sending(client, server, base_url):
    with pytest.raises(countermark.InvalidValue, match="X-Missing"):
        send(client, "FostAuth", ("key-1", fost_key()), {"headers": ("Host", "X-Missing")}, server,
             base_url + "/", json=PAYLOAD)
    assert server.received == []


# ------------------------------------------------------------------------------------------- HMAC header


@both_clients
@pytest.mark.parametrize("algorithm", ["hmac-sha256", "hmac-sha512"])
def test_hmac_header_json_body(client, algorithm, server, base_url):
    secret = ApiSecret.generate()
    got = send(client, "HmacHeaderAuth", ("api-key-1", secret, algorithm), {}, server, base_url + "/api/v1/resource/",
               json=PAYLOAD)
    assert got.header("Authorization").startswith(f"{algorithm.upper()} api-key-1;")
    v = countermark.verify_hmac_header(got.request(), secret, HmacHeaderPolicy())
    assert (v.scheme, v.key_id, v.algorithm) == ("hmac-header", "api-key-1", algorithm)

    with pytest.raises(BadSignature):
        countermark.verify_hmac_header(got.request(body=got.body.replace(b"widget", b"gadget")), secret,
                                       HmacHeaderPolicy())
    with pytest.raises(BadSignature):
        countermark.verify_hmac_header(got.request(), ApiSecret.generate(), HmacHeaderPolicy())


@both_clients
def test_hmac_header_form_and_empty_bodies(client, server, base_url):
    secret = ApiSecret.generate()
    got = send(client, "HmacHeaderAuth", ("k", secret), {}, server, base_url + "/form", data={"a": "1", "b": "x y"})
    assert got.header("Content-Type") == "application/x-www-form-urlencoded"
    countermark.verify_hmac_header(got.request(), secret, HmacHeaderPolicy())
    got = send(client, "HmacHeaderAuth", ("k", secret), {}, server, base_url + "/get", method="GET")
    countermark.verify_hmac_header(got.request(), secret, HmacHeaderPolicy())


# ------------------------------------------------------------------------------------------------ RFC 9421


def rfc9421_key() -> HmacKey:
    return HmacKey(RFC9421_SECRET, key_id="client-1")


def rfc9421_policy(**kw: Any) -> MessagePolicy:
    return MessagePolicy(check_content_digest=True, **kw)


@both_clients
def test_http_signature_hmac_json_body(client, server, base_url):
    got = send(client, "HttpSignatureAuth", (rfc9421_key(),), {}, server, base_url + "/api/items?x=1&y=2",
               json=PAYLOAD)
    assert got.header("Content-Digest") == countermark.content_digest(got.body)
    v = countermark.verify_message_signature(
        got.request(),
        MessageVerifyingKey.hmac(rfc9421_key()),
        rfc9421_policy(require_key_id=True, require_nonce=True,
                       required_components=["@method", "@authority", "@path", "content-digest"]),
    )
    assert (v.scheme, v.key_id, v.algorithm) == ("rfc9421", "client-1", "hmac-sha256")
    # The core's default coverage: the query is covered because the URL has one, the digest because of the body.
    assert v.covered == ["@method", "@authority", "@path", "@query", "content-digest"]
    assert v.covered == countermark.default_coverage(got.request())[0]
    details = dict(v.details)
    assert details["body_checked"] == "true"
    assert details["label"] == "sig1"
    assert details["nonce"]

    # The independent implementation agrees, Content-Digest included.
    results = hms_verify(got, hms.algorithms.HMAC_SHA256, {"client-1": RFC9421_SECRET})
    assert len(results) == 1
    assert results[0].body == got.body
    assert list(results[0].covered_components)[:-1] == [
        '"@method"', '"@authority"', '"@path"', '"@query"', '"content-digest"'
    ]

    # Body changed after signing: refused by both.
    tampered = got.body.replace(b"widget", b"gadget")
    with pytest.raises(BadSignature):
        countermark.verify_message_signature(got.request(body=tampered), MessageVerifyingKey.hmac(rfc9421_key()),
                                             rfc9421_policy())
    with pytest.raises(hms.InvalidSignature):
        hms_verify(got, hms.algorithms.HMAC_SHA256, {"client-1": RFC9421_SECRET}, body=tampered)
    # Another path, another key: refused.
    with pytest.raises(BadSignature):
        countermark.verify_message_signature(got.request(target="/api/other?x=1&y=2"),
                                             MessageVerifyingKey.hmac(rfc9421_key()), rfc9421_policy())
    with pytest.raises(BadSignature):
        countermark.verify_message_signature(got.request(), MessageVerifyingKey.hmac(HmacKey(b"x" * 32)),
                                             rfc9421_policy())
    with pytest.raises(hms.InvalidSignature):
        hms_verify(got, hms.algorithms.HMAC_SHA256, {"client-1": b"x" * 32})


@both_clients
def test_http_signature_options(client, server, base_url):
    components = ["@method", "@target-uri", "content-type", "content-digest"]
    got = send(client, "HttpSignatureAuth", (HmacKey(RFC9421_SECRET),),
               {"key_id": "svc", "label": "client", "tag": "app-1", "components": components, "expires_in": 60},
               server, base_url + "/api/items?x=1", json=PAYLOAD)
    creds = countermark.parse_message_signature(got.request())
    assert creds.key_id == "svc"
    details = dict(creds.details)
    assert (details["label"], details["tag"]) == ("client", "app-1")
    assert "expires" in details
    v = countermark.verify_message_signature(got.request(), MessageVerifyingKey.hmac(HmacKey(RFC9421_SECRET)),
                                             rfc9421_policy(label="client"))
    assert v.covered == components
    message = SimpleNamespace(method=got.method, url=f"http://{got.header('Host')}{got.target}",
                              headers=_Lines(got.headers))
    verifier = hms.HTTPMessageVerifier(signature_algorithm=hms.algorithms.HMAC_SHA256,
                                       key_resolver=_KeyResolver({"svc": RFC9421_SECRET}))
    (result,) = verifier.verify(message, expect_tag="app-1", body=got.body)
    assert result.label == "client"


@both_clients
def test_http_signature_get_without_body(client, server, base_url):
    got = send(client, "HttpSignatureAuth", (rfc9421_key(),), {}, server, base_url + "/items?id=7", method="GET")
    assert got.body == b""
    # The core's default coverage: no body, so no Content-Digest and no content-digest component; the query is
    # covered because the URL has one.
    assert got.header("Content-Digest") is None
    v = countermark.verify_message_signature(got.request(), MessageVerifyingKey.hmac(rfc9421_key()), MessagePolicy())
    assert v.covered == ["@method", "@authority", "@path", "@query"]
    hms_verify(got, hms.algorithms.HMAC_SHA256, {"client-1": RFC9421_SECRET})

    # Components given: exactly those; content-digest covered, so the digest of the empty body is sent and signed.
    got = send(client, "HttpSignatureAuth", (rfc9421_key(),),
               {"components": ["@method", "@authority", "@path", "content-digest"]},
               server, base_url + "/items?id=7", method="GET")
    assert got.header("Content-Digest") == countermark.content_digest(b"")
    countermark.verify_message_signature(got.request(), MessageVerifyingKey.hmac(rfc9421_key()), rfc9421_policy())
    hms_verify(got, hms.algorithms.HMAC_SHA256, {"client-1": RFC9421_SECRET})

    got = send(client, "HttpSignatureAuth", (rfc9421_key(),), {"components": ["@method", "@path", "@query"]},
               server, base_url + "/items?id=7", method="GET")
    assert got.header("Content-Digest") is None
    # No digest to check (check_content_digest=True requires one to be covered, even for no body).
    with pytest.raises(countermark.Malformed, match="content-digest"):
        countermark.verify_message_signature(got.request(), MessageVerifyingKey.hmac(rfc9421_key()), rfc9421_policy())
    v = countermark.verify_message_signature(got.request(), MessageVerifyingKey.hmac(rfc9421_key()), MessagePolicy())
    assert v.covered == ["@method", "@path", "@query"]


@both_clients
def test_http_signature_ed25519(client, server, base_url):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    sk = SigningKey.from_pem(ED25519_PEM)
    got = send(client, "HttpSignatureAuth", (sk,), {"algorithm": "ed25519", "key_id": "ed-1"}, server,
               base_url + "/api/items", json=PAYLOAD)
    mkey = MessageVerifyingKey.public(sk.verifying_key, "ed25519")
    v = countermark.verify_message_signature(got.request(), mkey, rfc9421_policy())
    assert (v.key_id, v.algorithm) == ("ed-1", "ed25519")
    public = load_pem_public_key(sk.verifying_key.to_pem().encode())
    hms_verify(got, hms.algorithms.ED25519, {"ed-1": public})
    with pytest.raises(BadSignature):
        countermark.verify_message_signature(got.request(body=b'{"name": "gadget"}'), mkey, rfc9421_policy())


@both_clients
def test_http_signature_nonces_are_fresh(client, server, base_url):
    policy = rfc9421_policy(require_nonce=True)
    key = MessageVerifyingKey.hmac(rfc9421_key())
    a = send(client, "HttpSignatureAuth", (rfc9421_key(),), {}, server, base_url + "/n", json=PAYLOAD)
    b = send(client, "HttpSignatureAuth", (rfc9421_key(),), {}, server, base_url + "/n", json=PAYLOAD)
    assert a.header("Signature") != b.header("Signature")
    countermark.verify_message_signature(a.request(), key, policy)
    countermark.verify_message_signature(b.request(), key, policy)
    with pytest.raises(countermark.Replayed):
        countermark.verify_message_signature(a.request(), key, policy)


# ------------------------------------------------------------------------------------------------ JWT


@both_clients
def test_jwt_fresh_token_per_request(client, server, base_url):
    sk = SigningKey.from_pem(ED25519_PEM)
    auth_args = (sk, "alice")
    got1 = send(client, "JWTAuth", auth_args, {}, server, base_url + "/me", json=PAYLOAD)
    got2 = send(client, "JWTAuth", auth_args, {}, server, base_url + "/me", method="GET")
    policy = JwtPolicy()
    tokens = []
    for got in (got1, got2):
        assert got.header("Authorization").startswith("JWT ")
        token, creds = countermark.parse_jwt_request(got.request())
        assert creds.user == "alice"
        v = countermark.verify_jwt(token, [sk.verifying_key], policy)
        assert (v.scheme, v.user, v.algorithm) == ("jwt", "alice", "ed25519")
        tokens.append(token)
    assert tokens[0] != tokens[1]
    with pytest.raises(countermark.Replayed):
        countermark.verify_jwt(tokens[0], [sk.verifying_key], policy)
    other = SigningKey.from_pem(
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEII3H3a8IHEVTVwiOlLatc2/nFuNZh3LUvXxikvwOtqsn\n"
        "-----END PRIVATE KEY-----\n"
    )
    with pytest.raises(BadSignature):
        countermark.verify_jwt(tokens[1], [other.verifying_key], JwtPolicy())


def test_jwt_auth_needs_a_signing_key():
    with pytest.raises(TypeError):
        cm_requests.JWTAuth(HmacKey(b"0" * 32), "alice")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------- bodies


@both_clients
def test_streaming_bodies_are_refused(client, server, base_url):
    def chunks():
        yield b'{"a": '
        yield b"1}"

    for auth_name, args in [("HttpSignatureAuth", (rfc9421_key(),)), ("FostAuth", ("key-1", fost_key())),
                            ("HmacHeaderAuth", ("k", ApiSecret.generate()))]:
        kw = {"data": chunks()} if client == "requests" else {"content": chunks()}
        with pytest.raises(countermark.InvalidValue, match="streaming request body"):
            send(client, auth_name, args, {}, server, base_url + "/stream",
                 headers={"Content-Type": "application/json"}, **kw)
    assert server.received == []


@both_clients
def test_jwt_does_not_read_streaming_bodies(client, server, base_url):
    def chunks():
        yield b"part-1;"
        yield b"part-2"

    kw = {"data": chunks()} if client == "requests" else {"content": chunks()}
    auth = getattr(CLIENTS[client], "JWTAuth")(SigningKey.from_pem(ED25519_PEM), "alice")
    if client == "requests":
        assert requests.post(base_url + "/upload", auth=auth, timeout=10, **kw).status_code == 200
    else:
        assert httpx.post(base_url + "/upload", auth=auth, timeout=10, **kw).status_code == 200
    # The test server does not decode chunked bodies; that the request arrived signed is what matters.
    assert server.received[-1].header("Authorization").startswith("JWT ")


def test_requests_str_body_is_signed_as_sent(server, base_url):
    body = json.dumps(PAYLOAD, ensure_ascii=False)  # non-ASCII text: sent UTF-8 encoded
    got = send("requests", "HttpSignatureAuth", (rfc9421_key(),), {}, server, base_url + "/text", data=body,
               headers={"Content-Type": "application/json; charset=utf-8"})
    assert got.body == body.encode("utf-8")
    countermark.verify_message_signature(got.request(), MessageVerifyingKey.hmac(rfc9421_key()), rfc9421_policy())
    hms_verify(got, hms.algorithms.HMAC_SHA256, {"client-1": RFC9421_SECRET})


@both_clients
def test_file_bodies_of_known_length_are_read_and_signed(client, server, base_url, tmp_path):
    path = tmp_path / "upload.json"
    path.write_bytes(json.dumps(PAYLOAD).encode())
    with open(path, "rb") as f:
        kw = {"data": f} if client == "requests" else {"content": f}
        got = send(client, "FostAuth", ("key-1", fost_key()), {}, server, base_url + "/file",
                   headers={"Content-Type": "application/json"}, **kw)
    assert got.body == path.read_bytes()
    countermark.verify_fost(got.request(), fost_key(), FostPolicy())


@both_clients
def test_multipart_upload(client, server, base_url):
    got = send(client, "HttpSignatureAuth", (rfc9421_key(),), {}, server, base_url + "/upload",
               files={"file": ("a.txt", b"hello multipart", "text/plain")}, data={"field": "value"})
    assert got.header("Content-Type").startswith("multipart/form-data")
    assert b"hello multipart" in got.body
    countermark.verify_message_signature(got.request(), MessageVerifyingKey.hmac(rfc9421_key()), rfc9421_policy())
    hms_verify(got, hms.algorithms.HMAC_SHA256, {"client-1": RFC9421_SECRET})


@both_clients
def test_hmac_header_refuses_other_body_types(client, server, base_url):
    with pytest.raises(countermark.CountermarkError, match="JSON and form bodies only"):
        send(client, "HmacHeaderAuth", ("k", ApiSecret.generate()), {}, server, base_url + "/upload",
             files={"file": ("a.txt", b"x", "text/plain")})
    assert server.received == []


@both_clients
@pytest.mark.parametrize("components", [None, ["@method", "@authority", "@path", "content-digest"]])
def test_a_callers_content_digest_is_replaced_by_the_digest_of_the_body_signed(client, components, server, base_url):
    # The core's one rule, on the default-coverage path and the explicit-components path alike: the signer computes
    # the Content-Digest of the body it signs and replaces the caller's, here a stale one (of another body) that
    # would otherwise be signed and then refused by a server checking the body.
    body = json.dumps(PAYLOAD).encode()
    stale = countermark.content_digest(b"another body", ["sha-512"])
    kwargs = {} if components is None else {"components": components}
    got = send(client, "HttpSignatureAuth", (rfc9421_key(),), kwargs, server, base_url + "/d",
               headers={"Content-Digest": stale, "Content-Type": "application/json"},
               **({"data": body} if client == "requests" else {"content": body}))
    assert [v for n, v in got.headers if n.lower() == "content-digest"] == [countermark.content_digest(body)]
    v = countermark.verify_message_signature(got.request(), MessageVerifyingKey.hmac(rfc9421_key()), rfc9421_policy())
    assert "content-digest" in v.covered


# ------------------------------------------------------------------------------------------- httpx async


def test_httpx_async_client(server, base_url):
    sk = SigningKey.from_pem(ED25519_PEM)
    secret = ApiSecret.generate()

    async def main() -> None:
        async with httpx.AsyncClient(timeout=10) as c:
            await c.post(base_url + "/a", json=PAYLOAD, auth=cm_httpx.HttpSignatureAuth(rfc9421_key()))
            await c.post(base_url + "/b", json=PAYLOAD, auth=cm_httpx.FostAuth("key-1", fost_key()))
            await c.post(base_url + "/c", json=PAYLOAD, auth=cm_httpx.HmacHeaderAuth("k", secret))
            await c.post(base_url + "/d", json=PAYLOAD, auth=cm_httpx.JWTAuth(sk, "alice"))
            await c.post(base_url + "/e", files={"f": ("f.bin", b"\x00\x01")},
                         auth=cm_httpx.HttpSignatureAuth(rfc9421_key()))

    asyncio.run(main())
    a, b, c, d, e = server.received
    countermark.verify_message_signature(a.request(), MessageVerifyingKey.hmac(rfc9421_key()), rfc9421_policy())
    countermark.verify_fost(b.request(), fost_key(), FostPolicy())
    countermark.verify_hmac_header(c.request(), secret, HmacHeaderPolicy())
    token, _ = countermark.parse_jwt_request(d.request())
    assert countermark.verify_jwt(token, [sk.verifying_key], JwtPolicy()).user == "alice"
    countermark.verify_message_signature(e.request(), MessageVerifyingKey.hmac(rfc9421_key()), rfc9421_policy())


def test_httpx_async_streaming_body_refused(server, base_url):
    async def chunks():
        yield b"{}"

    async def main() -> None:
        async with httpx.AsyncClient(timeout=10) as c:
            await c.post(base_url + "/s", content=chunks(), auth=cm_httpx.HttpSignatureAuth(rfc9421_key()))

    with pytest.raises(countermark.InvalidValue, match="streaming request body"):
        asyncio.run(main())
    assert server.received == []


# ------------------------------------------------------------------------------------------- misc


def test_reprs_hide_secrets():
    secret = ApiSecret.generate()
    for auth in [
        cm_requests.FostAuth("key-1", fost_key()),
        cm_httpx.HmacHeaderAuth("api-key", secret),
        cm_requests.HttpSignatureAuth(rfc9421_key()),
        cm_httpx.JWTAuth(SigningKey.from_pem(ED25519_PEM), "alice"),
    ]:
        text = repr(auth)
        assert "secret" not in text.lower() or "hidden" in text
        assert FOST_SECRET.decode() not in text and RFC9421_SECRET.decode() not in text
        assert secret.to_base64() not in text


@pytest.mark.parametrize("name", ["FostAuth", "HmacHeaderAuth", "HttpSignatureAuth", "JWTAuth"])
def test_requests_and_httpx_classes_are_one_implementation(name):
    # Arguments, documentation and signing scheme live once, in countermark.clients._common; each client module
    # adds only its auth protocol (requests' AuthBase, httpx.Auth).
    from countermark.clients import _common

    shared = getattr(_common, name)
    for module, protocol in ((cm_requests, requests.auth.AuthBase), (cm_httpx, httpx.Auth)):
        cls = getattr(module, name)
        assert issubclass(cls, shared) and issubclass(cls, protocol), (module.__name__, name)
        assert "__init__" not in vars(cls) and "__repr__" not in vars(cls), (module.__name__, name)
        assert cls.__init__ is shared.__init__


def test_key_ids_of_asymmetric_keys():
    sk = SigningKey.from_pem(ED25519_PEM)
    assert sk.key_id == sk.verifying_key.key_id == sk.verifying_key.fingerprint
    renamed = sk.verifying_key.with_key_id("ed-1")
    assert renamed.key_id == "ed-1" and renamed.fingerprint == sk.verifying_key.fingerprint
    assert 'key_id="ed-1"' in repr(renamed)


def test_bad_options_fail_at_construction():
    with pytest.raises(TypeError):
        cm_requests.FostAuth("key-1", fost_key(), headers="Host")
    with pytest.raises(countermark.CountermarkError):
        cm_requests.FostAuth("key-1", HmacKey(b"0" * 32))  # FOST is HMAC-SHA1 only
    with pytest.raises(TypeError):
        cm_httpx.HttpSignatureAuth(rfc9421_key(), components="@method")
    with pytest.raises(ValueError):
        cm_httpx.HttpSignatureAuth(SigningKey.from_pem(ED25519_PEM))  # a SigningKey needs algorithm=


def test_import_without_http_clients():
    code = (
        "import sys\n"
        "sys.modules['requests'] = None\n"
        "sys.modules['httpx'] = None\n"
        "import countermark.clients\n"
        "import countermark.clients._common\n"
        "for name in ('requests', 'httpx'):\n"
        "    try:\n"
        "        __import__('countermark.clients.' + name)\n"
        "    except ImportError as e:\n"
        "        assert 'pip install ' + name in str(e), e\n"
        "    else:\n"
        "        raise AssertionError(name)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
