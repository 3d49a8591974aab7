"""Refused credentials (issue 15, item 5): keys are never locked, failing client addresses are throttled, and
real and unknown key ids answer alike before and after the threshold."""

from __future__ import annotations

import logging
import time
from typing import Any, Optional

import pytest
from django.test import Client, RequestFactory

import countermark
from countermark.django import failures
from countermark.django.models import ApiKey

from conftest import BODY, Signers

pytestmark = pytest.mark.django_db

WHOAMI = "/api/whoami/"
KEY_SCHEMES = ["hmac", "fost", "rfc9421"]
ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"
UNKNOWN_KEY_ID = "0f3e1b7c-0000-4000-8000-000000000000"


@pytest.fixture(autouse=True)
def _threshold(settings: Any) -> None:
    settings.COUNTERMARK = {"FAILED_ATTEMPTS_THRESHOLD": 3, "FAILED_ATTEMPTS_WINDOW": 300}


def post(
    client: Client, signers: Signers, scheme: str, address: str, forwarded: Optional[str] = None, **kw: Any
) -> Any:
    headers = getattr(signers, scheme)("POST", WHOAMI, BODY, "application/json", **kw)
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.generic("POST", WHOAMI, data=BODY, content_type="application/json", headers=headers, **extra)


def wrong_secret(key_id: str) -> Signers:
    return Signers(key_id, countermark.ApiSecret.generate().to_base64(), "alice", None)


def answer(response: Any) -> tuple[int, bytes, dict[str, str]]:
    return response.status_code, response.content, dict(response.headers)


@pytest.mark.parametrize("scheme", KEY_SCHEMES)
def test_owner_keeps_working_while_another_address_sends_bad_signatures(
    client: Client, signers: Signers, scheme: str
) -> None:
    attacker = wrong_secret(signers.key_id)
    for i in range(10):
        got = post(client, attacker, scheme, ATTACKER)
        assert got.status_code == (401 if i < 3 else 429), (i, got.content)
        # Whatever the attacker did, a valid signature from another address passes.
        assert post(client, signers, scheme, OWNER).status_code == 200
    key = ApiKey.objects.get(key_id=signers.key_id)
    assert not key.is_revoked


@pytest.mark.parametrize("scheme", KEY_SCHEMES)
def test_the_failing_address_is_throttled_even_with_a_valid_signature_until_the_window_ends(
    client: Client, signers: Signers, scheme: str, settings: Any
) -> None:
    settings.COUNTERMARK = {"FAILED_ATTEMPTS_THRESHOLD": 3, "FAILED_ATTEMPTS_WINDOW": 2}
    for _ in range(3):
        assert post(client, wrong_secret(signers.key_id), scheme, ATTACKER).status_code == 401
    refused = post(client, signers, scheme, ATTACKER)
    assert refused.status_code == 429
    assert refused.json() == {"detail": refused.json()["detail"], "reason": "throttled"}
    assert refused["Retry-After"] == "2"
    assert post(client, signers, scheme, OWNER).status_code == 200
    time.sleep(2.2)
    assert post(client, signers, scheme, ATTACKER).status_code == 200


def test_unsigned_requests_from_a_throttled_address_stay_anonymous(client: Client, signers: Signers) -> None:
    for _ in range(3):
        post(client, wrong_secret(signers.key_id), "hmac", ATTACKER)
    # No credentials: nothing to throttle (the view's permission decides: 401 not authenticated, not 429).
    response = client.get("/plain/", REMOTE_ADDR=ATTACKER)
    assert response.status_code == 200 and response.json()["user"] is None


@pytest.mark.parametrize("scheme", KEY_SCHEMES)
@pytest.mark.parametrize("mode", ["bad_signature", "expired", "not_yet_valid"])
def test_real_and_unknown_key_ids_answer_identically_before_and_after_the_threshold(
    client: Client, signers: Signers, scheme: str, mode: str
) -> None:
    clock = {
        "bad_signature": None,
        "expired": countermark.Clock.fixed(time.time() - 3600),
        "not_yet_valid": countermark.Clock.fixed(time.time() + 3600),
    }[mode]
    real = wrong_secret(signers.key_id) if mode == "bad_signature" else signers
    unknown = Signers(UNKNOWN_KEY_ID, signers.secret, "alice", None)
    seen = []
    for i in range(6):  # threshold 3: three refusals, then throttled
        a = post(client, real, scheme, "192.0.2.1", clock=clock)
        b = post(client, unknown, scheme, "192.0.2.2", clock=clock)
        assert answer(a) == answer(b), (i, answer(a), answer(b))
        seen.append((a.status_code, a.json()["reason"]))
    assert seen == [(401, mode)] * 3 + [(429, "throttled")] * 3
    # Both key ids were counted for alerting, the same way.
    assert failures.pending_key_failures(signers.key_id) == failures.pending_key_failures(UNKNOWN_KEY_ID) == 3


