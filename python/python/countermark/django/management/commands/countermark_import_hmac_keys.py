from __future__ import annotations

import base64
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

import countermark

from ...models import ApiKey


class Command(BaseCommand):
    help = (
        "Imports django-hmac-authentication's ApiHMACKey rows as API keys: same key id, same secret (decrypted "
        "with HMAC_KD_PASSWORD, default SECRET_KEY, and sealed again), so existing clients keep their credentials. "
        "Revocation, expiry, failed attempts and throttle rate are carried over; rows already imported are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="decrypt and report, write nothing")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            model = apps.get_model("django_hmac_authentication", "ApiHMACKey")
        except LookupError:
            raise CommandError("django_hmac_authentication is not in INSTALLED_APPS: nothing to import from") from None
        conf = getattr(settings, "HMAC_AUTHENTICATION_SETTINGS", None) or {}
        password = conf.get("HMAC_KD_PASSWORD") or settings.SECRET_KEY
        imported = skipped = failed = 0
        for row in model.objects.select_related("user").order_by("created_at").iterator():
            key_id = str(row.id)
            if ApiKey.objects.filter(key_id=key_id).exists():
                skipped += 1
                continue
            try:
                secret = countermark.ApiSecret.decrypt_legacy(
                    row.cipher_algorithm, password, base64.b64decode(row.salt), base64.b64decode(row.secret)
                )
            except (countermark.CountermarkError, ValueError) as e:
                failed += 1
                self.stderr.write(f"{key_id}: cannot decrypt ({type(e).__name__}: {e})")
                continue
            if opts["dry_run"]:
                imported += 1
                continue
            with transaction.atomic():
                key = ApiKey(
                    key_id=key_id,
                    user=row.user,
                    comment="imported from django-hmac-authentication",
                    expires_at=row.expires_at,
                    revoked_at=row.modified_on if row.revoked else None,
                    failed_attempts=row.failed_attempts,
                    throttle_rate=row.throttle_rate if row.throttle_rate != "200/min" else "",
                )
                key.set_secret(secret)
                key.save()
                ApiKey.objects.filter(pk=key.pk).update(created_at=row.created_at)
            imported += 1
        verb = "would import" if opts["dry_run"] else "imported"
        self.stdout.write(f"{verb} {imported} keys, skipped {skipped} already imported, {failed} failed")
        if failed:
            raise CommandError(f"{failed} keys could not be decrypted (wrong HMAC_KD_PASSWORD?)")
