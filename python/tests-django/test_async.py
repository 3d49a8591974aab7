"""ASGI: ``async def`` views behind CountermarkMiddleware (and with ``aauthenticate_request``) authenticate signed
requests and refuse replays, without blocking the event loop on the database or the cache; the same under a real
ASGI server (uvicorn), for async views and DRF views alike."""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
import pytest
from asgiref.sync import iscoroutinefunction, sync_to_async
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient

from countermark.django import failures
from countermark.django.middleware import CountermarkMiddleware

from conftest import BODY, Signers

HERE = os.path.dirname(os.path.abspath(__file__))


def run_async(test: Any) -> Any:
    """Runs an ``async def`` test in its own event loop (the sync code it awaits runs in worker threads, on their
    own database connections: hence ``transaction=True``)."""

    async def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return await test(*args, **kwargs)
        finally:
            # The worker thread's connection, so that the test database can be flushed and dropped.
            await sync_to_async(connections.close_all)()

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return asyncio.run(run(*args, **kwargs))

    return wrapper


def signed(signers: Signers, scheme: str, path: str) -> dict[str, str]:
    headers = getattr(signers, scheme)("POST", path, BODY, "application/json")
    # The client sends Host and Content-Type itself.
    return {k: v for k, v in headers.items() if k.lower() not in ("content-type", "host")}


async def apost(client: AsyncClient, path: str, headers: dict[str, str]) -> Any:
    return await client.generic("POST", path, data=BODY, content_type="application/json", headers=headers)


def test_the_middleware_is_async_under_an_async_chain() -> None:
    async def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    def sync_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    assert CountermarkMiddleware.sync_capable and CountermarkMiddleware.async_capable
    assert iscoroutinefunction(CountermarkMiddleware(view))
    assert not iscoroutinefunction(CountermarkMiddleware(sync_view))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scheme", ["hmac", "fost", "rfc9421", "jwt"])
@pytest.mark.parametrize("path", ["/async/plain/", "/api/whoami/"])
@run_async
async def test_async_views_authenticate_and_refuse_replays(signers: Signers, scheme: str, path: str) -> None:
    client = AsyncClient()
    headers = signed(signers, scheme, path)
    first = await apost(client, path, headers)
    assert first.status_code == 200, first.content
    assert (first.json()["user"], first.json()["scheme"]) == ("alice", scheme)
    replay = await apost(client, path, headers)
    assert (replay.status_code, replay.json()["reason"]) == (401, "replayed")
    assert replay["WWW-Authenticate"].endswith('error="replayed"')


@pytest.mark.django_db(transaction=True)
@run_async
async def test_an_unsigned_request_reaches_the_async_view_anonymous() -> None:
    response = await AsyncClient().get("/async/plain/")
    assert response.status_code == 200
    assert response.json() == {"user": None, "scheme": None, "key_id": None, "covered": []}


@pytest.mark.django_db(transaction=True)
@run_async
async def test_aauthenticate_request_in_an_async_view(signers: Signers) -> None:
    client = AsyncClient()
    headers = signed(signers, "hmac", "/async/explicit/")
    first = await apost(client, "/async/explicit/", headers)
    assert first.json() == {"user": "alice", "scheme": "hmac", "key_id": signers.key_id}
    replay = await apost(client, "/async/explicit/", headers)
    # Refused by the middleware before the view runs (the view would refuse it too: the same verification).
    assert (replay.status_code, replay.json()["reason"]) == (401, "replayed")


@pytest.mark.django_db(transaction=True)
@run_async
async def test_the_verification_does_not_block_the_event_loop(signers: Signers, monkeypatch: Any) -> None:
    """The refusal cache's lookup (a cache round trip) is made to wait until a coroutine on the event loop lets it
    go: had the middleware run it on the loop, that coroutine could not run and the wait would time out."""
    released = threading.Event()
    timed_out: list[bool] = []
    on_loop_thread: list[bool] = []
    loop_thread = threading.get_ident()
    real = failures.is_throttled

    def slow_is_throttled(request: HttpRequest) -> bool:
        on_loop_thread.append(threading.get_ident() == loop_thread)
        timed_out.append(not released.wait(timeout=10))
        return real(request)

    monkeypatch.setattr(failures, "is_throttled", slow_is_throttled)
    client = AsyncClient()
    request = asyncio.ensure_future(apost(client, "/async/plain/", signed(signers, "hmac", "/async/plain/")))
    while not on_loop_thread:  # the verification started
        await asyncio.sleep(0.01)
    released.set()  # runs only if the loop is free
    response = await request
    assert response.status_code == 200
    assert on_loop_thread == [False] and timed_out == [False]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def uvicorn_server() -> Any:
    """The test project under uvicorn (ASGI) on a free loopback port, on this test's database."""
    from django.db import connection

    port = _free_port()
    env = {**os.environ, "COUNTERMARK_TEST_DB_NAME": connection.settings_dict["NAME"]}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "testproject.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--lifespan", "off", "--log-level", "warning"],
        cwd=HERE,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {proc.returncode}")
            try:
                httpx.get(base + "/async/plain/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/async/plain/", "/async/explicit/", "/api/whoami/"])
def test_under_uvicorn_signed_requests_pass_once(signers: Signers, uvicorn_server: str, path: str) -> None:
    headers = {**signed(signers, "hmac", path), "Content-Type": "application/json"}
    with httpx.Client(base_url=uvicorn_server, timeout=10) as http:
        first = http.post(path, content=BODY, headers=headers)
        assert first.status_code == 200, first.text
        assert first.json()["user"] == "alice"
        replay = http.post(path, content=BODY, headers=headers)
        assert replay.status_code == 401 and replay.json()["reason"] == "replayed"
        assert http.get("/async/plain/").json()["user"] is None
