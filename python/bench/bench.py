#!/usr/bin/env python3
"""Benchmark of countermark's Python bindings against the libraries it replaces.

Run (after installing the countermark wheel and python/bench/requirements.txt into a venv outside the repo)::

    python python/bench/bench.py               # full run (a few minutes)
    python python/bench/bench.py --quick       # fewer and shorter repeats
    python python/bench/bench.py --json out.json

It exits 1 (naming what is missing on stderr) when a reference library is not installed or not at its pinned
version, or a group could not be measured: the comparison would be incomplete.

What is measured, in one process (see the notes printed under the table):

1. handshake 0.2.1 ``AuthToken.create`` / ``verify`` vs ``countermark.compat.handshake.AuthToken`` vs
   ``countermark.Tokens`` (same secret, HMAC-SHA256, 256 random bytes);
2. ska 1.11.2 ``sign_url`` / ``validate_signed_request_data`` (HMAC-SHA256) vs ``countermark.compat.ska`` vs
   ``countermark.UrlSigner.sign_url`` / ``validate``;
3. django-hmac-authentication 5.0.3: the client helpers (``prepare_string_to_sign`` + ``sign_string`` +
   ``compose_authorization_header``) and the server side (``HMACAuthentication.authenticate`` with the key
   lookup served from memory instead of the database, and its recompute alone) vs
   ``countermark.HmacHeaderSigner.sign`` / ``countermark.verify_hmac_header``;
4. asymmetric-jwt-auth 1.3.0 (``Token.sign`` / ``UntrustedToken.verify``) and PyJWT 2.15.1 directly, EdDSA
   (Ed25519) and RS512 (RSA-2048), vs ``countermark.sign_jwt`` / ``countermark.verify_jwt``; every verification
   gets a token with a fresh nonce, so the replay checks of both sides pass;
5. itsdangerous ``TimestampSigner`` sign / unsign (HMAC-SHA256) as a common baseline;
6. http-message-signatures 3.0.0 (RFC 9421, hmac-sha256 over ``@method @authority @path content-digest`` with
   RFC 9530 ``Content-Digest``) vs ``countermark.MessageSigner.sign`` / ``countermark.verify_message_signature``;
7. CPython's ``hmac.digest(key, msg, "sha256")`` of the bytes each scheme MACs: the floor of any
   implementation of it in Python.

Timing: like ``timeit``: the garbage collector is off during a measurement, each operation is run in a plain
``for`` loop over its inputs, the loop count is calibrated so that a repeat lasts about 0.2 s (0.05 s with
``--quick``), one warm-up repeat is discarded and the best of 7 (3) repeats is reported. Operations whose input
can be used once only (replay-protected tokens, headers behind an LRU cache) get pre-generated fresh inputs.
Before timing, every comparison checks that the implementations produce the same bytes (or accept each other's
output), so an error path is never timed; a failed check is reported and the group is not timed.

Only the standard library is used besides the benchmarked libraries.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import gc
import hashlib
import hmac
import importlib.metadata
import itertools
import json
import os
import platform
import secrets
import sys
import time
import traceback
import types
import urllib.parse
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS_CANDIDATES = [
    os.environ.get("COUNTERMARK_VECTORS", ""),
    os.path.join(HERE, "..", "..", "tests", "vectors"),
    "/work/shared/vectors",
]

# Pinned versions this benchmark was written against (requirements.txt); a mismatch is printed, not fatal.
EXPECTED_VERSIONS = {
    "handshake": "0.2.1",
    "ska": "1.11.2",
    "django-hmac-authentication": "5.0.3",
    "vevde-security-utils": "2.2.1",
    "djangorestframework": "3.18.3",
    "Django": "5.2.19",
    "asymmetric-jwt-auth": "1.3.0",
    "PyJWT": "2.15.1",
    "cryptography": None,
    "itsdangerous": None,
    "http-message-signatures": "3.0.0",
    "http-sf": None,
    "countermark": None,
}

# ------------------------------------------------------------------------------------------------------------
# Timing harness
# ------------------------------------------------------------------------------------------------------------


class Config:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.repeats = 3 if quick else 7
        self.target = 0.05 if quick else 0.2  # seconds per repeat
        self.max_fresh = 400 if quick else 3000  # cap of the loop count for single-use inputs


def _loop(fn: Callable[[Any], Any], args: Iterable[Any]) -> float:
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        for a in args:
            fn(a)
        return time.perf_counter() - t0
    finally:
        if gc_was_enabled:
            gc.enable()


class Candidate:
    """One implementation of an operation: ``fn(arg)`` — or, with ``fresh``, ``fn(x)`` for inputs ``x`` that
    ``fresh(n)`` generates and that are each used once."""

    def __init__(self, role: str, implementation: str, fn: Callable[[Any], Any], arg: Any = None,
                 fresh: Optional[Callable[[int], List[Any]]] = None, max_number: Optional[int] = None,
                 note: str = "") -> None:
        self.role, self.implementation, self.note = role, implementation, note
        self.fn, self.arg, self.fresh, self.max_number = fn, arg, fresh, max_number
        self.number = 1
        self.times: List[float] = []

    def inputs(self, n: int) -> Iterable[Any]:
        return self.fresh(n) if self.fresh is not None else itertools.repeat(self.arg, n)

    def calibrate(self, cfg: "Config") -> None:
        # timeit.autorange-like: grow the loop count until one loop lasts >= target / 5, then scale to target.
        number = 1
        while True:
            t = _loop(self.fn, self.inputs(number))
            if t >= cfg.target / 5 or number >= 1 << 22:
                break
            number *= 4 if t < cfg.target / 50 else 2
        per = t / number
        number = max(1, int(cfg.target / per)) if per > 0 else 1
        cap = self.max_number if self.max_number is not None else (cfg.max_fresh if self.fresh is not None else None)
        self.number = min(number, cap) if cap is not None else number


def measure_interleaved(cfg: "Config", candidates: List[Candidate]) -> None:
    """Calibrate every candidate, then run the repeats round-robin (warm-up round first, discarded), so that
    drifts of a shared machine hit every implementation of an operation alike."""
    for c in candidates:
        c.calibrate(cfg)
    batches = {
        id(c): [list(c.inputs(c.number)) for _ in range(cfg.repeats + 1)] for c in candidates if c.fresh is not None
    }
    for rnd in range(cfg.repeats + 1):
        for c in candidates:
            args = batches[id(c)][rnd] if c.fresh is not None else c.inputs(c.number)
            t = _loop(c.fn, args)
            if rnd:
                c.times.append(t / c.number)


# ------------------------------------------------------------------------------------------------------------
# Results
# ------------------------------------------------------------------------------------------------------------


class Group:
    """One operation: a reference, the countermark implementations, a floor and possibly other rows."""

    def __init__(self, section: str, operation: str, note: str = "") -> None:
        self.section = section
        self.operation = operation
        self.note = note
        self.rows: List[Dict[str, Any]] = []
        self.candidates: List[Candidate] = []
        self.error: Optional[str] = None

    def add(self, role: str, implementation: str, fn: Callable[[Any], Any], arg: Any = None,
            fresh: Optional[Callable[[int], List[Any]]] = None, max_number: Optional[int] = None,
            note: str = "") -> None:
        self.candidates.append(Candidate(role, implementation, fn, arg, fresh, max_number, note))

    def run(self, cfg: "Config") -> None:
        measure_interleaved(cfg, self.candidates)
        for c in self.candidates:
            self.rows.append({"role": c.role, "implementation": c.implementation, "note": c.note,
                              "best": min(c.times), "all": c.times, "number": c.number, "repeats": len(c.times)})

    def _first(self, role: str) -> Optional[Dict[str, Any]]:
        return next((r for r in self.rows if r["role"] == role), None)

    def finish(self) -> List[Dict[str, Any]]:
        ref = self._first("reference")
        floor = self._first("floor")
        out = []
        for r in self.rows:
            us = r["best"] * 1e6
            out.append(
                {
                    "role": r["role"],
                    "implementation": r["implementation"],
                    "note": r["note"],
                    "us_per_op": us,
                    "ops_per_s": 1.0 / r["best"],
                    "speedup_vs_reference": (ref["best"] / r["best"]) if ref else None,
                    "times_floor": (r["best"] / floor["best"]) if floor else None,
                    "loop_count": r["number"],
                    "repeats": r["repeats"],
                    "all_us": [t * 1e6 for t in r["all"]],
                }
            )
        return out


GROUPS: List[Group] = []
PROBLEMS: List[str] = []
NOTES = [
    "The floor is the cost of one call of CPython's hmac.digest(key, msg, 'sha256') (OpenSSL, including its "
    "per-call HMAC setup) on the exact bytes the scheme MACs; it bounds what a pure-Python implementation can do. "
    "The Rust core computes HMAC-SHA256 of short messages for less than that call costs, so 'x floor' < 1 happens.",
    "Every group was checked before timing: identical output bytes where the scheme is deterministic (tokens "
    "from a fixed random input, ska URLs, HMAC headers, JWTs with a fixed time and nonce, RFC 9421 fields with a "
    "fixed created) and cross-acceptance (each side verifies the other's fresh output).",
    "django-hmac-authentication: HMACAuthentication.authenticate runs unmodified except that its database key "
    "lookup (get_api_hmac_key) is served from a dict; the secret decryption is its own lru_cache (warm). Each "
    "call gets a new header (its header parser has an lru_cache), as a server would.",
    "asymmetric-jwt-auth: Token.sign passes private_key.as_pem to PyJWT, which parses the PEM again on every "
    "call; for RSA, cryptography validates the key on load (tens of ms). That is the library's real cost; the "
    "PyJWT row (key object loaded once) shows what a caller can get by bypassing it. Verification uses fresh "
    "tokens (distinct nonce and time) for the reference and countermark, with each side's replay check on.",
    "RFC 9421: both sides build the message, compute Content-Digest (SHA-256) and emit Signature-Input/Signature "
    "with created=now, keyid and alg; verification requires the four components and checks the digest "
    "against the body. http-message-signatures parses Structured Fields in pure Python (http-sf).",
    "Ratios between runs on a shared machine move by about 10-20 %; compare rows within a group "
    "(their repeats are interleaved), not across runs.",
]


def run_group(cfg: Config, section: str, operation: str, body: Callable[[Group], None], note: str = "") -> None:
    g = Group(section, operation, note)
    GROUPS.append(g)
    print(f"  measuring: {operation} ...", file=sys.stderr, flush=True)
    try:
        body(g)  # equivalence checks, then registration of the implementations
        g.run(cfg)
    except Exception as e:  # a failed check or a library error: report it, never time it
        g.error = f"{type(e).__name__}: {e}"
        PROBLEMS.append(f"{operation}: {g.error}")
        traceback.print_exc(file=sys.stderr)


def check(cond: bool, what: str) -> None:
    if not cond:
        raise AssertionError(f"equivalence check failed: {what}")


def floor_digest(key: bytes, msg: bytes, algorithm: str = "sha256") -> Callable[[Any], bytes]:
    def f(_: Any) -> bytes:
        return hmac.digest(key, msg, algorithm)

    return f


# ------------------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------------------


def load_vectors(name: str) -> Dict[str, Any]:
    for d in VECTORS_CANDIDATES:
        if d and os.path.exists(os.path.join(d, name)):
            with open(os.path.join(d, name), encoding="utf-8") as f:
                return json.load(f)
    raise FileNotFoundError(f"test vectors {name} not found (set COUNTERMARK_VECTORS)")


def version_of(dist: str) -> Optional[str]:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def setup_django(hmac_kd_password: str) -> None:
    """Minimal in-process Django settings for django-hmac-authentication and asymmetric-jwt-auth."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="countermark-bench-not-a-secret",
            USE_TZ=True,
            INSTALLED_APPS=[
                "django.contrib.contenttypes",
                "django.contrib.auth",
                "rest_framework",
                "django_hmac_authentication",
                "asymmetric_jwt_auth",
            ],
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
            HMAC_AUTHENTICATION_SETTINGS={
                "HMAC_AUTH_REQUEST_TIMEOUT": 3600,
                "HMAC_KD_PASSWORD": hmac_kd_password,
            },
            ASYMMETRIC_JWT_AUTH={"TIMESTAMP_TOLERANCE": 3600},
            LOGGING_CONFIG=None,
        )
        django.setup()


