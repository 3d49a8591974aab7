from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...models import ApiKey
from ._util import get_user


class Command(BaseCommand):
    help = (
        "Creates an API key for USER and prints its key id and secret (base64). The secret is shown this once: "
        "it is stored sealed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="username")
        parser.add_argument("--comment", default="", help="what the key is for")
        parser.add_argument("--lifetime", type=int, default=None, help="seconds (default COUNTERMARK['KEY_LIFETIME'])")
        parser.add_argument("--throttle-rate", default="", help="e.g. 100/min (default COUNTERMARK['DEFAULT_THROTTLE_RATE'])")
        parser.add_argument("--format", choices=("text", "env"), default="text", help="env: KEY_ID=... and SECRET=... lines")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = get_user(opts["user"])
        try:
            key, secret = ApiKey.objects.create_key(
                user, comment=opts["comment"], lifetime=opts["lifetime"], throttle_rate=opts["throttle_rate"]
            )
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        if opts["format"] == "env":
            self.stdout.write(f"KEY_ID={key.key_id}\nSECRET={secret}")
        else:
            self.stdout.write(f"key id: {key.key_id}\nsecret: {secret}")
            if key.expires_at:
                self.stdout.write(f"expires: {key.expires_at.isoformat()}")
