"""The README's "Migrating from asymmetric-jwt-auth" guide, step by step, with tokens its own `Token.sign` makes:
the old middleware alone (before), keys imported one at a time with `countermark_add_public_key` (step 2), the
guide's step 3 settings (countermark first, keys not imported yet left to the old middleware), and the old
middleware removed (step 4). Every token of the user's is accepted at every step."""

from __future__ import annotations

import io
import pathlib
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.http import HttpRequest, JsonResponse
from django.test import Client
from django.urls import path

from conftest import public_pem_of

pytestmark = [pytest.mark.django_db, pytest.mark.urls("test_guide_jwt")]

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
OLD = "asymmetric_jwt_auth.middleware.JWTAuthMiddleware"


def guide_block() -> str:
    text = README.read_text()
    start = text.index("## Migrating from asymmetric-jwt-auth")
    end = text.index("\n## ", start + 1)
    blocks = re.findall(r"```python django\n(# asymmetric-jwt-auth, step 3 \(settings\.py\).*?)```", text[start:end], flags=re.S)
    assert len(blocks) == 1, "the guide's step 3 settings block"
    return blocks[0]


def whoami(request: HttpRequest) -> JsonResponse:
    signed = getattr(request, "signed", None)
    return JsonResponse(
        {
            "user": request.user.get_username() if request.user.is_authenticated else None,
            "by": "countermark" if signed is not None else "asymmetric_jwt_auth",
        }
    )


urlpatterns = [path("whoami/", whoami)]


def _get(client: Client, pem: str) -> Any:
    from asymmetric_jwt_auth.keys import PrivateKey
    from asymmetric_jwt_auth.tokens import Token

    token = Token("alice").sign(PrivateKey.load_pem(pem.encode()))  # the client, as it is today
    client = Client()  # a new handler: it loads the MIDDLEWARE of this step
    return client.get("/whoami/", headers={"Authorization": f"JWT {token}"})


def _accepted_by(client: Client, *pems: str) -> list[str]:
    answers = [_get(client, pem) for pem in pems]
    for a in answers:
        assert a.status_code == 200 and a.json()["user"] == "alice", a.content
    return [a.json()["by"] for a in answers]


def test_the_guide_keeps_every_token_accepted(
    client: Client, user: Any, ed25519_pem: str, rsa_pem: str, settings: Any, tmp_path: pathlib.Path
) -> None:
    from asymmetric_jwt_auth.models import PublicKey as OldPublicKey

    from countermark.django.models import PublicKey

    # Before: the old middleware alone, the user holding two keys in the old app.
    plain = [m for m in settings.MIDDLEWARE if not m.startswith("countermark.")]
    settings.MIDDLEWARE = [*plain, OLD]
    settings.ASYMMETRIC_JWT_AUTH = {**settings.ASYMMETRIC_JWT_AUTH, "TIMESTAMP_TOLERANCE": 20}
    for pem in (ed25519_pem, rsa_pem):
        OldPublicKey.objects.create(user=user, key=public_pem_of(pem))
    old = "asymmetric_jwt_auth"
    assert _accepted_by(client, ed25519_pem, rsa_pem) == [old, old]

    # Step 2, part way: one key imported (its PEM into a file, then the command).
    first = tmp_path / "first.pem"
    first.write_text(OldPublicKey.objects.get(key=public_pem_of(ed25519_pem)).key)
    call_command("countermark_add_public_key", "alice", str(first), stdout=io.StringIO())
    assert _accepted_by(client, ed25519_pem, rsa_pem) == [old, old]  # nothing switched yet

    # Step 3: the guide's settings, as written.
    step3: dict[str, Any] = {}
    exec(guide_block(), step3)
    assert step3["MIDDLEWARE"].index("countermark.django.middleware.CountermarkMiddleware") < step3["MIDDLEWARE"].index(OLD)
    settings.MIDDLEWARE = step3["MIDDLEWARE"]
    settings.AUTHENTICATION_BACKENDS = step3["AUTHENTICATION_BACKENDS"]
    settings.COUNTERMARK = {**settings.COUNTERMARK, **step3["COUNTERMARK"]}
    assert _accepted_by(client, ed25519_pem, rsa_pem) == ["countermark", old]
    # A token naming the imported key but signed by another key: countermark refuses it, the old app never sees it.
    from asymmetric_jwt_auth.keys import PrivateKey
    from asymmetric_jwt_auth.tokens import Token

    head = Token("alice").sign(PrivateKey.load_pem(ed25519_pem.encode())).split(".")[0]
    body, sig = Token("alice").sign(PrivateKey.load_pem(rsa_pem.encode())).split(".")[1:]
    refused = Client().get("/whoami/", headers={"Authorization": f"JWT {head}.{body}.{sig}"})
    assert refused.status_code == 401 and refused.json()["reason"] == "bad_signature"

    # Step 4: the other key imported, the old middleware and PASS_UNKNOWN_KEYS removed.
    second = tmp_path / "second.pem"
    second.write_text(OldPublicKey.objects.get(key=public_pem_of(rsa_pem)).key)
    call_command("countermark_add_public_key", "alice", str(second), stdout=io.StringIO())
    assert PublicKey.objects.filter(user=user).count() == 2
    settings.MIDDLEWARE = [m for m in step3["MIDDLEWARE"] if m != OLD]
    settings.COUNTERMARK = {k: v for k, v in settings.COUNTERMARK.items() if k != "PASS_UNKNOWN_KEYS"}
    assert _accepted_by(client, ed25519_pem, rsa_pem) == ["countermark", "countermark"]
