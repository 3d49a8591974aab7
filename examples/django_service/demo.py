#!/usr/bin/env python
"""The Django part of `make demo`: the example service (demo_service/) on a real HTTP port, and one signed request
per signer and scheme, then the requests it must refuse, each with the reason it must give.

Usage (from anywhere, with the repository's .venv python; `make django-demo` builds what it needs):

    .venv/bin/python examples/django_service/demo.py [--cli PATH] [--c PATH] [--go PATH] [--js PATH]

Defaults: target/release/countermark (`request sign`), target/clients/sign-c, target/clients/sign-go,
examples/django_service/clients/js/sign.mjs (run with node; the npm package of js/, built by `make js`).

Each request prints one line: ACCEPTED or REJECTED, the signer (python = countermark.clients.requests, cli, c,
go, js), the scheme, what was sent, and the answer (status, then the user and scheme the server verified, or the
reason code of its 401 body). Any answer other than the one expected is marked UNEXPECTED and makes the script
exit 1; a setup failure (a missing signer, a server that does not start) exits 2. The server is always stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

import countermark
from countermark.clients.requests import FostAuth, HmacHeaderAuth, HttpSignatureAuth, JWTAuth
from demo_service.settings import DEMO_FAILED_ATTEMPTS_THRESHOLD

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
USER = "alice"
SCHEMES = ("hmac", "fost", "rfc9421", "jwt")


class SetupError(Exception):
    """The demo could not get as far as its requests."""


@dataclass
class Expect:
    status: int
    scheme: Optional[str] = None  # on 200: the scheme the server must report
    reason: Optional[str] = None  # on 401 (or 429): the reason code of the body
    data: Any = None  # on 200 to the API: the parsed body the server must echo


class Demo:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = Path(tempfile.mkdtemp(prefix="countermark-django-demo-"))
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "demo_service.settings",
            "COUNTERMARK_DEMO_DB": str(self.work / "db.sqlite3"),
            "COUNTERMARK_DEMO_SECRET_KEY": secrets.token_urlsafe(48),
            "PYTHONUNBUFFERED": "1",
        }
        self.server: Optional[subprocess.Popen[bytes]] = None
        self.server_log = self.work / "server.log"
        self.base = ""
        self.accepted = self.rejected = self.unexpected = 0
        self.counter = 0

    # --- setup ----------------------------------------------------------------------------------------------
    def manage(self, *argv: str) -> str:
        run = subprocess.run(
            [sys.executable, "manage.py", *argv], cwd=HERE, env=self.env, capture_output=True, text=True
        )
        if run.returncode != 0:
            raise SetupError(f"manage.py {' '.join(argv[:2])} failed ({run.returncode}):\n{run.stderr.strip()}")
        return run.stdout

    def setup(self) -> None:
        for name, path in (("cli", self.args.cli), ("c", self.args.c), ("go", self.args.go)):
            if not os.access(path, os.X_OK):
                raise SetupError(f"the {name} signer {path} is missing: run `make django-demo`")
        if not (REPO / "js/dist/index.mjs").exists() or not shutil.which("node"):
            raise SetupError("the js signer needs node and the package in js/dist: run `make django-demo`")
        print(f"database {self.env['COUNTERMARK_DEMO_DB']} (fresh), server log {self.server_log}")
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("shell", "-v", "0", "-c", f"from django.contrib.auth import get_user_model; "
                    f"get_user_model().objects.create_user({USER!r})")
        # An API key (shared secret) for hmac, fost and rfc9421, through the library's command.
        created = dict(
            line.split("=", 1) for line in self.manage("countermark_create_key", USER, "--format", "env",
                                                       "--comment", "demo").split()
        )
        self.key_id, self.secret = created["KEY_ID"], created["SECRET"]
        # An Ed25519 key pair for JWTs: the server gets the public half.
        private = ed25519.Ed25519PrivateKey.generate()
        self.private_pem = self.work / "client-ed25519.pem"
        self.private_pem.write_bytes(private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self.private_pem.chmod(0o600)
        public_pem = self.work / "client-ed25519.pub.pem"
        public_pem.write_bytes(private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        out = self.manage("countermark_add_public_key", USER, str(public_pem), "--comment", "demo")
        self.public_key_id = out.strip().removeprefix("key_id: ")
        # Server-side credentials: a handshake token and signed URLs (countermark.django's own functions).
        issued = self.manage("shell", "-v", "0", "-c", "; ".join([
            "from django.contrib.auth import get_user_model",
            "from countermark.django.schemes import make_token",
            "from countermark.django.decorators import signed_url",
            f"print('TOKEN=' + make_token(get_user_model().objects.get(username={USER!r})))",
            f"print('DOWNLOAD=' + signed_url('/download/report/', {USER!r}, extra={{'format': 'csv'}}))",
            f"print('API=' + signed_url('/api/orders/', {USER!r}))",
        ]))
        wanted = ("TOKEN=", "DOWNLOAD=", "API=")
        self.issued = dict(line.split("=", 1) for line in issued.splitlines() if line.startswith(wanted))
        print(f"user {USER}: API key {self.key_id}, public key {self.public_key_id}")

    def start_server(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        log = open(self.server_log, "wb")
        self.server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=HERE, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise SetupError(f"runserver exited with {self.server.returncode}:\n{self.server_log.read_text()}")
            try:
                requests.get(self.base + "/api/orders/", timeout=1)
                print(f"runserver {self.base} (pid {self.server.pid})\n")
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise SetupError(f"runserver did not answer within 30 s:\n{self.server_log.read_text()}")

    def stop_server(self) -> None:
        if self.server is None or self.server.poll() is not None:
            return
        self.server.terminate()
        try:
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()

    # --- signing --------------------------------------------------------------------------------------------
    def body(self, signer: str, scheme: str) -> bytes:
        # A different body per request: the HMAC header and FOST signatures are remembered as used, so two
        # signers signing the same body in the same second would otherwise look like a replay.
        self.counter += 1
        order = {"order": {"id": self.counter, "items": ["tea", "scones"]}, "signer": signer, "scheme": scheme}
        return json.dumps(order).encode()

    def python_auth(self, scheme: str, clock: Optional[countermark.Clock] = None) -> Any:
        # One API secret, one key per scheme, each derived by the core.
        secret = countermark.ApiSecret.from_base64_strict(self.secret)
        if scheme == "hmac":
            return HmacHeaderAuth(self.key_id, secret, clock=clock)
        if scheme == "fost":
            return FostAuth(self.key_id, secret.fost_key(), headers=("Host", "Content-Type"), clock=clock)
        if scheme == "rfc9421":
            return HttpSignatureAuth(secret.message_signature_key(), key_id=self.key_id, clock=clock)
        if scheme == "jwt":
            return JWTAuth(countermark.SigningKey.from_pem(self.private_pem.read_text()), USER, clock=clock)
        raise ValueError(scheme)

    def sign_external(
        self, prog: str, scheme: str, url: str, body: bytes, key_id: Optional[str] = None
    ) -> dict[str, str]:
        """Runs the cli, c, go or js signer (examples/django_service/clients) and returns its header lines."""
        command = {"cli": [self.args.cli, "request", "sign"], "c": [self.args.c], "go": [self.args.go],
                   "js": ["node", self.args.js]}[prog]
        body_file = self.work / "body.json"
        body_file.write_bytes(body)
        argv = [*command, scheme, "--method", "POST", "--url", url, "--body-file", str(body_file),
                "--content-type", "application/json"]
        if scheme == "jwt":
            argv += ["--user", USER, "--private-key-file", str(self.private_pem)]
        else:
            argv += ["--key-id", key_id or self.key_id]
        env = {**self.env, "COUNTERMARK_SECRET": self.secret}
        run = subprocess.run(argv, env=env, capture_output=True, text=True)
        if run.returncode != 0:
            raise SetupError(f"{prog} {scheme}: the signer exited {run.returncode}: {run.stderr.strip()}")
        return dict(line.split(": ", 1) for line in run.stdout.splitlines() if line)

    # --- checking -------------------------------------------------------------------------------------------
    def check(self, signer: str, scheme: str, what: str, response: requests.Response, want: Expect) -> None:
        try:
            got = response.json()
        except ValueError:
            got = {}
        ok = response.status_code == want.status
        if response.status_code == 200:
            detail = f"{got.get('user')} via {got.get('scheme')}"
            ok = ok and got.get("user") == USER and got.get("scheme") == want.scheme
            if want.data is not None:
                ok = ok and got.get("data") == want.data
            verdict = "ACCEPTED"
        else:
            detail = str(got.get("reason", got.get("detail", response.text[:80])))
            ok = ok and got.get("reason") == want.reason
            verdict = "REJECTED"
        line = f"{verdict:<9} {signer:<7} {scheme:<11} {what:<30} -> {response.status_code} {detail}"
        if ok:
            if verdict == "ACCEPTED":
                self.accepted += 1
            else:
                self.rejected += 1
            print(line, flush=True)
        else:
            self.unexpected += 1
            expected = f"{want.status} {want.scheme or want.reason}"
            print(f"{line}   UNEXPECTED (wanted {expected}; body {response.text[:200]!r})", flush=True)

    def post_external(self, prog: str, scheme: str, what: str, want: Callable[[bytes], Expect], *,
                      key_id: Optional[str] = None, send: Optional[bytes] = None, times: int = 1) -> None:
        url = self.base + "/api/orders/"
        body = self.body(prog, scheme)
        headers = self.sign_external(prog, scheme, url, body, key_id)
        headers["Content-Type"] = "application/json"
        for i in range(times):
            response = requests.post(url, data=send if send is not None else body, headers=headers, timeout=10)
            self.check(prog, scheme, what if i == 0 else f"{what}, sent again", response, want(body) if i == 0
                       else Expect(401, reason="replayed"))

    # --- the demo -------------------------------------------------------------------------------------------
    def run(self) -> None:
        api = self.base + "/api/orders/"

        def accepted(scheme: str) -> Callable[[bytes], Expect]:
            return lambda body: Expect(200, scheme=scheme, data=json.loads(body))

        print("== every signer, every scheme: a signed POST /api/orders/ with a JSON body")
        for scheme in SCHEMES:
            body = self.body("python", scheme)
            response = requests.post(api, data=body, headers={"Content-Type": "application/json"},
                                     auth=self.python_auth(scheme), timeout=10)
            self.check("python", scheme, "signed POST", response, accepted(scheme)(body))
        for prog in ("cli", "c", "go", "js"):
            for scheme in SCHEMES:
                self.post_external(prog, scheme, "signed POST", accepted(scheme))

        print("\n== credentials the server issued: a handshake token, signed URLs")
        token_header = {"Authorization": countermark.token_authorization(self.issued["TOKEN"])}
        response = requests.get(api, headers=token_header, timeout=10)
        self.check("python", "token", "GET with the token", response, Expect(200, scheme="token"))
        response = requests.get(self.base + self.issued["API"], timeout=10)
        self.check("python", "signed_url", "GET the signed API URL", response, Expect(200, scheme="signed_url"))
        response = requests.get(self.base + self.issued["DOWNLOAD"], timeout=10)
        self.check("python", "signed_url", "GET /download/report/ signed", response, Expect(200, scheme="signed_url"))

        print("\n== what must be refused, and why")
        tampered = json.dumps({"order": {"id": 1, "items": ["tea", "scones", "gold"]}}).encode()
        self.post_external("cli", "hmac", "tampered body", lambda _: Expect(401, reason="bad_signature"),
                           send=tampered)
        self.post_external("c", "rfc9421", "one request", accepted("rfc9421"), times=2)
        # Past every window: the HMAC header's 5 s, and RFC 9421's max age plus clock skew (300 + 300 s).
        old = countermark.Clock.fixed(time.time() - 900)
        for scheme in ("hmac", "rfc9421"):
            response = requests.post(api, json={"late": True}, auth=self.python_auth(scheme, clock=old), timeout=10)
            self.check("python", scheme, "signed 15 minutes ago", response, Expect(401, reason="expired"))
        self.post_external("go", "hmac", "unknown key id", lambda _: Expect(401, reason="bad_signature"),
                           key_id=str(uuid.uuid4()))
        # An Ed25519 signature naming the shared-secret key: refused before any verification (no key confusion).
        confused = HttpSignatureAuth(countermark.SigningKey.from_pem(self.private_pem.read_text()),
                                     algorithm="ed25519", key_id=self.key_id, include_alg=True)
        response = requests.post(api, json={"n": 1}, auth=confused, timeout=10)
        self.check("python", "rfc9421", "ed25519 alg, shared-secret key", response,
                   Expect(401, reason="unsupported_algorithm"))
        forged = self.issued["DOWNLOAD"].replace("format=csv", "format=pdf")  # a signed extra field
        response = requests.get(self.base + forged, timeout=10)
        self.check("python", "signed_url", "tampered signed URL", response, Expect(401, reason="bad_signature"))
        response = requests.get(self.base + "/download/report/", timeout=10)
        self.check("python", "signed_url", "unsigned download URL", response, Expect(401, reason="missing"))
        forged = self.issued["TOKEN"].replace(f"{USER}:", "admin:", 1)
        response = requests.get(api, headers={"Authorization": f"Token {forged}"}, timeout=10)
        self.check("python", "token", "token for another user", response, Expect(401, reason="bad_signature"))

        print("\n== an address that keeps failing is throttled (keys are never locked)")
        for _ in range(DEMO_FAILED_ATTEMPTS_THRESHOLD):
            response = requests.get(api, headers={"Authorization": f"Token {forged}"}, timeout=10)
            if response.status_code == 429:
                break
        self.check("python", "token", "forged tokens, again and again", response, Expect(429, reason="throttled"))
        token_header = {"Authorization": countermark.token_authorization(self.issued["TOKEN"])}
        response = requests.get(api, headers=token_header, timeout=10)
        self.check("python", "token", "then a valid one, same address", response, Expect(429, reason="throttled"))

    def close(self) -> None:
        self.stop_server()
        shutil.rmtree(self.work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", default=str(REPO / "target/release/countermark"), help="the countermark CLI")
    parser.add_argument("--c", default=str(REPO / "target/clients/sign-c"), help="the C signer")
    parser.add_argument("--go", default=str(REPO / "target/clients/sign-go"), help="the Go signer")
    parser.add_argument("--js", default=str(HERE / "clients/js/sign.mjs"), help="the JavaScript signer (node)")
    demo = Demo(parser.parse_args())
    try:
        demo.setup()
        demo.start_server()
        demo.run()
    except SetupError as e:
        print(f"demo.py: {e}", file=sys.stderr)
        if demo.server_log.exists():
            print(f"--- server log ---\n{demo.server_log.read_text()}", file=sys.stderr)
        return 2
    except BaseException:
        if demo.server_log.exists():
            print(f"--- server log ---\n{demo.server_log.read_text()}", file=sys.stderr)
        raise
    finally:
        demo.close()
    print(f"\n{demo.accepted} accepted, {demo.rejected} rejected as expected"
          + (f", {demo.unexpected} UNEXPECTED" if demo.unexpected else ""))
    return 1 if demo.unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