# ------------------------------------------------------------------------------------------------------------
# 1. handshake tokens (+ 5. itsdangerous)
# ------------------------------------------------------------------------------------------------------------

TOKEN_SECRET = "a-benchmark-secret-of-32-bytes!!"


def bench_handshake(cfg: Config) -> None:
    import countermark
    from countermark.compat import handshake as cm_handshake

    try:
        import handshake
    except ImportError as e:
        PROBLEMS.append(f"handshake not installed: {e}")
        handshake = None

    secret_b = TOKEN_SECRET.encode()
    native = countermark.Tokens(countermark.HmacKey(secret_b, "hmac-sha256"))
    compat = cm_handshake.AuthToken(TOKEN_SECRET)
    ref = handshake.AuthToken(TOKEN_SECRET) if handshake else None

    fields = ("alice", "42")
    ref_token = (ref or compat).create(*fields)
    msg = ref_token.rsplit(":", 1)[0].encode()

    def checks() -> None:
        tokens = {"native": native.create(*fields), "compat": compat.create(*fields)}
        if ref:
            tokens["reference"] = ref.create(*fields)
        for name, tok in tokens.items():
            check(tuple(native.verify(tok, max_age=300).fields) == fields, f"countermark.Tokens verifies {name}")
            check(compat.verify(tok, time_range=300) == fields, f"compat verifies {name}")
            if ref:
                check(ref.verify(tok, time_range=300) == fields, f"handshake verifies {name}")
            body, sig = tok.rsplit(":", 1)
            check(hmac.digest(secret_b, body.encode(), "sha256").hex() == sig, f"{name} token is HMAC-SHA256(msg)")
        # Same bytes for the same random input: the core's create_with_random vs the reference's formula.
        rnd = bytes(range(256))
        msg_ = "alice:42:1700000000:" + hashlib.sha256(rnd).hexdigest()
        want = msg_ + ":" + hmac.new(secret_b, msg_.encode(), hashlib.sha256).hexdigest()
        got = countermark.Tokens(countermark.HmacKey(secret_b), clock=countermark.Clock.fixed(1700000000))
        check(got.create_with_random(list(fields), rnd) == want, "create_with_random == handshake's formula")

    def create(g: Group) -> None:
        checks()
        if ref:
            g.add("reference", "handshake 0.2.1 AuthToken.create", lambda _: ref.create("alice", "42"))
        g.add("countermark", "countermark.compat.handshake.AuthToken.create",
              lambda _: compat.create("alice", "42"))
        g.add("countermark", "countermark.Tokens.create", lambda _: native.create("alice", "42"))
        g.add("floor", "hmac.digest(secret, msg, sha256)", floor_digest(secret_b, msg))

        def create_floor(_: Any) -> bytes:  # what create must do at least: hash 256 random bytes, then the MAC
            r = hashlib.sha256(os.urandom(256)).hexdigest()
            return hmac.digest(secret_b, ("alice:42:1700000000:" + r).encode(), "sha256")

        g.add("other", "sha256(os.urandom(256)) + hmac.digest", create_floor,
              note="create's own floor: the random part + the MAC")

    def verify(g: Group) -> None:
        checks()
        if ref:
            g.add("reference", "handshake 0.2.1 AuthToken.verify",
                  lambda t: ref.verify(t, time_range=300), ref_token)
        g.add("countermark", "countermark.compat.handshake.AuthToken.verify",
              lambda t: compat.verify(t, time_range=300), ref_token)
        g.add("countermark", "countermark.Tokens.verify", lambda t: native.verify(t, max_age=300), ref_token)
        g.add("floor", "hmac.digest(secret, msg, sha256)", floor_digest(secret_b, msg))

        def verify_floor(t: str) -> bool:  # split + MAC + constant-time compare of the hex
            body, sig = t.rsplit(":", 1)
            return hmac.compare_digest(hmac.new(secret_b, body.encode(), hashlib.sha256).hexdigest(), sig)

        g.add("other", "split + hmac.new().hexdigest + compare_digest", verify_floor, ref_token,
              note="verify's own floor in Python")

    run_group(cfg, "tokens", "handshake token create (2 fields)", create)
    run_group(cfg, "tokens", "handshake token verify (2 fields, time_range=300)", verify)


