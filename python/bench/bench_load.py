#!/usr/bin/env python3
"""The example service under load: gunicorn (2 workers, gthread), PostgreSQL and Redis; one DRF view behind
countermark's ``HMACAuthentication`` and the same view behind django-hmac-authentication's, the same key (made by
django-hmac-authentication, imported by ``countermark_import_hmac_keys``) and the same body.

A small asyncio load generator on loopback sends a bounded number of requests per endpoint over keep-alive
connections and stops by itself. Every request carries its own signed header (django-hmac-authentication's own
client functions), and every ``--replay-every``-th request is an exact copy of an earlier one: countermark must
accept each signed header exactly once (the copy, or the original when the copy won the race, gets 401
``replayed``). Reported per endpoint: requests/s, p50 and p99 latency, answers by status; any 5xx, or a header
countermark accepted other than exactly once, fails the run (exit 1).

Run it through the two scripts that start the servers (``make bench-load`` does):

    tests/with-postgres.sh tests/with-redis.sh PYTHON python/bench/bench_load.py [--requests 3000]
        [--concurrency 16] [--replay-every 10] [--json out.json]

PYTHON needs Django, DRF, django-hmac-authentication, gunicorn, psycopg and redis (python/bench/requirements.txt)
and the countermark wheel.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional

REPO = Path(__file__).resolve().parents[2]
SERVICE = REPO / "examples" / "django_service"
BODY = {"amount": 10.5, "currency": "EUR", "to": "bob", "note": "x" * 200, "items": [1, 2, 3]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def setup_django() -> None:
    sys.path.insert(0, str(SERVICE))
    os.environ["DJANGO_SETTINGS_MODULE"] = "demo_service.settings_load"
    import django

    django.setup()


def make_key() -> tuple[str, str]:
    """A user and a key made by django-hmac-authentication, imported into countermark (one key, both libraries)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django_hmac_authentication.server_utils import create_shared_secret_for_user

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("load-alice")
    key_id, secret = create_shared_secret_for_user(user)
    with open(os.devnull, "w") as null:
        call_command("countermark_import_hmac_keys", stdout=null)
    connections.close_all()
    return str(key_id), secret


def signed_headers(key_id: str, secret_b64: str, n: int, offset: int) -> list[str]:
    """n distinct headers by django-hmac-authentication's client functions (each its own timestamp)."""
    from django_hmac_authentication.client_utils import compose_authorization_header, prepare_string_to_sign
    from vevde_security_utils.crypt.signatures import sign_string

    secret = base64.b64decode(secret_b64)
    start = datetime.now(timezone.utc) - timedelta(seconds=2)
    out = []
    for i in range(n):
        utc = (start - timedelta(microseconds=offset + i + 1)).isoformat()
        sig = sign_string(prepare_string_to_sign(BODY, utc, "HMAC-SHA256"), secret, "HMAC-SHA256")
        out.append(compose_authorization_header("HMAC-SHA256", key_id, sig, utc))
    return out


def with_replays(headers: list[str], every: int) -> list[tuple[int, str]]:
    """(header index, header) in sending order: every ``every``-th request repeats the header sent 3 before."""
    plan: list[tuple[int, str]] = []
    for i, h in enumerate(headers):
        plan.append((i, h))
        if every > 0 and len(plan) % every == every - 1 and i >= 3:
            plan.append((i - 3, headers[i - 3]))
    return plan


class Result:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.accepted: dict[int, int] = {}  # header index -> 200 answers
        self.errors: list[str] = []


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "connection" and value.strip().lower() == "close":
            close = True
    body = await reader.readexactly(length) if length else b""
    return status, body, close


