"""Migration report (issue 19, item 6): usage per key and scheme, `countermark_report`, legacy schemes retired per
key after its first RFC 9421 request; django-hmac-authentication's kill switch."""

from __future__ import annotations

import io
import json
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client

from countermark.django import usage
from countermark.django.models import ApiKey, KeyUsage

from conftest import BODY, Signers, send

pytestmark = pytest.mark.django_db


def _signed(client: Client, signers: Signers, scheme: str) -> Any:
    headers = getattr(signers, scheme)("POST", "/api/whoami/", BODY, "application/json")
    return send(client, "POST", "/api/whoami/", headers, BODY)


def test_the_first_use_is_written_at_once_then_at_most_once_a_minute(client: Client, signers: Signers) -> None:
    assert _signed(client, signers, "hmac").status_code == 200
    row = KeyUsage.objects.get(key_id=signers.key_id, scheme="hmac")
    assert row.count == 1
    for _ in range(3):
        assert _signed(client, signers, "hmac").status_code == 200
    row.refresh_from_db()
    assert row.count == 1  # within the minute: counted in memory only
    with mock.patch.object(usage.time, "monotonic", return_value=usage.time.monotonic() + usage.FLUSH_INTERVAL):
        assert _signed(client, signers, "hmac").status_code == 200
    row.refresh_from_db()
    assert row.count == 5 and row.last_used_at >= row.first_used_at
    assert _signed(client, signers, "rfc9421").status_code == 200
    assert KeyUsage.objects.get(key_id=signers.key_id, scheme="rfc9421").count == 1
    assert _signed(client, signers, "hmac").status_code == 200
    usage.flush()
    row.refresh_from_db()
    assert row.count == 6


def test_a_failed_write_does_not_fail_the_request(client: Client, signers: Signers, caplog: Any) -> None:
    with mock.patch.object(KeyUsage.objects, "filter", side_effect=DatabaseError("disk full")):
        response = _signed(client, signers, "hmac")
    assert response.status_code == 200, response.content
    assert "not recorded" in caplog.text
    assert not KeyUsage.objects.exists()


def test_refused_requests_are_not_counted(client: Client, signers: Signers) -> None:
    forged = Signers(signers.key_id, "A" * 43 + "=", "alice", None)
    assert _signed(client, forged, "hmac").status_code == 401
    usage.flush()
    assert not KeyUsage.objects.exists()


def test_report_shows_each_key_and_scheme(client: Client, signers: Signers, user: Any) -> None:
    idle, _ = ApiKey.objects.create_key(user, comment="never used")
    for scheme in ("hmac", "fost", "rfc9421", "jwt", "token"):
        assert _signed(client, signers, scheme).status_code == 200, scheme
    out = io.StringIO()
    call_command("countermark_report", "--json", stdout=out)
    report = json.loads(out.getvalue())
    by_id = {k["key_id"]: k for k in report["keys"]}
    mine = by_id[signers.key_id]
    assert set(mine["schemes"]) == {"hmac", "fost", "rfc9421"} and mine["moved"] is True
    assert mine["legacy_schemes"] == ["fost", "hmac"] and mine["rfc9421_since"] is not None
    assert by_id[idle.key_id]["schemes"] == {} and by_id[idle.key_id]["moved"] is False
    assert set(by_id[None]["schemes"]) == {"token"}  # tokens are signed with the app's secret
    assert report["schemes"]["hmac"]["legacy"] is True and report["schemes"]["rfc9421"]["legacy"] is False
    assert report["schemes"]["jwt"]["count"] == 1
    text = io.StringIO()
    call_command("countermark_report", stdout=text)
    assert signers.key_id in text.getvalue() and "no use recorded" in text.getvalue()
    assert "hmac: last used" in text.getvalue()