def bench_itsdangerous(cfg: Config) -> None:
    import itsdangerous

    s = itsdangerous.TimestampSigner(TOKEN_SECRET, digest_method=hashlib.sha256)
    value = "alice:42"
    signed = s.sign(value).decode()
    # The bytes itsdangerous MACs: value + sep + base64(timestamp), with a key derived from the secret.
    signed_part = signed.rsplit(".", 1)[0].encode()

    def sign(g: Group) -> None:
        check(s.unsign(s.sign(value), max_age=300) == value.encode(), "itsdangerous round trip")
        g.add("reference", f"itsdangerous {version_of('itsdangerous')} TimestampSigner.sign (sha256)",
              lambda _: s.sign(value))
        g.add("floor", "hmac.digest(key, value.timestamp, sha256)",
              floor_digest(TOKEN_SECRET.encode(), signed_part))

    def unsign(g: Group) -> None:
        check(s.unsign(signed, max_age=300) == value.encode(), "itsdangerous unsign")
        g.add("reference", f"itsdangerous {version_of('itsdangerous')} TimestampSigner.unsign(max_age=300)",
              lambda t: s.unsign(t, max_age=300), signed)
        g.add("floor", "hmac.digest(key, value.timestamp, sha256)",
              floor_digest(TOKEN_SECRET.encode(), signed_part))

    run_group(cfg, "tokens", "itsdangerous TimestampSigner sign (baseline)", sign,
              note="no countermark equivalent (different format); shown as a common baseline")
    run_group(cfg, "tokens", "itsdangerous TimestampSigner unsign (baseline)", unsign)


