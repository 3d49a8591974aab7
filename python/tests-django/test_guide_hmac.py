"""The README's "Migrating from django-hmac-authentication" guide, followed literally in a fresh project (issue 19's
done-criterion): its settings and urls blocks become the project's files step by step, its `python manage.py`
lines run as written, and the reference library's own client code signs a request at every step. Keys made by the
old app before, during and after the switch, and by the obtain-key URL, must all be accepted throughout; rolling
back during step 3, the old app accepts every key it made and answers the one countermark handed out as unknown.

The project is its own process (its own settings module, SQLite file and LocMem cache), not this suite's: see
_fresh_project.py."""

from __future__ import annotations

import json
import pathlib
from typing import Any

from _fresh_project import Project as FreshProject
from _fresh_project import guide_blocks

# The service before the move: the old app alone, configured as its README shows.
OLD_SETTINGS = 'HMAC_AUTHENTICATION_SETTINGS = {"MAX_HMACS_PER_USER": 10, "HMAC_AUTH_REQUEST_TIMEOUT": 5}\n'
BEFORE = '''
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "django_hmac_authentication"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["django_hmac_authentication.authentication.HMACAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
'''
OLD_URLS = '''
from django.urls import path

from django_hmac_authentication.views import CreateApiHMACKey

urlpatterns = [path("obtain-hmac-api-key/", CreateApiHMACKey.as_view(), name="api_hmac_key")]
'''
SERVICE_URLS = '''
from service.views import orders

urlpatterns += [path("api/orders/", orders)]
'''
VIEWS = '''
from rest_framework.decorators import api_view
from rest_framework.response import Response


@api_view(["POST"])
def orders(request):
    by = type(request.successful_authenticator).__module__.split(".")[0]
    return Response({"user": request.user.get_username(), "by": by})
'''
# A client of the old app: signs with django-hmac-authentication's own client functions.
DRIVE = '''
import base64, json, os, sys
from datetime import datetime, timezone

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "service.settings")
import django

django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django_hmac_authentication.client_utils import compose_authorization_header, prepare_string_to_sign
from vevde_security_utils.crypt.signatures import sign_string

client = Client()
out = []
args = sys.argv[1:]
while args:
    action = args.pop(0)
    if action == "user":
        get_user_model().objects.create_user("bob", password="bob's password")
        out.append(None)
    elif action == "obtain":
        r = client.post("/obtain-hmac-api-key/", json.dumps({"username": "bob", "password": "bob's password"}),
                        content_type="application/json")
        out.append({"status": r.status_code, "body": r.json()})
    elif action == "call":
        key, secret = args.pop(0), args.pop(0)
        data = {"item": "book", "qty": 2}
        utc = datetime.now(timezone.utc).isoformat()
        signature = sign_string(prepare_string_to_sign(data, utc, "HMAC-SHA256"), base64.b64decode(secret), "HMAC-SHA256")
        header = compose_authorization_header("HMAC-SHA256", key, signature, utc)
        r = client.post("/api/orders/", json.dumps(data), content_type="application/json",
                        headers={"Authorization": header})
        out.append({"status": r.status_code, "body": r.json()})
print(json.dumps(out))
'''


class Project(FreshProject):
    def __init__(self, root: pathlib.Path) -> None:
        super().__init__(root, views=VIEWS, drive=DRIVE, service_urls=SERVICE_URLS)

    def reference_key(self) -> tuple[str, str]:
        """A key the old app makes with its own command (as an operator would while the move goes on)."""
        made = json.loads(self.run("manage.py", "create_hmac_for_user", "bob").stdout)
        return made["api_key"], made["api_secret"]


def _accepted_by(answers: list[Any]) -> list[str]:
    for a in answers:
        assert a["status"] == 200 and a["body"]["user"] == "bob", a
    return [a["body"]["by"] for a in answers]


def test_the_guide_moves_a_service_without_refusing_its_clients(tmp_path: pathlib.Path) -> None:
    blocks = guide_blocks("django-hmac-authentication", "django-hmac-authentication")
    assert set(blocks) == {
        (1, "settings.py"), (1, "sh"), (2, "sh"), (3, "settings.py"), (3, "urls.py"), (3, "sh"), (4, "sh"),
        (4, "settings.py"),
    }
    project = Project(tmp_path)
    old = "django_hmac_authentication"

    # Before: the service on the old app alone, with two keys (its command, its obtain-key URL).
    project.configure(OLD_SETTINGS + BEFORE, OLD_URLS)
    project.run("manage.py", "migrate", "-v0")
    project.drive("user")
    k1 = project.reference_key()
    obtained = project.drive("obtain")[0]
    assert obtained["status"] == 200
    k0 = (obtained["body"]["api_key"], obtained["body"]["api_secret"])
    assert _accepted_by(project.drive("call", *k0, "call", *k1)) == [old, old]

    # Step 1: both apps installed.
    settings = OLD_SETTINGS + BEFORE + blocks[(1, "settings.py")]
    project.configure(settings, OLD_URLS)
    project.shell_block(blocks[(1, "sh")])
    assert _accepted_by(project.drive("call", *k0, "call", *k1)) == [old, old]

    # Step 2: the keys imported; the old class still answers.
    assert "imported 2 keys" in project.shell_block(blocks[(2, "sh")])[0]
    assert _accepted_by(project.drive("call", *k1)) == [old]
    k2 = project.reference_key()  # made by the old app after the import

    # Step 3: countermark first; a key it does not hold yet goes on to the old class; the obtain-key URL is ours.
    settings += blocks[(3, "settings.py")]
    project.configure(settings, blocks[(3, "urls.py")])
    printed: dict[str, Any] = {}
    exec(project.shell_block(blocks[(3, "sh")])[0], printed)
    step3: dict[str, Any] = {}
    exec(blocks[(3, "settings.py")], step3)
    assert printed["COUNTERMARK"] == step3["COUNTERMARK"], "the guide's COUNTERMARK is what the command prints"
    assert "countermark.W040" in project.run("manage.py", "check").stderr
    assert _accepted_by(project.drive("call", *k0, "call", *k1, "call", *k2)) == ["countermark", "countermark", old]
    obtained = project.drive("obtain")[0]
    assert obtained["status"] == 200 and set(obtained["body"]) == {"api_key", "api_secret", "message"}
    k3 = (obtained["body"]["api_key"], obtained["body"]["api_secret"])
    assert _accepted_by(project.drive("call", *k3)) == ["countermark"]

    # Rolling back during step 3: step 1's REST_FRAMEWORK and the old obtain-key view again. The old app holds every
    # key it made; the key obtained from countermark since step 3 is countermark's only, as the guide says.
    project.configure(settings + blocks[(1, "settings.py")], OLD_URLS)
    answers = project.drive("call", *k0, "call", *k1, "call", *k2, "call", *k3)
    assert _accepted_by(answers[:3]) == [old, old, old]
    assert answers[3] == {"status": 403, "body": {"detail": "Key does not exist."}}, answers[3]

    # Step 4: the last import, then the old app, its class and its settings removed.
    assert "imported 1 keys, skipped 2" in project.shell_block(blocks[(4, "sh")])[0]
    project.configure(BEFORE + blocks[(1, "settings.py")] + blocks[(3, "settings.py")] + blocks[(4, "settings.py")],
                      blocks[(3, "urls.py")])
    checked = project.run("manage.py", "check")
    assert "countermark.W040" not in checked.stderr and old not in checked.stderr
    answers = project.drive("call", *k0, "call", *k1, "call", *k2, "call", *k3)
    assert _accepted_by(answers) == ["countermark"] * 4
