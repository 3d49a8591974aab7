from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...models import ApiKey, PublicKey


class Command(BaseCommand):
    help = "Revokes the API key KEY_ID for good, or deletes the public key whose key id is KEY_ID."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key_id")

    def handle(self, *args: Any, **opts: Any) -> None:
        key_id = opts["key_id"]
        api_key = ApiKey.objects.filter(key_id=key_id).first()
        if api_key is not None:
            if api_key.is_revoked:
                self.stdout.write(f"API key {key_id} was already revoked")
                return
            api_key.revoke()
            self.stdout.write(f"revoked API key {key_id}")
            return
        deleted, _ = PublicKey.objects.filter(key_id=key_id).delete()
        if not deleted:
            raise CommandError(f"no API key or public key {key_id!r}")
        self.stdout.write(f"deleted public key {key_id}")
