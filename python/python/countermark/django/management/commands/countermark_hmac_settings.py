from __future__ import annotations

import json
import pprint
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from ...compat_hmac import countermark_settings
from ...conf import raw_settings


#: COUNTERMARK keys whose values are secrets.
SECRET_SETTINGS = frozenset({"TOKEN_SECRET", "SIGNED_URL_SECRET", "SIGNED_URL_PROVIDERS", "KEY_ENCRYPTION_KEYS"})

class Command(BaseCommand):
    help = (
        "Prints the COUNTERMARK dict equivalent to django-hmac-authentication's HMAC_AUTHENTICATION_SETTINGS, "
        "merged with the COUNTERMARK keys already set (those win), and a note for each setting without an exact "
        "equivalent. Paste it into settings.py, then delete HMAC_AUTHENTICATION_SETTINGS with the old app."
    )
    # The old app's own check (its E006: no HMAC_AUTHENTICATION_SETTINGS) must not stop a conversion.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help='one JSON object: {"COUNTERMARK": ..., "notes": [...]}')

    def handle(self, *args: Any, **opts: Any) -> None:
        converted, notes = countermark_settings(getattr(settings, "HMAC_AUTHENTICATION_SETTINGS", None))
        current = raw_settings() if isinstance(raw_settings(), dict) else {}
        for name in sorted(set(converted) & set(current)):
            if converted[name] != current[name]:
                notes.append(f"COUNTERMARK[{name!r}] is already {current[name]!r}: kept (the old setting said {converted[name]!r})")
        # Secrets the project set (signing secrets, the keys that seal API keys at rest, provider secrets) are
        # never printed: the output lands in terminals and CI logs. They stay where they are, as the note says.
        kept = sorted(name for name in current if name in SECRET_SETTINGS)
        if kept:
            notes.append(f"not printed, keep them as they are set: {', '.join(kept)} (secrets)")
        merged = {**converted, **{k: v for k, v in current.items() if k not in SECRET_SETTINGS}}
        if opts["json"]:
            self.stdout.write(json.dumps({"COUNTERMARK": merged, "notes": notes}, indent=2, default=str))
            return
        self.stdout.write("COUNTERMARK = " + pprint.pformat(merged, sort_dicts=True))
        for note in notes:
            self.stdout.write(f"# {note}")
