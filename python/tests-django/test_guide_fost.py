"""The README's "Migrating from django-fost-authn" guide, followed literally in a fresh project (issue 19's
done-criterion): its settings blocks become the project's settings.py step by step and its `python manage.py`
lines run as written. A key the service knew before the move and one its FOST_AUTHN_GET_SECRET learns after the
first import are accepted before, during the switch (both installed), after the old middleware is removed, and on
rolling back.

django-fost-authn 0.3.8 is Python 2 only and cannot be installed, so two things here are not the reference's own:
the requests are signed by countermark's `FostSigner` (the wire format is byte-compatible with the reference: the
FOST vectors, python/tests/test_vectors_fost.py, prove it), and the project's `fost_authn` module is a stand-in
written for this test under the reference's names (`fost_authn.Middleware`, `fost_authn.FostBackend`, the
`FOST_AUTHN_GET_SECRET(request, key)` hook, the key naming its user), verifying with countermark's core FOST
verifier. It lets the guide's settings load and answers the keys countermark does not hold yet, as the old app
would; it is deleted from the project at step 4.

The project is its own process (its own settings module, SQLite file and LocMem cache): see _fresh_project.py."""

from __future__ import annotations

import base64
import json
import pathlib
import uuid
from typing import Any

import countermark

from _fresh_project import Project, guide_blocks

OLD = "fost_authn"
OURS = ("countermark.django.middleware.CountermarkMiddleware", "countermark.django.backends.CountermarkBackend")
SECRETS = {name: base64.b64encode(name.encode() * 8).decode() for name in ("bob", "carol")}
# The service before the move: the old middleware and backend, secrets from the project's own hook.
OLD_SETTINGS = 'FOST_AUTHN_GET_SECRET = "service.secrets.get_secret"\n'
BEFORE = '''
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fost_authn.Middleware",
]
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "fost_authn.FostBackend"]
'''
SECRETS_MODULE = '''
SECRETS = {}


def get_secret(request, key):
    return SECRETS[key]
'''
STAND_IN = '''
"""A stand-in for django-fost-authn 0.3.8 (Python 2 only) under its names: see test_guide_fost.py."""
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.utils.deprecation import MiddlewareMixin
from django.utils.module_loading import import_string

import countermark


class Middleware(MiddlewareMixin):
    def process_request(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.startswith("FOST "):
            user = auth.authenticate(request=request, fost_key=header[5:].partition(":")[0])
            if user is not None:
                request.user = user


class FostBackend:
    def authenticate(self, request, fost_key=None):
        try:
            secret = import_string(settings.FOST_AUTHN_GET_SECRET)(request, fost_key)
        except KeyError:
            return None
        signed = countermark.Request(request.method, request.get_full_path(), headers=dict(request.headers))
        try:
            countermark.verify_fost(signed, countermark.HmacKey(secret.encode(), "hmac-sha1", legacy=True))
        except countermark.CountermarkError:
            return None
        return get_user_model().objects.get(username=fost_key)

    def get_user(self, user_id):
        return get_user_model().objects.filter(pk=user_id).first()
'''
URLS = '''
from django.urls import path

from service.views import whoami

urlpatterns = [path("whoami/", whoami)]
'''
VIEWS = '''
from django.http import JsonResponse


def whoami(request):
    if not request.user.is_authenticated:
        return JsonResponse({"user": None}, status=403)
    by = "countermark" if getattr(request, "signed", None) is not None else "fost_authn"
    return JsonResponse({"user": request.user.get_username(), "by": by})
'''


def _calls(*keys: str) -> list[str]:
    """One request per FOST key (= its username), each signed afresh (a request id makes each one unique)."""
    actions = []
    for key in keys:
        headers = {"Host": "testserver", "X-Request-Id": str(uuid.uuid4())}
        hmac_key = countermark.HmacKey(SECRETS[key].encode(), "hmac-sha1", legacy=True)
        signed = countermark.FostSigner(key, hmac_key).sign(countermark.Request("GET", "/whoami/", headers=headers),
                                                            list(headers))
        actions += ["get", "/whoami/", json.dumps({**headers, **dict(signed.headers)})]
    return actions


def _accepted_by(answers: list[Any], *users: str) -> list[str]:
    assert [a["body"].get("user") for a in answers] == list(users), answers
    assert all(a["status"] == 200 for a in answers), answers
    return [a["body"]["by"] for a in answers]


def _know(project: Project, key: str) -> None:
    """The service's FOST_AUTHN_GET_SECRET learns a key, and its user is made."""
    secrets = project.root / "service" / "secrets.py"
    secrets.write_text(secrets.read_text() + f"SECRETS[{key!r}] = {SECRETS[key]!r}\n")
    project.drive("user", key)


def test_the_guide_moves_a_service_without_refusing_its_clients(tmp_path: pathlib.Path) -> None:
    blocks = guide_blocks("django-fost-authn", "django-fost-authn")
    assert set(blocks) == {(1, "settings.py"), (1, "sh"), (2, "sh"), (3, "settings.py"), (4, "sh"), (4, "settings.py")}
    project = Project(tmp_path, views=VIEWS)
    (tmp_path / "service" / "secrets.py").write_text(SECRETS_MODULE)
    (tmp_path / "fost_authn.py").write_text(STAND_IN)

    # Before: the old middleware alone; bob's key known.
    project.configure(OLD_SETTINGS + BEFORE, URLS)
    project.run("manage.py", "migrate", "-v0")
    _know(project, "bob")
    assert _accepted_by(project.drive(*_calls("bob")), "bob") == [OLD]

    # Step 1: both installed and migrated.
    settings = OLD_SETTINGS + BEFORE + blocks[(1, "settings.py")]
    project.configure(settings, URLS)
    project.shell_block(blocks[(1, "sh")])
    assert _accepted_by(project.drive(*_calls("bob")), "bob") == [OLD]

    # Step 2: the keys imported; the old middleware still answers. Then the service learns carol's key.
    assert "imported 1 FOST keys, skipped 0" in project.shell_block(blocks[(2, "sh")])[0]
    _know(project, "carol")
    assert _accepted_by(project.drive(*_calls("bob", "carol")), "bob", "carol") == [OLD, OLD]

    # Step 3: countermark first; carol's key, not imported yet, goes on to the old middleware.
    step3 = settings + blocks[(3, "settings.py")]
    project.configure(step3, URLS)
    assert "countermark.W040" in project.run("manage.py", "check").stderr
    assert _accepted_by(project.drive(*_calls("bob", "carol")), "bob", "carol") == ["countermark", OLD]

    # Rolling back during step 3: countermark's middleware and backend removed.
    project.configure(step3 + f"MIDDLEWARE.remove({OURS[0]!r})\nAUTHENTICATION_BACKENDS.remove({OURS[1]!r})\n", URLS)
    assert _accepted_by(project.drive(*_calls("bob", "carol")), "bob", "carol") == [OLD, OLD]

    # Step 4: the last import, then the old middleware, its backend and its settings removed (the module too).
    assert "imported 1 FOST keys, skipped 1" in project.shell_block(blocks[(4, "sh")])[0]
    settings = BEFORE + blocks[(1, "settings.py")] + blocks[(3, "settings.py")] + blocks[(4, "settings.py")]
    assert "FOST_AUTHN" not in settings
    (tmp_path / "fost_authn.py").unlink()
    project.configure(settings, URLS)
    checked = project.run("manage.py", "check")
    assert "countermark.W040" not in checked.stderr, checked.stderr
    assert _accepted_by(project.drive(*_calls("bob", "carol")), "bob", "carol") == ["countermark", "countermark"]
