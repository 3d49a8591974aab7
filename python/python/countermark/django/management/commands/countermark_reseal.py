from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ...models import ApiKey


class Command(BaseCommand):
    help = (
        "Re-seals every API-key secret under the first of COUNTERMARK['KEY_ENCRYPTION_KEYS'] (rotation: put the new "
        "master first, run this, then drop the old one)."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        changed = 0
        for key in ApiKey.objects.iterator():
            if key.reseal():
                ApiKey.objects.filter(pk=key.pk).update(sealed_secret=key.sealed_secret)
                changed += 1
        self.stdout.write(f"re-sealed {changed} of {ApiKey.objects.count()} API keys")
