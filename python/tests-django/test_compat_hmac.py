"""django-hmac-authentication's Django surface (issue 19, item 2): its obtain-key view's contract, its settings as
COUNTERMARK keys, request.api_hmac_key's equivalent, and key imports that need neither its app nor its settings."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core import checks
from django.core.management import call_command
from django.test import Client
from django.urls import path
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from countermark.django.checks import check_settings
from countermark.django.compat_hmac import MESSAGE, CreateApiHMACKey, api_key_of, countermark_settings
from countermark.django.models import ApiKey

from conftest import send
from test_reference_libraries import reference_hmac_header

pytestmark = [pytest.mark.django_db, pytest.mark.urls("test_compat_hmac")]


def _reference_view() -> Any:
    from django_hmac_authentication.views import CreateApiHMACKey as Reference

    return Reference.as_view()


@api_view(["POST"])
def which_key(request: Request) -> Response:
    key = api_key_of(request._request)
    return Response({"key_id": key.key_id if key else None, "user": key.user.get_username() if key else None})


urlpatterns = [
    path("obtain-hmac-api-key/", CreateApiHMACKey.as_view(), name="api_hmac_key"),  # the reference's example
    path("reference/obtain-hmac-api-key/", _reference_view()),
    path("which-key/", which_key),
]


def _obtain(client: Client, url: str, payload: Any, as_json: bool = True) -> Any:
    if as_json:
        return client.post(url, json.dumps(payload), content_type="application/json")
    return client.post(url, payload)


@pytest.mark.parametrize("as_json", [True, False])
def test_obtain_key_answers_as_the_reference_does(client: Client, user: Any, as_json: bool) -> None:
    ours = _obtain(client, "/obtain-hmac-api-key/", {"username": "alice", "password": "correct horse"}, as_json)
    theirs = _obtain(client, "/reference/obtain-hmac-api-key/", {"username": "alice", "password": "correct horse"}, as_json)
    assert ours.status_code == theirs.status_code == 200
    assert set(ours.json()) == set(theirs.json()) == {"api_key", "api_secret", "message"}
    assert ours.json()["message"] == theirs.json()["message"] == MESSAGE
    # Same shapes: a UUID key id, 32 random bytes in base64.
    assert len(ours.json()["api_key"]) == len(str(theirs.json()["api_key"])) == 36
    assert len(ours.json()["api_secret"]) == len(theirs.json()["api_secret"]) == 44
    # A key-fetching script signs with what it got, with the reference's own client code.
    got = ours.json()
    header = reference_hmac_header(got["api_key"], got["api_secret"], {"n": 1})
    response = send(client, "POST", "/which-key/", {"Authorization": header}, b'{"n": 1}')
    assert response.status_code == 200, response.content
    assert response.json() == {"key_id": got["api_key"], "user": "alice"}


def test_obtain_key_refusals_answer_as_the_reference_does(client: Client, user: Any, settings: Any) -> None:
    for payload in ({"username": "alice", "password": "wrong"}, {"username": "alice"}, {}):
        ours = _obtain(client, "/obtain-hmac-api-key/", payload)
        theirs = _obtain(client, "/reference/obtain-hmac-api-key/", payload)
        assert (ours.status_code, ours.json()) == (theirs.status_code, theirs.json()), payload
    assert client.get("/obtain-hmac-api-key/").status_code == 405
    settings.COUNTERMARK = {**settings.COUNTERMARK, "MAX_KEYS_PER_USER": 1}
    assert _obtain(client, "/obtain-hmac-api-key/", {"username": "alice", "password": "correct horse"}).status_code == 200
    full = _obtain(client, "/obtain-hmac-api-key/", {"username": "alice", "password": "correct horse"})
    assert full.status_code == 400 and full.json() == ["Maximum API secrets limit reached for user"]
    assert ApiKey.objects.count() == 1


def test_api_key_of_is_none_without_an_api_key(client: Client, user: Any) -> None:
    assert client.post("/which-key/").status_code in (401, 403)


def test_reference_settings_convert_to_countermark_keys() -> None:
    # The reference's README example, word for word.
    reference = {
        "MAX_HMACS_PER_USER": 10,
        "HMAC_AUTH_REQUEST_TIMEOUT": 4,
        "HMAC_AUTH_HEADER_NAME": "HTTP_X_HMAC_SIGNATURE",
        "HMAC_KD_PASSWORD": "Use a secure string here",
        "HMAC_AUTH_FAILED_ATTEMPTS_THRESHOLD": 10,
        "HMAC_EXPIRES_IN": "5m",
        "HMAC_CACHE_ALIAS": "hmac_cache",
        "HMAC_KILL_SWITCH": True,
    }
    converted, notes = countermark_settings(reference)
    assert converted == {
        "HMAC_MAX_AGE": 4,
        "MAX_KEYS_PER_USER": 10,
        "KEY_LIFETIME": 300,
        "AUTHORIZATION_HEADER": "X-Hmac-Signature",
        "KILL_SWITCH_CACHE": "hmac_cache",
    }
    assert any("HMAC_AUTH_FAILED_ATTEMPTS_THRESHOLD" in n for n in notes)
    assert any("HMAC_KD_PASSWORD" in n for n in notes)
    assert countermark_settings({"HMAC_EXPIRES_IN": "2h"})[0] == {"KEY_LIFETIME": 7200}
    assert countermark_settings({"HMAC_EXPIRES_IN": "3600s"})[0] == {"KEY_LIFETIME": 3600}
    assert countermark_settings({"HMAC_EXPIRES_IN": "0m"})[0] == {}
    assert countermark_settings({"HMAC_AUTH_HEADER_NAME": "HTTP_AUTHORIZATION"}) == ({}, [])
    assert countermark_settings(None) == ({}, [])


def test_settings_command_prints_a_dict_the_checks_accept(settings: Any) -> None:
    settings.HMAC_AUTHENTICATION_SETTINGS = {"HMAC_AUTH_REQUEST_TIMEOUT": 4, "HMAC_EXPIRES_IN": "1h"}
    settings.COUNTERMARK = {"FAILED_ATTEMPTS_THRESHOLD": 1000, "HMAC_MAX_AGE": 3}
    out = io.StringIO()
    call_command("countermark_hmac_settings", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    # COUNTERMARK's own keys win over the converted ones.
    assert printed["COUNTERMARK"] == {"FAILED_ATTEMPTS_THRESHOLD": 1000, "HMAC_MAX_AGE": 3, "KEY_LIFETIME": 3600}
    assert any("HMAC_MAX_AGE" in n for n in printed["notes"])
    settings.COUNTERMARK = printed["COUNTERMARK"]
    assert [m.id for m in check_settings() if m.level >= checks.ERROR] == []
    text = io.StringIO()
    call_command("countermark_hmac_settings", stdout=text)
    namespace: dict[str, Any] = {}
    exec(text.getvalue(), namespace)  # it is Python: paste it into settings.py
    assert namespace["COUNTERMARK"] == printed["COUNTERMARK"]


def test_settings_command_never_prints_a_secret(settings: Any) -> None:
    settings.HMAC_AUTHENTICATION_SETTINGS = {"HMAC_AUTH_REQUEST_TIMEOUT": 4}
    token_secret = "token-secret-that-must-not-be-printed"
    settings.COUNTERMARK = {**settings.COUNTERMARK, "TOKEN_SECRET": token_secret}
    for argv in (["--json"], []):
        out = io.StringIO()
        call_command("countermark_hmac_settings", *argv, stdout=out)
        assert token_secret not in out.getvalue()
        assert "TOKEN_SECRET" in out.getvalue()  # named in the note: keep it as it is set
        assert "HMAC_MAX_AGE" in out.getvalue()


def test_import_needs_neither_the_old_settings_nor_its_check(user: Any, settings: Any, monkeypatch: Any) -> None:
    from django_hmac_authentication.server_utils import create_shared_secret_for_user

    key_id, secret = create_shared_secret_for_user(user)
    del settings.HMAC_AUTHENTICATION_SETTINGS
    # The old app's check refuses a project without its settings...
    assert "django_hmac_authentication.E006" in [m.id for m in checks.run_checks()]
    # ... which does not stop the import (run with the system checks, as manage.py runs it).
    out = io.StringIO()
    call_command("countermark_import_hmac_keys", skip_checks=False, stdout=out)
    assert "imported 1 keys" in out.getvalue()
    assert ApiKey.objects.get(key_id=str(key_id)).secret().to_base64() == secret
    assert "django_hmac_authentication.E006" in [m.id for m in checks.run_checks()]  # its checks are back


def test_import_after_the_old_app_is_removed(user: Any, settings: Any, monkeypatch: Any) -> None:
    from django_hmac_authentication.server_utils import create_shared_secret_for_user

    ids_and_secrets = [create_shared_secret_for_user(user) for _ in range(2)]
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "django_hmac_authentication"]
    del settings.HMAC_AUTHENTICATION_SETTINGS
    monkeypatch.setenv("OLD_KD_PASSWORD", settings.SECRET_KEY)
    out = io.StringIO()
    call_command("countermark_import_hmac_keys", "--kd-password-env", "OLD_KD_PASSWORD", stdout=out)
    assert "imported 2 keys, skipped 0" in out.getvalue()
    from countermark.django.management.commands import countermark_import_hmac_keys as command

    assert command._stand_in is not None  # read through the stand-in model: the app is gone
    for key_id, secret in ids_and_secrets:
        assert ApiKey.objects.get(key_id=str(key_id)).secret().to_base64() == secret
    monkeypatch.setenv("OLD_KD_PASSWORD", "not the password")
    ApiKey.objects.all().delete()
    with pytest.raises(Exception, match="could not be decrypted"):
        call_command("countermark_import_hmac_keys", "--kd-password-env", "OLD_KD_PASSWORD", stdout=io.StringIO(), stderr=io.StringIO())
