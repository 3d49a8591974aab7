"""What the requests and httpx adapters share: one signing scheme per class, independent of the HTTP client.

Each scheme takes the outgoing request as plain data (method, absolute URL, header lines, body bytes), turns
it into a :class:`countermark.Request`, lets the binding sign it, and returns the header lines the adapter must
set on the outgoing request (replacing any line of the same name). No cryptography happens here.

>>> import countermark
>>> scheme = HmacHeaderScheme("my-api-key", countermark.ApiSecret.generate())
>>> lines = scheme.sign("POST", "https://api.example/v1/items", [("Content-Type", "application/json")], b'{"a": 1}')
>>> [name for name, _ in lines]
['Authorization']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Optional, Union

import countermark
from countermark import (
    ApiSecret,
    Clock,
    FostSigner,
    HmacHeaderSigner,
    HmacKey,
    MessageSigner,
    Request,
    SigningKey,
)

__all__ = [
    "HeaderLines",
    "Scheme",
    "FostScheme",
    "HmacHeaderScheme",
    "HttpSignatureScheme",
    "JwtScheme",
    "DEFAULT_COMPONENTS",
    "streaming_body_error",
    "body_bytes",
    "header_text",
    "split_url",
    "host_header",
    "merged",
    "build_request",
]

HeaderLines = list[tuple[str, str]]

#: The RFC 9421 components ``HttpSignatureAuth`` covers unless told otherwise.
DEFAULT_COMPONENTS: tuple[str, ...] = ("@method", "@authority", "@path", "content-digest")

_DEFAULT_PORTS = {"http": "80", "https": "443"}


def streaming_body_error(kind: str) -> countermark.InvalidValue:
    """The error for a body that cannot be signed because it is not known before it is sent."""
    return countermark.InvalidValue(
        f"cannot sign a streaming request body ({kind}): the signature covers the body as sent, so it must be "
        "known in full before sending; pass bytes, str, json= or form data instead"
    )


def body_bytes(body: Union[bytes, bytearray, memoryview, str, None]) -> Optional[bytes]:
    """The body as the bytes that go on the wire (str is sent UTF-8 encoded), or None for no body."""
    if body is None:
        return None
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise streaming_body_error(type(body).__name__)


def header_text(value: Union[str, bytes]) -> str:
    """A header name or value as text (bytes are read as Latin-1, as HTTP clients send them)."""
    return value.decode("latin-1") if isinstance(value, (bytes, bytearray)) else str(value)


def split_url(url: str) -> tuple[str, str, str]:
    """``(scheme, authority, rest)`` of an absolute URL; the authority without userinfo (never sent in a
    request line or ``Host``), lower-cased, without the scheme's default port."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise countermark.InvalidValue("an absolute URL (scheme://authority/path) is needed")
    cut = len(rest)
    for stop in "/?#":
        i = rest.find(stop)
        if i != -1:
            cut = min(cut, i)
    authority, rest = rest[:cut], rest[cut:].partition("#")[0]  # a fragment is never sent
    authority = authority.rpartition("@")[2].lower()
    scheme = scheme.lower()
    host, colon, port = authority.rpartition(":")
    if colon and "]" not in port and port in ("", _DEFAULT_PORTS.get(scheme)):
        authority = host
    return scheme, authority, rest


def host_header(url: str) -> str:
    """The ``Host`` value an HTTP client sends for ``url``."""
    return split_url(url)[1]


def merged(headers: Iterable[tuple[str, str]], new: Iterable[tuple[str, str]]) -> HeaderLines:
    """``headers`` with every line named in ``new`` replaced by the lines of ``new`` (appended)."""
    new = list(new)
    names = {n.lower() for n, _ in new}
    return [(n, v) for n, v in headers if n.lower() not in names] + new


def build_request(method: str, url: str, headers: Iterable[tuple[str, str]], body: Optional[bytes]) -> Request:
    """The :class:`countermark.Request` for an outgoing request."""
    scheme, authority, rest = split_url(url)
    return Request.from_url(
        method.upper(), f"{scheme}://{authority}{rest}", headers=list(headers), body=body or None
    )


class Scheme:
    """A request-signing scheme: :meth:`sign` returns the header lines to set on the outgoing request."""

    #: Whether the signature covers the body (adapters then need it in full before sending).
    reads_body: bool = True

    def prepare(self, url: str, headers: HeaderLines, body: Optional[bytes]) -> HeaderLines:
        """Header lines to set before signing (they are signed and sent). None by default."""
        return []

    def sign_request(self, request: Request) -> HeaderLines:
        raise NotImplementedError

    def sign(self, method: str, url: str, headers: Iterable[tuple[str, str]], body: Optional[bytes]) -> HeaderLines:
        """Signs the request ``method url`` with ``headers`` and ``body`` exactly as they will be sent; returns
        every header line to set on it (each replacing the lines of the same name), in order."""
        headers = [(header_text(n), header_text(v)) for n, v in headers]
        before = self.prepare(url, headers, body)
        request = build_request(method, url, merged(headers, before), body)
        return merged(before, self.sign_request(request))