# ------------------------------------------------------------------------------------------------------------
# 2. ska signed URLs
# ------------------------------------------------------------------------------------------------------------

SKA_SECRET = "your-secret-key-0123456789abcdef"
SKA_URL = "http://e.com/api/"
SKA_EXTRA = {"email": "john.doe@mail.example.com", "provider": "service1.example.com"}


def bench_ska(cfg: Config) -> None:
    import countermark
    from countermark.compat import ska as cm_ska

    try:
        import ska
        from ska import HMACSHA256Signature as RefSig
    except ImportError as e:
        PROBLEMS.append(f"ska not installed: {e}")
        ska = None
    native = countermark.UrlSigner(countermark.HmacKey(SKA_SECRET, "hmac-sha256"))
    CmSig = cm_ska.HMACSHA256Signature

    def params_of(url: str) -> Dict[str, str]:
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))

    valid_until = float(int(time.time()) + 3600)
    urls = {
        "native": native.sign_url(SKA_URL, "alice", valid_until=valid_until, extra=SKA_EXTRA),
        "compat": cm_ska.sign_url("alice", SKA_SECRET, valid_until=valid_until, url=SKA_URL, extra=SKA_EXTRA,
                                  signature_cls=CmSig),
    }
    if ska:
        urls["reference"] = ska.sign_url("alice", SKA_SECRET, valid_until=valid_until, url=SKA_URL, extra=SKA_EXTRA,
                                         signature_cls=RefSig)
    data = params_of(urls.get("reference", urls["compat"]))
    base = ("%s_%s_%s" % (str(valid_until), "alice", urllib.parse.quote(
        "&".join(f"{k}={v}" for k, v in sorted(SKA_EXTRA.items()))))).encode()
    if ska:
        check(RefSig.get_base("alice", valid_until, SKA_EXTRA) == base, "ska's base string")

    def checks() -> None:
        first = params_of(urls["native"])
        for name, url in urls.items():
            check(params_of(url) == first, f"{name} signed URL has the same parameters as countermark's")
            check(url == urls.get("reference", url), f"{name} signed URL == ska's, byte for byte")
            d = params_of(url)
            check(native.validate(d).auth_user == "alice", f"countermark.UrlSigner validates {name}")
            check(bool(cm_ska.validate_signed_request_data(d, SKA_SECRET, signature_cls=CmSig)),
                  f"compat validates {name}")
            if ska:
                check(bool(ska.validate_signed_request_data(d, SKA_SECRET, signature_cls=RefSig)),
                      f"ska validates {name}")
        check(base64.b64encode(hmac.digest(SKA_SECRET.encode(), base, "sha256")).decode() == data["signature"],
              "signature == base64(HMAC-SHA256(base))")

    def sign(g: Group) -> None:
        checks()
        if ska:
            g.add("reference", "ska 1.11.2 sign_url (HMACSHA256Signature)",
                  lambda _: ska.sign_url("alice", SKA_SECRET, url=SKA_URL, extra=SKA_EXTRA, signature_cls=RefSig))
        g.add("countermark", "countermark.compat.ska.sign_url",
              lambda _: cm_ska.sign_url("alice", SKA_SECRET, url=SKA_URL, extra=SKA_EXTRA, signature_cls=CmSig))
        g.add("countermark", "countermark.UrlSigner.sign_url",
              lambda _: native.sign_url(SKA_URL, "alice", extra=SKA_EXTRA))
        g.add("floor", "hmac.digest(secret, base, sha256)", floor_digest(SKA_SECRET.encode(), base))

    def validate(g: Group) -> None:
        checks()
        if ska:
            g.add("reference", "ska 1.11.2 validate_signed_request_data",
                  lambda d: ska.validate_signed_request_data(d, SKA_SECRET, signature_cls=RefSig), data)
        g.add("countermark", "countermark.compat.ska.validate_signed_request_data",
              lambda d: cm_ska.validate_signed_request_data(d, SKA_SECRET, signature_cls=CmSig), data)
        g.add("countermark", "countermark.UrlSigner.validate", native.validate, data)
        g.add("floor", "hmac.digest(secret, base, sha256)", floor_digest(SKA_SECRET.encode(), base))

    run_group(cfg, "signed URLs", "ska sign_url (2 extra fields, HMAC-SHA256)", sign,
              note="valid_until = now + lifetime computed by each call, as in use")
    run_group(cfg, "signed URLs", "ska validate (parsed query dict, 2 extra fields)", validate)


# ------------------------------------------------------------------------------------------------------------
# 3. django-hmac-authentication's HMAC header
# ------------------------------------------------------------------------------------------------------------


