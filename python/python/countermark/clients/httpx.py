"""``httpx`` authentication classes that sign outgoing requests with countermark.

Pass one as ``auth=`` (per request or on an :class:`httpx.Client` / :class:`httpx.AsyncClient`)::

    import countermark, httpx
    from countermark.clients.httpx import HttpSignatureAuth

    key = countermark.HmacKey(secret_bytes, key_id="client-1")
    with httpx.Client(auth=HttpSignatureAuth(key)) as client:
        client.post("https://api.example/v1/items", json={"a": 1})

The body is signed exactly as it is sent: ``request.content``. A body httpx streams with a known length
(multipart uploads, file objects) is read into memory first, as ``request.read()`` / ``await
request.aread()`` do, and sent from there; a body of unknown length (a generator or iterator, sent with
``Transfer-Encoding: chunked``) cannot be signed and raises :class:`countermark.InvalidValue`.

httpx does not run ``auth`` again for redirects: a redirected request keeps the headers of the first one
(``Authorization`` is dropped on a change of origin). Leave ``follow_redirects`` off (httpx's default) when
signed requests may be redirected.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import Optional

try:
    import httpx as _httpx
except ImportError as e:  # pragma: no cover - exercised only without httpx
    raise ImportError("countermark.clients.httpx needs the httpx package: pip install httpx") from e

from . import _common

__all__ = ["FostAuth", "HmacHeaderAuth", "HttpSignatureAuth", "JWTAuth"]


def _must_read(request: _httpx.Request) -> bool:
    """Whether the body of ``request`` has still to be read (a stream of known length); raises for a stream
    of unknown length."""
    try:
        request.content
    except _httpx.RequestNotRead:
        if "transfer-encoding" in request.headers:
            raise _common.streaming_body_error(
                f"{type(request.stream).__name__} sent with Transfer-Encoding: chunked"
            ) from None
        return True
    return False


def _body(request: _httpx.Request) -> Optional[bytes]:
    try:
        content = request.content
    except _httpx.RequestNotRead:
        raise _common.streaming_body_error(
            f"{type(request.stream).__name__} not read; call request.read() first"
        ) from None
    return content or None


def _url(request: _httpx.Request) -> str:
    """The absolute URL as sent: scheme, ``host[:port]`` and the raw request target."""
    url = request.url
    return f"{url.scheme}://{url.netloc.decode('ascii')}{url.raw_path.decode('ascii')}"


class _HttpxAuth(_httpx.Auth):
    """httpx's side of every class below: signs a request with the scheme of the shared class."""

    _scheme: _common.Scheme

    def _sign(self, request: _httpx.Request) -> None:
        body = _body(request) if self._scheme.reads_body else None
        lines = self._scheme.sign(request.method, _url(request), request.headers.multi_items(), body)
        for name, value in lines:
            request.headers[name] = value

    def auth_flow(self, request: _httpx.Request) -> Generator[_httpx.Request, _httpx.Response, None]:
        self._sign(request)
        yield request

    def sync_auth_flow(self, request: _httpx.Request) -> Generator[_httpx.Request, _httpx.Response, None]:
        if self._scheme.reads_body and _must_read(request):
            request.read()
        self._sign(request)
        yield request

    async def async_auth_flow(self, request: _httpx.Request) -> AsyncGenerator[_httpx.Request, _httpx.Response]:
        if self._scheme.reads_body and _must_read(request):
            await request.aread()
        self._sign(request)
        yield request


class FostAuth(_common.FostAuth, _HttpxAuth):
    """:class:`countermark.clients._common.FostAuth` for httpx (which always sends ``Host``)."""


class HmacHeaderAuth(_common.HmacHeaderAuth, _HttpxAuth):
    """:class:`countermark.clients._common.HmacHeaderAuth` for httpx."""


class HttpSignatureAuth(_common.HttpSignatureAuth, _HttpxAuth):
    """:class:`countermark.clients._common.HttpSignatureAuth` for httpx."""


class JWTAuth(_common.JWTAuth, _HttpxAuth):
    """:class:`countermark.clients._common.JWTAuth` for httpx."""
