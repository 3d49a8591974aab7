"""The README's "Migrating from ska" guide, followed literally in a fresh project (issue 19's done-criterion): its
settings blocks become the project's settings.py step by step, its views block replaces the import line of the
service's views.py, its `python manage.py` lines run as written, and ska's own `sign_url` signs every link. Links
ska signs are accepted before, with both apps installed, after the decorators switch and after ska's app and
settings are removed; links countermark signs validate in ska's decorator on rolling back.

The project is its own process (its own settings module, SQLite file and LocMem cache): see _fresh_project.py."""

from __future__ import annotations

import pathlib
import re
from typing import Any

from ska import sign_url

from _fresh_project import Project, guide_blocks

SECRET = "the service's ska secret key"
OLD_IMPORT = "from ska.contrib.django.ska.decorators import validate_signed_request\n"
# The service before the move: ska's app, its secret, a view behind its decorator.
OLD_SETTINGS = f"SKA_SECRET_KEY = {SECRET!r}\n"
BEFORE = '''
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "ska.contrib.django.ska"]
MIDDLEWARE = []
'''
URLS = '''
from django.urls import path

from service.views import report

urlpatterns = [path("report/", report)]
'''
VIEWS = '''
from django.http import JsonResponse

{import_line}

@validate_signed_request()
def report(request):
    by = "countermark" if getattr(request, "signed", None) is not None else "ska"
    return JsonResponse({{"for": request.GET["auth_user"], "by": by}})
'''


def _links(n: int) -> list[str]:
    """``n`` requests, each with a link ska's own client code signs for bob."""
    actions = []
    for _ in range(n):
        link = sign_url(auth_user="bob", secret_key=SECRET, url="http://testserver/report/")
        actions += ["get", link.removeprefix("http://testserver"), "-"]
    return actions


def _accepted_by(answers: list[Any]) -> list[str]:
    for a in answers:
        assert a["status"] == 200 and a["body"]["for"] == "bob", a
    return [a["body"]["by"] for a in answers]


def test_the_guide_keeps_ska_links_working(tmp_path: pathlib.Path) -> None:
    blocks = guide_blocks("ska", "ska")
    assert set(blocks) == {(1, "settings.py"), (1, "sh"), (2, "settings.py"), (3, "views.py"), (4, "settings.py")}
    project = Project(tmp_path, views=VIEWS.format(import_line=OLD_IMPORT))
    project.env['SKA_SECRET_KEY'] = SECRET  # the guide's settings read the secret from the environment

    # Before: ska alone.
    project.configure(OLD_SETTINGS + BEFORE, URLS)
    project.run("manage.py", "migrate", "-v0")
    assert _accepted_by(project.drive("user", "bob", *_links(1))[1:]) == ["ska"]

    # Step 1: both apps installed and migrated; step 2: countermark's settings. ska's decorator still answers.
    settings = OLD_SETTINGS + BEFORE + blocks[(1, "settings.py")]
    project.configure(settings, URLS)
    project.shell_block(blocks[(1, "sh")])
    settings += blocks[(2, "settings.py")]
    project.configure(settings, URLS)
    assert _accepted_by(project.drive(*_links(1))) == ["ska"]

    # Step 3: the views' import switched; links ska signs validate in countermark, a tampered one is refused. A link
    # countermark signs meanwhile (its template tag and signed_url do the same) is kept for the rollback.
    project.configure(settings, URLS, views=VIEWS.format(import_line=blocks[(3, "views.py")]))
    tampered = _links(1)[1].replace("auth_user=bob", "auth_user=admin")
    answers = project.drive(
        *_links(2), "get", tampered, "-",
        "exec", "from countermark.django.decorators import signed_url\nresult = signed_url('/report/', 'bob')",
    )
    assert _accepted_by(answers[:2]) == ["countermark", "countermark"]
    assert answers[2]["status"] == 401 and answers[2]["body"]["reason"] == "bad_signature", answers[2]
    ours = answers[3]

    # Rolling back: ska's decorator again; the link countermark signed validates in ska, and so do ska's own.
    project.configure(settings, URLS, views=VIEWS.format(import_line=OLD_IMPORT))
    assert _accepted_by(project.drive("get", ours, "-", *_links(1))) == ["ska", "ska"]

    # Step 4 (after step 3 again): ska's app and its settings removed.
    settings = BEFORE + blocks[(1, "settings.py")] + blocks[(4, "settings.py")]
    assert not re.search(r"^SKA_\w*\s*=", settings, re.M)  # no ska setting left (its secret stays in the environment)
    project.configure(settings, URLS, views=VIEWS.format(import_line=blocks[(3, "views.py")]))
    checked = project.run("manage.py", "check")
    assert "ska" not in checked.stderr.lower(), checked.stderr
    assert _accepted_by(project.drive(*_links(2))) == ["countermark", "countermark"]
