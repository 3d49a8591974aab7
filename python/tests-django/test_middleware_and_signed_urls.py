"""Plain Django: CountermarkMiddleware + CountermarkBackend; signed URLs: decorators, model method, template tag,
password-less login."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.signals import user_login_failed
from django.template import Context, Template
from django.test import Client

from countermark.django.decorators import sign_url, signed_url
from countermark.django.schemes import url_signer
from countermark.django.views import login_url

from conftest import BODY, Signers, send

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scheme", ["hmac", "fost", "rfc9421", "jwt", "token"])
def test_middleware_authenticates_plain_views(signers: Signers, scheme: str) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/plain/", BODY, content_type="application/json").status_code == 403  # unsigned: CSRF
    headers = getattr(signers, scheme)("POST", "/plain/", BODY, "application/json")
    response = send(client, "POST", "/plain/", headers, BODY)  # no CSRF token: signed requests skip CSRF
    assert response.status_code == 200, response.content
    assert response.json()["user"] == "alice"
    assert response.json()["scheme"] == scheme


def test_middleware_answers_refusals_itself(client: Client, signers: Signers) -> None:
    headers = signers.hmac("POST", "/plain/", BODY, "application/json")
    response = send(client, "POST", "/plain/", headers, BODY.replace(b"bob", b"eve"))
    assert response.status_code == 401
    assert response.json()["reason"] == "bad_signature"
    assert response["WWW-Authenticate"].startswith("HMAC-SHA256 ")


def test_unsigned_requests_pass_through_without_failed_login_signals(client: Client, user: Any) -> None:
    seen: list[Any] = []

    def record(**kwargs: Any) -> None:
        seen.append(kwargs)

    user_login_failed.connect(record)
    try:
        response = client.get("/plain/")
    finally:
        user_login_failed.disconnect(record)
    assert response.status_code == 200
    assert response.json() == {"user": None, "scheme": None, "key_id": None, "covered": []}
    assert seen == []


def test_backend_through_django_authenticate(rf: Any, signers: Signers) -> None:
    from django.contrib.auth import authenticate

    headers = signers.hmac("GET", "/plain/", b"", "application/json")
    request = rf.get("/plain/", headers=headers)
    user = authenticate(request, schemes=["hmac"])
    assert user is not None and user.get_username() == "alice"
    assert request.signed.scheme == "hmac"
    # A password login does not reach this backend.
    assert authenticate(rf.get("/"), username="alice", password="wrong") is None


@pytest.mark.parametrize("path", ["/download/", "/report/"])
def test_signed_url_required_on_function_and_class_views(client: Client, user: Any, path: str) -> None:
    response = client.get(signed_url(path, "alice", extra={"file": "q3.pdf"}))
    assert response.status_code == 200, response.content
    assert response.json()["user"] == "alice"
    assert response.json()["scheme"] == "signed_url"
    unsigned = client.get(path)
    assert unsigned.status_code == 401 and unsigned.json()["reason"] == "missing"
    tampered = client.get(signed_url(path, "alice", extra={"file": "q3.pdf"}).replace("q3.pdf", "q4.pdf"))
    assert tampered.status_code == 401 and tampered.json()["reason"] == "bad_signature"
    expired = client.get(url_signer().sign_url(path, "alice", valid_until=time.time() - 10))
    assert expired.status_code == 401 and expired.json()["reason"] == "expired"


def test_model_method_decorator(user: Any, client: Client) -> None:
    class Report:
        owner = "alice"

        @sign_url(auth_user=lambda self: self.owner, lifetime=60, extra={"kind": "pdf"})
        def get_download_url(self) -> str:
            return "/download/"

    url = Report().get_download_url()
    assert url.startswith("/download/?") and "signature=" in url and "auth_user=alice" in url
    assert client.get(url).status_code == 200


def test_template_tag(user: Any, client: Client) -> None:
    html = Template("{% load countermark %}{% signed_url '/download/' user lifetime=60 file='a b' %}").render(
        Context({"user": user})
    )
    url = html.replace("&amp;", "&")
    assert "auth_user=alice" in url
    assert client.get(url).status_code == 200


def test_signed_url_login_logs_in_once_and_redirects(client: Client, user: Any) -> None:
    url = login_url(user, next_url="/home/")
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == "/home/"
    assert client.get("/home/").json() == {"user": "alice"}  # a session now
    again = Client().get(url)
    assert again.status_code == 401 and again.json()["reason"] == "replayed"


def test_signed_url_login_refuses_foreign_redirects_and_bad_urls(client: Client, user: Any) -> None:
    response = client.get(login_url(user, next_url="https://evil.example/"))
    assert response.status_code == 302 and response["Location"] == "/home/"
    bad = Client().get(login_url(user).replace("auth_user=alice", "auth_user=root"))
    assert bad.status_code == 401 and bad.json()["reason"] == "bad_signature"
    assert Client().get("/auth/login/").json()["reason"] == "missing"


# ska's legacy helpers: links a JavaScript client made with HMACMD5Signature, javascript_value_dumper and
# javascript_quoter, signed here by the real ska 1.11.2 (the reference library of the test venv).
JS_SECRET = "your-secret-key"  # ska's documentation key: 15 bytes


def _ska_js_link(path: str, user: str, extra: dict[str, str], signature_cls: Any = None) -> str:
    import ska
    from ska.helpers import javascript_quoter, javascript_value_dumper

    cls = signature_cls or ska.HMACMD5Signature
    sig = cls.generate_signature(user, JS_SECRET, lifetime=300, extra=extra,
                                 value_dumper=javascript_value_dumper, quoter=javascript_quoter)
    return ska.RequestHelper(signature_cls=cls).signature_to_url(sig, path)


def test_signed_urls_of_skas_javascript_helpers_and_md5(client: Client, user: Any, settings: Any) -> None:
    extra = {"file": "Q3 (final)!.pdf", "path": "/reports/q3"}
    link = _ska_js_link("/download/", "alice", extra)
    legacy = {
        "SIGNED_URL_SECRET": JS_SECRET,
        "SIGNED_URL_LEGACY_SHORT_SECRET": True,
        "SIGNED_URL_ALGORITHM": "hmac-sha256",
        "SIGNED_URL_LEGACY_ALGORITHMS": ["hmac-md5"],
        "SIGNED_URL_VALUE_DUMPER": "javascript",
        "SIGNED_URL_QUOTER": "javascript",
    }
    settings.COUNTERMARK = {**settings.COUNTERMARK, **legacy}
    response = client.get(link)
    assert response.status_code == 200, response.content
    assert response.json()["user"] == "alice"
    # The app's own links are signed with SIGNED_URL_ALGORITHM (not MD5) and validate too.
    own = signed_url("/download/", "alice", extra={"tags": None})
    assert client.get(own).status_code == 200
    assert "tags=null" in own  # the JavaScript dumper's JSON, the text that was signed

    # Each legacy setting is needed: without it the same, validly signed link is refused.
    for key, value in [
        ("SIGNED_URL_LEGACY_ALGORITHMS", []),
        ("SIGNED_URL_QUOTER", None),
    ]:
        settings.COUNTERMARK = {**settings.COUNTERMARK, **legacy, key: value}
        refused = client.get(link)
        assert refused.status_code == 401, key
        assert refused.json()["reason"] == "bad_signature", key


def test_short_ska_secret_needs_the_legacy_setting(client: Client, user: Any, settings: Any) -> None:
    import ska

    link = _ska_js_link("/download/", "alice", {"file": "a.pdf"}, signature_cls=ska.HMACSHA1Signature)
    base = {"SIGNED_URL_SECRET": JS_SECRET, "SIGNED_URL_QUOTER": "javascript"}
    settings.COUNTERMARK = {**settings.COUNTERMARK, **base, "SIGNED_URL_LEGACY_SHORT_SECRET": True}
    assert client.get(link).status_code == 200
    settings.COUNTERMARK = {**settings.COUNTERMARK, **base, "SIGNED_URL_LEGACY_SHORT_SECRET": False}
    import countermark

    with pytest.raises(countermark.InvalidKey):
        client.get(link)
