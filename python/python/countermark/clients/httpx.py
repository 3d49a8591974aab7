"""``httpx`` authentication classes that sign outgoing requests with countermark.

Pass one as ``auth=`` (per request or on an :class:`httpx.Client` / :class:`httpx.AsyncClient`)::

    import countermark, httpx
    from countermark.clients.httpx import HttpSignatureAuth

    key = countermark.HmacKey(secret_bytes, kid="client-1")
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

from collections.abc import AsyncGenerator, Generator, Sequence
from typing import Optional, Union

try:
    import httpx as _httpx
except ImportError as e:  # pragma: no cover - exercised only without httpx
    raise ImportError("countermark.clients.httpx needs the httpx package: pip install httpx") from e

from countermark import ApiSecret, Clock, HmacKey, SigningKey

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


class _SigningAuth(_httpx.Auth):
    """Base of the classes below: signs a request with a scheme of :mod:`countermark.clients._common`."""

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

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._scheme!r})"


class FostAuth(_SigningAuth):
    """FOST (django-fost-authn; HMAC-SHA1, legacy) as key ``key_id``, covering ``headers`` (default ``Host``,
    which httpx always sends). ``user`` sets and signs ``X-FOST-User``.

    >>> import countermark
    >>> auth = FostAuth("key-1", countermark.HmacKey(b"secret-value", "hmac-sha1", legacy=True))
    >>> # httpx.get("https://api.example/items/", auth=auth)
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
        self._scheme = _common.FostScheme(key_id, key, headers, user=user, clock=clock)


class HmacHeaderAuth(_SigningAuth):
    """The ``Authorization: HMAC-SHA256 api_key;signature;utc`` header of django-hmac-authentication
    (``algorithm``: ``sha256``, ``sha384`` or ``sha512``). It signs JSON and form bodies only.

    >>> import countermark
    >>> auth = HmacHeaderAuth("my-api-key", countermark.ApiSecret.generate())
    >>> # httpx.post("https://api.example/v1/resource/", json={"a": 1}, auth=auth)
    """

    def __init__(
        self, api_key: str, secret: ApiSecret, algorithm: str = "hmac-sha256", *, clock: Optional[Clock] = None
    ) -> None:
        self._scheme = _common.HmacHeaderScheme(api_key, secret, algorithm, clock=clock)


class HttpSignatureAuth(_SigningAuth):
    """RFC 9421 HTTP Message Signatures (``Signature-Input``/``Signature``) over ``components``, with an
    RFC 9530 ``Content-Digest`` added first when the body is non-empty or ``content-digest`` is covered.

    ``key``: an :class:`~countermark.HmacKey` (hmac-sha256) or a :class:`~countermark.SigningKey` with
    ``algorithm`` (``ed25519``, ``rsa-pss-sha512``, ``rsa-v1_5-sha256``, ``ecdsa-p256-sha256``). ``keyid``
    defaults to the key's kid; every signature carries a fresh random nonce unless ``random_nonces=False``.
    The other options are :class:`countermark.MessageSigner`'s.

    >>> import countermark
    >>> auth = HttpSignatureAuth(countermark.HmacKey(b"0" * 32), keyid="client-1")
    >>> # httpx.post("https://api.example/v1/items", json={"a": 1}, auth=auth)
    """

    def __init__(
        self,
        key: Union[HmacKey, SigningKey],
        *,
        algorithm: Optional[str] = None,
        components: Sequence[str] = _common.DEFAULT_COMPONENTS,
        keyid: Optional[str] = None,
        label: Optional[str] = None,
        random_nonces: bool = True,
        expires_in: Optional[int] = None,
        tag: Optional[str] = None,
        include_alg: bool = False,
        digest_algorithms: Sequence[str] = ("sha-256",),
        clock: Optional[Clock] = None,
    ) -> None:
        self._scheme = _common.HttpSignatureScheme(
            key,
            algorithm=algorithm,
            components=components,
            keyid=keyid,
            label=label,
            random_nonces=random_nonces,
            expires_in=expires_in,
            tag=tag,
            include_alg=include_alg,
            digest_algorithms=digest_algorithms,
            clock=clock,
        )


class JWTAuth(_SigningAuth):
    """``Authorization: JWT <token>`` (asymmetric-jwt-auth) for ``username``, signed by ``key`` (EdDSA for
    Ed25519, RS512 for RSA); a fresh token, with its own time and nonce, for every request.

    >>> import countermark
    >>> # key = countermark.SigningKey.from_pem(open("client.pem").read())
    >>> # httpx.get("https://api.example/me", auth=JWTAuth(key, "alice"))
    """

    def __init__(self, key: SigningKey, username: str, *, clock: Optional[Clock] = None) -> None:
        self._scheme = _common.JwtScheme(key, username, clock=clock)
