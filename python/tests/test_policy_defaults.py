"""Every default lives in the core: a policy built here with no arguments is the core's default policy.

The core's ``policy_defaults()`` gives the default policy of each request scheme as one ``describe()`` line; a
binding that passed a value of its own (a restated default such as ``max_age=None`` or ``require_keyid=False``,
which once made RFC 9421 accept signatures of any age) describes itself differently and fails here.
"""

from __future__ import annotations

import pytest

import countermark
from countermark import FostPolicy, HmacHeaderPolicy, JwtPolicy, MessagePolicy, NonceStore

DEFAULTS = countermark.policy_defaults()


def test_the_core_describes_one_default_policy_per_scheme() -> None:
    assert [line.split()[0] for line in DEFAULTS] == ["fost", "hmac_header", "rfc9421", "jwt"]


@pytest.mark.parametrize(
    "policy",
    [FostPolicy, HmacHeaderPolicy, MessagePolicy, JwtPolicy],
    ids=["fost", "hmac_header", "rfc9421", "jwt"],
)
def test_a_policy_built_with_no_arguments_is_the_cores_default(policy: type) -> None:
    described = policy().describe()
    assert described in DEFAULTS, f"{policy.__name__}() drifted from the core: {described!r} not in {DEFAULTS!r}"


def test_the_rfc9421_default_bounds_the_age_and_requires_a_key_id() -> None:
    # What the binding once got wrong, spelled out: a maximum age, a key id required, the core's 5 s skew.
    described = MessagePolicy().describe()
    assert "max_age=300s" in described and "require_key_id=on" in described and "clock_skew=5s" in described


def test_an_argument_given_reaches_the_core() -> None:
    # The other direction: what the caller gives is passed on, and only that.
    assert "max_age=none" in MessagePolicy(max_age=None).describe()
    assert "require_key_id=off" in MessagePolicy(require_keyid=False).describe()
    assert FostPolicy(max_skew=60).describe() == "fost clock_skew=60s nonce_store=off"
    assert HmacHeaderPolicy(timeout=30).describe() == "hmac_header max_age=30s nonce_store=off"
    assert JwtPolicy(tolerance=5).describe() == "jwt clock_skew=5s nonce_store=on"


def test_a_memory_nonce_store_has_the_cores_default_capacity() -> None:
    assert NonceStore.memory().capacity == countermark._countermark.MEMORY_NONCE_STORE_DEFAULT_CAPACITY
    assert NonceStore.memory(1600).capacity == 1600


def test_a_signed_url_without_a_lifetime_gets_the_cores_default() -> None:
    # The binding passes no lifetime of its own: the core's default expiry (ska's 600 s) applies.
    signer = countermark.UrlSigner(countermark.HmacKey(b"0123456789abcdef0123456789abcdef"), clock=countermark.Clock.fixed(1_000))
    default = signer.sign_params("alice")
    assert default == signer.sign_params("alice", lifetime=600)
    assert default != signer.sign_params("alice", lifetime=601)
