"""Another process of the suite: the same test project on the test database the parent made (its name in
COUNTERMARK_TEST_DB_NAME), driven over stdin/stdout one JSON line at a time.

    python suite_process.py '{"MAX_KEYS_PER_USER": 3}'    # COUNTERMARK settings of this process

Commands (one JSON object a line; one JSON answer a line each):

* ``{"op": "create_key", "user": NAME, "at": UNIX_TIME}``: waits until ``at`` (so several processes start
  together), then ``ApiKey.objects.create_key``: ``{"ok": true}`` or ``{"ok": false, "error": "key_limit"}``;
* ``{"op": "request", "method": M, "path": P, "headers": {...}, "body": TEXT}``: the request through Django's test
  client in this process: ``{"status": N, "reason": CODE_OR_NULL}``;
* ``{"op": "quit"}``.

It prints ``{"ready": true}`` once Django is set up.
"""

from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testproject.settings")
if not os.environ.get("COUNTERMARK_TEST_DB_NAME"):
    raise SystemExit("suite_process.py opens the parent's test database: set COUNTERMARK_TEST_DB_NAME")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from countermark.django.models import ApiKey, KeyLimitReached  # noqa: E402


def answer(value: dict) -> None:
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def main() -> int:
    if len(sys.argv) > 1:
        override_settings(COUNTERMARK=json.loads(sys.argv[1])).enable()
    client = Client()
    answer({"ready": True})
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        if op == "quit":
            break
        if op == "create_key":
            user = get_user_model().objects.get(username=command["user"])
            delay = command.get("at", 0) - time.time()
            if delay > 0:
                time.sleep(delay)
            try:
                ApiKey.objects.create_key(user)
                answer({"ok": True})
            except KeyLimitReached:
                answer({"ok": False, "error": "key_limit"})
        elif op == "request":
            headers = {k: v for k, v in command["headers"].items() if k.lower() != "content-type"}
            response = client.generic(
                command["method"],
                command["path"],
                data=command.get("body", "").encode(),
                content_type="application/json",
                headers=headers,
            )
            try:
                reason = response.json().get("reason")
            except ValueError:
                reason = None
            answer({"status": response.status_code, "reason": reason})
        else:
            answer({"error": f"unknown op {op!r}"})
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
