"""The COUNTERMARK settings: defaults, overrides, and the system checks that refuse bad values."""

from __future__ import annotations

from typing import Any

import pytest

from countermark.django.checks import check_settings
from countermark.django.conf import DEFAULTS, get_settings


def ids(settings: Any, value: Any) -> list[str]:
    settings.COUNTERMARK = value
    return [m.id for m in check_settings()]


def test_defaults_and_override(settings: Any) -> None:
    settings.COUNTERMARK = {}
    conf = get_settings()
    # Unset durations are None: nothing is passed to the binding, so the core's defaults apply.
    assert (conf.HMAC_MAX_AGE, conf.FOST_CLOCK_SKEW, conf.JWT_CLOCK_SKEW) == (None, None, None)
    assert (conf.HTTP_SIGNATURE_CLOCK_SKEW, conf.HTTP_SIGNATURE_MAX_AGE, conf.SIGNED_URL_LIFETIME) == (None, None, None)
    assert conf.HMAC_ALGORITHMS == ("hmac-sha256", "hmac-sha384", "hmac-sha512")
    assert conf.SIGNED_URL_ALGORITHM == "hmac-sha1"
    assert conf.SCHEMES == tuple(DEFAULTS["SCHEMES"]) and conf.NONCE_CACHE == "default"
    assert conf.key_encryption_keys == [settings.SECRET_KEY]
    settings.COUNTERMARK = {"HMAC_MAX_AGE": 30, "FOST_CLOCK_SKEW": 2.5, "SCHEMES": ["hmac"]}
    assert get_settings().HMAC_MAX_AGE == 30 and get_settings().SCHEMES == ("hmac",)
    assert get_settings().FOST_CLOCK_SKEW == 2.5
    assert ids(settings, settings.COUNTERMARK) == []


def test_unset_durations_leave_the_core_defaults(settings: Any) -> None:
    # The policies the schemes build from unset settings describe themselves as the core's defaults do.
    import countermark

    settings.COUNTERMARK = {}
    conf = get_settings()
    defaults = countermark.policy_defaults()
    built = [
        countermark.FostPolicy(clock_skew=conf.FOST_CLOCK_SKEW).describe(),
        countermark.HmacHeaderPolicy(max_age=conf.HMAC_MAX_AGE).describe(),
        countermark.JwtPolicy(clock_skew=conf.JWT_CLOCK_SKEW).describe(),
        countermark.MessagePolicy(clock_skew=conf.HTTP_SIGNATURE_CLOCK_SKEW).describe(),
    ]
    for line in built:
        assert line in defaults, line


def test_repr_hides_secrets(settings: Any) -> None:
    settings.COUNTERMARK = {"TOKEN_SECRET": "a-token-secret-of-some-length", "KEY_ENCRYPTION_KEYS": ["m" * 20]}
    text = repr(get_settings())
    assert "a-token-secret" not in text and "mmmm" not in text and "<hidden>" in text


def test_valid_settings_pass(settings: Any) -> None:
    assert ids(settings, {}) == []


@pytest.mark.parametrize(
    "value, expected",
    [
        ("not a dict", "countermark.E001"),
        ({"HMAC_MAX_AGE_S": 5}, "countermark.E002"),
        ({"HMAC_MAX_AGE": 0}, "countermark.E003"),
        ({"FOST_CLOCK_SKEW": "300"}, "countermark.E003"),
        ({"JWT_CLOCK_SKEW": True}, "countermark.E003"),
        ({"HTTP_SIGNATURE_CLOCK_SKEW": -1.5}, "countermark.E003"),
        ({"HTTP_SIGNATURE_MAX_AGE": float("inf")}, "countermark.E003"),
        ({"SIGNED_URL_LIFETIME": 0}, "countermark.E003"),
        ({"TOKEN_KEYWORD": "My Token"}, "countermark.E004"),
        ({"SCHEMES": ["hmac", "basic"]}, "countermark.E005"),
        ({"SCHEMES": []}, "countermark.E005"),
        ({"HMAC_ALGORITHMS": ["md5"]}, "countermark.E006"),
        ({"HMAC_ALGORITHMS": ["hmac-md5"]}, "countermark.E006"),
        ({"HTTP_SIGNATURE_COMPONENTS": ["@authority"]}, "countermark.E007"),
        ({"HTTP_SIGNATURE_LABEL": ""}, "countermark.E008"),
        ({"TOKEN_SECRET": "short"}, "countermark.E009"),
        ({"KEY_ENCRYPTION_KEYS": []}, "countermark.E010"),
        ({"KEY_ENCRYPTION_KEYS": ["short"]}, "countermark.E010"),
        ({"KEY_LIFETIME": -1}, "countermark.E011"),
        ({"DEFAULT_THROTTLE_RATE": "lots"}, "countermark.E012"),
        ({"FAILED_ATTEMPTS_WINDOW": 0}, "countermark.E003"),
        ({"TRUSTED_PROXIES": "10.0.0.1"}, "countermark.E021"),
        ({"TRUSTED_PROXIES": ["10.0.0.1", "proxy.internal"]}, "countermark.E021"),
        ({"NONCE_CACHE": "nope"}, "countermark.E014"),
    ],
)
def test_bad_values_are_errors(settings: Any, value: Any, expected: str) -> None:
    assert expected in ids(settings, value)


