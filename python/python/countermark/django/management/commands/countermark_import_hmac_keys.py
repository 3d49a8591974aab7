from __future__ import annotations

import base64
import os
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks.registry import registry
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction

import countermark

from ...models import ApiKey

#: django-hmac-authentication's table, read through a stand-in model when its app is no longer installed.
TABLE = "django_hmac_authentication_apihmackey"
_stand_in: Any = None


def _reference_model() -> Any:
    """The reference's ``ApiHMACKey`` model, or an unmanaged stand-in over its table (same columns) when the app
    has been removed from ``INSTALLED_APPS`` already."""
    global _stand_in
    try:
        return apps.get_model("django_hmac_authentication", "ApiHMACKey")
    except LookupError:
        pass
    if TABLE not in connection.introspection.table_names():
        raise CommandError(
            f"neither django_hmac_authentication in INSTALLED_APPS nor its table {TABLE}: nothing to import from"
        )
    if _stand_in is None:

        class LegacyApiHMACKey(models.Model):
            id = models.UUIDField(primary_key=True)
            user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+")
            secret = models.CharField(max_length=512)
            salt = models.CharField(max_length=80)
            revoked = models.BooleanField()
            failed_attempts = models.PositiveSmallIntegerField()
            expires_at = models.DateTimeField(null=True)
            throttle_rate = models.CharField(max_length=15)
            cipher_algorithm = models.CharField(max_length=24)
            created_at = models.DateTimeField()
            modified_on = models.DateTimeField()

            class Meta:
                app_label = "countermark_import_hmac_keys"
                db_table = TABLE
                managed = False

        _stand_in = LegacyApiHMACKey
    return _stand_in


class Command(BaseCommand):
    help = (
        "Imports django-hmac-authentication's ApiHMACKey rows as API keys: same key id, same secret (decrypted "
        "with HMAC_KD_PASSWORD, default SECRET_KEY, and sealed again), so existing clients keep their credentials. "
        "Revocation, expiry, failed attempts and throttle rate are carried over; rows already imported are skipped. "
        "Reads its table whether or not the app is still installed, and needs none of its settings: pass "
        "--kd-password-env when HMAC_AUTHENTICATION_SETTINGS (and its HMAC_KD_PASSWORD) is gone. Run it again "
        "after the switch-over to import keys the old app made meanwhile."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="decrypt and report, write nothing")
        parser.add_argument(
            "--kd-password-env",
            metavar="VAR",
            help="environment variable holding HMAC_KD_PASSWORD (default: HMAC_AUTHENTICATION_SETTINGS's, else SECRET_KEY)",
        )

    def check(self, *args: Any, **kwargs: Any) -> None:
        # The old app's own checks (its E006 wants HMAC_AUTHENTICATION_SETTINGS) must not stop the import of its
        # keys; every other check runs as usual.
        legacy = {c for c in registry.registered_checks if c.__module__.startswith("django_hmac_authentication")}
        registry.registered_checks -= legacy
        try:
            super().check(*args, **kwargs)
        finally:
            registry.registered_checks |= legacy

    def handle(self, *args: Any, **opts: Any) -> None:
        model = _reference_model()
        if opts["kd_password_env"]:
            password = os.environ.get(opts["kd_password_env"])
            if not password:
                raise CommandError(f"the environment variable {opts['kd_password_env']} is not set")
        else:
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
