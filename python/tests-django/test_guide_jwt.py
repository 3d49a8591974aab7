"""The README's "Migrating from asymmetric-jwt-auth" guide, followed literally in a fresh project (issue 19's
done-criterion): its settings blocks become the project's settings.py step by step, its `python manage.py` lines
run as written, and asymmetric-jwt-auth's own client code (`Token.create_auth_header`, i.e. `Token.sign`) makes
every token. A key the user had before the move and one added to the old app after the first import are both
accepted before, during the switch (both installed), after the old app is removed, and on rolling back.

The project is its own process (its own settings module, SQLite file and LocMem cache): see _fresh_project.py."""

from __future__ import annotations

import pathlib
from typing import Any

from asymmetric_jwt_auth.keys import PrivateKey
from asymmetric_jwt_auth.tokens import Token

from _fresh_project import Project, guide_blocks

OLD = "asymmetric_jwt_auth"
OLD_MIDDLEWARE = "asymmetric_jwt_auth.middleware.JWTAuthMiddleware"
OURS = "countermark.django.middleware.CountermarkMiddleware"
# The service before the move: the old app alone, configured as its README shows.
OLD_SETTINGS = 'ASYMMETRIC_JWT_AUTH = {"TIMESTAMP_TOLERANCE": 20}\n'
BEFORE = f'''
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions", "{OLD}"]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "{OLD_MIDDLEWARE}",
]
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
    by = "countermark" if getattr(request, "signed", None) is not None else "asymmetric_jwt_auth"
    return JsonResponse({"user": request.user.get_username(), "by": by})
'''


def _add_to_old_app(pem: str) -> str:
    """What an operator does in the old app's admin: a public key row for bob."""
    return (
        "from django.contrib.auth import get_user_model\n"
        "from asymmetric_jwt_auth.models import PublicKey\n"
        f"PublicKey.objects.create(user=get_user_model().objects.get(username='bob'), key={pem!r})\n"
    )


def _calls(*keys: Any) -> list[str]:
    """One request per key, each with a fresh token the reference's client makes (its nonce is single-use)."""
    actions = []
    for key in keys:
        actions += ["get", "/whoami/", Token("bob").create_auth_header(key)]
    return actions


def _accepted_by(answers: list[Any]) -> list[str]:
    for a in answers:
        assert a["status"] == 200 and a["body"]["user"] == "bob", a
    return [a["body"]["by"] for a in answers]


def test_the_guide_moves_a_service_without_refusing_its_clients(
    tmp_path: pathlib.Path, ed25519_pem: str, rsa_pem: str
) -> None:
    blocks = guide_blocks("asymmetric-jwt-auth", "asymmetric-jwt-auth")
    assert set(blocks) == {(1, "settings.py"), (1, "sh"), (2, "sh"), (3, "settings.py"), (4, "sh"), (4, "settings.py")}
    a, b = PrivateKey.load_pem(ed25519_pem.encode()), PrivateKey.load_pem(rsa_pem.encode())
    project = Project(tmp_path, views=VIEWS)

    # Before: the old app alone; bob holds key a in it.
    project.configure(OLD_SETTINGS + BEFORE, URLS)
    project.run("manage.py", "migrate", "-v0")
    answers = project.drive("user", "bob", "exec", _add_to_old_app(a.public_key.as_pem.decode()), *_calls(a))
    assert _accepted_by(answers[2:]) == [OLD]

    # Step 1: both apps installed and migrated.
    settings = OLD_SETTINGS + BEFORE + blocks[(1, "settings.py")]
    project.configure(settings, URLS)
    project.shell_block(blocks[(1, "sh")])
    assert _accepted_by(project.drive(*_calls(a))) == [OLD]

    # Step 2: the keys imported; the old middleware still answers. Then a key added to the old app meanwhile.
    assert "imported 1 public keys (skipped 0" in project.shell_block(blocks[(2, "sh")])[0]
    answers = project.drive(*_calls(a), "exec", _add_to_old_app(b.public_key.as_pem.decode()), *_calls(b))
    assert _accepted_by([answers[0], answers[2]]) == [OLD, OLD]

    # Step 3: countermark first; the key it does not hold yet goes on to the old middleware. A token naming the
    # imported key but signed by another key is refused by countermark: the old middleware never sees it.
    step3 = settings + blocks[(3, "settings.py")]
    project.configure(step3, URLS)
    assert "countermark.W040" in project.run("manage.py", "check").stderr
    head = Token("bob").sign(a).split(".")[0]
    body, sig = Token("bob").sign(b).split(".")[1:]
    answers = project.drive(*_calls(a, b), "get", "/whoami/", f"JWT {head}.{body}.{sig}")
    assert _accepted_by(answers[:2]) == ["countermark", OLD]
    assert answers[2]["status"] == 401 and answers[2]["body"]["reason"] == "bad_signature", answers[2]

    # Rolling back during step 3: countermark's middleware removed, the old app still holds every key.
    project.configure(step3 + f"MIDDLEWARE.remove({OURS!r})\n", URLS)
    assert _accepted_by(project.drive(*_calls(a, b))) == [OLD, OLD]

    # Step 4: the last import, then the old app, its middleware and its settings removed.
    assert "imported 1 public keys (skipped 1" in project.shell_block(blocks[(4, "sh")])[0]
    project.configure(BEFORE + blocks[(1, "settings.py")] + blocks[(3, "settings.py")] + blocks[(4, "settings.py")],
                      URLS)
    checked = project.run("manage.py", "check")
    assert "countermark.W040" not in checked.stderr and OLD not in checked.stderr
    assert _accepted_by(project.drive(*_calls(a, b))) == ["countermark", "countermark"]
