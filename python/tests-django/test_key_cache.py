"""The in-process key cache (countermark.django.keycache): bounded staleness, bounded size, only verified keys in
it, refusals on its fast path doing an uncached request's work, and a revocation in one process honoured by
another within COUNTERMARK['KEY_CACHE_TTL']."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

import countermark
from countermark.django import keycache
from countermark.django.keycache import key_cache
from countermark.django.models import ApiKey

from conftest import BODY, Signers, send

WHOAMI = "/api/whoami/"
KEY_SCHEMES = ["hmac", "fost", "rfc9421"]


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock(monkeypatch: Any) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(keycache, "now", fake)
    return fake


def post(client: Client, signers: Signers, scheme: str) -> Any:
    return send(client, "POST", WHOAMI, getattr(signers, scheme)("POST", WHOAMI, BODY, "application/json"), BODY)


def count_lookups(monkeypatch: Any) -> list[str]:
    """Records every ApiKey row lookup of the verification path."""
    seen: list[str] = []
    real = ApiKey.objects.for_verification

    def spy(key_id: str) -> Any:
        seen.append(key_id)
        return real(key_id)

    monkeypatch.setattr(ApiKey.objects, "for_verification", spy)
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", KEY_SCHEMES)
def test_a_verified_key_is_served_from_the_cache_until_its_ttl_ends(
    client: Client, signers: Signers, scheme: str, clock: FakeClock, monkeypatch: Any, settings: Any
) -> None:
    settings.COUNTERMARK = {**settings.COUNTERMARK, "KEY_CACHE_TTL": 5}
    lookups = count_lookups(monkeypatch)
    assert post(client, signers, scheme).status_code == 200
    assert lookups == [signers.key_id] and signers.key_id in key_cache
    for _ in range(3):
        clock.t += 1
        assert post(client, signers, scheme).status_code == 200
    assert lookups == [signers.key_id]  # no more reads
    clock.t += 2.0  # 5 s after the read: the entry is gone, the next request reads the row again
    assert post(client, signers, scheme).status_code == 200
    assert lookups == [signers.key_id] * 2


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", KEY_SCHEMES)
def test_a_revocation_elsewhere_is_honoured_when_the_ttl_ends(
    client: Client, signers: Signers, scheme: str, clock: FakeClock, settings: Any
) -> None:
    settings.COUNTERMARK = {**settings.COUNTERMARK, "KEY_CACHE_TTL": 3}
    assert post(client, signers, scheme).status_code == 200
    # As another process would: a write that this process's signals never see.
    ApiKey.objects.filter(key_id=signers.key_id).update(revoked_at=countermark_now())
    clock.t += 2.9
    assert post(client, signers, scheme).status_code == 200  # within the bound: the cached row
    clock.t += 0.1
    refused = post(client, signers, scheme)
    assert (refused.status_code, refused.json()["reason"]) == (401, "revoked")


def countermark_now() -> Any:
    from django.utils import timezone

    return timezone.now()


@pytest.mark.django_db
def test_revoke_deletion_and_user_changes_in_this_process_drop_the_entry_at_once(
    client: Client, signers: Signers, clock: FakeClock
) -> None:
    key = ApiKey.objects.get(key_id=signers.key_id)
    assert post(client, signers, "hmac").status_code == 200
    key.revoke()
    assert signers.key_id not in key_cache
    refused = post(client, signers, "hmac")
    assert (refused.status_code, refused.json()["reason"]) == (401, "revoked")

    other, secret = ApiKey.objects.create_key(key.user)
    fresh = Signers(other.key_id, secret, "alice", None)
    assert post(client, fresh, "hmac").status_code == 200
    user = other.user
    user.is_active = False
    user.save()
    assert other.key_id not in key_cache
    assert post(client, fresh, "hmac").json()["reason"] == "inactive_user"
    user.is_active = True
    user.save()
    assert post(client, fresh, "hmac").status_code == 200
    other.delete()
    assert other.key_id not in key_cache
    assert post(client, fresh, "hmac").json()["reason"] == "bad_signature"


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", KEY_SCHEMES)
def test_unknown_key_ids_and_bad_signatures_never_enter_the_cache(
    client: Client, signers: Signers, scheme: str, clock: FakeClock
) -> None:
    wrong = countermark.ApiSecret.generate().to_base64()
    for key_id in ["0f3e1b7c-0000-4000-8000-%012d" % i for i in range(20)]:
        assert post(client, Signers(key_id, wrong, "alice", None), scheme).json()["reason"] == "bad_signature"
    assert post(client, Signers(signers.key_id, wrong, "alice", None), scheme).json()["reason"] == "bad_signature"
    assert len(key_cache) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", KEY_SCHEMES)
def test_a_refusal_on_the_fast_path_does_the_work_of_an_uncached_request(
    client: Client, signers: Signers, scheme: str, clock: FakeClock, monkeypatch: Any
) -> None:
    assert post(client, signers, scheme).status_code == 200
    lookups = count_lookups(monkeypatch)
    unseals: list[str] = []
    real_secret = ApiKey.secret
    monkeypatch.setattr(ApiKey, "secret", lambda self: (unseals.append(self.key_id), real_secret(self))[1])
    # A client without the secret, naming the cached key: refused after a row lookup and an unseal, as for a
    # key that is not cached.
    wrong = Signers(signers.key_id, countermark.ApiSecret.generate().to_base64(), "alice", None)
    refused = post(client, wrong, scheme)
    assert (refused.status_code, refused.json()["reason"]) == (401, "bad_signature")
    assert lookups == [signers.key_id] and unseals == [signers.key_id]
    # Refused before the signature (too old), also on the fast path: the same work.
    old = countermark.Clock.fixed(time.time() - 3600)
    stale = send(client, "POST", WHOAMI, getattr(signers, scheme)("POST", WHOAMI, BODY, "application/json", clock=old), BODY)
    assert stale.status_code == 401 and stale.json()["reason"] in ("expired", "not_yet_valid")
    assert lookups == [signers.key_id] * 2 and unseals == [signers.key_id] * 2
    # The holder's own request is served from the cache: no lookup, no unseal.
    assert post(client, signers, scheme).status_code == 200
    assert lookups == [signers.key_id] * 2 and unseals == [signers.key_id] * 2


@pytest.mark.django_db
def test_the_cache_is_bounded_and_drops_expired_entries(
    client: Client, user: Any, clock: FakeClock, settings: Any
) -> None:
    settings.COUNTERMARK = {**settings.COUNTERMARK, "KEY_CACHE_SIZE": 3, "MAX_KEYS_PER_USER": 10}
    made = [ApiKey.objects.create_key(user) for _ in range(5)]
    for i, (key, secret) in enumerate(made):
        clock.t += 0.1
        assert post(client, Signers(key.key_id, secret, "alice", None), "hmac").status_code == 200
        assert len(key_cache) == min(i + 1, 3)
    assert [k.key_id for k, _ in made if k.key_id in key_cache] == [k.key_id for k, _ in made[2:]]
    clock.t += 10  # past every entry's TTL: the next lookup sweeps them all
    assert key_cache.get("anything") is None
    assert len(key_cache) == 0


@pytest.mark.django_db
def test_ttl_zero_turns_the_cache_off(client: Client, signers: Signers, monkeypatch: Any, settings: Any) -> None:
    settings.COUNTERMARK = {**settings.COUNTERMARK, "KEY_CACHE_TTL": 0}
    lookups = count_lookups(monkeypatch)
    for _ in range(3):
        assert post(client, signers, "hmac").status_code == 200
    assert lookups == [signers.key_id] * 3 and len(key_cache) == 0


def test_a_cached_entry_never_shows_its_secret() -> None:
    secret = countermark.ApiSecret.generate()

    class Row:
        key_id = "k1"
        user_id = 1

    entry = keycache.CachedKey(Row(), secret, 0.0)
    assert secret.to_base64() not in repr(entry) and "k1" in repr(entry)


@pytest.mark.django_db(transaction=True)
def test_a_revocation_in_one_process_is_honoured_by_another_within_the_bound(
    signers: Signers, suite_processes: Any
) -> None:
    bound = 1.0
    (other,) = suite_processes(1, {"KEY_CACHE_TTL": bound, "FAILED_ATTEMPTS_THRESHOLD": 1000})

    def ask() -> tuple[int, Any]:
        return other.request("POST", WHOAMI, signers.hmac("POST", WHOAMI, BODY, "application/json"), BODY)

    assert ask() == (200, None)  # the other process now holds the key in its cache
    ApiKey.objects.get(key_id=signers.key_id).revoke()  # here, in this process
    time.sleep(bound + 0.2)  # the documented bound (and a margin for the child to read the line)
    assert ask() == (401, "revoked")


def test_settings_are_checked(settings: Any) -> None:
    from countermark.django.checks import check_settings

    settings.COUNTERMARK = {"KEY_CACHE_TTL": -1, "KEY_CACHE_SIZE": 1.5}
    ids = sorted(m.id for m in check_settings())
    assert ids == ["countermark.E028", "countermark.E028"]
    settings.COUNTERMARK = {"KEY_CACHE_TTL": 600}
    assert [m.id for m in check_settings()] == ["countermark.W014"]
    settings.COUNTERMARK = {"KEY_CACHE_TTL": 0.5, "KEY_CACHE_SIZE": 0}
    assert check_settings() == []



def test_an_idle_process_drops_expired_entries_by_itself() -> None:
    """No lookup after the entries expire: the cache's timer drops them (and with them the secrets)."""
    cache = keycache.KeyCache()

    class Row:
        user_id = 1

        def __init__(self, key_id: str) -> None:
            self.key_id = key_id

    for i in range(3):
        cache.put(Row(f"k{i}"), countermark.ApiSecret.generate(), keycache.now() - 4.9)  # 0.1 s left of 5 s
    assert len(cache) == 3
    for _ in range(100):  # waits for the timer (at most 5 s), not for a speed
        if len(cache) == 0:
            break
        time.sleep(0.05)
    assert len(cache) == 0 and cache._entries == {}
