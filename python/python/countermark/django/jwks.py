"""JWKS: the key sets of the URLs users trust (:class:`~countermark.django.models.JwksEndpoint`), fetched with
asymmetric-jwt-auth's limits and shared between processes through Django's cache.

* A fetch is one plain ``GET`` over ``http``/``https``: no redirects followed, the whole download (connecting
  included) within ``COUNTERMARK['JWKS_FETCH_TIMEOUT']`` seconds, a body of at most
  ``COUNTERMARK['JWKS_MAX_RESPONSE_BYTES']`` (by default the core's ``countermark.Jwks.MAX_LEN``, 1 MiB). The body
  is checked by the core (``countermark.Jwks.parse``): bad JSON, too many keys, a weak or private key, two keys
  under one ``kid`` make the fetch fail. A failed fetch never replaces a key set already cached.
* Requests only read the cache (``COUNTERMARK['JWKS_CACHE']``): a key set older than ``JWKS_CACHE_TTL``, or one
  without the ``kid`` a token names, is refreshed by a background thread, at most once per
  ``JWKS_REFRESH_COOLDOWN`` seconds per URL (across processes: a ``cache.add`` lock). A URL with nothing cached at
  all is fetched while the request waits (there is nothing else to answer with), as asymmetric-jwt-auth does. A key
  set last fetched ``JWKS_CACHE_MAX_AGE`` seconds ago or more is no longer trusted.
* A token whose user trusts no JWKS URL (or does not exist) reads a decoy cache entry and is verified against a
  decoy key, so the response time does not tell who trusts a URL or exists.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import logging
import os
import queue
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Optional
from urllib.parse import urlsplit

from django.core.cache import caches

import countermark

from .conf import get_settings

__all__ = ["FetchError", "fetch", "refresh", "signing_key", "read_decoy", "wait_for_refreshes", "max_response_bytes"]

logger = logging.getLogger("countermark.django")

#: Bump when the cached entry changes shape, so entries of other versions read as a miss.
_PREFIX = "countermark:jwks:v1:"
DECOY_KEY = f"{_PREFIX}decoy"


class FetchError(Exception):
    """A JWKS URL could not be fetched or its document was refused (the message says why; never key material)."""


def max_response_bytes() -> int:
    conf = get_settings()
    return countermark.Jwks.MAX_LEN if conf.JWKS_MAX_RESPONSE_BYTES is None else int(conf.JWKS_MAX_RESPONSE_BYTES)


def _cache() -> Any:
    return caches[get_settings().JWKS_CACHE]


def _cache_key(url: str) -> str:
    return _PREFIX + hashlib.sha256(url.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------- fetching
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx then surfaces as an HTTPError


def _time_left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the JWKS download ran out of time")
    return left


class _Limited(io.RawIOBase):
    """Each socket read gets only the time left before the deadline, and more than ``limit`` bytes fail: a
    socket timeout alone bounds each read, so a body sent a byte at a time would never end."""

    def __init__(self, raw: Any, sock: socket.socket, deadline: float, limit: int) -> None:
        super().__init__()
        self._raw, self._sock, self._deadline, self._limit, self._n = raw, sock, deadline, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> Optional[int]:
        self._sock.settimeout(_time_left(self._deadline))
        n = self._raw.readinto(buffer)
        self._n += n or 0
        if self._n > self._limit:
            raise FetchError(f"the JWKS response is over {self._limit} bytes")
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def _handlers(deadline: float, limit: int) -> list[urllib.request.BaseHandler]:
    # Status line and headers count too: they are read through the same limited reader.
    head_limit = limit + 64 * 1024

    def connect(address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> socket.socket:
        host, port = address
        error: Optional[OSError] = None
        for family, kind, proto, _, sockaddr in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(_time_left(deadline))
                sock.connect(sockaddr)
                sock.settimeout(_time_left(deadline))
                return sock
            except OSError as e:
                sock.close()
                error = e
        raise error or OSError(f"no address for {host}")

    class Response(http.client.HTTPResponse):
        def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
            super().__init__(sock, *args, **kwargs)
            self.fp = io.BufferedReader(_Limited(self.fp.detach(), sock, deadline, head_limit))  # type: ignore[arg-type]

    class HTTPConnection(http.client.HTTPConnection):
        response_class = Response

        def connect(self) -> None:
            self._create_connection = connect  # type: ignore[assignment]
            super().connect()

    class HTTPSConnection(http.client.HTTPSConnection):
        response_class = Response

        def connect(self) -> None:
            self._create_connection = connect  # type: ignore[assignment]
            super().connect()

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(HTTPConnection, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(HTTPSConnection, req)

    return [_NoRedirect(), HTTPHandler(), HTTPSHandler()]


def fetch(url: str) -> countermark.Jwks:
    """Downloads and checks the key set at ``url`` (see the module documentation for the limits).

    Raises :class:`FetchError` for another scheme than http/https, a connection failure, a status other than 200
    (redirects included), a download longer than ``JWKS_FETCH_TIMEOUT``, a body over
    ``JWKS_MAX_RESPONSE_BYTES``, or a document the core refuses.
    """
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise FetchError("a JWKS URL must be http or https")
    conf = get_settings()
    timeout = float(conf.JWKS_FETCH_TIMEOUT)
    limit = max_response_bytes()
    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(*_handlers(deadline, limit))
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with opener.open(request, timeout=timeout) as response:
            if response.status != 200:
                raise FetchError(f"the JWKS URL answered {response.status}")
            body = response.read(limit + 1)
    except urllib.error.HTTPError as e:
        e.close()
        raise FetchError(f"the JWKS URL answered {e.code} (redirects are not followed)") from None
    except FetchError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as e:
        cause = e.reason if isinstance(e, urllib.error.URLError) else e
        if isinstance(cause, FetchError):
            raise cause from None
        raise FetchError(f"the JWKS download failed: {cause}") from None
    if len(body) > limit:
        raise FetchError(f"the JWKS response is over {limit} bytes")
    try:
        return countermark.Jwks.parse(body)
    except countermark.CountermarkError as e:
        raise FetchError(f"the JWKS document was refused: {e}") from None


# ------------------------------------------------------------------------------------------------- the cache
#: Parsed key sets of this process: url -> (fetched_at, Jwks), so a cached document is parsed once.
_parsed: dict[str, tuple[float, countermark.Jwks]] = {}
#: When this process last asked for a refresh of each url.
_last_refresh: dict[str, float] = {}


def refresh(url: str) -> dict[str, Any]:
    """Fetches ``url`` now and caches the result; returns the cache entry. A failed fetch is logged and never
    replaces a cached key set (an entry without a document is written only when there was none)."""
    cache = _cache()
    key = _cache_key(url)
    try:
        document: Optional[str] = fetch(url).to_json()
    except FetchError as e:
        logger.warning("JWKS of %s not refreshed: %s", url, e)
        document = None
    entry = {"fetched_at": time.time(), "document": document}
    if document is not None:
        # The decoy copy makes the cache read of a user without JWKS URL return a real-sized value.
        cache.set_many({key: entry, DECOY_KEY: entry}, None)
        return entry
    if cache.add(key, entry, None):
        return entry
    existing = cache.get(key)
    return entry if existing is None else existing


def _keys(url: str, entry: dict[str, Any]) -> Optional[countermark.Jwks]:
    if entry.get("document") is None:
        return None
    parsed = _parsed.get(url)
    if parsed is not None and parsed[0] == entry["fetched_at"]:
        return parsed[1]
    try:
        jwks = countermark.Jwks.parse(entry["document"])
    except countermark.CountermarkError:  # written by this module after the same check: not expected
        return None
    _parsed[url] = (entry["fetched_at"], jwks)
    return jwks


def signing_key(url: str, kid: Optional[str]) -> Optional[countermark.VerifyingKey]:
    """The key of ``url``'s key set whose ``kid`` is ``kid``, from the cache; None when there is none (or the
    key set is older than ``JWKS_CACHE_MAX_AGE``). A stale key set or an unknown ``kid`` schedules a background
    refresh (cooldown permitting). A ``kid`` of None never matches: keys of a set are chosen by ``kid``."""
    conf = get_settings()
    entry = _cache().get(_cache_key(url))
    if entry is None:
        entry = refresh(url)
    age = time.time() - entry["fetched_at"]
    key = None
    if kid is not None and age < conf.JWKS_CACHE_MAX_AGE:
        jwks = _keys(url, entry)
        key = jwks.get(kid) if jwks is not None else None
    if (key is None and kid is not None) or age >= conf.JWKS_CACHE_TTL:
        _refresh_in_background(url, entry)
    return key


def read_decoy() -> None:
    """The cache read :func:`signing_key` does, for a token whose user trusts no JWKS URL."""
    _cache().get(DECOY_KEY)


# ------------------------------------------------------------------------------------------ background refreshes
_queue: queue.Queue[str] = queue.Queue()
_pending: set[str] = set()
_lock = threading.Lock()
_worker: Optional[threading.Thread] = None
#: The process that started ``_worker``: a forked child (a pre-forking server) starts its own, with a fresh queue.
_worker_pid: Optional[int] = None


def _run(urls: queue.Queue[str], pending: set[str]) -> None:
    from django.db import close_old_connections

    while True:
        url = urls.get()
        try:
            close_old_connections()
            conf = get_settings()
            if _cache().add(_cache_key(url) + ":lock", 1, conf.JWKS_REFRESH_COOLDOWN):
                refresh(url)
        except Exception:  # the worker must outlive any one URL's failure
            logger.exception("JWKS refresh of %s failed", url)
        finally:
            with _lock:
                pending.discard(url)
            urls.task_done()


def _refresh_in_background(url: str, entry: dict[str, Any]) -> None:
    global _worker, _worker_pid, _queue, _pending
    now = time.time()
    last = max(entry["fetched_at"], _last_refresh.get(url, 0.0))
    if now - last < get_settings().JWKS_REFRESH_COOLDOWN:
        return
    _last_refresh[url] = now
    with _lock:
        if _worker_pid != os.getpid():
            _queue, _pending, _worker = queue.Queue(), set(), None
        if url in _pending:
            return
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(
                target=_run, args=(_queue, _pending), name="countermark-jwks-refresh", daemon=True
            )
            _worker.start()
            _worker_pid = os.getpid()
        _pending.add(url)
        _queue.put(url)


def wait_for_refreshes() -> None:
    """Blocks until the background refreshes asked for so far are done (for tests and management commands)."""
    _queue.join()


def reset() -> None:
    """Forgets this process's parsed key sets and refresh times (settings changed; tests)."""
    _parsed.clear()
    _last_refresh.clear()
