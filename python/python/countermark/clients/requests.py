"""``requests`` authentication classes that sign outgoing requests with countermark.

Pass one as ``auth=`` (per request or on a :class:`requests.Session`)::

    import countermark, requests
    from countermark.clients.requests import HttpSignatureAuth

    key = countermark.HmacKey(secret_bytes, kid="client-1")
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

from collections.abc import Sequence
from typing import Optional, Union

try:
    import requests as _requests
    from requests.auth import AuthBase
except ImportError as e:  # pragma: no cover - exercised only without requests
    raise ImportError(
        "countermark.clients.requests needs the requests package: pip install requests"
    ) from e

from countermark import ApiSecret, Clock, HmacKey, SigningKey

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


class _SigningAuth(AuthBase):
    """Base of the classes below: signs a prepared request with a scheme of :mod:`countermark.clients._common`."""

    _scheme: _common.Scheme

    def __call__(self, r: _requests.PreparedRequest) -> _requests.PreparedRequest:
        if r.url is None or r.method is None:
            raise ValueError("the request must be prepared (method and URL set) before it is signed")
        body = _wire_body(r) if self._scheme.reads_body else None
        for name, value in self._scheme.sign(r.method, r.url, r.headers.items(), body):
            r.headers[name] = value
        return r

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._scheme!r})"


class FostAuth(_SigningAuth):
    """FOST (django-fost-authn; HMAC-SHA1, legacy) as key ``key_id``, covering ``headers`` (default ``Host``,
    which is set from the URL when the request has none). ``user`` sets and signs ``X-FOST-User``.

    >>> import countermark
    >>> auth = FostAuth("key-1", countermark.HmacKey(b"secret-value", "hmac-sha1", legacy=True))
    >>> # requests.get("https://api.example/items/", auth=auth)
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
    >>> # requests.post("https://api.example/v1/resource/", json={"a": 1}, auth=auth)
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
    >>> # requests.post("https://api.example/v1/items", json={"a": 1}, auth=auth)
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
    >>> # requests.get("https://api.example/me", auth=JWTAuth(key, "alice"))
    """

    def __init__(self, key: SigningKey, username: str, *, clock: Optional[Clock] = None) -> None:
        self._scheme = _common.JwtScheme(key, username, clock=clock)