class FostScheme(Scheme):
    """FOST (HMAC-SHA1) over the named headers; ``Host`` is added from the URL when covered and missing."""

    def __init__(
        self,
        key_id: str,
        key: HmacKey,
        headers: Sequence[str] = ("Host",),
        *,
        user: Optional[str] = None,
        clock: Optional[Clock] = None,
    ) -> None:
        if isinstance(headers, str):
            raise TypeError("headers must be a sequence of header names, not one string")
        names = list(headers)
        if user is not None and not any(n.lower() == "x-fost-user" for n in names):
            names.append("X-FOST-User")
        self._signer = FostSigner(key_id, key, clock=clock)
        self._headers = names
        self._user = user
        self.key_id = key_id

    def prepare(self, url: str, headers: HeaderLines, body: Optional[bytes]) -> HeaderLines:
        present = {n.lower() for n, _ in headers}
        before: HeaderLines = []
        if any(n.lower() == "host" for n in self._headers) and "host" not in present:
            before.append(("Host", host_header(url)))
        if self._user is not None:
            before.append(("X-FOST-User", self._user))
        return before

    def sign_request(self, request: Request) -> HeaderLines:
        return list(self._signer.sign(request, headers=self._headers).headers)

    def __repr__(self) -> str:
        return f"FostScheme(key_id={self.key_id!r}, headers={self._headers!r})"


class HmacHeaderScheme(Scheme):
    """The ``Authorization: HMAC-SHA256 api_key;signature;utc`` header (JSON and form bodies only)."""

    def __init__(
        self, api_key: str, secret: ApiSecret, algorithm: str = "hmac-sha256", *, clock: Optional[Clock] = None
    ) -> None:
        self._signer = HmacHeaderSigner(api_key, secret, algorithm, clock=clock)
        self.api_key = api_key

    def sign_request(self, request: Request) -> HeaderLines:
        return list(self._signer.sign(request).headers)

    def __repr__(self) -> str:
        return f"HmacHeaderScheme(api_key={self.api_key!r})"


def _component_name(component: str) -> str:
    """``content-digest`` of ``content-digest``, ``"content-digest"`` or ``content-digest;sf``."""
    return component.split(";", 1)[0].strip().strip('"').lower()


class HttpSignatureScheme(Scheme):
    """RFC 9421 HTTP Message Signatures, with an RFC 9530 ``Content-Digest`` of the body."""

    def __init__(
        self,
        key: Union[HmacKey, SigningKey],
        *,
        algorithm: Optional[str] = None,
        components: Sequence[str] = DEFAULT_COMPONENTS,
        keyid: Optional[str] = None,
        label: Optional[str] = None,
        random_nonces: bool = True,
        expires_in: Optional[int] = None,
        tag: Optional[str] = None,
        include_alg: bool = False,
        digest_algorithms: Sequence[str] = ("sha-256",),
        clock: Optional[Clock] = None,
    ) -> None:
        if isinstance(components, str):
            raise TypeError("components must be a sequence of component names, not one string")
        self._components = list(components)
        self._covers_digest = any(_component_name(c) == "content-digest" for c in self._components)
        self._digest_algorithms = list(digest_algorithms)
        self._signer = MessageSigner(
            key,
            algorithm=algorithm,
            label=label,
            components=self._components,
            keyid=keyid,
            random_nonces=random_nonces,
            expires_in=expires_in,
            tag=tag,
            include_alg=include_alg,
            clock=clock,
        )
        self.keyid = keyid

    def prepare(self, url: str, headers: HeaderLines, body: Optional[bytes]) -> HeaderLines:
        if body or self._covers_digest:
            return [("Content-Digest", countermark.content_digest(body or b"", self._digest_algorithms))]
        return []

    def sign_request(self, request: Request) -> HeaderLines:
        return list(self._signer.sign(request).headers)

    def __repr__(self) -> str:
        return f"HttpSignatureScheme(keyid={self.keyid!r}, components={self._components!r})"


class JwtScheme(Scheme):
    """``Authorization: JWT <token>`` (asymmetric-jwt-auth), a fresh token (time, nonce) per request."""

    def __init__(self, key: SigningKey, username: str, *, clock: Optional[Clock] = None) -> None:
        if not isinstance(key, SigningKey):
            raise TypeError("key must be a countermark.SigningKey")
        self._key = key
        self._clock = clock
        self.username = username

    reads_body = False

    def sign(self, method: str, url: str, headers: Iterable[tuple[str, str]], body: Optional[bytes]) -> HeaderLines:
        # The token covers neither the method, the URL nor the body: nothing of the request is read.
        return [("Authorization", "JWT " + countermark.sign_jwt(self._key, self.username, clock=self._clock))]

    def __repr__(self) -> str:
        return f"JwtScheme(username={self.username!r}, kid={self._key.kid!r})"
