#!/usr/bin/env python3
"""Loading public keys as asymmetric-jwt-auth's users give them: OpenSSH lines and JWK sets.

Run (with the countermark wheel, PyJWT and cryptography installed, e.g. the repository's .venv)::

    python python/bench/bench_jwks.py           # best of 7 repeats
    python python/bench/bench_jwks.py --quick   # best of 3

Groups, each checked before it is timed (both sides load the same keys):

1. an OpenSSH ``ssh-ed25519`` and an ``ssh-rsa`` (2048-bit) line: ``countermark.VerifyingKey.from_pem`` vs
   ``cryptography``'s ``load_ssh_public_key`` (what asymmetric-jwt-auth calls);
2. a JWK set of 100 RSA-2048 keys (the core's ``Jwks.MAX_KEYS``) and one of 100 Ed25519 keys:
   ``countermark.Jwks.parse`` (JSON, limits, every key's checks) vs PyJWT's ``PyJWKSet.from_dict(json.loads(...))``
   (what asymmetric-jwt-auth's JWKS cache does with a document).

Timing as in bench.py: garbage collector off, a loop calibrated to about 0.2 s per repeat, one warm-up, best of N.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from typing import Any, Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwt import PyJWKSet

import countermark


def best(fn: Callable[[], Any], repeats: int) -> float:
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start > 0.2:
            break
        n *= 2
    times = []
    gc.disable()
    try:
        for _ in range(repeats + 1):
            start = time.perf_counter()
            for _ in range(n):
                fn()
            times.append((time.perf_counter() - start) / n)
    finally:
        gc.enable()
    return min(times[1:])


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:9.1f} µs" if seconds < 1e-2 else f"{seconds * 1e3:9.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    repeats = 3 if parser.parse_args().quick else 7

    ed = ed25519.Ed25519PrivateKey.generate().public_key()
    rs = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    ssh = {
        name: k.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
        for name, k in (("ssh-ed25519", ed), ("ssh-rsa 2048", rs))
    }
    rows = []
    for name, line in ssh.items():
        ours = countermark.VerifyingKey.from_pem(line)
        theirs = serialization.load_ssh_public_key(line.encode())
        pem = theirs.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        assert ours.to_pem() == pem.decode(), name
        rows.append((f"OpenSSH {name}", best(lambda: countermark.VerifyingKey.from_pem(line), repeats),
                     best(lambda: serialization.load_ssh_public_key(line.encode()), repeats)))

    for family, make in (
        ("RSA-2048", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()),
        ("Ed25519", lambda: ed25519.Ed25519PrivateKey.generate().public_key()),
    ):
        keys = [countermark.VerifyingKey.from_pem(make().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode())
            for _ in range(countermark.Jwks.MAX_KEYS)]
        document = countermark.Jwks.from_keys(keys).to_json().encode()
        ours_set = countermark.Jwks.parse(document)
        theirs_set = PyJWKSet.from_dict(json.loads(document))
        assert [k.key_id for k in ours_set.keys] == [k.key_id for k in theirs_set.keys], family
        rows.append((f"JWKS of {len(keys)} {family} keys ({len(document) // 1024} KiB)",
                     best(lambda: countermark.Jwks.parse(document), repeats),
                     best(lambda: PyJWKSet.from_dict(json.loads(document)), repeats)))

    print(f"{'operation':45} {'countermark':>12} {'reference':>12} {'x ref':>7}")
    for name, ours_t, theirs_t in rows:
        print(f"{name:45} {fmt(ours_t):>12} {fmt(theirs_t):>12} {theirs_t / ours_t:7.1f}")


if __name__ == "__main__":
    main()
