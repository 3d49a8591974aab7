"""SecretSealer (secrets at rest) and NonceStore.from_callable (a store kept by a cache's atomic add)."""

from __future__ import annotations

import threading

import pytest

from countermark import Clock, HmacHeaderPolicy, NonceStore, SecretSealer
from countermark.exceptions import BadSignature, InvalidKey, Malformed, Replayed, Unavailable, UnknownKey


M = "a master secret of at least 16 bytes"


def test_sealer_needs_a_long_enough_master() -> None:
    with pytest.raises(InvalidKey, match="16"):
        SecretSealer(["short"])


def test_seal_open_round_trip_and_binding_to_aad() -> None:
    sealer = SecretSealer(["master one, sixteen bytes+"])
    sealed = sealer.seal(b"\x00secret\xff", b"api-key:k1")
    assert sealed.startswith("cm1$" + sealer.current_key_id + "$")
    assert sealer.open(sealed, b"api-key:k1") == b"\x00secret\xff"
    with pytest.raises(BadSignature):
        sealer.open(sealed, b"api-key:k2")
    # Two seals of the same plaintext differ (random nonce).
    assert sealer.seal(b"x", b"a") != sealer.seal(b"x", b"a")
    assert "master" not in repr(sealer)


def test_rotation_old_masters_open_new_master_seals() -> None:
    old = SecretSealer(["old master, sixteen bytes+"])
    sealed = old.seal(b"s", b"aad")
    rotated = SecretSealer(["new master, sixteen bytes+", "old master, sixteen bytes+"])
    assert rotated.open(sealed, b"aad") == b"s"
    assert not rotated.is_current(sealed)
    assert rotated.is_current(rotated.seal(b"s", b"aad"))
    with pytest.raises(UnknownKey):
        SecretSealer(["new master, sixteen bytes+"]).open(sealed, b"aad")


@pytest.mark.parametrize("bad", ["", "cm1$", "cm2$0000000000000000$AAAA", "cm1$zz$AAAA", "cm1$0000000000000000$!!"])
def test_malformed_sealed_values(bad: str) -> None:
    with pytest.raises((Malformed, UnknownKey)):
        SecretSealer([M]).open(bad, b"")


def test_tampered_ciphertext_is_rejected() -> None:
    sealer = SecretSealer([M])
    sealed = sealer.seal(b"plaintext", b"")
    body = sealed.rsplit("$", 1)[1]
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(BadSignature):
        sealer.open(sealed.rsplit("$", 1)[0] + "$" + flipped, b"")


def test_sealer_needs_a_master() -> None:
    with pytest.raises(InvalidKey, match="at least one"):
        SecretSealer([])


class DictCache:
    """A cache with an atomic add, as Django's cache.add is."""

    def __init__(self) -> None:
        self.data: dict[str, int] = {}
        self.lock = threading.Lock()

    def add(self, key: str, ttl: int) -> bool:
        with self.lock:
            if key in self.data:
                return False
            self.data[key] = ttl
            return True


def test_callable_store_hashes_values_and_detects_replays() -> None:
    cache = DictCache()
    store = NonceStore.from_callable(cache.add, prefix="t:")
    clock = Clock.fixed(1_000)
    store.check_and_insert(b"nonce-1", 30, clock=clock)
    with pytest.raises(Replayed):
        store.check_and_insert(b"nonce-1", 30, clock=clock)
    store.check_and_insert(b"nonce-2", 30, clock=clock)
    assert len(cache.data) == 2
    for key, ttl in cache.data.items():
        assert key.startswith("t:") and len(key) == 2 + 64
        assert ttl == 30


def test_callable_store_failures_are_unavailable_without_the_exception_text() -> None:
    def broken(key: str, ttl: int) -> bool:
        raise ConnectionError("redis://:hunter2@cache:6379 refused")

    store = NonceStore.from_callable(broken)
    with pytest.raises(Unavailable) as info:
        store.check_and_insert(b"n", 10)
    assert "hunter2" not in str(info.value)
    assert "ConnectionError" in str(info.value)

    not_bool = NonceStore.from_callable(lambda key, ttl: "yes")
    with pytest.raises(Unavailable):
        not_bool.check_and_insert(b"n", 10)


def test_callable_store_behind_a_policy_under_threads() -> None:
    cache = DictCache()
    store = NonceStore.from_callable(cache.add)
    HmacHeaderPolicy(nonce_store=store)  # accepted wherever a NonceStore is
    results: list[str] = []
    barrier = threading.Barrier(16)

    def worker() -> None:
        barrier.wait()
        try:
            store.check_and_insert(b"same", 60)
            results.append("ok")
        except Replayed:
            results.append("replayed")

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok"] + ["replayed"] * 15