def test_cache_backends(settings: Any) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "dummy": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    assert ids(settings, {"NONCE_CACHE": "dummy"}) == ["countermark.E015"]
    assert ids(settings, {"NONCE_CACHE": "local"}) == ["countermark.W001"]


def test_messages_name_the_key(settings: Any) -> None:
    settings.COUNTERMARK = {"HMAC_MAX_AGE": -5}
    (message,) = check_settings()
    assert "HMAC_MAX_AGE" in message.msg and "-5" in (message.hint or "")


@pytest.mark.parametrize(
    "old, new",
    [("CLOCK_SKEW", "FOST_CLOCK_SKEW"), ("REQUEST_TIMEOUT", "HMAC_MAX_AGE"), ("JWT_TOLERANCE", "JWT_CLOCK_SKEW")],
)
def test_renamed_duration_keys_name_the_new_key(settings: Any, old: str, new: str) -> None:
    # The keys of 0.1 are an error naming their replacement, not an "unknown key" (nor silently ignored).
    settings.COUNTERMARK = {old: 30}
    (message,) = check_settings()
    assert message.id == "countermark.E020"
    assert old in message.msg and new in (message.hint or "")


@pytest.mark.parametrize(
    "value, expected, spelled",
    [
        ({"HMAC_ALGORITHMS": ["sha256", "hmac-sha512"]}, "countermark.E006", "'hmac-sha256' (not 'sha256')"),
        ({"HMAC_ALGORITHMS": ["HMAC-SHA384"]}, "countermark.E006", "'hmac-sha384' (not 'HMAC-SHA384')"),
        ({"SIGNED_URL_ALGORITHM": "sha1"}, "countermark.E022", "'hmac-sha1' (not 'sha1')"),
        ({"SIGNED_URL_LEGACY_ALGORITHMS": ["md5"]}, "countermark.E023", "'hmac-md5' (not 'md5')"),
    ],
)
def test_old_algorithm_spellings_name_the_one_spelling(
    settings: Any, value: Any, expected: str, spelled: str
) -> None:
    settings.COUNTERMARK = value
    (message,) = check_settings()
    assert message.id == expected and spelled in (message.hint or ""), message


def test_middleware_order_and_backend(settings: Any) -> None:
    settings.COUNTERMARK = {}
    ours = "countermark.django.middleware.CountermarkMiddleware"
    settings.MIDDLEWARE = [ours, *[m for m in settings.MIDDLEWARE if m != ours]]
    assert [m.id for m in check_settings()] == ["countermark.E016"]
    settings.MIDDLEWARE = [*[m for m in settings.MIDDLEWARE if m != ours], ours]
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    assert [m.id for m in check_settings()] == ["countermark.E017"]


def test_lockout_settings_name_what_replaced_them(settings: Any) -> None:
    # Keys are no longer locked: the old keys are an error that names the new ones, not an "unknown key".
    settings.COUNTERMARK = {"LOCKOUT_BASE": 60, "LOCKOUT_MAX": 3600}
    messages = check_settings()
    assert [m.id for m in messages] == ["countermark.E020", "countermark.E020"]
    assert all("FAILED_ATTEMPTS_WINDOW" in (m.hint or "") for m in messages)
    assert "LOCKOUT_BASE" in messages[0].msg


def test_trusted_proxies_accept_addresses_and_networks(settings: Any) -> None:
    assert ids(settings, {"TRUSTED_PROXIES": ["10.0.0.1", "192.168.0.0/16", "fd00::/8"]}) == []


