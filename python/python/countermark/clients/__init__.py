"""HTTP client integrations: sign outgoing requests with countermark.

Two adapters share one implementation (:mod:`countermark.clients._common`):

* :mod:`countermark.clients.requests` -- :class:`requests.auth.AuthBase` subclasses;
* :mod:`countermark.clients.httpx` -- :class:`httpx.Auth` subclasses.

Each provides ``FostAuth``, ``HmacHeaderAuth``, ``HttpSignatureAuth`` (RFC 9421) and ``JWTAuth``.
All cryptography happens in the countermark binding; the adapters only turn the outgoing
request into a :class:`countermark.Request` and add the header lines the signer returns.

This package imports neither ``requests`` nor ``httpx``; import the submodule for the
client you use:

>>> import countermark
>>> from countermark.clients.requests import HmacHeaderAuth  # doctest: +SKIP
>>> auth = HmacHeaderAuth("my-key-id", countermark.ApiSecret.generate())  # doctest: +SKIP
>>> requests.post("https://api.example/v1/items", json={"a": 1}, auth=auth)  # doctest: +SKIP
"""

from __future__ import annotations

# Empty: ``from countermark.clients import *`` must not import a client that is not installed.
__all__: list[str] = []


def __getattr__(name: str) -> object:
    # ``countermark.clients.requests`` / ``.httpx`` on first attribute access, so that
    # ``import countermark.clients`` works without either HTTP client installed.
    if name in ("requests", "httpx"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
