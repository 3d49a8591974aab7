"""The README's "Migrating from handshake" guide, step by step, with tokens made by handshake 0.2.1 itself: the
service's own DRF class around `AuthToken.verify` (before), the same class on the drop-in module (step 1), then
countermark's TokenAuthentication configured by the guide's settings block (step 2); and back (rolling back)."""

from __future__ import annotations

import importlib
import pathlib
import re
from typing import Any

import handshake
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import path
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from countermark.django.schemes import make_token

pytestmark = [pytest.mark.django_db, pytest.mark.urls("test_guide_handshake")]

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
SECRET = "the service's handshake secret"


def guide_block() -> str:
    text = README.read_text()
    start = text.index("## Migrating from handshake")
    end = text.index("\n## ", start + 1)
    blocks = re.findall(r"```python django\n(# handshake, step 2 \(settings\.py\).*?)```", text[start:end], flags=re.S)
    assert len(blocks) == 1, "the guide's step 2 settings block"
    return blocks[0]


class ServiceTokenAuthentication(BaseAuthentication):
    """What a service on handshake writes itself: ``Authorization: Token <token>``, the username first."""

    module = "handshake"

    def authenticate(self, request: Request) -> Any:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Token "):
            return None
        auth_token = importlib.import_module(self.module).AuthToken(secret=SECRET)
        try:
            fields = auth_token.verify(header[len("Token "):], time_range=300)
        except Exception:  # noqa: BLE001 - handshake raises its own errors; both modules raise the same ones
            raise AuthenticationFailed("bad token") from None
        if not fields:
            raise AuthenticationFailed("bad token")
        return get_user_model().objects.get(username=fields[0]), None


class DropInTokenAuthentication(ServiceTokenAuthentication):
    module = "countermark.compat.handshake"  # step 1: the import changed, nothing else


class Whoami(APIView):
    def get_authenticators(self) -> list[Any]:  # the project's REST_FRAMEWORK as it is now
        return [cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]

    def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username(), "by": type(request.successful_authenticator).__name__})


urlpatterns = [path("whoami/", Whoami.as_view())]


def _get(client: Client, token: str) -> Any:
    return client.get("/whoami/", headers={"Authorization": f"Token {token}"})


def _rest_framework(classes: list[str]) -> dict[str, Any]:
    return {
        "DEFAULT_AUTHENTICATION_CLASSES": classes,
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    }


def test_the_guide_keeps_handshake_tokens_working(client: Client, user: Any, settings: Any) -> None:
    made_by_handshake = handshake.AuthToken(secret=SECRET).create("alice", "42")
    # The guide configures DRF only: no countermark middleware in this service.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("countermark.")]

    # Before: the service's own class on handshake.
    settings.REST_FRAMEWORK = _rest_framework(["test_guide_handshake.ServiceTokenAuthentication"])
    assert _get(client, made_by_handshake).json() == {"user": "alice", "by": "ServiceTokenAuthentication"}

    # Step 1: the import changed.
    settings.REST_FRAMEWORK = _rest_framework(["test_guide_handshake.DropInTokenAuthentication"])
    assert _get(client, made_by_handshake).json() == {"user": "alice", "by": "DropInTokenAuthentication"}

    # Step 2: the guide's settings, as written.
    step2: dict[str, Any] = {}
    exec(guide_block(), step2)
    assert step2["COUNTERMARK"]["TOKEN_SECRET"] == SECRET
    settings.COUNTERMARK = {**settings.COUNTERMARK, **step2["COUNTERMARK"]}
    settings.REST_FRAMEWORK = step2["REST_FRAMEWORK"]
    assert _get(client, made_by_handshake).json() == {"user": "alice", "by": "TokenAuthentication"}
    tampered = made_by_handshake.replace(":42:", ":43:")
    refused = _get(client, tampered)
    assert refused.status_code == 401 and refused.json()["reason"] == "bad_signature"
    ours = make_token(user)

    # Rolling back: the service's class again; tokens countermark made meanwhile verify in handshake.
    settings.REST_FRAMEWORK = _rest_framework(["test_guide_handshake.ServiceTokenAuthentication"])
    assert _get(client, ours).json() == {"user": "alice", "by": "ServiceTokenAuthentication"}
    assert handshake.AuthToken(secret=SECRET).verify(ours, time_range=300)[0] == "alice"
    assert get_user_model().objects.count() == 1
