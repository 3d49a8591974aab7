#!/usr/bin/env python3
"""Does the answer time tell a real key id from an unknown one? Median answer times of refused requests (bad
signatures) to countermark's DRF classes, for a key id that exists and one that does not (issue 15, item 5).

One in-process project (SQLite in a file, so writes cost what they cost; LocMem cache, or Redis with --redis),
called through Django's test client. For each scheme (HMAC header, FOST, RFC 9421 hmac-sha256) the requests
alternate (in pairs of random order) between the real key id (signed with a wrong secret) and an unknown key id,
every one freshly signed
outside the timed region and timed alone; the client-address throttle is set out of reach so that every request
goes through lookup and verification. Reported: the median and the 10th/90th percentiles in µs, and the ratio
of the medians (1.00 = indistinguishable).

With ``--cached`` the real key is first used once with its own secret, so that it sits in the in-process key
cache (``COUNTERMARK['KEY_CACHE_TTL']`` set out of reach) while the refused requests run: a refusal on the cache's
fast path must cost what an unknown key id's does (issue 20).

    python python/bench/bench_django_keyids.py [--requests 2000] [--redis redis://127.0.0.1:6379/0] [--cached]
        [--json out.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

import django
from django.conf import settings


def configure(redis: Optional[str], cached: bool = False) -> None:
    cache = (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis}
        if redis
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
    settings.configure(
        DEBUG=False,
        SECRET_KEY="countermark-django-bench-not-a-secret-0123456789",
        USE_TZ=True,
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "countermark.django"],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": os.path.join(tempfile.mkdtemp(prefix="countermark-bench-"), "db.sqlite3"),
            }
        },
        CACHES={"default": cache},
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": [
                "countermark.django.drf.HMACAuthentication",
                "countermark.django.drf.FostAuthentication",
                "countermark.django.drf.HttpSignatureAuthentication",
            ],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
            "DEFAULT_THROTTLE_CLASSES": [],
        },
        # Every request must reach the verification: the address throttle out of reach.
        COUNTERMARK={"FAILED_ATTEMPTS_THRESHOLD": 10**9, **({"KEY_CACHE_TTL": 3600} if cached else {})},
        SILENCED_SYSTEM_CHECKS=["countermark.W001"],
        LOGGING={"version": 1, "disable_existing_loggers": False, "loggers": {"countermark": {"level": "ERROR"}, "django": {"level": "ERROR"}}},
    )
    django.setup()


urlpatterns: List[Any] = []
BODY = json.dumps({"amount": 10.5, "currency": "EUR", "to": "bob"}).encode()
PATH = "/echo/"


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=2000, help="refused requests per key id and scheme (default 2000)")
    ap.add_argument("--redis", help="use this Redis as the cache instead of LocMem")
    ap.add_argument("--cached", action="store_true", help="the real key in the key cache during the run")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    configure(args.redis, args.cached)

    from django.core.management import call_command
    from django.test import Client
    from django.urls import path
    from rest_framework.response import Response
    from rest_framework.views import APIView

    import countermark
    from countermark.django.models import ApiKey

    class Echo(APIView):
        def post(self, request: Any) -> Response:  # pragma: no cover - every request is refused
            return Response({})

    urlpatterns.append(path("echo/", Echo.as_view()))
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("alice")
    real, real_secret = ApiKey.objects.create_key(user)
    unknown_id = "0f3e1b7c-0000-4000-8000-000000000000"
    wrong = countermark.ApiSecret.generate()
    right = countermark.ApiSecret(real_secret)

    def hmac(key_id: str, secret: Any = wrong) -> Dict[str, str]:
        req = countermark.Request("POST", PATH, headers={"Content-Type": "application/json"}, body=BODY)
        return dict(countermark.HmacHeaderSigner(key_id, secret, "hmac-sha256").sign(req).headers)

    def fost(key_id: str, secret: Any = wrong) -> Dict[str, str]:
        headers = {"Host": "testserver", "Content-Type": "application/json"}
        req = countermark.Request("POST", PATH, headers=headers, body=BODY)
        signer = countermark.FostSigner(key_id, countermark.HmacKey(secret.to_base64(), "hmac-sha1", legacy=True))
        return {**headers, **dict(signer.sign(req, list(headers)).headers)}

    def rfc9421(key_id: str, secret: Any = wrong) -> Dict[str, str]:
        headers = {"Content-Type": "application/json", "Content-Digest": countermark.content_digest(BODY)}
        signer = countermark.MessageSigner(
            countermark.HmacKey(bytes(secret), "hmac-sha256"), key_id=key_id, random_nonces=True,
            components=["@method", "@authority", "@path", "content-digest"],
        )
        req = countermark.Request("POST", PATH, headers=headers, body=BODY, scheme="http", authority="testserver")
        return {**headers, **dict(signer.sign(req).headers)}

    schemes: Dict[str, Callable[..., Dict[str, str]]] = {"hmac": hmac, "fost": fost, "rfc9421": rfc9421}
    from countermark.django.keycache import key_cache
    client = Client()
    n = args.requests
    results: Dict[str, Dict[str, Any]] = {}
    for name, sign in schemes.items():
        # Interleaved in pairs, each pair in random order, so drift and cache effects hit both alike; a short
        # warm-up first.
        rng = random.Random(15)
        order = [kid for _ in range(n + 50) for kid in rng.sample([real.key_id, unknown_id], 2)]
        times: Dict[str, List[float]] = {"real": [], "unknown": []}
        answers = set()
        # The garbage collector stays on, as in a server: with it off, whatever a path leaves in reference cycles
        # (an exception's traceback holding a model instance...) piles up and slows later requests of both kinds.
        gc.collect()
        if args.cached:
            headers = {k: v for k, v in sign(real.key_id, right).items() if k.lower() != "content-type"}
            ok = client.post(PATH, BODY, content_type="application/json", headers=headers)
            if ok.status_code != 200 or real.key_id not in key_cache:
                raise SystemExit(f"{name}: the real key did not enter the key cache ({ok.status_code})")
        for i, kid in enumerate(order):
            # Signed just before it is sent (outside the timed region): the HMAC header lives 5 s.
            headers = {k: v for k, v in sign(kid).items() if k.lower() != "content-type"}
            t0 = time.perf_counter()
            r = client.post(PATH, BODY, content_type="application/json", headers=headers)
            dt = time.perf_counter() - t0
            answers.add((r.status_code, r.content, tuple(sorted(r.headers.items()))))
            if i >= 100:
                times["real" if kid == real.key_id else "unknown"].append(dt * 1e6)
        if len(answers) != 1:
            raise SystemExit(f"{name}: real and unknown key ids answered differently: {answers}")
        if args.cached and real.key_id not in key_cache:
            raise SystemExit(f"{name}: the real key left the key cache during the run")
        row = {}
        for which, values in times.items():
            q = statistics.quantiles(values, n=10)
            row[which] = {"median": statistics.median(values), "p10": q[0], "p90": q[-1]}
        row["ratio"] = row["real"]["median"] / row["unknown"]["median"]
        results[name] = row

    import rest_framework

    print(f"Django {django.get_version()}, DRF {rest_framework.VERSION}, Python {sys.version.split()[0]}, "
          f"cache {'Redis' if args.redis else 'LocMem'}; {n} refused requests per key id and scheme, interleaved"
          f"{'; the real key in the key cache' if args.cached else ''}")
    print(f"{'scheme':<9}{'key id':<9}{'median µs':>11}{'p10':>9}{'p90':>9}   real/unknown (medians)")
    for name, row in results.items():
        for which in ("real", "unknown"):
            r = row[which]
            tail = f"   {row['ratio']:.3f}" if which == "real" else ""
            print(f"{name:<9}{which:<9}{r['median']:>11.1f}{r['p10']:>9.1f}{r['p90']:>9.1f}{tail}")
    print("every answer (status, body, headers) was the same for both key ids")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"requests": n, "cache": "redis" if args.redis else "locmem", "cached": args.cached,
                       "schemes": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
