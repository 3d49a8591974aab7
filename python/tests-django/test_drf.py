"""Every scheme through the DRF classes: accepted, and every failure mode answered 401 with its reason."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

import countermark
from countermark.django.models import ApiKey, PublicKey

from conftest import BODY, Signers, public_pem_of, send

pytestmark = pytest.mark.django_db

SCHEMES = ["hmac", "fost", "rfc9421", "jwt", "token"]
WHOAMI = "/api/whoami/"


def post(client: Client, signers: Signers, scheme: str, body: bytes = BODY, **kw: Any) -> Any:
    headers = getattr(signers, scheme)("POST", WHOAMI, body, "application/json", **kw)
    return send(client, "POST", WHOAMI, headers, body)


def reason(response: Any) -> str:
    assert response.status_code == 401, (response.status_code, response.content)
    assert "WWW-Authenticate" in response, "a 401 carries a challenge"
    return str(response.json()["reason"])


@pytest.mark.parametrize("scheme", SCHEMES)
def test_each_scheme_is_accepted_and_sets_user_and_signed(client: Client, signers: Signers, scheme: str) -> None:
    response = post(client, signers, scheme)
    assert response.status_code == 200, response.content
    got = response.json()
    assert got["user"] == "alice"
    assert got["scheme"] == scheme
    assert got["data"] == {"amount": 10.5, "to": "bob"}
    if scheme in ("hmac", "fost", "rfc9421"):
        assert got["key_id"] == signers.key_id
    if scheme == "rfc9421":
        assert {"@method", "@authority", "@path", "content-digest"} <= set(got["covered"])
    if scheme == "fost":
        assert "content-type" in [c.lower() for c in got["covered"]]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_get_without_body(client: Client, signers: Signers, scheme: str) -> None:
    headers = getattr(signers, scheme)("GET", WHOAMI, b"", "application/json")
    response = send(client, "GET", WHOAMI, headers)
    assert response.status_code == 200, response.content
    assert response.json()["scheme"] == scheme


def test_signed_url_is_accepted(client: Client, user: Any) -> None:
    from countermark.django.decorators import signed_url

    response = client.get(signed_url(WHOAMI, "alice"))
    assert response.status_code == 200, response.content
    assert response.json()["scheme"] == "signed_url"


@pytest.mark.parametrize("scheme", ["hmac", "fost", "rfc9421", "jwt"])
def test_tampered_body_is_refused(client: Client, signers: Signers, scheme: str) -> None:
    headers = getattr(signers, scheme)("POST", WHOAMI, BODY, "application/json")
    tampered = BODY.replace(b"10.5", b"1000.5")
    response = send(client, "POST", WHOAMI, headers, tampered)
    if scheme == "jwt":
        # asymmetric-jwt-auth tokens do not cover the body (the vectors document it): the token is accepted.
        assert response.status_code == 200
    else:
        assert reason(response) == "bad_signature"


@pytest.mark.parametrize("scheme", ["hmac", "fost", "rfc9421", "jwt"])
def test_replayed_request_is_refused(client: Client, signers: Signers, scheme: str) -> None:
    headers = getattr(signers, scheme)("POST", WHOAMI, BODY, "application/json")
    assert send(client, "POST", WHOAMI, headers, BODY).status_code == 200
    assert reason(send(client, "POST", WHOAMI, headers, BODY)) == "replayed"


@pytest.mark.parametrize("scheme", ["hmac", "fost", "rfc9421", "jwt"])
def test_expired_request_is_refused(client: Client, signers: Signers, scheme: str) -> None:
    old = countermark.Clock.fixed(time.time() - 3600)
    assert reason(post(client, signers, scheme, clock=old)) == "expired"


@pytest.mark.parametrize("scheme", ["hmac", "fost", "rfc9421", "jwt"])
def test_future_request_is_refused(client: Client, signers: Signers, scheme: str) -> None:
    future = countermark.Clock.fixed(time.time() + 3600)
    assert reason(post(client, signers, scheme, clock=future)) == "not_yet_valid"


def test_expired_token_is_refused(client: Client, signers: Signers, settings: Any) -> None:
    headers = signers.token("GET", WHOAMI, b"", "")
    settings.COUNTERMARK = {"TOKEN_MAX_AGE": 1}
    time.sleep(2.1)
    assert reason(send(client, "GET", WHOAMI, headers)) == "expired"


def test_tampered_token_and_signed_url_are_refused(client: Client, signers: Signers) -> None:
    token = signers.token("GET", WHOAMI, b"", "")["Authorization"]
    forged = token.replace("Token alice:", "Token admin:")
    assert reason(send(client, "GET", WHOAMI, {"Authorization": forged})) == "bad_signature"
    from countermark.django.decorators import signed_url

    url = signed_url(WHOAMI, "alice").replace("auth_user=alice", "auth_user=admin")
    assert reason(client.get(url)) == "bad_signature"


@pytest.mark.parametrize("scheme", ["hmac", "fost", "rfc9421"])
def test_unknown_key_answers_exactly_as_a_bad_signature(client: Client, signers: Signers, scheme: str) -> None:
    unknown = Signers("0f3e1b7c-0000-4000-8000-000000000000", signers.secret, "alice", None)
    a = post(client, unknown, scheme)
    wrong = Signers(signers.key_id, countermark.ApiSecret.generate().to_base64(), "alice", None)
    b = post(client, wrong, scheme)
    assert reason(a) == reason(b) == "bad_signature"
    assert a.json() == b.json()
    assert a["WWW-Authenticate"] == b["WWW-Authenticate"]


def test_unknown_jwt_user_answers_as_a_bad_signature(client: Client, signers: Signers, rsa_pem: str) -> None:
    assert reason(post(client, signers, "jwt", username="mallory")) == "bad_signature"
    # A known user signing with a key that is not theirs: the same answer.
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from conftest import _pem

    assert reason(post(client, signers, "jwt", pem=_pem(ed25519.Ed25519PrivateKey.generate()))) == "bad_signature"
    # An RSA token for a user whose keys are Ed25519 (and for the Ed25519 decoy): the algorithm is refused.
    assert reason(post(client, signers, "jwt", pem=rsa_pem)) == "unsupported_algorithm"
    assert reason(post(client, signers, "jwt", pem=rsa_pem, username="mallory")) == "unsupported_algorithm"


def test_fost_user_must_be_the_key_owner(client: Client, signers: Signers, django_user_model: Any) -> None:
    django_user_model.objects.create_user("bob")
    assert reason(post(client, signers, "fost", fost_user="bob")) == "user_mismatch"
    assert post(client, signers, "fost", fost_user="alice").status_code == 200


def test_fost_user_in_utf7_names_a_non_ascii_owner(client: Client, django_user_model: Any) -> None:
    # django-fost-authn carries non-ASCII user names in UTF-7: the signer sends X-FOST-User: J+APw-rgen.
    owner = django_user_model.objects.create_user("Jürgen")
    key, secret = ApiKey.objects.create_key(owner, comment="utf-7")
    signers = Signers(key.key_id, secret, "Jürgen", None)
    headers = signers.fost("POST", WHOAMI, BODY, "application/json", fost_user="Jürgen")
    assert headers["X-FOST-User"] == "J+APw-rgen"
    response = send(client, "POST", WHOAMI, headers, BODY)
    assert response.status_code == 200, response.content
    assert response.json()["user"] == "Jürgen"
    # Another user's name, in UTF-7 too, is still not the owner's.
    django_user_model.objects.create_user("Jörg")
    assert reason(post(client, signers, "fost", fost_user="Jörg")) == "user_mismatch"


@pytest.mark.parametrize("scheme", ["hmac", "fost", "rfc9421"])
def test_revoked_key_is_refused(client: Client, signers: Signers, scheme: str) -> None:
    ApiKey.objects.get(key_id=signers.key_id).revoke()
    assert reason(post(client, signers, scheme)) == "revoked"


def test_revoked_public_key_is_refused(client: Client, signers: Signers) -> None:
    PublicKey.objects.all().delete()
    assert reason(post(client, signers, "jwt")) == "bad_signature"


def test_expired_key_is_refused(client: Client, signers: Signers) -> None:
    ApiKey.objects.filter(key_id=signers.key_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert reason(post(client, signers, "hmac")) == "key_expired"


def test_inactive_user_is_refused(client: Client, signers: Signers, user: Any) -> None:
    user.is_active = False
    user.save()
    for scheme in ("hmac", "jwt", "token"):
        assert reason(post(client, signers, scheme)) == "inactive_user"


@pytest.mark.parametrize(
    "scheme, setting, value, age",
    [
        ("rfc9421", "HTTP_SIGNATURE_MAX_AGE", 100, 200),  # the core's default max age accepts 200 s
        ("hmac", "HMAC_MAX_AGE", 60, 30),                 # the core's default refuses 30 s
        ("fost", "FOST_CLOCK_SKEW", 600.5, 450),          # the core's default refuses 450 s
        ("jwt", "JWT_CLOCK_SKEW", 90, 60),                # the core's default refuses 60 s
    ],
)
def test_duration_settings_reach_the_policy(
    client: Client, signers: Signers, settings: Any, scheme: str, setting: str, value: float, age: float
) -> None:
    # Each duration key, when set, replaces the core's default; unset, the core's default decides.
    default = post(client, signers, scheme, clock=countermark.Clock.fixed(time.time() - age))
    settings.COUNTERMARK = {**settings.COUNTERMARK, setting: value}
    given = post(client, signers, scheme, clock=countermark.Clock.fixed(time.time() - age))
    if scheme == "rfc9421":  # a tighter limit than the core's
        assert default.status_code == 200 and reason(given) == "expired", (default.content, given.content)
    else:  # a wider one
        assert reason(default) == "expired" and given.status_code == 200, (default.content, given.content)


def test_wrong_algorithm_is_refused(client: Client, signers: Signers, settings: Any, rsa_pem: str) -> None:
    # HMAC-SHA512 header when the service allows SHA-256 only.
    settings.COUNTERMARK = {"HMAC_ALGORITHMS": ["hmac-sha256"]}
    assert reason(post(client, signers, "hmac", algorithm="hmac-sha512")) == "unsupported_algorithm"
    # RFC 9421 naming an asymmetric algorithm for a shared-secret key (key confusion).
    signing = countermark.SigningKey.from_pem(rsa_pem)
    assert reason(post(client, signers, "rfc9421", key=signing, algorithm="rsa-pss-sha512", include_alg=True)) == "unsupported_algorithm"


def _b64url(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_jwt_alg_none_and_hmac_confusion_are_refused(client: Client, signers: Signers, alg: str) -> None:
    import hashlib
    import hmac as py_hmac

    header = _b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    claims = _b64url(json.dumps({"username": "alice", "time": int(time.time()), "nonce": "abcdefghijk"}).encode())
    public_pem = PublicKey.objects.get().pem.encode()
    sig = "" if alg == "none" else _b64url(py_hmac.new(public_pem, f"{header}.{claims}".encode(), hashlib.sha256).digest())
    response = send(client, "GET", WHOAMI, {"Authorization": f"JWT {header}.{claims}.{sig}"})
    assert reason(response) in ("unsupported_algorithm", "malformed")


def test_rfc9421_with_a_public_key(client: Client, signers: Signers, ed25519_pem: str) -> None:
    key = countermark.SigningKey.from_pem(ed25519_pem)
    key_id = PublicKey.objects.get().key_id
    response = post(client, signers, "rfc9421", key=key, algorithm="ed25519", key_id=key_id)
    assert response.status_code == 200, response.content
    assert response.json()["key_id"] == key_id


def test_rfc9421_body_must_be_covered(client: Client, signers: Signers) -> None:
    # A signature without content-digest over a request with a body is refused.
    req = countermark.Request("POST", WHOAMI, body=BODY, scheme="http", authority="testserver")
    key = countermark.HmacKey(bytes(countermark.ApiSecret(signers.secret)), "hmac-sha256")
    headers = dict(
        countermark.MessageSigner(key, key_id=signers.key_id, components=["@method", "@authority", "@path"]).sign(req).headers
    )
    assert reason(send(client, "POST", WHOAMI, headers, BODY)) in ("malformed", "bad_signature")


def test_foreign_credentials_are_left_to_the_next_class(client: Client, signers: Signers) -> None:
    # Not any of our schemes: every class returns None and DRF answers "not authenticated" (no reason code).
    for value in ("Bearer abc.def", "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "Basic YTpi"):
        response = send(client, "GET", WHOAMI, {"Authorization": value})
        assert response.status_code == 401
        assert "reason" not in response.json()
    assert send(client, "GET", WHOAMI, {}).status_code == 401


def test_challenge_names_the_scheme_and_reason(client: Client, signers: Signers) -> None:
    wrong = Signers(signers.key_id, countermark.ApiSecret.generate().to_base64(), "alice", None)
    response = post(client, wrong, "hmac")
    assert response["WWW-Authenticate"] == 'HMAC-SHA256 realm="api", error="bad_signature"'
    assert response.json() == {"detail": "Signature verification failed.", "reason": "bad_signature"}


def test_secret_never_appears_in_answers_or_reprs(client: Client, signers: Signers) -> None:
    key = ApiKey.objects.get(key_id=signers.key_id)
    assert signers.secret not in repr(key) and signers.secret not in str(key)
    assert signers.secret not in key.sealed_secret
    wrong = Signers(signers.key_id, countermark.ApiSecret.generate().to_base64(), "alice", None)
    assert signers.secret.encode() not in post(client, wrong, "hmac").content


def test_throttle_per_key(client: Client, signers: Signers) -> None:
    ApiKey.objects.filter(key_id=signers.key_id).update(throttle_rate="2/min")
    codes = []
    for _ in range(3):
        headers = signers.hmac("GET", "/api/throttled/", b"", "application/json")
        codes.append(send(client, "GET", "/api/throttled/", headers).status_code)
        time.sleep(0.002)
    assert codes == [200, 200, 429]


def test_nonce_cache_down_answers_503(client: Client, signers: Signers, settings: Any) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "down": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    settings.COUNTERMARK = {"NONCE_CACHE": "down"}
    response = post(client, signers, "hmac")
    assert response.status_code == 503
    assert response.json()["detail"]


@pytest.mark.parametrize("scheme", ["hmac", "rfc9421"])
def test_unknown_key_is_verified_against_the_decoy(
    client: Client, signers: Signers, scheme: str, monkeypatch: Any
) -> None:
    from countermark.django import schemes as mod
    from countermark.django.keys import decoy_api_secret

    seen: list[bytes] = []
    real_hmac, real_msg = countermark.verify_hmac_header, countermark.verify_message_signature

    def spy_hmac(req: Any, secret: Any, policy: Any) -> Any:
        seen.append(bytes(secret))
        return real_hmac(req, secret, policy)

    def spy_msg(req: Any, key: Any, policy: Any) -> Any:
        seen.append(b"message")
        return real_msg(req, key, policy)

    monkeypatch.setattr(mod.countermark, "verify_hmac_header", spy_hmac)
    monkeypatch.setattr(mod.countermark, "verify_message_signature", spy_msg)
    unknown = Signers("7d0c1a52-1111-4000-8000-000000000000", signers.secret, "alice", None)
    assert reason(post(client, unknown, scheme)) == "bad_signature"
    assert len(seen) == 1, "one verification ran, as for a known key"
    if scheme == "hmac":
        assert seen == [bytes(decoy_api_secret())]


def test_custom_authorization_header(client: Client, signers: Signers, settings: Any) -> None:
    settings.COUNTERMARK = {"AUTHORIZATION_HEADER": "X-Api-Authorization"}
    headers = signers.hmac("POST", WHOAMI, BODY, "application/json")
    moved = {"X-Api-Authorization": headers.pop("Authorization")}
    response = send(client, "POST", WHOAMI, moved, BODY)
    assert response.status_code == 200, response.content


def test_rfc9421_age_limit_is_max_age_plus_its_skew(client: Client, signers: Signers) -> None:
    # HTTP_SIGNATURE_MAX_AGE and HTTP_SIGNATURE_CLOCK_SKEW unset: the core's RFC 9421 defaults apply (max_age
    # 300 s + clock_skew 5 s, as MessagePolicy().describe() says): 290 s old passes, 320 s old does not.
    ok = countermark.Clock.fixed(time.time() - 290)
    assert post(client, signers, "rfc9421", clock=ok).status_code == 200
    late = countermark.Clock.fixed(time.time() - 320)
    assert reason(post(client, signers, "rfc9421", clock=late)) == "expired"
    early = countermark.Clock.fixed(time.time() + 30)
    assert reason(post(client, signers, "rfc9421", clock=early)) == "not_yet_valid"