def test_legacy_schemes_are_retired_per_key_after_its_first_rfc9421_request(
    client: Client, signers: Signers, user: Any, settings: Any
) -> None:
    settings.COUNTERMARK = {**settings.COUNTERMARK, "RETIRE_LEGACY_AFTER_RFC9421": True}
    other, other_secret = ApiKey.objects.create_key(user)
    assert _signed(client, signers, "hmac").status_code == 200  # not moved yet
    assert _signed(client, signers, "rfc9421").status_code == 200
    for scheme in ("hmac", "fost"):
        refused = _signed(client, signers, scheme)
        assert refused.status_code == 401 and refused.json()["reason"] == "scheme_retired", scheme
    assert _signed(client, signers, "rfc9421").status_code == 200
    # Another key of the same user has not moved: its legacy credentials still work.
    assert _signed(client, Signers(other.key_id, other_secret, "alice", None), "hmac").status_code == 200
    # Only the key's holder learns it: a wrong signature is still a bad signature.
    forged = Signers(signers.key_id, other_secret, "alice", None)
    assert _signed(client, forged, "hmac").json()["reason"] == "bad_signature"
    # Roll back: the setting off (or rfc9421_since cleared, as the admin does: a save, which drops this process's
    # key cache entry at once; other processes follow within KEY_CACHE_TTL) accepts the legacy scheme again.
    moved = ApiKey.objects.get(key_id=signers.key_id)
    moved.rfc9421_since = None
    moved.save(update_fields=["rfc9421_since"])
    assert _signed(client, signers, "hmac").status_code == 200


def test_django_hmac_authentication_kill_switch_is_honoured(client: Client, signers: Signers, settings: Any) -> None:
    from django.core.cache import cache

    settings.COUNTERMARK = {**settings.COUNTERMARK, "KILL_SWITCH_CACHE": "default"}
    assert _signed(client, signers, "hmac").status_code == 200
    cache.set(f"HMAC_KILL_SWITCH__{signers.key_id}", True)  # what its out-of-band script sets
    for scheme in ("hmac", "rfc9421"):
        refused = _signed(client, signers, scheme)
        assert refused.status_code == 401 and refused.json()["reason"] == "revoked", scheme
    cache.delete(f"HMAC_KILL_SWITCH__{signers.key_id}")
    assert _signed(client, signers, "hmac").status_code == 200


def test_check_refuses_bad_migration_settings(settings: Any) -> None:
    from countermark.django.migration import check_migration_settings

    settings.COUNTERMARK = {"RETIRE_LEGACY_AFTER_RFC9421": "yes", "KILL_SWITCH_CACHE": "hmac_cache"}
    assert [m.id for m in check_migration_settings()] == ["countermark.E041", "countermark.E042"]


def test_admin_lists_usage_read_only_and_clears_rfc9421_since(
    admin_client: Client, client: Client, signers: Signers, settings: Any
) -> None:
    settings.COUNTERMARK = {**settings.COUNTERMARK, "RETIRE_LEGACY_AFTER_RFC9421": True}
    assert _signed(client, signers, "rfc9421").status_code == 200
    page = admin_client.get("/admin/countermark/keyusage/").content.decode()
    assert signers.key_id in page and "rfc9421" in page
    row = KeyUsage.objects.get()
    assert admin_client.get("/admin/countermark/keyusage/add/").status_code == 403
    assert admin_client.post(f"/admin/countermark/keyusage/{row.pk}/change/", {"count": 0}).status_code == 403
    # Rolling a key back to its legacy scheme: clear "RFC 9421 since" in its admin page.
    key = ApiKey.objects.get(key_id=signers.key_id)
    assert key.rfc9421_since is not None
    form = {"comment": key.comment, "user": key.user_id, "throttle_rate": "", "expires_at_0": "", "expires_at_1": "",
            "rfc9421_since_0": "", "rfc9421_since_1": ""}
    response = admin_client.post(f"/admin/countermark/apikey/{key.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    key.refresh_from_db()
    assert key.rfc9421_since is None
    assert _signed(client, signers, "hmac").status_code == 200


def test_new_commands_have_help() -> None:
    from django.core.management import load_command_class

    for name in ("countermark_report", "countermark_hmac_settings"):
        parser = load_command_class("countermark.django", name).create_parser("manage.py", name)
        assert parser.description and "--json" in parser.format_help()