def bench_hmac_header(cfg: Config) -> None:
    import countermark

    vec = load_vectors("hmac_header.json")
    case = next(c for c in vec["cases"] if c["id"] == "hh-001-sha256-json")
    api_key = case["api_key"]
    api_secret_b64 = case["api_secret_b64"]
    secret = base64.b64decode(api_secret_b64)
    server_key = case["server_check"]["server_key"]
    method = "HMAC-SHA256"
    body_obj = {"id": 42, "name": "widget", "tags": ["blue", "small"], "price": 10.5, "active": True}
    body = json.dumps(body_obj).encode()  # the bytes on the wire (json.dumps' default separators)

    cm_secret = countermark.ApiSecret(api_secret_b64)
    signer = countermark.HmacHeaderSigner(api_key, cm_secret, "hmac-sha256")
    policy = countermark.HmacHeaderPolicy(max_age=3600)
    request = countermark.Request("POST", "/api/v1/resource/", headers=[("Content-Type", "application/json")],
                                  body=body)

    try:
        setup_django(server_key["kd_password"])
        from django_hmac_authentication import authentication as dha_auth
        from django_hmac_authentication.client_utils import compose_authorization_header, prepare_string_to_sign
        from vevde_security_utils.crypt.signatures import sign_string
    except Exception as e:  # noqa: BLE001
        PROBLEMS.append(f"django-hmac-authentication unavailable: {type(e).__name__}: {e}")
        dha_auth = None

    def utc_now() -> str:  # what the reference client does
        return datetime.datetime.now(datetime.timezone.utc).isoformat()

    def fixed_utc(i: int) -> str:
        t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1800, microseconds=i)
        return t.isoformat()

    canonical = json.dumps(body_obj, separators=(",", ":")).encode()
    body_hash = base64.b64encode(hashlib.sha256(canonical).digest()).decode()
    sample_utc = fixed_utc(0)
    string_to_sign = (body_hash + ";" + sample_utc).encode()

    if dha_auth is not None:
        hmac_key_row = types.SimpleNamespace(
            secret=server_key["secret_column_b64"], salt=server_key["salt_column_b64"],
            cipher_algorithm=server_key["cipher_algorithm"], revoked=False, expires_at=None,
            failed_attempts=0, user=types.SimpleNamespace(is_active=True),
        )
        keys_by_id = {api_key: hmac_key_row}
        # The database lookup is replaced by a dict (as the vector generator did); everything else is the
        # library's own code path.
        dha_auth.get_api_hmac_key = lambda key_id: keys_by_id.get(key_id)
        authenticator = dha_auth.HMACAuthentication()

        def ref_client_sign(_: Any) -> str:
            utc = utc_now()
            sts = prepare_string_to_sign(body_obj, utc, method)
            return compose_authorization_header(method, api_key, sign_string(sts, secret, method), utc)

        class DrfLikeRequest:
            """What HMACAuthentication reads from a DRF request: META and data (the JSON body, parsed)."""

            __slots__ = ("META", "_body", "api_hmac_key")

            def __init__(self, header: str, raw: bytes) -> None:
                self.META = {"HTTP_AUTHORIZATION": header}
                self._body = raw

            @property
            def data(self) -> Any:
                return json.loads(self._body)

    def cm_sign(_: Any) -> List[Any]:
        return signer.sign(request).headers

    def ref_header(utc: str) -> str:
        sts = ";".join([base64.b64encode(hashlib.sha256(canonical).digest()).decode(), utc])
        sig = base64.b64encode(hmac.digest(secret, sts.encode(), "sha256")).decode()
        return f"{method} {api_key};{sig};{utc}"

    def checks() -> None:
        utc = sample_utc
        cm_hdr = dict(signer.sign(request, timestamp=utc).headers)["Authorization"]
        check(cm_hdr == ref_header(utc), "countermark header == the scheme's formula")
        if dha_auth is not None:
            sts = prepare_string_to_sign(body_obj, utc, method)
            ref_hdr = compose_authorization_header(method, api_key, sign_string(sts, secret, method), utc)
            check(cm_hdr == ref_hdr, "countermark header == django-hmac-authentication's client helpers")
            user, _ = authenticator.authenticate(DrfLikeRequest(cm_hdr, body))
            check(user is hmac_key_row.user, "HMACAuthentication accepts countermark's header")
            # and the reference's own client output, freshly stamped
            user, _ = authenticator.authenticate(DrfLikeRequest(ref_client_sign(None), body))
            check(user is hmac_key_row.user, "HMACAuthentication accepts its client's header")
        v = countermark.verify_hmac_header(request.with_headers([("Authorization", cm_hdr)]), cm_secret, policy)
        check(v.key_id == api_key, "countermark accepts the header")
        case_req = countermark.Request("POST", "/", headers=[("Content-Type", "application/json"),
                                                              ("Authorization", case["authorization"])],
                                       body=case["server_check"]["request_body"].encode())
        countermark.verify_hmac_header(case_req, cm_secret, countermark.HmacHeaderPolicy(
            max_age=5, clock=countermark.Clock.fixed(case["server_check"]["now"])))

    def sign(g: Group) -> None:
        checks()
        if dha_auth is not None:
            g.add("reference", "django-hmac-authentication client helpers (prepare + sign_string + compose)",
                  ref_client_sign, note="input: the body as a dict")
        g.add("countermark", "countermark.HmacHeaderSigner.sign", cm_sign,
              note="input: the body as bytes (parsed and canonicalised by the core)")
        g.add("floor", "hmac.digest(secret, string_to_sign, sha256)", floor_digest(secret, string_to_sign))

    # Fresh headers for the server: parse_authorization_header has an lru_cache(100), and a server sees a new
    # header per request.
    counter = itertools.count(1)

    def fresh_headers(n: int) -> List[str]:
        return [ref_header(fixed_utc(next(counter))) for _ in range(n)]

    def verify(g: Group) -> None:
        checks()
        if dha_auth is not None:
            g.add("reference", "django-hmac-authentication HMACAuthentication.authenticate",
                  lambda h: authenticator.authenticate(DrfLikeRequest(h, body)), fresh=fresh_headers,
                  note="key lookup from a dict instead of the DB; includes json.loads of the body")
            parsed_hdr = fresh_headers(1)[0]
            _, _, sig_in, utc_in = dha_auth.parse_authorization_header(parsed_hdr)

            def recompute(_: Any) -> bool:
                return authenticator.compute_request_signature(
                    types.SimpleNamespace(data=body_obj), method, utc_in, hmac_key_row) == sig_in

            check(recompute(None), "compute_request_signature matches")
            g.add("other", "django-hmac-authentication compute_request_signature + ==", recompute,
                  note="the recompute alone, body already parsed, secret decryption cached")
        cm_requests = lambda n: [request.with_headers([("Authorization", h)]) for h in fresh_headers(n)]  # noqa: E731
        g.add("countermark", "countermark.verify_hmac_header",
              lambda r: countermark.verify_hmac_header(r, cm_secret, policy), fresh=cm_requests,
              note="parses and canonicalises the raw JSON body")
        g.add("floor", "hmac.digest(secret, string_to_sign, sha256)", floor_digest(secret, string_to_sign))

    run_group(cfg, "HMAC header", "HMAC-SHA256 header sign (JSON body, 5 fields)", sign)
    run_group(cfg, "HMAC header", "HMAC-SHA256 header verify (server side)", verify)


# ------------------------------------------------------------------------------------------------------------
# 4. asymmetric JWTs
# ------------------------------------------------------------------------------------------------------------