def test_refusals_are_counted_per_key_for_alerting(
    client: Client, signers: Signers, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="countermark.django"):
        for address in ("192.0.2.10", "192.0.2.11", "192.0.2.12"):
            assert post(client, wrong_secret(signers.key_id), "hmac", address).status_code == 401
    assert any(signers.key_id in r.getMessage() and "3 refused" in r.getMessage() for r in caplog.records)
    key = ApiKey.objects.get(key_id=signers.key_id)
    assert key.failed_attempts == 0 and key.pending_failures() == 3
    # The owner's next request moves the count to the database (it is not reset: it is a count, not a lock).
    assert post(client, signers, "hmac", OWNER).status_code == 200
    key.refresh_from_db()
    assert key.failed_attempts == 3 and key.pending_failures() == 0


def _address(settings: Any, remote: str, forwarded: Optional[str] = None, proxies: Any = ()) -> str:
    settings.COUNTERMARK = {"TRUSTED_PROXIES": list(proxies)}
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return failures.client_address(RequestFactory().get("/", **extra))


def test_forwarded_for_is_honoured_only_behind_trusted_proxies(settings: Any) -> None:
    # Not configured: X-Forwarded-For is whatever the client wrote; REMOTE_ADDR counts.
    assert _address(settings, "10.0.0.5", "198.51.100.7") == "10.0.0.5"
    # From a trusted proxy: the rightmost entry that is not a trusted proxy (the left ones are the client's words).
    chain = "1.2.3.4, 198.51.100.7, 10.0.0.9"
    assert _address(settings, "10.0.0.5", chain, ["10.0.0.0/8"]) == "198.51.100.7"
    # A request that did not come through the proxy: its X-Forwarded-For is ignored.
    assert _address(settings, "203.0.113.9", chain, ["10.0.0.0/8"]) == "203.0.113.9"
    # Every hop trusted: the leftmost.
    assert _address(settings, "10.0.0.5", "10.1.1.1, 10.0.0.9", ["10.0.0.0/8"]) == "10.1.1.1"
    # IPv6 per /64; IPv4-mapped IPv6 as IPv4.
    assert _address(settings, "2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert _address(settings, "::ffff:192.0.2.1") == "192.0.2.1"


def test_a_spoofed_forwarded_for_does_not_escape_the_throttle(client: Client, signers: Signers) -> None:
    # No trusted proxies: each request claims another X-Forwarded-For, all count against REMOTE_ADDR.
    got = [
        post(client, wrong_secret(signers.key_id), "hmac", ATTACKER, forwarded=f"192.0.2.{i}").status_code
        for i in range(5)
    ]
    assert got == [401, 401, 401, 429, 429]


def test_behind_a_trusted_proxy_clients_are_throttled_apart(
    client: Client, signers: Signers, settings: Any
) -> None:
    settings.COUNTERMARK = {"FAILED_ATTEMPTS_THRESHOLD": 3, "TRUSTED_PROXIES": ["10.0.0.0/8"]}
    proxy = "10.0.0.5"
    for _ in range(4):
        post(client, wrong_secret(signers.key_id), "hmac", proxy, forwarded=f"1.1.1.1, {ATTACKER}")
    assert post(client, signers, "hmac", proxy, forwarded=ATTACKER).status_code == 429
    assert post(client, signers, "hmac", proxy, forwarded=f"{ATTACKER}, {OWNER}").status_code == 200


def test_key_lookup_reads_a_stand_in_row_for_unknown_ids_and_returns_none(user: Any, django_user_model: Any) -> None:
    bob = django_user_model.objects.create_user("bob")
    keys = [ApiKey.objects.create_key(owner)[0] for owner in (user, bob, bob)]
    for key in keys:
        found = ApiKey.objects.for_verification(key.key_id)
        assert found is not None and found.pk == key.pk and found.user.pk == key.user_id
    smallest = min(k.key_id for k in keys)
    assert ApiKey.objects.for_verification(UNKNOWN_KEY_ID) is None
    assert ApiKey.objects.for_verification(smallest[:-1]) is None  # a prefix of the stand-in's id
    ApiKey.objects.all().delete()
    assert ApiKey.objects.for_verification(smallest) is None


@pytest.mark.parametrize("alg", ["ed25519", "hmac-sha256"])
def test_rfc9421_algorithm_answers_alike_for_real_and_unknown_key_ids(
    client: Client, signers: Signers, ed25519_pem: str, alg: str
) -> None:
    # An API key verifies hmac-sha256 only: another algorithm named with a real key id must get the answer an
    # unknown key id gets, or the algorithm parameter enumerates key ids.
    if alg == "ed25519":
        kw: dict[str, Any] = {"key": countermark.SigningKey.from_pem(ed25519_pem), "algorithm": alg}
    else:
        kw = {"key": countermark.HmacKey(bytes(countermark.ApiSecret.generate()), "hmac-sha256"), "algorithm": alg}
    real = post(client, signers, "rfc9421", "192.0.2.1", include_alg=True, **kw)
    unknown = post(client, signers, "rfc9421", "192.0.2.2", include_alg=True, key_id=UNKNOWN_KEY_ID, **kw)
    assert real.status_code == 401 and real.json()["reason"] in ("unsupported_algorithm", "bad_signature")
    assert answer(real) == answer(unknown)