async def worker(port: int, path: str, body: bytes, queue: asyncio.Queue, result: Result) -> None:
    reader: Optional[asyncio.StreamReader] = None
    writer: Optional[asyncio.StreamWriter] = None
    while True:
        try:
            index, header = queue.get_nowait()
        except asyncio.QueueEmpty:
            break
        request = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nAuthorization: {header}\r\nConnection: keep-alive\r\n\r\n"
        ).encode() + body
        for attempt in range(2):
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                assert reader is not None
                t0 = time.perf_counter()
                writer.write(request)
                await writer.drain()
                status, _, close = await read_response(reader)
                result.latencies.append(time.perf_counter() - t0)
                break
            except (ConnectionError, asyncio.IncompleteReadError) as e:
                if writer is not None:
                    writer.close()
                reader = writer = None
                if attempt == 1:
                    result.errors.append(repr(e))
                    status, close = 0, True
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status == 200:
            result.accepted[index] = result.accepted.get(index, 0) + 1
        if close and writer is not None:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def load(port: int, path: str, body: bytes, plan: list[tuple[int, str]], concurrency: int) -> tuple[Result, float]:
    queue: asyncio.Queue = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    result = Result()
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(port, path, body, queue, result) for _ in range(concurrency)))
    return result, time.perf_counter() - t0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=3000, help="distinct signed requests per endpoint (default 3000)")
    ap.add_argument("--concurrency", type=int, default=16, help="connections of the load generator (default 16)")
    ap.add_argument("--replay-every", type=int, default=10, help="every n-th request is a replay (default 10)")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    ap.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    for var in ("COUNTERMARK_POSTGRES_URL", "COUNTERMARK_REDIS_URL"):
        if not os.environ.get(var):
            print(f"{var} is not set: run through tests/with-postgres.sh and tests/with-redis.sh", file=sys.stderr)
            return 2

    setup_django()
    key_id, secret = make_key()
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "demo_service.settings_load", "PYTHONPATH": str(SERVICE),
           "PYTHONWARNINGS": "ignore"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "django.core.wsgi:get_wsgi_application()",
         "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--worker-class", "gthread",
         "--threads", str(args.threads), "--keep-alive", "30", "--log-level", "warning"],
        cwd=SERVICE, env=env,
    )
    try:
        for _ in range(300):
            if server.poll() is not None:
                print(f"gunicorn exited with {server.returncode}", file=sys.stderr)
                return 2
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        body = json.dumps(BODY).encode()
        figures: dict[str, Any] = {}
        failed = False
        offset = 0
        for name in ("countermark", "reference"):
            path = f"/load/{name}/"
            warm = signed_headers(key_id, secret, 100, offset)
            offset += 100
            asyncio.run(load(port, path, body, list(enumerate(warm)), args.concurrency))  # both workers warm
            headers = signed_headers(key_id, secret, args.requests, offset)
            offset += args.requests
            plan = with_replays(headers, args.replay_every)
            result, elapsed = asyncio.run(load(port, path, body, plan, args.concurrency))
            replays = len(plan) - len(headers)
            once = sum(1 for i in range(len(headers)) if result.accepted.get(i, 0) == 1)
            more = sum(1 for i in range(len(headers)) if result.accepted.get(i, 0) > 1)
            five = sum(n for s, n in result.statuses.items() if s >= 500 or s == 0)
            figures[name] = {
                "requests": len(plan),
                "replays": replays,
                "seconds": elapsed,
                "rps": len(plan) / elapsed,
                "p50_ms": percentile(result.latencies, 50) * 1e3,
                "p99_ms": percentile(result.latencies, 99) * 1e3,
                "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
                "accepted_once": once,
                "accepted_more_than_once": more,
                "errors": result.errors[:5],
            }
            if five:
                print(f"{name}: {five} answers were 5xx or failed connections", file=sys.stderr)
                failed = True
            if name == "countermark" and (once != len(headers) or more):
                print(f"{name}: {len(headers) - once} signed headers not accepted exactly once", file=sys.stderr)
                failed = True
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    import django
    import rest_framework

    print(f"gunicorn {args.workers} workers x {args.threads} threads (gthread), PostgreSQL, Redis; Django "
          f"{django.get_version()}, DRF {rest_framework.VERSION}, Python {sys.version.split()[0]}; "
          f"{args.requests} signed requests + replays per endpoint, {args.concurrency} connections")
    print(f"{'endpoint':<13}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}  answers; accepted once / replays")
    for name, f in figures.items():
        answers = ", ".join(f"{k}: {v}" for k, v in f["statuses"].items())
        print(f"{name:<13}{f['requests']:>9}{f['rps']:>9.0f}{f['p50_ms']:>9.2f}{f['p99_ms']:>9.2f}  {answers}; "
              f"{f['accepted_once']} of {f['requests'] - f['replays']} once, "
              f"{f['accepted_more_than_once']} more than once / {f['replays']} replays")
    if "countermark" in figures and "reference" in figures:
        ratio = figures["countermark"]["rps"] / figures["reference"]["rps"]
        lower = figures["countermark"]["p99_ms"] < figures["reference"]["p99_ms"]
        verdict = "met" if ratio >= 2 and lower else "MISSED"
        print(f"countermark: {ratio:.1f}x the reference's throughput, p99 {'lower' if lower else 'NOT lower'} "
              f"(goal >= 2x with a lower p99: {verdict})")
        figures["throughput_ratio"] = ratio
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(figures, fh, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
