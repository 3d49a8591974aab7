"""What only a database with row locks can show (PostgreSQL; `make django-pg-test` runs the suite on one):

* ``ApiKey.objects.create_key`` locks the user's row, so concurrent creations for one user, from threads or from
  processes, never leave more than ``MAX_KEYS_PER_USER`` live keys;
* the refusal bookkeeping (the client address's and the key id's counters in the cache, moved into
  ``ApiKey.failed_attempts`` on the owner's next request) loses no count under concurrency.

SQLite has no row locks (it locks the whole database file), so these tests are skipped there.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory

from countermark.django import failures
from countermark.django.conf import get_settings
from countermark.django.models import ApiKey, KeyLimitReached

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("COUNTERMARK_POSTGRES_URL"),
        reason="PostgreSQL only (row locks): run through tests/with-postgres.sh, as `make django-pg-test` does",
    ),
    pytest.mark.django_db(transaction=True),
]

LIMIT = 3


def run_together(n: int, work: Any) -> list[Any]:
    """Runs ``work(i)`` in n threads released together; each thread has its own database connection."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as e:  # noqa: BLE001 - recorded, so the assertion shows it
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_the_database_is_postgresql() -> None:
    assert connection.vendor == "postgresql"


def test_concurrent_key_creation_from_threads_exact_counts(user: Any, settings: Any) -> None:
    settings.COUNTERMARK = {**settings.COUNTERMARK, "MAX_KEYS_PER_USER": LIMIT}

    def create(i: int) -> str:
        try:
            ApiKey.objects.create_key(user)
            return "created"
        except KeyLimitReached:
            return "key_limit"

    results = run_together(10, create)
    assert sorted(results) == ["created"] * LIMIT + ["key_limit"] * (10 - LIMIT), results
    assert run_together(10, create) == ["key_limit"] * 10
    assert ApiKey.objects.filter(user=user).count() == LIMIT


def test_concurrent_key_creation_from_processes_stays_within_the_limit(user: Any, suite_processes: Any) -> None:
    procs = suite_processes(4, {"MAX_KEYS_PER_USER": LIMIT, "FAILED_ATTEMPTS_THRESHOLD": 1000})
    for _ in range(2):  # 8 attempts from 4 processes for 3 slots
        at = time.time() + 0.3  # the processes start together
        for p in procs:
            p.send({"op": "create_key", "user": user.get_username(), "at": at})
        answers = [p.read() for p in procs]
        assert all(a.get("ok") or a.get("error") == "key_limit" for a in answers), answers
    assert ApiKey.objects.filter(user=user).count() == LIMIT


def test_concurrent_refusal_bookkeeping_loses_no_count(user: Any, settings: Any) -> None:
    settings.COUNTERMARK = {**settings.COUNTERMARK, "FAILED_ATTEMPTS_THRESHOLD": 10**6}
    key, _ = ApiKey.objects.create_key(user)
    threads, rounds, per_round = 8, 5, 7
    factory = RequestFactory()

    def work(i: int) -> None:
        request = factory.post("/api/whoami/", REMOTE_ADDR="203.0.113.9")
        for _ in range(rounds):
            for _ in range(per_round):
                failures.record_failure(request, "hmac", key.key_id)
            # Each thread holds its own copy of the row, as concurrent requests do, with no stamp this minute:
            # each moves the cache's count into the database.
            mine = ApiKey.objects.get(pk=key.pk)
            mine.last_used_at = None
            mine.record_success()

    results = run_together(threads, work)
    assert results == [None] * threads, results
    total = threads * rounds * per_round
    key.refresh_from_db()
    pending = key.pending_failures()
    assert pending >= 0
    assert key.failed_attempts + pending == total
    address_key = failures._address_key(factory.post("/", REMOTE_ADDR="203.0.113.9"))
    assert caches[get_settings().NONCE_CACHE].get(address_key) == total
