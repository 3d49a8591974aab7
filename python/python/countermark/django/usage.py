"""Usage per key and scheme, for ``manage.py countermark_report``: which keys still sign with a legacy scheme.

Recording is cheap and never fails a request. Each process counts verified requests in memory, per key id and
scheme (a lock and a dict update: no cache or database round trip), and writes its count to
:class:`~countermark.django.models.KeyUsage` at the first request of a key and scheme in that process, then at
most once a minute per key and scheme (:data:`FLUSH_INTERVAL`), and when the process exits. So the report's
"last use" is at most a minute late, and its counts are at most a minute's requests behind per process (a
process killed without running its exit handlers loses that minute's count). A failed write is logged (the
``countermark.django`` logger) and dropped; it runs in its own savepoint, so a request's transaction
(``ATOMIC_REQUESTS``) goes on.

An API key's first RFC 9421 request also stamps ``ApiKey.rfc9421_since`` (once per key: one write), which
``COUNTERMARK["RETIRE_LEGACY_AFTER_RFC9421"]`` reads with the key's row to refuse that key's legacy schemes.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from datetime import datetime, timezone
from typing import Any, Optional

from django.db import IntegrityError, router, transaction
from django.db.models import F
from django.db.models.functions import Greatest

__all__ = ["FLUSH_INTERVAL", "LEGACY_SCHEMES", "record_use", "mark_rfc9421", "flush"]

logger = logging.getLogger("countermark.django")

#: Seconds between two writes of one key and scheme's count by one process.
FLUSH_INTERVAL = 60.0

#: The request schemes RFC 9421 replaces (``COUNTERMARK["RETIRE_LEGACY_AFTER_RFC9421"]`` refuses them).
LEGACY_SCHEMES = ("hmac", "fost")

_lock = threading.Lock()
# (key_id, scheme) -> [requests not yet written, time of the last one, monotonic time of the last write or None]
_pending: dict[tuple[str, str], list[Any]] = {}


def record_use(scheme: str, key_id: Optional[str]) -> None:
    """Counts one verified request of ``scheme`` signed by ``key_id`` (None: the app's own secret, for tokens and
    signed URLs); writes the count when it is due. Never raises."""
    entry_key = (key_id or "", scheme)
    now = time.time()
    mono = time.monotonic()
    with _lock:
        entry = _pending.get(entry_key)
        if entry is None:
            entry = _pending[entry_key] = [0, now, None]
        entry[0] += 1
        entry[1] = now
        due = entry[2] is None or mono - entry[2] >= FLUSH_INTERVAL
        if not due:
            return
        count, last = entry[0], entry[1]
        entry[0] = 0
        entry[2] = mono
    _write(entry_key, count, last)


def flush(*, at_exit: bool = False) -> None:
    """Writes every count not yet written (at exit; ``countermark_report`` and tests call it)."""
    with _lock:
        due = [(k, e[0], e[1]) for k, e in _pending.items() if e[0]]
        for k, _count, _last in due:
            _pending[k][0] = 0
    for entry_key, count, last in due:
        _write(entry_key, count, last, quiet=at_exit)


def _reset() -> None:
    """Forgets the counts not yet written (tests)."""
    with _lock:
        _pending.clear()


def _write(entry_key: tuple[str, str], count: int, last: float, *, quiet: bool = False) -> None:
    from .models import KeyUsage

    key_id, scheme = entry_key
    at = datetime.fromtimestamp(last, tz=timezone.utc)
    try:
        with transaction.atomic(using=router.db_for_write(KeyUsage)):
            rows = KeyUsage.objects.filter(key_id=key_id, scheme=scheme)
            if not rows.update(count=F("count") + count, last_used_at=Greatest(F("last_used_at"), at)):
                try:
                    with transaction.atomic(using=router.db_for_write(KeyUsage)):
                        KeyUsage.objects.create(
                            key_id=key_id, scheme=scheme, count=count, first_used_at=at, last_used_at=at
                        )
                except IntegrityError:  # another process created the row meanwhile
                    rows.update(count=F("count") + count, last_used_at=Greatest(F("last_used_at"), at))
    except Exception as e:  # noqa: BLE001 - usage is for the report: it never fails the request
        if quiet:  # at exit the database may be gone already: one line, no traceback
            logger.warning("usage of key %r in %s not recorded at exit: %s", key_id, scheme, e)
        else:
            logger.exception("usage of key %r in %s not recorded", key_id, scheme)


def mark_rfc9421(api_key: Any) -> None:
    """Stamps ``api_key.rfc9421_since`` at its first RFC 9421 request (once: later calls do nothing). Never raises."""
    if api_key.rfc9421_since is not None:
        return
    from .models import ApiKey

    now = datetime.now(timezone.utc)
    try:
        with transaction.atomic(using=router.db_for_write(ApiKey)):
            ApiKey.objects.filter(pk=api_key.pk, rfc9421_since__isnull=True).update(rfc9421_since=now)
        api_key.rfc9421_since = now
    except Exception:  # noqa: BLE001
        logger.exception("the first RFC 9421 use of key %s not recorded", api_key.key_id)


atexit.register(flush, at_exit=True)
