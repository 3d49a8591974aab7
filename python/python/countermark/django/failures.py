"""Refused credentials: throttled per client address, counted per key id.

A refusal (any 401 answer to credentials that were presented) adds one to two counters in the
``COUNTERMARK['NONCE_CACHE']`` cache, each with the cache's atomic ``add`` and ``incr``:

* the **client address**'s, in a fixed window of ``FAILED_ATTEMPTS_WINDOW`` seconds: from
  ``FAILED_ATTEMPTS_THRESHOLD`` refusals on, credentials from that address are answered 429 ``throttled``
  (before any key is looked up or any signature verified) until the window ends. Only that address is slowed
  down: a key is never locked, so a client with a valid signature elsewhere is never refused because someone
  else sent bad ones with its key id.
* the **claimed key id**'s (or JWT user's), for alerting: counted for real and unknown key ids alike (the
  counter's name is a hash of the key id, so both do the same work and nothing is looked up), logged as a warning
  every ``FAILED_ATTEMPTS_THRESHOLD`` refusals, and added to ``ApiKey.failed_attempts`` when the key's owner
  next signs a request (at most once a minute, with the ``last_used_at`` stamp).

The client address is ``REMOTE_ADDR``. ``X-Forwarded-For`` is read only when ``REMOTE_ADDR`` is one of
``COUNTERMARK['TRUSTED_PROXIES']``: then the address is its rightmost entry that is not a trusted proxy (entries
to the left of it were written by the client and prove nothing). IPv6 addresses are counted per /64, the block
one subscriber usually holds.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
from typing import Any, Optional, Union

from django.core.cache import caches
from django.http import HttpRequest

from .conf import get_settings

__all__ = ["client_address", "is_throttled", "record_failure", "take_key_failures", "pending_key_failures"]

logger = logging.getLogger("countermark.django")

#: How long a key id's refusal count waits in the cache for its owner's next request.
KEY_COUNT_TTL = 7 * 86400

_PREFIX = "countermark:failures:"

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _parse(value: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(value: str, networks: tuple[Network, ...]) -> bool:
    address = _parse(value)
    return address is not None and any(address in n for n in networks)


def client_address(request: HttpRequest) -> str:
    """The address refusals are counted under (see the module docs): an IPv4 address, an IPv6 /64, or, when the
    address is not an IP address at all, its text."""
    meta = request.META
    remote = str(meta.get("REMOTE_ADDR") or "")[:100]
    proxies = get_settings().TRUSTED_PROXIES
    if not proxies:
        return _direct_address(remote)
    return _client_address(remote, str(meta.get("HTTP_X_FORWARDED_FOR", "")), proxies)


@functools.lru_cache(maxsize=4096)
def _direct_address(remote: str) -> str:
    # Memoised (the peer's address is short and its parse costs a few µs on every request).
    return _client_address(remote, "", ())


def _client_address(remote: str, forwarded: str, proxies: tuple[str, ...]) -> str:
    networks = _networks(proxies)
    address = remote
    if networks and _trusted(remote, networks):
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        for hop in reversed(hops):
            address = hop
            if not _trusted(hop, networks):
                break
    parsed = _parse(address)
    if parsed is None:
        return address[:100]
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed)


def _digest(kind: str, value: str) -> str:
    return f"{_PREFIX}{kind}:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}"


@functools.lru_cache(maxsize=4096)
def _address_digest(address: str) -> str:  # addresses are at most 100 characters (client_address)
    return _digest("addr", address)


def _address_key(request: HttpRequest) -> str:
    key = getattr(request, "_countermark_address_key", None)
    if key is None:
        key = _address_digest(client_address(request))
        request._countermark_address_key = key  # type: ignore[attr-defined]
    return key


def is_throttled(request: HttpRequest) -> bool:
    """True when the request's client address reached ``FAILED_ATTEMPTS_THRESHOLD`` refusals in this window.
    Raises whatever the cache raises when it cannot be reached (the caller answers 503)."""
    conf = get_settings()
    count = caches[conf.NONCE_CACHE].get(_address_key(request))
    return isinstance(count, int) and count >= conf.FAILED_ATTEMPTS_THRESHOLD


def _incr(cache: Any, key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)  # starts the window; a no-op when the counter exists
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: a new window
        if cache.add(key, 1, timeout=timeout):
            return 1
        return int(cache.incr(key))  # another request started it meanwhile


def record_failure(request: HttpRequest, scheme: str, key_id: Optional[str]) -> None:
    """Counts one refusal for the request's client address and for ``key_id`` (the same work whether or not a
    key has that id). A cache that cannot be reached is logged, never raised: the request is refused anyway."""
    conf = get_settings()
    cache = caches[conf.NONCE_CACHE]
    try:
        _incr(cache, _address_key(request), conf.FAILED_ATTEMPTS_WINDOW)
        if key_id:
            n = _incr(cache, _digest("key", key_id), KEY_COUNT_TTL)
            if n % conf.FAILED_ATTEMPTS_THRESHOLD == 0:
                logger.warning("%s: %d refused credentials for key id %r", scheme, n, key_id[:100])
    except Exception:  # noqa: BLE001 - the cache's own errors (Redis down...) differ per backend
        logger.exception("%s: could not count a refusal (cache %r)", scheme, conf.NONCE_CACHE)


def pending_key_failures(key_id: str) -> int:
    """Refusals counted for ``key_id`` in the cache and not yet added to ``ApiKey.failed_attempts``."""
    count = caches[get_settings().NONCE_CACHE].get(_digest("key", key_id))
    return count if isinstance(count, int) else 0


def take_key_failures(key_id: str) -> int:
    """Takes the refusals counted for ``key_id`` out of the cache (to add them to the database); 0 when the
    cache cannot be reached."""
    cache = caches[get_settings().NONCE_CACHE]
    key = _digest("key", key_id)
    try:
        count = cache.get(key)
        if not isinstance(count, int) or count <= 0:
            return 0
        left = int(cache.decr(key, count))  # refusals counted meanwhile stay
        if left < 0:
            # Other requests took some of the same count between the get and the decr: give back this one's
            # share of the shortfall (each of them gives back its own), so no refusal is counted twice and the
            # counter comes back to what is left.
            back = min(count, -left)
            cache.incr(key, back)
            return count - back
        return count
    except Exception:  # noqa: BLE001
        logger.exception("could not read the refusal count of key id %r", key_id[:100])
        return 0


def clear_key_failures(key_id: str) -> None:
    caches[get_settings().NONCE_CACHE].delete(_digest("key", key_id))
