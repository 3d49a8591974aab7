"""ska parity (per-provider secrets, single-use URLs, its decorator/template-tag/DRF names) and handshake's hashfunc,
driven by the reference libraries' own signing code (``ska.sign_url``, ``handshake.AuthToken``); countermark's
template tags are checked the other way, by ska's own ``validate_signed_request_data``."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory, override_settings

import countermark

from conftest import send

pytestmark = pytest.mark.django_db

DEFAULT_SECRET = "ska-default-secret-0123456789"
PROVIDER_SECRET = "client-one-secret-0123456789ab"
SKA_CONF = {
    "FAILED_ATTEMPTS_THRESHOLD": 1000,
    "SIGNED_URL_SECRET": DEFAULT_SECRET,
    "SIGNED_URL_PROVIDERS": {"client_1": {"SECRET_KEY": PROVIDER_SECRET}, "client_2": "client-two-secret-0123456789ab"},
}


def ska_url(path: str, secret: str, auth_user: str = "alice", **extra: Any) -> str:
    """What a ska client makes: ska's own sign_url (``extra={'provider': ...}`` is how its provider_sign_url
    names the provider)."""
    from ska import sign_url

    return sign_url(auth_user=auth_user, secret_key=secret, url=path, extra=extra or None)


@pytest.fixture(autouse=True)
def _ska_settings() -> Any:
    with override_settings(COUNTERMARK=SKA_CONF):
        yield


def test_default_and_provider_urls_made_by_ska_are_accepted(client: Client, user: Any) -> None:
    response = client.get(ska_url("/api/whoami/", DEFAULT_SECRET))
    assert response.status_code == 200, response.content
    assert response.json()["scheme"] == "signed_url" and response.json()["user"] == "alice"

    response = client.get(ska_url("/ska/download/", PROVIDER_SECRET, provider="client_1"))
    assert response.status_code == 200, response.content
    assert response.json()["extra"]["provider"] == "client_1"
    response = client.get(ska_url("/ska/download/", "client-two-secret-0123456789ab", provider="client_2"))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "secret, extra",
    [
        (PROVIDER_SECRET, {"provider": "client_2"}),  # another provider's secret
        (DEFAULT_SECRET, {"provider": "client_1"}),  # the default secret claiming a provider
        (PROVIDER_SECRET, {"provider": "nobody"}),  # a provider that is not listed
        (PROVIDER_SECRET, {}),  # a provider's secret without naming it
    ],
)
def test_provider_urls_need_their_own_providers_secret(client: Client, user: Any, secret: str, extra: Any) -> None:
    response = client.get(ska_url("/ska/download/", secret, **extra))
    assert response.status_code == 401 and response.json()["reason"] == "bad_signature"


def test_the_signed_provider_field_cannot_be_swapped(client: Client, user: Any) -> None:
    url = ska_url("/ska/download/", PROVIDER_SECRET, provider="client_1")
    assert client.get(url).status_code == 200
    swapped = url.replace("provider=client_1", "provider=client_2")
    assert swapped != url
    response = client.get(swapped)
    assert response.status_code == 401 and response.json()["reason"] == "bad_signature"


def test_single_use_urls_pass_once(client: Client, user: Any) -> None:
    url = ska_url("/ska/download/", DEFAULT_SECRET)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # not single-use by default
    with override_settings(COUNTERMARK={**SKA_CONF, "SIGNED_URL_SINGLE_USE": True}):
        url = ska_url("/ska/download/", DEFAULT_SECRET)
        assert client.get(url).status_code == 200
        again = client.get(url)
        assert again.status_code == 401 and again.json()["reason"] == "replayed"
        # ska signs auth_user, valid_until and extra, not the path: the same signature on another path is the
        # same URL (ska's table kept the same triple). Other signed data makes another URL.
        assert client.get(ska_url("/ska/report/", DEFAULT_SECRET)).json()["reason"] == "replayed"
        assert client.get(ska_url("/ska/report/", DEFAULT_SECRET, file="b")).status_code == 200


def test_method_decorator_under_skas_name(client: Client, user: Any) -> None:
    assert client.get(ska_url("/ska/report/", DEFAULT_SECRET)).status_code == 200
    refused = client.get("/ska/report/")
    assert refused.status_code == 401 and refused.json()["reason"] == "missing"


def test_ska_decorators_refuse_skas_own_arguments() -> None:
    from countermark.django.decorators import validate_signed_request

    with pytest.raises(TypeError, match="secret_key"):
        validate_signed_request(secret_key="x")


@override_settings(COUNTERMARK={**SKA_CONF, "SCHEMES": ["hmac", "fost", "rfc9421", "jwt", "token"]})
def test_drf_permission_classes_under_skas_names(client: Client) -> None:
    # As ska's permissions: the signature is checked, the auth_user need not be a user of this site (so the
    # middleware must not authenticate signed URLs: "signed_url" is left out of SCHEMES, as the README says).
    plain = ska_url("/ska/drf/", DEFAULT_SECRET, auth_user="ska-auth-user")
    provider = ska_url("/ska/drf-provider/", PROVIDER_SECRET, auth_user="ska-auth-user", provider="client_1")
    assert client.get(plain).status_code == 200
    assert client.get(provider).status_code == 200
    # Each class wants its own kind of URL.
    assert client.get(plain.replace("/ska/drf/", "/ska/drf-provider/")).status_code == 403
    assert client.get(provider.replace("/ska/drf-provider/", "/ska/drf/")).status_code == 403
    assert client.get("/ska/drf/").status_code == 403
    tampered = plain.replace("auth_user=ska-auth-user", "auth_user=mallory")
    assert client.get(tampered).status_code == 403
    with override_settings(
        COUNTERMARK={**SKA_CONF, "SCHEMES": ["hmac", "token"], "SIGNED_URL_SINGLE_USE": True}
    ):
        once = ska_url("/ska/drf/", DEFAULT_SECRET, auth_user="ska-auth-user", n=1)
        assert client.get(once).status_code == 200
        assert client.get(once).status_code == 403


def test_template_tags_under_skas_names_make_urls_ska_validates(user: Any) -> None:
    from ska import validate_signed_request_data

    request = RequestFactory().get("/")
    request.user = user
    template = Template(
        '{% load countermark %}{% sign_url "/ska/download/" %}|{% provider_sign_url "client_1" "/ska/download/" %}'
        '|{% provider_sign_url "nobody" "/x/" %}'
    )
    default, provider, unknown = template.render(Context({"request": request})).split("|")
    assert unknown == "None"  # ska's fail_silently
    for url, secret in ((default, DEFAULT_SECRET), (provider, PROVIDER_SECRET)):
        data = dict(parse_qsl(urlsplit(url.replace("&amp;", "&")).query))
        assert data["auth_user"] == "alice"
        assert validate_signed_request_data(data, secret).result is True
    assert "provider=client_1" in provider.replace("&amp;", "&")


@pytest.mark.parametrize(
    "conf, code",
    [
        ({"SIGNED_URL_PROVIDERS": ["client_1"]}, "countermark.E056"),
        ({"SIGNED_URL_PROVIDERS": {"client_1": {}}}, "countermark.E056"),
        ({"SIGNED_URL_PROVIDERS": {"client_1": "short"}}, "countermark.E056"),
        ({"SIGNED_URL_PROVIDERS": {"client_1": {"SECRET_KEY": PROVIDER_SECRET, "USER_CREATE_CALLBACK": "x"}}}, "countermark.W051"),
        ({"SIGNED_URL_SINGLE_USE": 1}, "countermark.E055"),
        ({"TOKEN_ALGORITHM": "sha512"}, "countermark.E057"),
        ({"TOKEN_ALGORITHM": "hmac-sha1"}, "countermark.W052"),
    ],
)
def test_ska_and_handshake_setting_checks(conf: dict[str, Any], code: str) -> None:
    from countermark.django.checks import check_settings

    with override_settings(COUNTERMARK=conf):
        assert code in [m.id for m in check_settings()]
    with override_settings(COUNTERMARK={}):
        assert code not in [m.id for m in check_settings()]


# ------------------------------------------------------------------------------------------------ handshake
@pytest.mark.parametrize(
    "hashfunc, algorithm",
    [(hashlib.sha256, "hmac-sha256"), (hashlib.sha512, "hmac-sha512"), (hashlib.sha1, "hmac-sha1")],
)
def test_handshake_tokens_of_each_hashfunc_are_accepted(client: Client, user: Any, hashfunc: Any, algorithm: str) -> None:
    from handshake import AuthToken

    secret = "handshake-token-secret-0123456789"
    token = AuthToken(secret, hashfunc=hashfunc).create("alice")
    header = {"Authorization": countermark.token_authorization(token)}
    with override_settings(COUNTERMARK={"TOKEN_SECRET": secret, "TOKEN_ALGORITHM": algorithm}):
        response = send(Client(), "GET", "/api/whoami/", header)
        assert response.status_code == 200, response.content
        assert response.json()["scheme"] == "token" and response.json()["user"] == "alice"
    other = "hmac-sha384"
    with override_settings(COUNTERMARK={"TOKEN_SECRET": secret, "TOKEN_ALGORITHM": other}):
        response = send(Client(), "GET", "/api/whoami/", header)
        assert response.status_code == 401 and response.json()["reason"] == "bad_signature"


# ------------------------------------------------------------------------------------------------ FOST
FOST_SECRETS = {"alice": "c2VjcmV0LW9mLWFsaWNlLXRoaXJ0eS10d28tYnl0ZXM=", "bob": "bob's own secret"}


def fost_get_secret(request: Any, key: str) -> str:
    """A project's FOST_AUTHN_GET_SECRET(request, key) (django-fost-authn's hook)."""
    return FOST_SECRETS[key]


def test_fost_secrets_of_the_projects_hook_import(client: Client, user: Any, django_user_model: Any) -> None:
    import io

    from django.core.management import CommandError, call_command

    from conftest import HOST
    from countermark.django.models import ApiKey

    django_user_model.objects.create_user("bob")
    django_user_model.objects.create_user("carol")
    with pytest.raises(CommandError, match="password hash"):
        call_command("countermark_import_fost_secrets")
    out, err = io.StringIO(), io.StringIO()
    with override_settings(FOST_AUTHN_GET_SECRET=fost_get_secret):
        with pytest.raises(CommandError, match="2 FOST keys were not imported"):
            call_command("countermark_import_fost_secrets", stdout=out, stderr=err)
    assert "imported 1 FOST keys, skipped 0 already imported, 2 refused" in out.getvalue()
    assert "bob: its secret is not canonical base64" in err.getvalue() and "carol: FOST_AUTHN_GET_SECRET failed" in err.getvalue()
    assert ApiKey.objects.get(key_id="alice").secret().to_base64() == FOST_SECRETS["alice"]

    # A FOST client keeps signing with key "alice" and the same secret string.
    headers = {"Host": HOST}
    req = countermark.Request("GET", "/api/whoami/", headers=headers)
    signer = countermark.FostSigner("alice", countermark.HmacKey(FOST_SECRETS["alice"], "hmac-sha1", legacy=True))
    response = send(client, "GET", "/api/whoami/", {**headers, **dict(signer.sign(req, list(headers)).headers)})
    assert response.status_code == 200, response.content
    assert response.json()["scheme"] == "fost" and response.json()["user"] == "alice"
