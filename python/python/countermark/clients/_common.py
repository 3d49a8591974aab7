"""What the requests and httpx adapters share: the four auth classes and one signing scheme per class,
independent of the HTTP client.

Each scheme takes the outgoing request as plain data (method, absolute URL, header lines, body bytes), turns
it into a :class:`countermark.Request`, lets the binding sign it, and returns the header lines the adapter must
set on the outgoing request (replacing any line of the same name). No cryptography happens here.

The auth classes (:class:`FostAuth`, :class:`HmacHeaderAuth`, :class:`HttpSignatureAuth`, :class:`JWTAuth`)
hold their arguments, documentation and scheme here, once; :mod:`countermark.clients.requests` and
:mod:`countermark.clients.httpx` combine each with the client's own auth protocol and nothing else.

>>> import countermark
>>> scheme = HmacHeaderScheme("my-key-id", countermark.ApiSecret.generate())
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
    "SigningAuth",
    "FostAuth",
    "HmacHeaderAuth",
    "HttpSignatureAuth",
    "JWTAuth",
    "HeaderLines",
    "Scheme",
    "FostScheme",
    "HmacHeaderScheme",
    "HttpSignatureScheme",
    "JwtScheme",
    "streaming_body_error",
    "body_bytes",
    "header_text",
    "host_header",
    "merged",
    "build_request",
]

HeaderLines = list[tuple[str, str]]


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


def host_header(url: str) -> str:
    """The ``Host`` value an HTTP client sends for ``url`` (the core's normalised authority:
    :func:`countermark.split_url` with ``normalized=True``)."""
    return countermark.split_url(url, normalized=True)[1]


def merged(headers: Iterable[tuple[str, str]], new: Iterable[tuple[str, str]]) -> HeaderLines:
    """``headers`` with every line named in ``new`` replaced by the lines of ``new`` (appended)."""
    new = list(new)
    names = {n.lower() for n, _ in new}
    return [(n, v) for n, v in headers if n.lower() not in names] + new


def build_request(method: str, url: str, headers: Iterable[tuple[str, str]], body: Optional[bytes]) -> Request:
    """The :class:`countermark.Request` for an outgoing request."""
    scheme, authority, rest = countermark.split_url(url, normalized=True)
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
    """The ``Authorization: HMAC-SHA256 key_id;signature;utc`` header (JSON and form bodies only)."""

    def __init__(
        self, key_id: str, secret: ApiSecret, algorithm: str = "hmac-sha256", *, clock: Optional[Clock] = None
    ) -> None:
        self._signer = HmacHeaderSigner(key_id, secret, algorithm, clock=clock)
        self.key_id = key_id

    def sign_request(self, request: Request) -> HeaderLines:
        return list(self._signer.sign(request).headers)

    def __repr__(self) -> str:
        return f"HmacHeaderScheme(key_id={self.key_id!r})"


class HttpSignatureScheme(Scheme):
    """RFC 9421 HTTP Message Signatures, with an RFC 9530 ``Content-Digest`` of the body.

    Without ``components`` the core decides what is covered (:func:`countermark.default_coverage`, as the CLI and
    the C and Go signers do): ``@method @authority @path``, ``@query`` when the URL has one, and ``content-digest``
    for a non-empty body. With ``components``, exactly those are covered. Either way the core sets the
    ``Content-Digest`` (sha-256 by default; ``digest_algorithms`` with ``components``) computed from the body it
    signs when the body is non-empty or ``content-digest`` is covered, replacing any the request carries
    (:meth:`countermark.MessageSigner.sign_with_content_digest`)."""

    def __init__(
        self,
        key: Union[HmacKey, SigningKey],
        *,
        algorithm: Optional[str] = None,
        components: Optional[Sequence[str]] = None,
        key_id: Optional[str] = None,
        label: Optional[str] = None,
        random_nonces: bool = True,
        expires_in: Optional[float] = None,
        tag: Optional[str] = None,
        include_alg: bool = False,
        digest_algorithms: Sequence[str] = ("sha-256",),
        clock: Optional[Clock] = None,
    ) -> None:
        if isinstance(components, str):
            raise TypeError("components must be a sequence of component names, not one string")
        self._components = None if components is None else list(components)
        self._digest_algorithms = list(digest_algorithms)
        self._signer = MessageSigner(
            key,
            algorithm=algorithm,
            label=label,
            components=self._components or [],
            key_id=key_id,
            random_nonces=random_nonces,
            expires_in=expires_in,
            tag=tag,
            include_alg=include_alg,
            clock=clock,
        )
        self.key_id = key_id

    def sign_request(self, request: Request) -> HeaderLines:
        # The core computes the Content-Digest it signs and returns it first (replacing the caller's).
        if self._components is None:
            return list(self._signer.sign_with_default_coverage(request).headers)
        return list(self._signer.sign_with_content_digest(request, self._digest_algorithms).headers)

    def __repr__(self) -> str:
        covered = "default" if self._components is None else self._components
        return f"HttpSignatureScheme(key_id={self.key_id!r}, components={covered!r})"


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
        return f"JwtScheme(username={self.username!r}, key_id={self._key.key_id!r})"


# ----------------------------------------------------------------------------------------- the auth classes
# Each adapter module defines ``class FostAuth(_common.FostAuth, <its client protocol>)`` and so on: arguments,
# documentation and the scheme live here only.


class SigningAuth:
    """Base of the auth classes: holds the :class:`Scheme` that signs; the adapter sends what it returns."""

    _scheme: Scheme

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._scheme!r})"


class FostAuth(SigningAuth):
    """FOST (django-fost-authn; HMAC-SHA1, legacy) as key ``key_id``, covering ``headers`` (default ``Host``,
    set from the URL when the request has none). ``user`` sets and signs ``X-FOST-User``.

    >>> import countermark
    >>> auth = FostAuth("key-1", countermark.HmacKey(b"secret-value", "hmac-sha1", legacy=True))
    >>> # client.get("https://api.example/items/", auth=auth)
    """

    def __init__(
        self,
        key_id: str,
        key: HmacKey,
        headers: Sequence[str] = ("Host",),
        *,
        user: Optional[str] = None,
        clock: Optional[Clock] = None,
    ) -> None:
        self._scheme = FostScheme(key_id, key, headers, user=user, clock=clock)


class HmacHeaderAuth(SigningAuth):
    """The ``Authorization: HMAC-SHA256 key_id;signature;utc`` header of django-hmac-authentication
    (``algorithm``: ``hmac-sha256``, ``hmac-sha384`` or ``hmac-sha512``). It signs JSON and form bodies only.

    >>> import countermark
    >>> auth = HmacHeaderAuth("my-key-id", countermark.ApiSecret.generate())
    >>> # client.post("https://api.example/v1/resource/", json={"a": 1}, auth=auth)
    """

    def __init__(
        self, key_id: str, secret: ApiSecret, algorithm: str = "hmac-sha256", *, clock: Optional[Clock] = None
    ) -> None:
        self._scheme = HmacHeaderScheme(key_id, secret, algorithm, clock=clock)


class HttpSignatureAuth(SigningAuth):
    """RFC 9421 HTTP Message Signatures (``Signature-Input``/``Signature``). Without ``components``, over the
    core's default coverage (:func:`countermark.default_coverage`: ``@method @authority @path``, ``@query`` when
    the URL has one, ``content-digest`` with an RFC 9530 ``Content-Digest`` for a non-empty body), as every
    countermark signer; with ``components``, over exactly those, with a ``Content-Digest`` (``digest_algorithms``)
    added first when the body is non-empty or ``content-digest`` is covered.

    ``key``: an :class:`~countermark.HmacKey` (hmac-sha256) or a :class:`~countermark.SigningKey` with
    ``algorithm`` (``ed25519``, ``rsa-pss-sha512``, ``rsa-v1_5-sha256``, ``ecdsa-p256-sha256``). ``key_id``
    defaults to the key's ``key_id``; every signature carries a fresh random nonce unless ``random_nonces=False``.
    ``expires_in`` is in seconds. The other options are :class:`countermark.MessageSigner`'s.

    >>> import countermark
    >>> auth = HttpSignatureAuth(countermark.HmacKey(b"0" * 32), key_id="client-1")
    >>> # client.post("https://api.example/v1/items", json={"a": 1}, auth=auth)
    """

    def __init__(
        self,
        key: Union[HmacKey, SigningKey],
        *,
        algorithm: Optional[str] = None,
        components: Optional[Sequence[str]] = None,
        key_id: Optional[str] = None,
        label: Optional[str] = None,
        random_nonces: bool = True,
        expires_in: Optional[float] = None,
        tag: Optional[str] = None,
        include_alg: bool = False,
        digest_algorithms: Sequence[str] = ("sha-256",),
        clock: Optional[Clock] = None,
    ) -> None:
        self._scheme = HttpSignatureScheme(
            key,
            algorithm=algorithm,
            components=components,
            key_id=key_id,
            label=label,
            random_nonces=random_nonces,
            expires_in=expires_in,
            tag=tag,
            include_alg=include_alg,
            digest_algorithms=digest_algorithms,
            clock=clock,
        )


class JWTAuth(SigningAuth):
    """``Authorization: JWT <token>`` (asymmetric-jwt-auth) for ``username``, signed by ``key`` (EdDSA for
    Ed25519, RS512 for RSA); a fresh token, with its own time and nonce, for every request.

    >>> import countermark
    >>> # key = countermark.SigningKey.from_pem(open("client.pem").read())
    >>> # client.get("https://api.example/me", auth=JWTAuth(key, "alice"))
    """

    def __init__(self, key: SigningKey, username: str, *, clock: Optional[Clock] = None) -> None:
        self._scheme = JwtScheme(key, username, clock=clock)
