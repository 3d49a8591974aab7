"""The README's "Migrating from ska" guide, step by step, with links ska 1.11.2 signs itself: a view behind ska's
``@validate_signed_request`` (before), countermark's settings from the guide's block (step 2), the view behind
``@signed_url_required`` (step 3); links countermark signs validate in ska's decorator (rolling back)."""

from __future__ import annotations

import pathlib
import re
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client
from django.urls import path

from countermark.django.decorators import signed_url, signed_url_required

pytestmark = [pytest.mark.django_db, pytest.mark.urls("test_guide_ska")]

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def guide_block() -> str:
    text = README.read_text()
    start = text.index("## Migrating from ska")
    end = text.index("\n## ", start + 1)
    blocks = re.findall(r"```python django\n(# ska, step 2 \(settings\.py\).*?)```", text[start:end], flags=re.S)
    assert len(blocks) == 1, "the guide's step 2 block"
    return blocks[0]


def _report(request: HttpRequest) -> JsonResponse:
    user = request.user.get_username() if request.user.is_authenticated else request.GET.get("auth_user")
    return JsonResponse({"for": user})


def old_report(request: HttpRequest) -> HttpResponse:
    """The view as it is before the move: ska's decorator (imported here: it needs SKA_SECRET_KEY to import)."""
    from django.conf import settings
    from ska.contrib.django.ska.decorators import validate_signed_request

    return validate_signed_request(secret_key=settings.SKA_SECRET_KEY)(_report)(request)


new_report = signed_url_required(_report)

urlpatterns = [path("report/old/", old_report), path("report/new/", new_report)]


def test_the_guide_keeps_ska_links_working(client: Client, user: Any, settings: Any) -> None:
    from ska import sign_url

    step2: dict[str, Any] = {}
    exec(guide_block(), step2)  # runs the guide's own assertion too
    settings.SKA_SECRET_KEY = step2["SKA_SECRET_KEY"]
    # The service has no countermark middleware: the decorators decide.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("countermark.")]

    def link(view: str) -> str:
        url = sign_url(auth_user="alice", secret_key=settings.SKA_SECRET_KEY, url=f"http://testserver/report/{view}/")
        return url.removeprefix("http://testserver")

    # Before: ska's decorator.
    assert client.get(link("old")).json() == {"for": "alice"}

    # Steps 2 and 3: the guide's settings, the view behind signed_url_required; links ska signs still work.
    settings.COUNTERMARK = {**settings.COUNTERMARK, **step2["COUNTERMARK"]}
    assert client.get(link("new")).json() == {"for": "alice"}
    tampered = link("new").replace("auth_user=alice", "auth_user=admin")
    assert client.get(tampered).status_code == 401

    # Rolling back: a link countermark signed validates in ska's decorator.
    ours = signed_url("/report/old/", "alice")
    assert client.get(ours).json() == {"for": "alice"}
    assert client.get(ours.replace("auth_user=alice", "auth_user=admin")).status_code == 401