def bench_jwt(cfg: Config) -> None:
    import countermark

    vec = load_vectors("asym_jwt.json")
    try:
        import jwt as pyjwt
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding
    except ImportError as e:
        PROBLEMS.append(f"PyJWT/cryptography not installed: {e}")
        return
    try:
        setup_django("countermark-bench-kd-password")
        from asymmetric_jwt_auth import keys as ajwt_keys
        from asymmetric_jwt_auth.tokens import Token, UntrustedToken
    except Exception as e:  # noqa: BLE001
        PROBLEMS.append(f"asymmetric-jwt-auth unavailable: {type(e).__name__}: {e}")
        Token = None  # type: ignore[assignment]

    for key_name, alg in (("ed25519", "EdDSA"), ("rsa2048", "RS512")):
        k = vec["keys"][key_name]
        case = next(c for c in vec["cases"] if c["key"] == key_name and c["op"] == "sign" and c["expect"] == "valid")
        sk = countermark.SigningKey.from_pem(k["private_pem"])
        vk = countermark.VerifyingKey.from_pem(k["public_pem"])
        crypto_priv = serialization.load_pem_private_key(k["private_pem"].encode(), password=None)
        crypto_pub = serialization.load_pem_public_key(k["public_pem"].encode())
        kid = k["kid"]
        if Token is not None:
            ref_priv = ajwt_keys.PrivateKey.load_pem(k["private_pem"].encode())
            ref_pub = ajwt_keys.PublicKey.load_pem(k["public_pem"].encode())
        signing_input = case["signing_input"].encode()
        signature = base64.urlsafe_b64decode(case["signature_b64url"] + "==")

        def pyjwt_sign(_: Any, crypto_priv=crypto_priv, alg=alg, kid=kid) -> str:
            claims = {"username": "alice", "time": int(time.time()), "nonce": secrets.token_urlsafe(8)}
            return pyjwt.encode(claims, crypto_priv, algorithm=alg, headers={"kid": kid})

        def checks(sk=sk, vk=vk, case=case, crypto_priv=crypto_priv, crypto_pub=crypto_pub, alg=alg, kid=kid,
                   ref_priv=ref_priv if Token else None, ref_pub=ref_pub if Token else None) -> None:
            tok = countermark.sign_jwt(sk, case["username"], time=case["timestamp"], nonce=case["nonce"])
            check(tok == case["jwt"], f"countermark {alg} token == the asymmetric-jwt-auth vector")
            claims = {"username": case["username"], "time": case["timestamp"], "nonce": case["nonce"]}
            check(pyjwt.encode(claims, crypto_priv, algorithm=alg, headers={"kid": kid}) == tok,
                  f"countermark {alg} token == PyJWT's")
            check(sk.key_id == kid and vk.key_id == kid, "key_id")
            pol = countermark.JwtPolicy(clock_skew=3600, nonce_store=countermark.NonceStore.memory(1000))
            fresh_ref = Token("alice").sign(ref_priv) if Token else pyjwt_sign(None)
            check(countermark.verify_jwt(fresh_ref, [vk], pol).user == "alice",
                  f"countermark verifies the reference's {alg}")
            fresh_cm = countermark.sign_jwt(sk, "alice")
            check(pyjwt.decode(fresh_cm, crypto_pub, algorithms=[alg])["username"] == "alice",
                  f"PyJWT verifies countermark's {alg}")
            if Token:
                got = UntrustedToken(fresh_cm).verify(ref_pub)
                check(got is not None and got.username == "alice", f"asymmetric-jwt-auth verifies countermark's {alg}")

        now = int(time.time())
        seq = itertools.count()

        def fresh_tokens(n: int, sk=sk, now=now) -> List[str]:
            # distinct nonces and times spread over the last 3000 s: each token is accepted once by every
            # replay cache (asymmetric-jwt-auth keys its nonce sets by (username, time))
            out = []
            for _ in range(n):
                i = next(seq)
                out.append(countermark.sign_jwt(sk, "alice", time=now - (i % 3000), nonce=f"b{i:010d}"))
            return out

        cap = None if alg == "EdDSA" else (300 if cfg.quick else 1500)

        def sign(g: Group, sk=sk, alg=alg, ref_priv=ref_priv if Token else None, crypto_priv=crypto_priv,
                 checks=checks, pyjwt_sign=pyjwt_sign) -> None:
            checks()
            if Token:
                g.add("reference", "asymmetric-jwt-auth 1.3.0 Token.sign",
                      lambda _: Token("alice").sign(ref_priv), note="re-serialises the key to PEM per call")
            g.add("other", "PyJWT 2.15.1 jwt.encode (key object loaded once)", pyjwt_sign)
            g.add("countermark", "countermark.sign_jwt", lambda _: countermark.sign_jwt(sk, "alice"))
            if alg == "EdDSA":
                raw = lambda _: crypto_priv.sign(signing_input)  # noqa: E731
            else:
                raw = lambda _: crypto_priv.sign(signing_input, padding.PKCS1v15(), hashes.SHA512())  # noqa: E731
            g.add("other", f"cryptography {alg} sign of the signing input (OpenSSL)", raw,
                  note="the asymmetric primitive alone")
            g.add("floor", "hmac.digest(key, signing_input, sha256)",
                  floor_digest(b"k" * 32, signing_input), note="the brief's HMAC floor, for scale")

        def verify(g: Group, vk=vk, alg=alg, ref_pub=ref_pub if Token else None, crypto_pub=crypto_pub,
                   checks=checks, fresh_tokens=fresh_tokens, cap=cap, signature=signature) -> None:
            checks()
            sample = fresh_tokens(3)
            if Token:
                for t in sample:
                    check(UntrustedToken(t).verify(ref_pub) is not None, "asymmetric-jwt-auth accepts fresh tokens")

                def ref_verify(t: str) -> Any:
                    r = UntrustedToken(t).verify(ref_pub)
                    if r is None:
                        raise AssertionError("asymmetric-jwt-auth refused a fresh token")
                    return r

                g.add("reference", "asymmetric-jwt-auth 1.3.0 UntrustedToken.verify",
                      ref_verify, fresh=fresh_tokens, max_number=cap,
                      note="with its Django-cache (locmem) nonce check")
            g.add("other", "PyJWT 2.15.1 jwt.decode (no time/nonce check)",
                  lambda t: pyjwt.decode(t, crypto_pub, algorithms=[alg]), sample[0])
            pol = countermark.JwtPolicy(clock_skew=3600, nonce_store=countermark.NonceStore.memory(1_000_000))
            for t in sample:
                countermark.verify_jwt(t, [vk], pol)
            g.add("countermark", "countermark.verify_jwt",
                  lambda t: countermark.verify_jwt(t, [vk], pol), fresh=fresh_tokens, max_number=cap,
                  note="time window + in-memory nonce store")
            if alg == "EdDSA":
                raw = lambda _: crypto_pub.verify(signature, signing_input)  # noqa: E731
            else:
                raw = lambda _: crypto_pub.verify(  # noqa: E731
                    signature, signing_input, padding.PKCS1v15(), hashes.SHA512())
            g.add("other", f"cryptography {alg} verify of the signing input (OpenSSL)", raw,
                  note="the asymmetric primitive alone")
            g.add("floor", "hmac.digest(key, signing_input, sha256)",
                  floor_digest(b"k" * 32, signing_input), note="the brief's HMAC floor, for scale")

        label = "Ed25519" if alg == "EdDSA" else "RSA-2048"
        run_group(cfg, "asymmetric JWT", f"JWT {alg} ({label}) sign", sign)
        run_group(cfg, "asymmetric JWT", f"JWT {alg} ({label}) verify (fresh nonce each)", verify)


