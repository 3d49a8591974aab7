"""countermark.compat.handshake against the real handshake 0.2.1, both directions, with the real clock."""

import hashlib

import handshake
import handshake.errors as their_errors
import pytest

from countermark.compat import handshake as ours
from countermark.compat.handshake import errors

SECRET = "a secret of sixteen chars or more"
HASHES = [hashlib.sha256, hashlib.sha1, hashlib.sha224, hashlib.sha384, hashlib.sha512, hashlib.blake2b,
          hashlib.blake2s]


@pytest.mark.parametrize("hashfunc", HASHES, ids=lambda h: h.__name__)
@pytest.mark.parametrize("metadata", [(), ("alice",), ("alice", 42, "read-only", "x_y")])
def test_both_directions(hashfunc, metadata):
    mine = ours.AuthToken(SECRET, hashfunc=hashfunc)
    theirs = handshake.AuthToken(SECRET, hashfunc=hashfunc)
    expected = tuple(str(m) for m in metadata)
    assert theirs.verify(mine.create(*metadata), time_range=30) == expected
    assert mine.verify(theirs.create(*metadata), time_range=30) == expected
    # Same shape: metadata, 10-digit timestamp, hex random of the hash's size, hex HMAC of the hash's size.
    a, b = mine.create(*metadata).split(":"), theirs.create(*metadata).split(":")
    assert len(a) == len(b) and [len(p) for p in a[-2:]] == [len(p) for p in b[-2:]]


@pytest.mark.parametrize("bad", ["tamper-meta", "tamper-sig", "wrong-secret", "too-long", "few-parts", "bad-ts"])
def test_same_exceptions(bad):
    mine, theirs = ours.AuthToken(SECRET), handshake.AuthToken(SECRET)
    token = theirs.create("alice", "1")
    parts = token.split(":")
    if bad == "tamper-meta":
        token = token.replace("alice", "mallory")
    elif bad == "tamper-sig":
        token = token[:-1] + ("0" if token[-1] != "0" else "1")
    elif bad == "wrong-secret":
        token = handshake.AuthToken(SECRET + "!").create("alice", "1")
    elif bad == "too-long":
        token = "a" * 2049
    elif bad == "few-parts":
        token = "a:b:c"
    elif bad == "bad-ts":
        token = ":".join(parts[:2] + ["notanumber"] + parts[3:])
    with pytest.raises(their_errors.InvalidTokenError) as theirs_info:
        theirs.verify(token)
    with pytest.raises(errors.InvalidTokenError) as ours_info:
        mine.verify(token)
    assert type(ours_info.value).__name__ == type(theirs_info.value).__name__


def test_expired_both_ways():
    mine, theirs = ours.AuthToken(SECRET), handshake.AuthToken(SECRET)
    token = theirs.create("alice")
    parts = token.split(":")
    # An old timestamp with a valid signature, made by the reference's own HMAC rule.
    import hmac

    msg = f"alice:{int(parts[1]) - 3600}:{parts[2]}"
    old = msg + ":" + hmac.new(SECRET.encode(), msg.encode(), hashlib.sha256).hexdigest()
    with pytest.raises(their_errors.TokenExpiredError):
        theirs.verify(old, time_range=60)
    with pytest.raises(errors.TokenExpiredError):
        mine.verify(old, time_range=60)
    assert mine.verify(old) == theirs.verify(old) == ("alice",)


@pytest.mark.parametrize(
    "kwargs",
    [{"secret": "short"}, {"secret": 123}, {"secret": SECRET, "random_len": 8}, {"secret": SECRET, "random_len": "x"},
     {"secret": SECRET, "hashfunc": "sha256"}],
)
def test_config_errors(kwargs):
    with pytest.raises(their_errors.ConfigError):
        handshake.AuthToken(**kwargs)
    with pytest.raises(errors.ConfigError):
        ours.AuthToken(**kwargs)


def test_invalid_values():
    mine, theirs = ours.AuthToken(SECRET), handshake.AuthToken(SECRET)
    for args in [("a:b",), ("sp ace",), ("x" * 3000,)]:
        with pytest.raises(their_errors.InvalidValueError):
            theirs.create(*args)
        with pytest.raises(errors.InvalidValueError):
            mine.create(*args)
    for time_range in [-1, "5"]:
        with pytest.raises(their_errors.InvalidValueError):
            theirs.verify(theirs.create("a"), time_range=time_range)
        with pytest.raises(errors.InvalidValueError):
            mine.verify(mine.create("a"), time_range=time_range)


def test_secret_not_kept_in_python():
    token = ours.AuthToken(SECRET)
    assert SECRET not in repr(token)
    assert not any(SECRET.encode() == getattr(token, s, None) for s in dir(token) if not s.startswith("__"))


@pytest.mark.parametrize("token", ["a" * 2049, "a:b:c"])
@pytest.mark.parametrize("time_range", [-1, "5", 2**64])
def test_token_shape_is_checked_before_time_range(token, time_range):
    # handshake refuses a badly shaped token before it looks at time_range; the core's shape check keeps that order.
    mine, theirs = ours.AuthToken(SECRET), handshake.AuthToken(SECRET)
    with pytest.raises(their_errors.InvalidTokenError):
        theirs.verify(token, time_range=time_range)
    with pytest.raises(errors.InvalidTokenError):
        mine.verify(token, time_range=time_range)
