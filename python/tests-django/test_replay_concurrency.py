"""Of 16 concurrent copies of one signed request, exactly one is accepted: the nonce goes through Redis's atomic
add (SET NX) via Django's cache, whichever worker thread gets there first."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from conftest import BODY, Signers, send

N = 16


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scheme", ["hmac", "fost", "rfc9421", "jwt"])
def test_sixteen_concurrent_duplicates_one_success(signers: Signers, scheme: str) -> None:
    headers = getattr(signers, scheme)("POST", "/api/whoami/", BODY, "application/json")
    barrier = threading.Barrier(N)
    results: list[Any] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            client = Client()
            barrier.wait()
            response = send(client, "POST", "/api/whoami/", headers, BODY)
            outcome = (response.status_code, response.json().get("reason"))
        except Exception as e:  # recorded, so the assertion below shows it
            outcome = (0, repr(e))
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results, key=str) == sorted([(200, None)] + [(401, "replayed")] * (N - 1), key=str), results