# ------------------------------------------------------------------------------------------------------------
# 6. RFC 9421 HTTP Message Signatures
# ------------------------------------------------------------------------------------------------------------


def bench_rfc9421(cfg: Config) -> None:
    import countermark

    vec = load_vectors("rfc9421.json")
    secret = base64.b64decode(vec["keys"]["vector-hmac-1"]["secret_b64"])
    kid = "vector-hmac-1"
    components = ["@method", "@authority", "@path", "content-digest"]
    method, url = "POST", "https://api.example.com/v1/widgets?dry_run=1"
    body = b'{"id": 42, "name": "widget", "tags": ["blue", "small"], "price": 10.5, "active": true}'
    base_headers = [("Host", "api.example.com"), ("Content-Type", "application/json"),
                    ("Content-Length", str(len(body)))]

    key = countermark.HmacKey(secret, "hmac-sha256", key_id=kid)
    vkey = countermark.MessageVerifyingKey.hmac(key)
    cm_signer = countermark.MessageSigner(key, label="sig1", components=components, include_alg=True)
    policy = countermark.MessagePolicy(check_content_digest=True, required_components=components)
    cm_base = countermark.Request.from_url(method, url, headers=base_headers, body=body)

    try:
        import http_message_signatures as hms
        from http_message_signatures import algorithms as hms_alg
    except ImportError as e:
        PROBLEMS.append(f"http-message-signatures not installed: {e}")
        hms = None

    class Msg:
        """The request interface http-message-signatures reads: method, url, headers (a mutable mapping)."""

        __slots__ = ("method", "url", "headers")

        def __init__(self, headers: Dict[str, str]) -> None:
            self.method = method
            self.url = url
            self.headers = headers

    if hms is not None:
        resolver = hms.MappingKeyResolver(public_keys={kid: secret}, private_keys={kid: secret})
        ref_signer = hms.HTTPMessageSigner(signature_algorithm=hms_alg.HMAC_SHA256, key_resolver=resolver)
        ref_verifier = hms.HTTPMessageVerifier(signature_algorithm=hms_alg.HMAC_SHA256, key_resolver=resolver)

        def ref_sign(_: Any, created: Optional[datetime.datetime] = None) -> Msg:
            m = Msg(dict(base_headers))
            ref_signer.sign(m, key_id=kid, label="sig1", include_alg=True, covered_component_ids=components,
                            body=body, created=created)
            return m

        def ref_verify(m: Msg) -> Any:
            return ref_verifier.verify(m, body=body, require_components=components)

    def cm_sign(_: Any, signer: Any = cm_signer) -> List[Any]:
        req = cm_base.with_headers([("Content-Digest", countermark.content_digest(body))])
        return req.headers + signer.sign(req).headers

    cm_signed_headers = cm_sign(None)
    cm_signed = countermark.Request.from_url(method, url, headers=cm_signed_headers, body=body)
    with_digest = cm_base.with_headers([("Content-Digest", countermark.content_digest(body))])
    sig_base = cm_signer.sign(with_digest).signed_string.encode()

    def checks() -> None:
        countermark.verify_message_signature(cm_signed, vkey, policy)
        want = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
        check(countermark.content_digest(body) == want, "Content-Digest")
        if hms is None:
            return
        created = int(time.time()) - 10
        fixed = countermark.MessageSigner(key, label="sig1", components=components, include_alg=True, created=created)
        cm_h = dict(cm_sign(None, fixed))
        ref_m = ref_sign(None, datetime.datetime.fromtimestamp(created, datetime.timezone.utc))
        for name in ("Content-Digest", "Signature-Input", "Signature"):
            check(cm_h[name] == ref_m.headers[name], f"{name}: countermark == http-message-signatures")
        check(len(ref_verify(Msg(dict(cm_signed_headers)))) == 1, "http-message-signatures verifies countermark's")
        countermark.verify_message_signature(
            countermark.Request.from_url(method, url, headers=list(ref_sign(None).headers.items()), body=body),
            vkey, policy)

    def sign(g: Group) -> None:
        checks()
        if hms is not None:
            g.add("reference", "http-message-signatures 3.0.0 HTTPMessageSigner.sign(body=...)",
                  ref_sign, note="adds Content-Digest and the two signature fields")
        g.add("countermark", "countermark.content_digest + MessageSigner.sign", cm_sign,
              note="Content-Digest, then the two signature fields")
        g.add("floor", "hmac.digest(secret, signature_base, sha256)", floor_digest(secret, sig_base))

    def verify(g: Group) -> None:
        checks()
        if hms is not None:
            ref_msg = ref_sign(None)
            check(len(ref_verify(ref_msg)) == 1, "reference verifies its own")
            g.add("reference", "http-message-signatures 3.0.0 HTTPMessageVerifier.verify(body=...)",
                  ref_verify, ref_msg, note="require_components + Content-Digest check")
        g.add("countermark", "countermark.verify_message_signature",
              lambda r: countermark.verify_message_signature(r, vkey, policy), cm_signed,
              note="MessagePolicy(check_content_digest=True), no nonce")
        g.add("floor", "hmac.digest(secret, signature_base, sha256)", floor_digest(secret, sig_base))

    run_group(cfg, "RFC 9421", "RFC 9421 hmac-sha256 sign (4 components + Content-Digest)", sign)
    run_group(cfg, "RFC 9421", "RFC 9421 hmac-sha256 verify (4 components + Content-Digest)", verify)


