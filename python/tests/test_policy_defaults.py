"""Every default lives in the core: a policy built here with no arguments is the core's default policy.

The core's ``policy_defaults()`` gives the default policy of each request scheme as one ``describe()`` line; a
binding that passed a value of its own (a restated default such as ``max_age=None`` or ``require_key_id=False``,
which once made RFC 9421 accept signatures of any age) describes itself differently and fails here.
"""

from __future__ import annotations

import pytest

import countermark
from countermark import FostPolicy, HmacHeaderPolicy, JwtPolicy, MessagePolicy, NonceStore

DEFAULTS = countermark.policy_defaults()


def knob(described: str, *names: str) -> str:
    """The value of the first of ``names`` in a ``describe()`` line (``name=value`` words). The core's 0.2 knob
    names come first, its 0.1 names after them: the core renames its ``describe()`` words in the same release."""
    words = dict(w.split("=", 1) for w in described.split()[1:] if "=" in w)
    for name in names:
        if name in words:
            return words[name]
    raise AssertionError(f"none of {names} in {described!r}")


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
    assert knob(described, "max_age") == "300s"
    assert knob(described, "require_key_id", "require_keyid") == "on"
    assert knob(described, "clock_skew", "max_skew") == "5s"


def test_an_argument_given_reaches_the_core() -> None:
    # The other direction: what the caller gives is passed on, and only that.
    assert knob(MessagePolicy(max_age=None).describe(), "max_age") == "none"
    assert knob(MessagePolicy(max_age=120).describe(), "max_age") == "120s"
    assert knob(MessagePolicy(clock_skew=2).describe(), "clock_skew", "max_skew") == "2s"
    assert knob(MessagePolicy(require_key_id=False).describe(), "require_key_id", "require_keyid") == "off"
    assert knob(MessagePolicy().describe(), "require_body_digest") == "off"
    assert knob(MessagePolicy(require_body_digest=True).describe(), "require_body_digest") == "on"
    fost = FostPolicy(clock_skew=60).describe()
    assert knob(fost, "clock_skew", "max_skew") == "60s"
    assert knob(fost, "nonce_store", "seen_signatures") == "off"
    assert knob(FostPolicy(nonce_store=NonceStore.memory()).describe(), "nonce_store", "seen_signatures") == "on"
    hmac = HmacHeaderPolicy(max_age=30).describe()
    assert knob(hmac, "max_age", "timeout") == "30s"
    assert knob(hmac, "nonce_store", "seen_signatures") == "off"
    jwt = JwtPolicy(clock_skew=5).describe()
    assert knob(jwt, "clock_skew", "tolerance") == "5s" and knob(jwt, "nonce_store") == "on"


@pytest.mark.parametrize(
    "build",
    [
        lambda v: FostPolicy(clock_skew=v),
        lambda v: HmacHeaderPolicy(max_age=v),
        lambda v: JwtPolicy(clock_skew=v),
        lambda v: MessagePolicy(clock_skew=v),
        lambda v: MessagePolicy(max_age=v),
    ],
    ids=["fost", "hmac_header", "jwt", "rfc9421-clock_skew", "rfc9421-max_age"],
)
def test_durations_are_seconds_int_or_float(build) -> None:
    # int and float seconds are the same duration; a negative, infinite or NaN one is InvalidValue, a bool or a
    # string a TypeError.
    assert build(10).describe() == build(10.0).describe()
    assert build(10).describe() != build(11).describe()
    for bad in (-1, -0.5, float("inf"), float("nan")):
        with pytest.raises(countermark.InvalidValue):
            build(bad)
    for wrong in (True, "10"):
        with pytest.raises(TypeError):
            build(wrong)


def test_a_memory_nonce_store_has_the_cores_default_capacity() -> None:
    assert NonceStore.memory().capacity == countermark._countermark.MEMORY_NONCE_STORE_DEFAULT_CAPACITY
    assert NonceStore.memory(1600).capacity == 1600


def test_a_signed_url_without_a_lifetime_gets_the_cores_default() -> None:
    # The binding passes no lifetime of its own: the core's default expiry (ska's 600 s) applies.
    signer = countermark.UrlSigner(countermark.HmacKey(b"0123456789abcdef0123456789abcdef"), clock=countermark.Clock.fixed(1_000))
    default = signer.sign_params("alice")
    assert default == signer.sign_params("alice", lifetime=600)
    assert default != signer.sign_params("alice", lifetime=601)
