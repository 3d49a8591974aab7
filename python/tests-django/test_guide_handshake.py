"""The README's "Migrating from handshake" guide, followed literally in a fresh project (issue 19's done-criterion):
the service's own DRF class around `AuthToken.verify` (before), its import changed by the guide's step 1 block, the
guide's step 2 settings, then handshake removed from the project (a `handshake` module that fails to import shadows
the installed one); handshake's own `AuthToken.create` makes every token the client sends. Rolling back (the
service's class on handshake again), the tokens countermark made meanwhile are accepted too.

The project is its own process (its own settings module, SQLite file and LocMem cache): see _fresh_project.py."""

from __future__ import annotations

import pathlib
from typing import Any

import handshake

from _fresh_project import Project, guide_blocks

SECRET = "the service's handshake secret"
OLD_IMPORT = "import handshake\n"
# The service before the move: DRF with a class of its own around handshake.
BEFORE = '''
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"]
MIDDLEWARE = []
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["service.authentication.ServiceTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
'''
AUTHENTICATION = '''
{import_line}
from django.contrib.auth import get_user_model
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

SECRET = {secret!r}


class ServiceTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <token>``, the username first."""

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Token "):
            return None
        try:
            fields = handshake.AuthToken(secret=SECRET).verify(header[len("Token "):], time_range=300)
        except Exception:
            raise AuthenticationFailed("bad token") from None
        if not fields:
            raise AuthenticationFailed("bad token")
        return get_user_model().objects.get(username=fields[0]), None
'''
URLS = '''
from django.urls import path

from service.views import whoami

urlpatterns = [path("whoami/", whoami)]
'''
VIEWS = '''
from rest_framework.decorators import api_view
from rest_framework.response import Response


@api_view(["GET"])
def whoami(request):
    return Response({"user": request.user.get_username(), "by": type(request.successful_authenticator).__name__})
'''
REMOVED = 'raise ImportError("handshake is no longer in the requirements")\n'


def _calls(n: int) -> list[str]:
    """``n`` requests, each with a token handshake's own client code makes for bob."""
    actions = []
    for _ in range(n):
        actions += ["get", "/whoami/", f"Token {handshake.AuthToken(secret=SECRET).create('bob', '42')}"]
    return actions


def _accepted_by(answers: list[Any]) -> list[str]:
    for a in answers:
        assert a["status"] == 200 and a["body"]["user"] == "bob", a
    return [a["body"]["by"] for a in answers]


def test_the_guide_keeps_handshake_tokens_working(tmp_path: pathlib.Path) -> None:
    blocks = guide_blocks("handshake", "handshake", kinds=("settings.py", "your module that calls AuthToken"))
    assert set(blocks) == {(1, "your module that calls AuthToken"), (2, "settings.py"), (2, "sh")}
    project = Project(tmp_path, views=VIEWS)
    project.env['HANDSHAKE_SECRET'] = SECRET  # the guide's settings read the secret from the environment
    authentication = tmp_path / "service" / "authentication.py"
    shadow = tmp_path / "handshake.py"

    # Before: the service's own class on handshake.
    authentication.write_text(AUTHENTICATION.format(import_line=OLD_IMPORT, secret=SECRET))
    project.configure(BEFORE, URLS)
    project.run("manage.py", "migrate", "-v0")
    assert _accepted_by(project.drive("user", "bob", *_calls(1))[1:]) == ["ServiceTokenAuthentication"]

    # Step 1: the import changed, nothing else.
    step1 = blocks[(1, "your module that calls AuthToken")]
    authentication.write_text(AUTHENTICATION.format(import_line=step1, secret=SECRET))
    project.configure(BEFORE, URLS)
    assert _accepted_by(project.drive(*_calls(1))) == ["ServiceTokenAuthentication"]

    # Step 2: the guide's settings and migrate; step 3: handshake gone from the project. A tampered token is refused, and
    # countermark makes a token meanwhile for the rollback.
    project.configure(BEFORE + blocks[(2, "settings.py")], URLS)
    project.shell_block(blocks[(2, "sh")])
    shadow.write_text(REMOVED)
    tampered = _calls(1)[2].replace(":42:", ":43:")
    answers = project.drive(
        *_calls(2), "get", "/whoami/", tampered,
        "exec", "from countermark.django.schemes import make_token\nfrom django.contrib.auth import get_user_model\n"
        "result = make_token(get_user_model().objects.get(username='bob'))",
    )
    assert _accepted_by(answers[:2]) == ["TokenAuthentication", "TokenAuthentication"]
    assert answers[2]["status"] == 401 and answers[2]["body"]["reason"] == "bad_signature", answers[2]
    ours = answers[3]

    # Rolling back: handshake and the service's class again; the token countermark made verifies in handshake.
    shadow.unlink()
    authentication.write_text(AUTHENTICATION.format(import_line=OLD_IMPORT, secret=SECRET))
    project.configure(BEFORE, URLS)
    answers = project.drive("get", "/whoami/", f"Token {ours}", *_calls(1))
    assert _accepted_by(answers) == ["ServiceTokenAuthentication", "ServiceTokenAuthentication"]
