"""Fixtures: users, API keys, key pairs, and one signer per scheme that returns the headers to send."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator, Optional

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from django.core.cache import cache
from django.test import Client

import countermark
from countermark.django import usage
from countermark.django.keycache import key_cache
from countermark.django.models import ApiKey, PublicKey
from countermark.django.schemes import make_token

HOST = "testserver"


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    key_cache.clear()  # each test's database starts afresh: so does the key cache
    usage._reset()  # counts not yet written belong to the test that made them
    yield
    usage._reset()  # and are never written after its database is gone


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("alice", password="correct horse")


@pytest.fixture
def api_key(user: Any) -> tuple[ApiKey, str]:
    return ApiKey.objects.create_key(user, comment="test")


def _pem(private: Any) -> str:
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _public_pem(private: Any) -> str:
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@pytest.fixture(scope="session")
def ed25519_pem() -> str:
    return _pem(ed25519.Ed25519PrivateKey.generate())


@pytest.fixture(scope="session")
def rsa_pem() -> str:
    return _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def public_pem_of(private_pem: str) -> str:
    return _public_pem(serialization.load_pem_private_key(private_pem.encode(), None))


@pytest.fixture
def public_key(user: Any, ed25519_pem: str) -> PublicKey:
    key = PublicKey(user=user, pem=public_pem_of(ed25519_pem), comment="test")
    key.full_clean()
    key.save()
    return key


class Signers:
    """Builds the headers of each scheme for a request to the test server."""

    def __init__(self, key_id: str, secret: str, username: str, private_pem: Optional[str]) -> None:
        self.key_id, self.secret, self.username, self.private_pem = key_id, secret, username, private_pem

    def hmac(self, method: str, path: str, body: bytes, content_type: str, **kw: Any) -> dict[str, str]:
        req = countermark.Request(method, path, headers={"Content-Type": content_type}, body=body)
        algorithm = kw.get("algorithm", "hmac-sha256")
        signer = countermark.HmacHeaderSigner(self.key_id, countermark.ApiSecret(self.secret), algorithm, clock=kw.get("clock"))
        return dict(signer.sign(req).headers)

    def fost(self, method: str, path: str, body: bytes, content_type: str, **kw: Any) -> dict[str, str]:
        # Django's test client sends Content-Type only with a body.
        headers = {"Host": HOST, "Content-Type": content_type} if body else {"Host": HOST}
        if "fost_user" in kw:
            headers["X-FOST-User"] = kw["fost_user"]
        req = countermark.Request(method, path, headers=headers, body=body)
        key = countermark.HmacKey(self.secret, "hmac-sha1", legacy=True)
        signer = countermark.FostSigner(self.key_id, key, clock=kw.get("clock"))
        signed = signer.sign(req, list(headers)).headers
        return {**headers, **dict(signed)}

    def rfc9421(self, method: str, path: str, body: bytes, content_type: str, **kw: Any) -> dict[str, str]:
        components = ["@method", "@authority", "@path"]
        headers = {"Content-Type": content_type}
        if body:
            components.append("content-digest")
            headers["Content-Digest"] = countermark.content_digest(body)
        key: Any = kw.get("key") or countermark.HmacKey(bytes(countermark.ApiSecret(self.secret)), "hmac-sha256")
        signer = countermark.MessageSigner(
            key,
            algorithm=kw.get("algorithm"),
            key_id=kw.get("key_id", self.key_id),
            components=components,
            random_nonces=True,
            include_alg=kw.get("include_alg", False),
            clock=kw.get("clock"),
        )
        req = countermark.Request(method, path, headers=headers, body=body, scheme="http", authority=HOST)
        return {**headers, **dict(signer.sign(req).headers)}

    def jwt(self, method: str, path: str, body: bytes, content_type: str, **kw: Any) -> dict[str, str]:
        assert self.private_pem is not None
        key = countermark.SigningKey.from_pem(kw.get("pem", self.private_pem))
        token = countermark.sign_jwt(key, kw.get("username", self.username), clock=kw.get("clock"))
        return {"Authorization": f"JWT {token}"}

    def token(self, method: str, path: str, body: bytes, content_type: str, **kw: Any) -> dict[str, str]:
        from django.contrib.auth import get_user_model

        token = make_token(get_user_model().objects.get(username=self.username))
        return {"Authorization": countermark.token_authorization(token)}


@pytest.fixture
def signers(api_key: tuple[ApiKey, str], public_key: PublicKey, ed25519_pem: str) -> Signers:
    key, secret = api_key
    return Signers(key.key_id, secret, key.user.get_username(), ed25519_pem)


def send(
    client: Client,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes = b"",
    content_type: str = "application/json",
) -> Any:
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    return client.generic(method, path, data=body, content_type=content_type, headers=headers)


Signer = Callable[..., dict[str, str]]
BODY = json.dumps({"amount": 10.5, "to": "bob"}).encode()


@pytest.fixture
def client() -> Client:
    return Client()


class SuiteProcess:
    """suite_process.py in a child process, on this test's database (use with ``django_db(transaction=True)``,
    so that what the test writes is committed and the child sees it)."""

    def __init__(self, countermark_settings: Optional[dict[str, Any]] = None) -> None:
        import os
        import subprocess
        import sys

        from django.db import connection

        env = {**os.environ, "COUNTERMARK_TEST_DB_NAME": connection.settings_dict["NAME"]}
        here = os.path.dirname(os.path.abspath(__file__))
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(here, "suite_process.py"), json.dumps(countermark_settings or {})],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=here,
        )
        assert self.read() == {"ready": True}

    def read(self) -> Any:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the child process ended (exit code {self.proc.wait()})")
        return json.loads(line)

    def send(self, command: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()

    def ask(self, command: dict[str, Any]) -> Any:
        self.send(command)
        return self.read()

    def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, Any]:
        got = self.ask({"op": "request", "method": method, "path": path, "headers": headers, "body": body.decode()})
        return got["status"], got["reason"]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send({"op": "quit"})
                self.proc.wait(timeout=10)
            except Exception:  # noqa: BLE001 - a child that does not stop is killed
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def suite_processes() -> Any:
    """Starts child processes (``suite_processes(n, settings)``) and stops them after the test."""
    started: list[SuiteProcess] = []

    def start(n: int = 1, countermark_settings: Optional[dict[str, Any]] = None) -> list[SuiteProcess]:
        procs = [SuiteProcess(countermark_settings) for _ in range(n)]
        started.extend(procs)
        return procs

    yield start
    for p in started:
        p.close()