# ------------------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------------------


def machine_info() -> Dict[str, Any]:
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_build": " ".join(platform.python_build()),
        "versions": {name: version_of(name) for name in EXPECTED_VERSIONS},
    }


def fmt_num(x: Optional[float], spec: str) -> str:
    return "-" if x is None else format(x, spec)


def print_table(info: Dict[str, Any], cfg: Config) -> None:
    print(f"countermark Python benchmark — {info['date']}")
    print(f"machine : {info['platform']} ({info['machine']}), {info['cpu']}, {info['cpu_count']} CPUs")
    print(f"python  : {info['python']} ({info['python_build']})")
    print("versions: " + ", ".join(f"{k} {v or 'NOT INSTALLED'}" for k, v in info["versions"].items()))
    print(f"timing  : best of {cfg.repeats} repeats of ~{cfg.target:g} s after 1 warm-up repeat"
          f"{' (--quick)' if cfg.quick else ''}; gc off while timing")
    print("columns : µs/op and ops/s of the best repeat; 'x ref' = reference time / this time (> 1: faster than"
          " the reference); 'x floor' = this time / hmac.digest of the same signed bytes")
    print()
    w_impl = max([len(r["implementation"]) for g in GROUPS for r in g.rows] + [20])
    header = f"{'implementation':<{w_impl}}  {'µs/op':>9}  {'ops/s':>10}  {'x ref':>7}  {'x floor':>7}"
    section = None
    for g in GROUPS:
        if g.section != section:
            section = g.section
            print(f"=== {section} " + "=" * max(0, len(header) - len(section) - 5))
        print(f"-- {g.operation}" + (f"  [{g.note}]" if g.note else ""))
        if g.error:
            print(f"   NOT MEASURED: {g.error}")
            continue
        print("   " + header)
        for r in g.finish():
            tag = {"reference": "R", "countermark": "*", "floor": "F", "other": " "}[r["role"]]
            print(f" {tag} {r['implementation']:<{w_impl}}  {r['us_per_op']:>9.2f}  {r['ops_per_s']:>10,.0f}  "
                  f"{fmt_num(r['speedup_vs_reference'], '7.2f')}  {fmt_num(r['times_floor'], '7.1f')}"
                  + (f"   ({r['note']})" if r["note"] else ""))
        print()
    print("R = reference library, * = countermark, F = floor (CPython hmac.digest of the bytes the scheme MACs)")
    print()
    print("Notes:")
    for n in NOTES:
        print(f"  - {n}")
    if PROBLEMS:
        print()
        print("PROBLEMS (these rows are missing or were not measured):")
        for p in PROBLEMS:
            print(f"  - {p}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer and shorter repeats")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    ap.add_argument("--only", metavar="NAMES", help="comma-separated subset: handshake,itsdangerous,ska,"
                    "hmac_header,jwt,rfc9421")
    args = ap.parse_args(argv)
    cfg = Config(args.quick)

    info = machine_info()
    for dist, want in EXPECTED_VERSIONS.items():
        have = info["versions"][dist]
        if have is None:
            PROBLEMS.append(f"{dist} is not installed")
        elif want is not None and have != want:
            PROBLEMS.append(f"{dist} {have} installed, the benchmark is pinned to {want}")
    try:
        import countermark  # noqa: F401
    except ImportError as e:
        print(f"countermark is not importable: {e}", file=sys.stderr)
        return 2

    benches = {
        "handshake": bench_handshake,
        "itsdangerous": bench_itsdangerous,
        "ska": bench_ska,
        "hmac_header": bench_hmac_header,
        "jwt": bench_jwt,
        "rfc9421": bench_rfc9421,
    }
    selected = args.only.split(",") if args.only else list(benches)
    for name in selected:
        try:
            benches[name](cfg)
        except Exception as e:  # noqa: BLE001 - an import or setup failure of one library
            PROBLEMS.append(f"{name}: {type(e).__name__}: {e}")
            traceback.print_exc(file=sys.stderr)

    print_table(info, cfg)
    if args.json:
        out = {
            **info,
            "quick": cfg.quick,
            "repeats": cfg.repeats,
            "target_seconds_per_repeat": cfg.target,
            "groups": [
                {"section": g.section, "operation": g.operation, "note": g.note, "error": g.error,
                 "rows": [] if g.error else g.finish()}
                for g in GROUPS
            ],
            "problems": PROBLEMS,
            "notes": NOTES,
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print(f"\nJSON written to {args.json}")
    failed = any(g.error for g in GROUPS)
    if PROBLEMS or failed:
        # A missing or mis-pinned reference library leaves rows out or compares with the wrong version: the
        # comparison is incomplete, so this is a failure (`make bench` installs python/bench/requirements.txt).
        print(f"\nbench.py: the comparison is incomplete ({len(PROBLEMS)} problem(s)); install the pinned "
              "reference libraries (pip install -r python/bench/requirements.txt):", file=sys.stderr)
        for p in PROBLEMS:
            print(f"  - {p}", file=sys.stderr)
        for g in GROUPS:
            if g.error:
                print(f"  - {g.section} {g.operation}: not measured: {g.error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
