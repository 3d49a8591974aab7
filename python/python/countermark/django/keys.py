"""Key material derived from settings: the secret sealer, the decoys, the nonce stores.

Everything here is built once per process and rebuilt when the settings change (``conf._reset``).
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from django.core.cache import caches

import countermark

from .conf import get_settings

__all__ = ["sealer", "open_api_secret", "decoy_api_secret", "open_decoy_api_secret", "decoy_verifying_key", "nonce_store"]


@functools.lru_cache(maxsize=1)
def sealer() -> countermark.SecretSealer:
    """Seals API-key secrets under ``COUNTERMARK['KEY_ENCRYPTION_KEYS']`` (default: ``SECRET_KEY``, then
    ``SECRET_KEY_FALLBACKS``): the first master seals, all of them open."""
    return countermark.SecretSealer(get_settings().key_encryption_keys)


def open_api_secret(sealed: str, aad: bytes) -> countermark.ApiSecret:
    from base64 import b64encode

    raw = sealer().open(sealed, aad)
    try:
        return countermark.ApiSecret(b64encode(raw))
    finally:
        del raw


@functools.lru_cache(maxsize=1)
def decoy_api_secret() -> countermark.ApiSecret:
    """A random secret that no client holds: unknown key ids are verified against it, so they cost what a
    known key with a bad signature costs and answer the same."""
    return countermark.ApiSecret.generate()


#: Associated data of the decoy's sealed secret (no ApiKey row has this key id: they are at most 64 characters).
_DECOY_AAD = b"countermark.ApiKey:" + b"decoy" * 13


@functools.lru_cache(maxsize=1)
def _decoy_sealed() -> str:
    return sealer().seal(bytes(decoy_api_secret()), _DECOY_AAD)


def open_decoy_api_secret() -> countermark.ApiSecret:
    """The decoy secret, unsealed as a real key's is on every request: an unknown key id costs the same unsealing
    (AES-256-GCM) a known one does."""
    return open_api_secret(_decoy_sealed(), _DECOY_AAD)


@functools.lru_cache(maxsize=1)
def decoy_verifying_key() -> countermark.VerifyingKey:
    """An Ed25519 public key whose private half was thrown away (the core's decoy): unknown JWT users are checked
    against it."""
    return countermark.VerifyingKey.decoy("ed25519")


def reset_caches() -> None:
    for f in (sealer, decoy_api_secret, _decoy_sealed, decoy_verifying_key):
        f.cache_clear()
    from . import failures

    failures._networks.cache_clear()
    failures._direct_address.cache_clear()


def nonce_store(scheme: str, key_id: str, cached: Any = None) -> countermark.NonceStore:
    """A single-use store in Django's ``COUNTERMARK['NONCE_CACHE']``, scoped to one scheme and key: each value is
    written with the cache's atomic ``add`` (Redis ``SET NX``), so of concurrent duplicates exactly one wins.

    The store of a key in the key cache (:mod:`~countermark.django.keycache`) is made once and kept with it; it
    looks the cache up on every ``add`` (Django's cache objects belong to one thread each). ``cached``: the key's
    :class:`~countermark.django.keycache.CachedKey` when the caller already has it."""
    from .keycache import key_cache

    if cached is None and key_id:
        cached = key_cache.get(key_id)
    if cached is not None:
        return cached.derive(f"nonces:{scheme}", lambda _: _nonce_store(scheme, key_id))
    return _nonce_store(scheme, key_id)


def _nonce_store(scheme: str, key_id: str) -> countermark.NonceStore:
    conf = get_settings()
    alias = conf.NONCE_CACHE
    scope = hashlib.sha256(f"{scheme}\0{key_id}".encode()).hexdigest()[:24]

    def add(key: str, ttl: int) -> bool:
        return bool(caches[alias].add(key, b"1", timeout=ttl))

    return countermark.NonceStore.from_callable(add, prefix=f"{conf.NONCE_PREFIX}{scope}:")
