from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...models import PublicKey
from ._util import get_user


class Command(BaseCommand):
    help = (
        "Adds the public key in FILE (PEM, or an OpenSSH line such as ~/.ssh/id_ed25519.pub: Ed25519, RSA or ECDSA "
        "P-256; '-' for stdin) to USER and prints its key id, the key id JWTs and RFC 9421 signatures name it by."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="username")
        parser.add_argument("file", help="PEM or OpenSSH public key file, or - for stdin")
        parser.add_argument("--comment", default="", help="whose key, what for")

    def handle(self, *args: Any, **opts: Any) -> None:
        import sys

        user = get_user(opts["user"])
        try:
            pem = sys.stdin.read() if opts["file"] == "-" else open(opts["file"], encoding="utf-8").read()
        except (OSError, UnicodeDecodeError) as e:
            raise CommandError(f"cannot read {opts['file']}: {e}") from None
        key = PublicKey(user=user, pem=pem, comment=opts["comment"])
        try:
            key.full_clean()
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        key.save()
        self.stdout.write(f"key_id: {key.key_id}")
