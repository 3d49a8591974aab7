"""asymmetric-jwt-auth parity: OpenSSH public keys, the key import command, JWKS publishing, and JWKS URLs users
trust, fetched from a loopback HTTP server with the reference's limits. Tokens are made by asymmetric-jwt-auth's
own ``Token.sign``."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

import countermark
from countermark.django import jwks
from countermark.django.models import JwksEndpoint, PublicKey

from conftest import public_pem_of, send

pytestmark = pytest.mark.django_db

#: The Ed25519 identity point: a small-order key (one signature would verify for every message).
SMALL_ORDER_X = "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
SMALL_ORDER_SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


def reference_token(private_pem: str, username: str = "alice") -> str:
    """What an asymmetric-jwt-auth client sends: its own Token.sign."""
    from asymmetric_jwt_auth.keys import PrivateKey
    from asymmetric_jwt_auth.tokens import Token

    return Token(username).sign(PrivateKey.load_pem(private_pem.encode()))


def openssh_of(private_pem: str, comment: str = "alice@laptop") -> str:
    public = serialization.load_pem_private_key(private_pem.encode(), None).public_key()
    line = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return f"{line} {comment}"


def reference_jwk(private_pem: str) -> dict[str, Any]:
    """The JWK asymmetric-jwt-auth publishes for an RSA key (its own as_jwk), or an OKP JWK with its fingerprint kid
    for Ed25519 (the reference's Ed25519 key has no as_jwk)."""
    from asymmetric_jwt_auth.keys import PrivateKey

    public = PrivateKey.load_pem(private_pem.encode()).public_key
    try:
        return dict(public.as_jwk)
    except NotImplementedError:
        jwk = json.loads(countermark.VerifyingKey.from_pem(public.as_pem.decode()).to_jwk())
        assert jwk["kid"] == public.fingerprint
        return jwk


# ------------------------------------------------------------------------------------------- OpenSSH keys
@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
def test_openssh_public_keys_verify_reference_tokens(
    client: Client, user: Any, ed25519_pem: str, rsa_pem: str, kind: str
) -> None:
    pem = ed25519_pem if kind == "ed25519" else rsa_pem
    key = PublicKey(user=user, pem=openssh_of(pem))
    key.full_clean()
    key.save()
    assert key.comment == "alice@laptop" and key.pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert key.key_id == countermark.VerifyingKey.from_pem(public_pem_of(pem)).fingerprint
    response = send(client, "GET", "/api/whoami/", {"Authorization": f"JWT {reference_token(pem)}"})
    assert response.status_code == 200, response.content
    assert response.json()["key_id"] == key.key_id


def test_add_public_key_reads_an_openssh_file(user: Any, ed25519_pem: str, tmp_path: Any) -> None:
    path = tmp_path / "id_ed25519.pub"
    path.write_text(openssh_of(ed25519_pem, "jürgen@laptop") + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("countermark_add_public_key", "alice", str(path), stdout=out)
    key = PublicKey.objects.get()
    assert out.getvalue().strip() == f"key_id: {key.key_id}" and key.comment == "jürgen@laptop"
    path.write_text(SMALL_ORDER_SSH, encoding="utf-8")
    with pytest.raises(CommandError, match="small order"):
        call_command("countermark_add_public_key", "alice", str(path))


def test_weak_openssh_keys_are_refused_by_the_model(user: Any) -> None:
    key = PublicKey(user=user, pem=SMALL_ORDER_SSH)
    with pytest.raises(Exception) as e:
        key.full_clean()
    assert "small order" in str(e.value)


# ------------------------------------------------------------------------------------------- import command
def test_reference_keys_and_jwks_urls_import(client: Client, user: Any, ed25519_pem: str, rsa_pem: str) -> None:
    from asymmetric_jwt_auth.models import JWKSEndpointTrust
    from asymmetric_jwt_auth.models import PublicKey as ReferenceKey

    ReferenceKey.objects.create(user=user, key=openssh_of(ed25519_pem))
    ReferenceKey.objects.create(user=user, key=public_pem_of(rsa_pem), comment="ci")
    # A weak key the reference stored (its validator only parses): reported and skipped.
    ReferenceKey.objects.bulk_create([ReferenceKey(user=user, key=SMALL_ORDER_SSH)])
    JWKSEndpointTrust.objects.create(user=user, jwks_url="https://idp.example/.well-known/jwks.json")

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 public keys were refused"):
        call_command("countermark_import_jwt_keys", stdout=out, stderr=err)
    assert "imported 2 public keys (skipped 0 already imported, 1 refused) and 1 JWKS URLs" in out.getvalue()
    assert "small order" in err.getvalue()
    assert PublicKey.objects.get(comment="alice@laptop").pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert JwksEndpoint.objects.get().url == "https://idp.example/.well-known/jwks.json"

    ReferenceKey.objects.filter(key=SMALL_ORDER_SSH).delete()
    out = io.StringIO()
    call_command("countermark_import_jwt_keys", stdout=out)
    assert "imported 0 public keys (skipped 2 already imported, 0 refused) and 0 JWKS URLs (skipped 1)" in out.getvalue()

    for pem in (ed25519_pem, rsa_pem):
        response = send(client, "GET", "/api/whoami/", {"Authorization": f"JWT {reference_token(pem)}"})
        assert response.status_code == 200, response.content


# ------------------------------------------------------------------------------------------- publishing
def test_jwks_views_publish_what_the_reference_reads(client: Client, user: Any, ed25519_pem: str, rsa_pem: str) -> None:
    from jwt import PyJWKSet

    assert client.get("/auth/users/alice/jwks.json").status_code == 404  # off by default
    PublicKey.objects.create(user=user, pem=public_pem_of(rsa_pem))
    PublicKey.objects.create(user=user, pem=openssh_of(ed25519_pem))
    with override_settings(COUNTERMARK={"JWKS_PUBLISH_USER_KEYS": True, "JWKS_PUBLIC_KEYS": [public_pem_of(rsa_pem)]}):
        response = client.get("/auth/users/alice/jwks.json")
        assert response.status_code == 200 and response["Cache-Control"] == "public, max-age=300"
        document = response.json()
        by_kid = {k.key_id: k for k in PyJWKSet.from_dict(document).keys}  # PyJWT, as asymmetric-jwt-auth reads
        assert set(by_kid) == set(PublicKey.objects.values_list("key_id", flat=True))
        assert client.get("/auth/users/nobody/jwks.json").json() == {"keys": []}
        server = client.get("/auth/jwks.json").json()
        assert [k["kid"] for k in server["keys"]] == [PublicKey.objects.get(pem=public_pem_of(rsa_pem)).key_id]


# ------------------------------------------------------------------------------------------- fetching
class JwksServer:
    """A loopback HTTP server whose answer each test sets: ``body``, ``status``, ``headers``, ``delay`` (seconds
    before the body), ``drip`` (seconds between body bytes). ``hits`` counts requests."""

    def __init__(self) -> None:
        self.body: bytes = b'{"keys": []}'
        self.status = 200
        self.headers: dict[str, str] = {}
        self.delay = 0.0
        self.drip = 0.0
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                outer.hits += 1
                self.send_response(outer.status)
                for k, v in outer.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                try:
                    time.sleep(outer.delay)
                    if outer.drip:
                        for b in outer.body:
                            self.wfile.write(bytes([b]))
                            self.wfile.flush()
                            time.sleep(outer.drip)
                    else:
                        self.wfile.write(outer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def serve(self, *jwks_keys: dict[str, Any]) -> None:
        self.body = json.dumps({"keys": list(jwks_keys)}).encode()


@pytest.fixture
def server() -> Iterator[JwksServer]:
    s = JwksServer()
    jwks.reset()
    yield s
    jwks.wait_for_refreshes()
    s.httpd.shutdown()
    s.httpd.server_close()


def test_fetch_reads_a_good_document(server: JwksServer, rsa_pem: str) -> None:
    jwk = reference_jwk(rsa_pem)
    server.serve(jwk, {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"})
    fetched = jwks.fetch(server.url)
    assert [k.key_id for k in fetched.keys] == [jwk["kid"]] and fetched.skipped == 1


@pytest.mark.parametrize(
    "case, expected",
    [
        ("too_large", "over 1000 bytes"),
        ("redirect", "answered 302"),
        ("slow", "download failed"),
        ("dripping", "download failed"),
        ("bad_json", "not valid JSON"),
        ("weak_key", "small order"),
        ("not_found", "answered 404"),
    ],
)
def test_fetch_refusals(server: JwksServer, case: str, expected: str) -> None:
    ok = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "ok"}
    server.serve(ok)
    conf: dict[str, Any] = {"JWKS_FETCH_TIMEOUT": 0.5, "JWKS_MAX_RESPONSE_BYTES": 1000}
    if case == "too_large":
        server.serve(*[dict(ok, kid=f"k{i}") for i in range(20)])
    elif case == "redirect":
        server.status, server.headers = 302, {"Location": server.url + "?elsewhere"}
    elif case == "slow":
        server.delay = 2.0
    elif case == "dripping":
        server.drip = 0.05  # each read is quick, the whole download is not
    elif case == "bad_json":
        server.body = b'{"keys": [}'
    elif case == "weak_key":
        server.serve(ok, dict(ok, kid="weak", x=SMALL_ORDER_X))
    elif case == "not_found":
        server.status = 404
    with override_settings(COUNTERMARK=conf):
        # "dripping" sends a byte every 0.05 s: only a deadline on the whole download (0.5 s of its ~5 s) stops it.
        with pytest.raises(jwks.FetchError, match=expected):
            jwks.fetch(server.url)
    if case == "redirect":
        assert server.hits == 1  # not followed


def test_fetch_refuses_other_schemes() -> None:
    with pytest.raises(jwks.FetchError, match="http or https"):
        jwks.fetch("file:///etc/passwd")


def test_a_failed_refresh_keeps_the_cached_key_set(server: JwksServer, rsa_pem: str) -> None:
    jwk = reference_jwk(rsa_pem)
    server.serve(jwk)
    assert jwks.refresh(server.url)["document"] is not None
    server.body = b"not json"
    entry = jwks.refresh(server.url)
    assert entry["document"] is not None
    assert jwks.signing_key(server.url, jwk["kid"]) is not None


# ------------------------------------------------------------------------------------------- JWTs through JWKS
@pytest.fixture
def trusting_user(user: Any, server: JwksServer) -> Any:
    JwksEndpoint.objects.create(user=user, url=server.url)
    return user


@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
def test_reference_tokens_verify_against_a_trusted_jwks_url(
    client: Client, trusting_user: Any, server: JwksServer, ed25519_pem: str, rsa_pem: str, kind: str
) -> None:
    pem = ed25519_pem if kind == "ed25519" else rsa_pem
    jwk = reference_jwk(pem)
    server.serve(jwk)
    response = send(client, "GET", "/api/whoami/", {"Authorization": f"JWT {reference_token(pem)}"})
    assert response.status_code == 200, response.content
    assert response.json()["key_id"] == jwk["kid"]
    assert JwksEndpoint.objects.get().last_used_at is not None
    assert server.hits == 1  # the first use fetched; the cache answers the next ones
    again = send(client, "GET", "/api/whoami/", {"Authorization": f"JWT {reference_token(pem)}"})
    assert again.status_code == 200 and server.hits == 1


def test_an_unknown_kid_is_refused_and_refreshed_once_per_cooldown(
    client: Client, trusting_user: Any, server: JwksServer, ed25519_pem: str, rsa_pem: str
) -> None:
    server.serve(reference_jwk(rsa_pem))
    jwks.refresh(server.url)
    assert server.hits == 1
    with override_settings(COUNTERMARK={"FAILED_ATTEMPTS_THRESHOLD": 1000, "JWKS_REFRESH_COOLDOWN": 30}):
        # The cached set was fetched just now: within the cooldown, no refresh.
        response = send(client, "GET", "/api/whoami/", {"Authorization": f"JWT {reference_token(ed25519_pem)}"})
        assert response.status_code == 401 and response.json()["reason"] == "bad_signature"
        jwks.wait_for_refreshes()
        assert server.hits == 1
        # Past the cooldown: the key just published is fetched in the background, and the next token passes.
        entry = caches["default"].get(jwks._cache_key(server.url))
        caches["default"].set(jwks._cache_key(server.url), {**entry, "fetched_at": entry["fetched_at"] - 31}, None)
        server.serve(reference_jwk(rsa_pem), reference_jwk(ed25519_pem))
        response = send(client, "GET", "/api/whoami/", {"Authorization": f"JWT {reference_token(ed25519_pem)}"})
        assert response.status_code == 401  # answered from the cache while the refresh runs
        jwks.wait_for_refreshes()
        assert server.hits == 2
        response = send(client, "GET", "/api/whoami/", {"Authorization": f"JWT {reference_token(ed25519_pem)}"})
        assert response.status_code == 200, response.content


def test_a_key_set_past_its_max_age_is_not_trusted(
    client: Client, trusting_user: Any, server: JwksServer, rsa_pem: str
) -> None:
    server.serve(reference_jwk(rsa_pem))
    entry = jwks.refresh(server.url)
    server.status = 500  # refreshes fail from now on
    caches["default"].set(jwks._cache_key(server.url), {**entry, "fetched_at": entry["fetched_at"] - 3600}, None)
    response = send(client, "GET", "/api/whoami/", {"Authorization": f"JWT {reference_token(rsa_pem)}"})
    # The answer an unknown user gets (the decoy is Ed25519: an RS512 token is refused by algorithm either way).
    unknown = send(client, "GET", "/api/whoami/", {"Authorization": f"JWT {reference_token(rsa_pem, 'nobody')}"})
    assert response.status_code == unknown.status_code == 401
    assert response.json()["reason"] == unknown.json()["reason"]


def test_unknown_users_and_users_without_jwks_urls_read_the_decoy(
    client: Client, user: Any, ed25519_pem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    real: Callable[[], None] = jwks.read_decoy
    monkeypatch.setattr(jwks, "read_decoy", lambda: (reads.append(1), real())[1])
    for username in ("nobody", "alice"):  # alice exists but trusts no URL and has no key
        response = send(client, "GET", "/api/whoami/", {"Authorization": f"JWT {reference_token(ed25519_pem, username)}"})
        assert response.status_code == 401 and response.json()["reason"] == "bad_signature"
    assert reads == [1, 1]


# ------------------------------------------------------------------------------------------- checks
@pytest.mark.parametrize(
    "conf, code",
    [
        ({"JWKS_CACHE_TTL": 0}, "countermark.E050"),
        ({"JWKS_CACHE_TTL": 7200}, "countermark.E051"),
        ({"JWKS_FETCH_TIMEOUT": 30}, "countermark.W050"),
        ({"JWKS_MAX_RESPONSE_BYTES": 2 * 1024 * 1024}, "countermark.E052"),
        ({"JWKS_CACHE": "nope"}, "countermark.E053"),
        ({"JWKS_PUBLIC_KEYS": [SMALL_ORDER_SSH]}, "countermark.E054"),
        ({"JWKS_PUBLISH_USER_KEYS": "yes"}, "countermark.E055"),
    ],
)
def test_jwks_setting_checks(conf: dict[str, Any], code: str) -> None:
    from countermark.django.checks import check_settings

    with override_settings(COUNTERMARK=conf):
        assert code in [m.id for m in check_settings()]
    assert code not in [m.id for m in check_settings()]


def test_explain_uses_the_jwks_key_the_token_names(
    settings: Any, client: Client, trusting_user: Any, server: JwksServer, ed25519_pem: str
) -> None:
    settings.DEBUG = True
    settings.COUNTERMARK = {**settings.COUNTERMARK, "EXPLAIN": True}
    server.serve(reference_jwk(ed25519_pem))
    token = reference_token(ed25519_pem)
    tampered = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    response = send(client, "GET", "/api/whoami/", {"Authorization": f"JWT {tampered}"})
    assert response.status_code == 401
    explanation = response.json()["explanation"]
    # With the JWKS key found the signature is checked (without it the verdict would be unknown_key).
    assert explanation["verdict"] == "bad_signature" and explanation["signature_matches"] is False


def test_jwks_urls_are_http_or_https(user: Any) -> None:
    from django.core.exceptions import ValidationError

    JwksEndpoint(user=user, url="https://idp.example/jwks.json").full_clean()
    with pytest.raises(ValidationError):
        JwksEndpoint(user=user, url="ftp://idp.example/jwks.json").full_clean()
