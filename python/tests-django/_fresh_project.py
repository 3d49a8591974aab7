"""A fresh Django project in a directory of its own, for the README's migration guides (issue 19's done-criterion:
each guide's steps, followed literally in a fresh project). The guide tests write the guide's blocks into the
project's files step by step, run its ``python manage.py`` lines as written, and send requests through a driver
script; every command is its own process (the project's own settings module, SQLite file and LocMem cache), not
this suite's."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shlex
import subprocess
import sys
from typing import Any, Optional

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"

BASE = '''
SECRET_KEY = "guide-test-secret-key-0123456789abcdef"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
USE_TZ = True
ROOT_URLCONF = "service.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {db!r}}}}}
CACHES = {{"default": {{"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
'''
MANAGE = '''
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "service.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
'''
# A client in the project's own process: ``user NAME`` makes a user, ``exec CODE`` runs Python (what an operator
# does in ``manage.py shell``; a value it leaves in ``result`` is reported), ``get PATH AUTHORIZATION`` sends a
# request (AUTHORIZATION: the header's value, ``-`` for none, or a JSON object of headers). Prints one JSON list, an entry per action.
DRIVE = '''
import json, os, sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "service.settings")
import django

django.setup()
from django.contrib.auth import get_user_model
from django.test import Client

out = []
args = sys.argv[1:]
while args:
    action = args.pop(0)
    if action == "user":
        get_user_model().objects.create_user(args.pop(0), password="a password")
        out.append(None)
    elif action == "exec":
        scope = {}
        exec(args.pop(0), scope)
        out.append(scope.get("result"))
    elif action == "get":
        path, auth = args.pop(0), args.pop(0)
        headers = {} if auth == "-" else json.loads(auth) if auth.startswith("{") else {"Authorization": auth}
        r = Client().get(path, headers=headers)
        try:
            body = r.json()
        except ValueError:
            body = r.content.decode(errors="replace")
        out.append({"status": r.status_code, "body": body})
    else:
        raise SystemExit(f"unknown action {action}")
print(json.dumps(out))
'''


def guide_blocks(guide: str, label: str, kinds: tuple[str, ...] = ("settings.py", "urls.py", "views.py")) -> dict[
    tuple[int, str], str
]:
    """The blocks of README section ``## Migrating from <guide>`` by (step, kind): each starts with the comment
    ``# <label>, step N`` (a shell block) or ``# <label>, step N (<kind>)`` (a ``python django`` block)."""
    text = README.read_text()
    title = f"## Migrating from {guide}\n"
    start = text.index(title)
    end = text.index("\n## ", start + len(title))
    blocks: dict[tuple[int, str], str] = {}
    pattern = rf"# {re.escape(label)}, step (\d+)(?: \(({'|'.join(re.escape(k) for k in kinds)})\))?"
    for fence, body in re.findall(r"```(python django|python|sh)\n(.*?)```", text[start:end], flags=re.S):
        m = re.match(pattern, body)
        if fence == "python" and not m:
            continue  # a plain Python example of the guide (python/tests/test_readme.py runs those)
        assert m, f"a guide block without its step comment: {body[:80]!r}"
        kind = m.group(2) or "sh"
        assert (fence == "sh") == (kind == "sh"), body[:80]
        key = (int(m.group(1)), kind)
        assert key not in blocks, f"two blocks for {key}"
        blocks[key] = body
    return blocks


class Project:
    """``service/`` (settings, urls, views) beside ``manage.py`` and the driver, in ``root``."""

    def __init__(self, root: pathlib.Path, *, views: str, drive: str = DRIVE, service_urls: str = "") -> None:
        self.root = root
        self.service_urls = service_urls
        (root / "service").mkdir()
        (root / "service" / "__init__.py").write_text("")
        (root / "service" / "views.py").write_text(views)
        (root / "manage.py").write_text(MANAGE)
        (root / "drive.py").write_text(drive)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        self.env["DJANGO_SETTINGS_MODULE"] = "service.settings"

    def configure(self, settings: str, urls: str, views: Optional[str] = None) -> None:
        """The project's settings.py (BASE, then ``settings``: later assignments win, as in a settings file that
        grows step by step), urls.py (``urls``, then the service's own URLs) and, when given, views.py."""
        (self.root / "service" / "settings.py").write_text(BASE.format(db=str(self.root / "db.sqlite3")) + settings)
        (self.root / "service" / "urls.py").write_text(urls + self.service_urls)
        if views is not None:
            (self.root / "service" / "views.py").write_text(views)
        for cached in (self.root / "service").glob("__pycache__"):
            for f in cached.iterdir():
                f.unlink()  # a file rewritten within the same second must not be read from a stale .pyc

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, *argv], cwd=self.root, env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"{argv}: {done.stdout}{done.stderr}"
        return done

    def shell_block(self, block: str) -> list[str]:
        """Runs each ``python manage.py ...`` line of a guide block as written; returns their outputs."""
        outputs = []
        for line in block.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            assert line.startswith("python manage.py "), f"a guide command this test cannot follow: {line}"
            outputs.append(self.run(*shlex.split(line)[1:]).stdout)
        assert outputs, "a shell block without a command"
        return outputs

    def drive(self, *actions: str) -> list[Any]:
        return json.loads(self.run("drive.py", *actions).stdout.splitlines()[-1])