def test_drf_classes_with_anonymous_default_permission_warn(settings: Any) -> None:
    settings.COUNTERMARK = {}
    drf = dict(settings.REST_FRAMEWORK)
    assert [m.id for m in check_settings()] == []  # the test project requires IsAuthenticated
    for permissions in (
        None,
        [],
        ["rest_framework.permissions.AllowAny"],
        ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    ):
        settings.REST_FRAMEWORK = {k: v for k, v in drf.items() if k != "DEFAULT_PERMISSION_CLASSES"}
        if permissions is not None:
            settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = permissions
        assert [m.id for m in check_settings()] == ["countermark.W010"], permissions
    # Without countermark's classes the check has nothing to say.
    settings.REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"]}
    assert [m.id for m in check_settings()] == []


@pytest.mark.parametrize(
    "value, expected",
    [
        ({"SIGNED_URL_ALGORITHM": "md4"}, "countermark.E022"),
        ({"SIGNED_URL_ALGORITHM": "hmac-blake2b"}, "countermark.E022"),
        ({"SIGNED_URL_LEGACY_ALGORITHMS": "hmac-md5"}, "countermark.E023"),
        ({"SIGNED_URL_LEGACY_ALGORITHMS": ["hmac-md4"]}, "countermark.E023"),
        ({"SIGNED_URL_VALUE_DUMPER": "js"}, "countermark.E024"),
        ({"SIGNED_URL_QUOTER": "node"}, "countermark.E024"),
        ({"SIGNED_URL_LEGACY_SHORT_SECRET": "yes"}, "countermark.E025"),
    ],
)
def test_bad_signed_url_values_are_errors(settings: Any, value: Any, expected: str) -> None:
    assert expected in ids(settings, value)


def test_signed_url_legacy_settings(settings: Any) -> None:
    # ska's own documentation key is 15 bytes: an error unless the legacy setting allows it, then a warning.
    assert ids(settings, {"SIGNED_URL_SECRET": "your-secret-key"}) == ["countermark.E009"]
    allowed = {"SIGNED_URL_SECRET": "your-secret-key", "SIGNED_URL_LEGACY_SHORT_SECRET": True}
    assert ids(settings, allowed) == ["countermark.W011"]
    # The flag does not let an empty secret, or a short TOKEN_SECRET, through.
    assert ids(settings, {**allowed, "SIGNED_URL_SECRET": ""}) == ["countermark.E009"]
    assert ids(settings, {**allowed, "TOKEN_SECRET": "short"}) == ["countermark.E009", "countermark.W011"]
    # A 16-byte secret needs no flag and earns no warning.
    assert ids(settings, {"SIGNED_URL_SECRET": "sixteen-byte-key", "SIGNED_URL_LEGACY_SHORT_SECRET": True}) == []
    # MD5 validating old links is fine; MD5 signing new ones is a warning.
    own = {"SIGNED_URL_SECRET": "a-signed-url-secret-of-32-bytes!"}  # hmac-sha256 under SECRET_KEY would warn (W013)
    assert ids(settings, {**own, "SIGNED_URL_ALGORITHM": "hmac-sha256", "SIGNED_URL_LEGACY_ALGORITHMS": ["hmac-md5", "hmac-sha1"]}) == []
    assert ids(settings, {"SIGNED_URL_ALGORITHM": "hmac-md5"}) == ["countermark.W012"]
    assert ids(settings, {"SIGNED_URL_VALUE_DUMPER": "javascript", "SIGNED_URL_QUOTER": "javascript"}) == []
    conf = get_settings()
    assert conf.SIGNED_URL_QUOTER == "javascript" and conf.SIGNED_URL_LEGACY_ALGORITHMS == ()


def test_tokens_and_signed_urls_under_one_secret_and_hash_warn(settings: Any) -> None:
    # The defaults share SECRET_KEY but not the hash (tokens hmac-sha256, signed URLs hmac-sha1): no warning.
    assert ids(settings, {}) == []
    # The same secret and hmac-sha256 on both sides: a MAC of one format could pass in the other.
    assert ids(settings, {"SIGNED_URL_ALGORITHM": "hmac-sha256"}) == ["countermark.W013"]
    assert ids(settings, {"SIGNED_URL_LEGACY_ALGORITHMS": ["hmac-sha256"]}) == ["countermark.W013"]
    same = "a-secret-of-32-bytes-for-the-test"
    assert ids(settings, {"TOKEN_SECRET": same, "SIGNED_URL_SECRET": same, "SIGNED_URL_ALGORITHM": "hmac-sha256"}) == [
        "countermark.W013"
    ]
    # Distinct secrets: nothing to say.
    assert ids(settings, {"SIGNED_URL_SECRET": same, "SIGNED_URL_ALGORITHM": "hmac-sha256"}) == []
