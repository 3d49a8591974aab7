"""Every core error kind maps to exactly one class of countermark.exceptions, with its code and reason."""

import pytest

import countermark
from countermark import _countermark, exceptions

EXPECTED = {
    "malformed": (exceptions.Malformed, 200),
    "too_large": (exceptions.TooLarge, 201),
    "expired": (exceptions.Expired, 301),
    "not_yet_valid": (exceptions.NotYetValid, 302),
    "bad_signature": (exceptions.BadSignature, 300),
    "unknown_key": (exceptions.UnknownKey, 102),
    "replayed": (exceptions.Replayed, 303),
    "unsupported_algorithm": (exceptions.UnsupportedAlgorithm, 101),
    "invalid_key": (exceptions.InvalidKey, 100),
    "invalid_value": (exceptions.InvalidValue, 202),
    "unavailable": (exceptions.Unavailable, 400),
}


def test_every_core_kind_has_a_class():
    assert sorted(_countermark._error_kinds()) == sorted(EXPECTED)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_kind_raises_its_class(kind):
    cls, code = EXPECTED[kind]
    with pytest.raises(cls) as info:
        _countermark._raise_kind(kind)
    err = info.value
    assert type(err) is cls, "exactly this class, not a parent or sibling"
    assert err.reason == kind
    assert err.code == code
    assert isinstance(err, exceptions.CountermarkError)
    assert str(err) == f"test error of kind {kind}"


def test_hierarchy():
    verification = ["Malformed", "TooLarge", "Expired", "NotYetValid", "BadSignature", "UnknownKey", "Replayed",
                    "UnsupportedAlgorithm"]
    for name in verification:
        assert issubclass(getattr(exceptions, name), exceptions.InvalidToken), name
    for name in ["InvalidKey", "InvalidValue"]:
        cls = getattr(exceptions, name)
        assert issubclass(cls, exceptions.ConfigurationError) and issubclass(cls, ValueError)
        assert not issubclass(cls, exceptions.InvalidToken)
    assert not issubclass(exceptions.Unavailable, exceptions.InvalidToken)
    assert issubclass(exceptions.TooLarge, exceptions.Malformed)
    assert set(exceptions.__all__) <= set(countermark.__all__)


def test_wrong_types_stay_type_errors():
    with pytest.raises(TypeError):
        countermark.HmacKey(12345)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        countermark.Tokens("not a key")  # type: ignore[arg-type]
