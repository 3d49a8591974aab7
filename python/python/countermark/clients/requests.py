"""``requests`` authentication classes that sign outgoing requests with countermark.

Pass one as ``auth=`` (per request or on a :class:`requests.Session`)::

    import countermark, requests
    from countermark.clients.requests import HttpSignatureAuth

    key = countermark.HmacKey(secret_bytes, key_id="client-1")
    requests.post("https://api.example/v1/items", json={"a": 1}, auth=HttpSignatureAuth(key))

The body is signed exactly as it goes on the wire: ``PreparedRequest.body`` after preparation (``json=``,
``data=``, ``files=``), a ``str`` body UTF-8 encoded (and replaced by those bytes, so every urllib3 version
sends what was signed). A file object of known length is read into memory and sent as the bytes read; a body
of unknown length (a generator or iterator, sent chunked) cannot be signed and raises
:class:`countermark.InvalidValue`.

requests does not call ``auth`` again for redirects: a redirected request is sent with the headers of the
first one, which the server will refuse (FOST, RFC 9421) or which requests strips (``Authorization`` on a
change of host). Disable redirects or follow them yourself when the target may redirect.
"""

from __future__ import annotations

from typing import Optional

try:
    import requests as _requests
    from requests.auth import AuthBase
except ImportError as e:  # pragma: no cover - exercised only without requests
    raise ImportError(
        "countermark.clients.requests needs the requests package: pip install requests"
    ) from e

from . import _common

__all__ = ["FostAuth", "HmacHeaderAuth", "HttpSignatureAuth", "JWTAuth"]


def _wire_body(r: _requests.PreparedRequest) -> Optional[bytes]:
    """The body of ``r`` as bytes, with ``r.body`` (and ``Content-Length``) set to exactly those bytes."""
    body = r.body
    if body is None or isinstance(body, (bytes, bytearray, memoryview, str)):
        data = _common.body_bytes(body)
    elif "transfer-encoding" in r.headers:
        raise _common.streaming_body_error(f"{type(body).__name__} sent with Transfer-Encoding: chunked")
    elif hasattr(body, "read"):
        data = _common.body_bytes(body.read())  # known length: requests set Content-Length from it
    else:
        raise _common.streaming_body_error(type(body).__name__)
    if data is not None and data is not body:
        r.body = data
        if "content-length" in r.headers:
            r.headers["Content-Length"] = str(len(data))
    return data


class _RequestsAuth(AuthBase):
    """requests' side of every class below: signs a prepared request with the scheme of the shared class."""

    _scheme: _common.Scheme

    def __call__(self, r: _requests.PreparedRequest) -> _requests.PreparedRequest:
        if r.url is None or r.method is None:
            raise ValueError("the request must be prepared (method and URL set) before it is signed")
        body = _wire_body(r) if self._scheme.reads_body else None
        for name, value in self._scheme.sign(r.method, r.url, r.headers.items(), body):
            r.headers[name] = value
        return r


class FostAuth(_common.FostAuth, _RequestsAuth):
    """:class:`countermark.clients._common.FostAuth` for requests."""


class HmacHeaderAuth(_common.HmacHeaderAuth, _RequestsAuth):
    """:class:`countermark.clients._common.HmacHeaderAuth` for requests."""


class HttpSignatureAuth(_common.HttpSignatureAuth, _RequestsAuth):
    """:class:`countermark.clients._common.HttpSignatureAuth` for requests."""


class JWTAuth(_common.JWTAuth, _RequestsAuth):
    """:class:`countermark.clients._common.JWTAuth` for requests."""
