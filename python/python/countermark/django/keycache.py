"""The in-process cache of unsealed API keys: the database row and the opened secret of keys that signed a
request recently, by key id, so that a busy key is not looked up and unsealed on every request.

Bounded staleness. An entry lives ``COUNTERMARK['KEY_CACHE_TTL']`` seconds (default 5) from the moment its row
was read, then it is dropped and the next request reads the row again. So a revocation, a deletion, a change
of expiry or a deactivated user is honoured by every process within ``KEY_CACHE_TTL`` seconds, and at once by the
process that made the change through the ORM (``ApiKey.revoke``, ``save``, ``delete`` and saving the user drop
the entry here). ``KEY_CACHE_TTL = 0`` turns the cache off: every request reads the row, as before.

No secret is held longer than needed. An entry holds the core's ``ApiSecret``, which zeroizes its bytes (and its
keyed HMAC states) when it is dropped; entries are dropped when they expire (swept on every lookup, oldest
first, and by a timer when the process is idle), when ``KEY_CACHE_SIZE`` (default 1000) is reached (the oldest
goes), when the key or its user changes here, and when the settings change. Only keys whose signature verified
are added: an unknown key id, or a known one sent with a bad signature, never enters the cache, so neither can
fill it or push real keys out.

No existence oracle. A request whose key is cached and whose credentials are refused before the signature is
accepted (bad signature, expired, malformed...) does the work of an uncached one before it is refused: the row
lookup and an unseal (:meth:`countermark.django.schemes.Scheme._uncached_work`). So a client without the secret
sees the same work for a known key (cached or not) and an unknown one (verified against the decoy); only the
key's holder, whose signature verifies, gets the fast path.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Optional

import countermark

from .conf import get_settings

__all__ = ["CachedKey", "KeyCache", "key_cache", "now"]

#: The clock of the cache (monotonic seconds); tests replace it.
now: Callable[[], float] = time.monotonic


class CachedKey:
    """One key: its row (with the user), its opened secret, and when it expires (``now()`` seconds)."""

    __slots__ = ("api_key", "secret", "expires", "derived")

    def __init__(self, api_key: Any, secret: countermark.ApiSecret, expires: float) -> None:
        self.api_key = api_key
        self.secret = secret
        self.expires = expires
        #: Objects made from the secret (the FOST key, the RFC 9421 key), made once and dropped with the entry.
        self.derived: dict[str, Any] = {}

    def derive(self, name: str, make: Callable[[countermark.ApiSecret], Any]) -> Any:
        value = self.derived.get(name)
        if value is None:
            value = self.derived[name] = make(self.secret)
        return value

    def __repr__(self) -> str:  # never the secret
        return f"<CachedKey {self.api_key.key_id}>"


class KeyCache:
    """A bounded map key id -> :class:`CachedKey`, in insertion order (which, with one lifetime for all, is
    expiry order). Thread-safe."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, CachedKey] = OrderedDict()
        self._lock = threading.Lock()
        self._timer: Optional[threading.Timer] = None

    def _schedule(self) -> None:
        """(With the lock held.) A timer that sweeps the entries when the oldest expires, so that an idle process
        does not keep secrets until its next request; one at a time, re-armed while entries remain."""
        if self._timer is not None or not self._entries:
            return
        delay = min(e.expires for e in self._entries.values()) - now()
        timer = threading.Timer(max(delay, 0.0) + 0.05, self._on_timer)
        timer.daemon = True
        self._timer = timer
        timer.start()

    def _on_timer(self) -> None:
        with self._lock:
            self._timer = None
            self._sweep(now())
            self._schedule()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._entries

    def _sweep(self, t: float) -> None:
        entries = self._entries
        while entries:
            oldest = next(iter(entries.values()))
            if oldest.expires > t:
                break
            entries.popitem(last=False)

    def get(self, key_id: str) -> Optional[CachedKey]:
        """The live entry of ``key_id``, or None (never cached, expired, or dropped)."""
        t = now()
        entries = self._entries
        if not entries:
            return None
        with self._lock:
            self._sweep(t)
            entry = entries.get(key_id)
            if entry is not None and entry.expires <= t:  # read before an entry added earlier
                del entries[key_id]
                return None
            return entry

    def put(self, api_key: Any, secret: countermark.ApiSecret, read_at: float) -> None:
        """Adds ``api_key`` (whose signature just verified with ``secret``), read from the database at
        ``read_at`` (a ``now()`` taken before the read): it expires ``KEY_CACHE_TTL`` seconds after that."""
        conf = get_settings()
        if conf.KEY_CACHE_TTL <= 0 or conf.KEY_CACHE_SIZE <= 0:
            return
        expires = read_at + conf.KEY_CACHE_TTL
        with self._lock:
            t = now()
            self._sweep(t)
            if expires <= t:
                return
            self._entries.pop(api_key.key_id, None)
            while len(self._entries) >= conf.KEY_CACHE_SIZE:
                self._entries.popitem(last=False)
            self._entries[api_key.key_id] = CachedKey(api_key, secret, expires)
            self._schedule()

    def discard(self, key_id: str) -> None:
        with self._lock:
            self._entries.pop(key_id, None)

    def discard_user(self, user_pk: Any) -> None:
        with self._lock:
            for key_id in [k for k, e in self._entries.items() if e.api_key.user_id == user_pk]:
                del self._entries[key_id]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


#: The process's cache.
key_cache = KeyCache()
