from __future__ import annotations

from typing import Any, Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

import countermark

from ...models import ApiKey, KeyLimitReached

_PASSWORD_HASH = (
    "FOST_AUTHN_GET_SECRET is not set: django-fost-authn then signed with each user's password hash, which is not "
    "imported (anyone who can read the user table could sign, and the hash changes whenever Django rehashes the "
    "password). Give those clients new keys: manage.py countermark_create_key USER."
)


def _get_secret() -> Callable[[Any, str], Any]:
    found = getattr(settings, "FOST_AUTHN_GET_SECRET", None)
    if found is None:
        raise CommandError(_PASSWORD_HASH)
    return import_string(found) if isinstance(found, str) else found


class Command(BaseCommand):
    help = (
        "Imports the FOST secrets of django-fost-authn's FOST_AUTHN_GET_SECRET(request, key) as API keys: key id = "
        "the FOST key, owner = the user of that username (as the reference maps keys to users), secret = the text "
        "the function returns, when that text is canonical base64 of 16 to 1024 bytes (a countermark FOST key is "
        "the base64 text of its secret, so such clients keep signing with the same string). Other secrets are "
        "reported: those clients need new keys. Keys already imported are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("keys", nargs="*", help="FOST keys to import (default: every user's username)")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args: Any, **opts: Any) -> None:
        get_secret = _get_secret()
        users = get_user_model()._default_manager
        keys = opts["keys"] or list(users.order_by("pk").values_list(get_user_model().USERNAME_FIELD, flat=True))
        imported = skipped = refused = 0
        for key in keys:
            if ApiKey.objects.filter(key_id=key).exists():
                skipped += 1
                continue
            try:
                text = get_secret(None, key)
            except Exception as e:  # noqa: BLE001 - the project's function raises what it raises
                refused += 1
                self.stderr.write(f"{key}: FOST_AUTHN_GET_SECRET failed ({type(e).__name__})")
                continue
            try:
                text = text.decode() if isinstance(text, bytes) else str(text)
                secret = countermark.ApiSecret.from_base64_strict(text)
                user = users.get_by_natural_key(key)
            except (countermark.CountermarkError, ValueError, UnicodeDecodeError):
                refused += 1
                self.stderr.write(f"{key}: its secret is not canonical base64 of 16 to 1024 bytes: issue a new key")
                continue
            except users.model.DoesNotExist:
                refused += 1
                self.stderr.write(f"{key}: no user of that username owns it")
                continue
            if not opts["dry_run"]:
                try:
                    ApiKey.objects.create_key(user, secret=secret, key_id=key, comment="imported from django-fost-authn")
                except KeyLimitReached as e:
                    refused += 1
                    self.stderr.write(f"{key}: {' '.join(e.messages)}")
                    continue
            imported += 1
        verb = "would import" if opts["dry_run"] else "imported"
        self.stdout.write(f"{verb} {imported} FOST keys, skipped {skipped} already imported, {refused} refused")
        if refused:
            raise CommandError(f"{refused} FOST keys were not imported (see above)")
