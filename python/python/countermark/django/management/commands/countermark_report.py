from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Optional

from django.core.management.base import BaseCommand, CommandParser

from ... import usage
from ...models import ApiKey, KeyUsage, PublicKey

RFC9421 = "rfc9421"


def _when(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat(timespec="seconds") if value is not None else None


class Command(BaseCommand):
    help = (
        "Shows, per key and per scheme, how many requests it signed and when it last did (legacy schemes: hmac, "
        "fost, jwt, signed_url, token; RFC 9421: rfc9421), so clients can be moved to RFC 9421 one by one and a "
        "legacy scheme switched off once no key uses it. Counts are written by each worker at a key's first "
        "request and then at most once a minute per key and scheme: they may be a minute behind."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="one JSON object: keys, schemes")

    def handle(self, *args: Any, **opts: Any) -> None:
        usage.flush()  # this process's own counts, if any (a shell that verified requests)
        rows = list(KeyUsage.objects.all())
        owners: dict[str, dict[str, Any]] = {}
        for key in ApiKey.objects.select_related("user"):
            owners[key.key_id] = {
                "kind": "api_key",
                "user": key.user.get_username(),
                "rfc9421_since": _when(key.rfc9421_since),
                "live": not (key.is_revoked or key.is_expired),
            }
        for public in PublicKey.objects.select_related("user"):
            owners[public.key_id] = {"kind": "public_key", "user": public.user.get_username(), "live": True}
        keys: dict[str, dict[str, Any]] = {}
        for row in rows:
            entry = keys.setdefault(row.key_id, {"key_id": row.key_id or None, **owners.get(row.key_id, {"kind": "app_secret" if not row.key_id else "unknown"}), "schemes": {}})
            entry["schemes"][row.scheme] = {
                "count": row.count,
                "first_use": _when(row.first_used_at),
                "last_use": _when(row.last_used_at),
            }
        for key_id, owner in owners.items():  # keys that signed nothing since usage was recorded
            keys.setdefault(key_id, {"key_id": key_id, **owner, "schemes": {}})
        schemes: dict[str, dict[str, Any]] = {}
        for row in rows:
            s = schemes.setdefault(
                row.scheme, {"legacy": row.scheme != RFC9421, "keys": 0, "count": 0, "last_use": None}
            )
            s["keys"] += 1
            s["count"] += row.count
            last = _when(row.last_used_at)
            s["last_use"] = max(filter(None, [s["last_use"], last]), default=None)
        for entry in keys.values():
            used = set(entry["schemes"])
            entry["moved"] = RFC9421 in used
            entry["legacy_schemes"] = sorted(used - {RFC9421})
        ordered = sorted(keys.values(), key=lambda e: (e["key_id"] or "", e.get("user") or ""))
        if opts["json"]:
            self.stdout.write(json.dumps({"keys": ordered, "schemes": schemes}, indent=2))
            return
        self._print(ordered, schemes)

    def _print(self, keys: list[dict[str, Any]], schemes: dict[str, dict[str, Any]]) -> None:
        w = self.stdout.write
        w("Per scheme")
        if not schemes:
            w("  no verified request recorded yet")
        for name, s in sorted(schemes.items(), key=lambda kv: (not kv[1]["legacy"], kv[0])):
            kind = "legacy" if s["legacy"] else "RFC 9421"
            w(f"  {name:<11} {kind:<9} {s['keys']:>5} keys {s['count']:>10} requests  last use {s['last_use']}")
        w("")
        w("Per key")
        w(f"  {'key id':<40} {'user':<16} {'scheme':<11} {'requests':>10}  {'first use':<25} last use")
        for entry in keys:
            label = entry["key_id"] or "(app secret: tokens, signed URLs)"
            user = entry.get("user") or "-"
            if not entry["schemes"]:
                w(f"  {label:<40} {user:<16} {'-':<11} {0:>10}  no use recorded")
                continue
            for i, (scheme, u) in enumerate(sorted(entry["schemes"].items())):
                first = label if i == 0 else ""
                who = user if i == 0 else ""
                w(f"  {first:<40} {who:<16} {scheme:<11} {u['count']:>10}  {u['first_use']:<25} {u['last_use']}")
        waiting = [e for e in keys if e["legacy_schemes"] and not e["moved"]]
        moved = [e for e in keys if e["moved"] and e["legacy_schemes"]]
        w("")
        w(f"{len(waiting)} keys sign only with legacy schemes; {len(moved)} keys use RFC 9421 and a legacy scheme.")
        for name, s in sorted(schemes.items()):
            if s["legacy"]:
                still = [e["key_id"] or "(app secret)" for e in keys if name in e["schemes"]]
                w(f"  {name}: last used {s['last_use']} by {len(still)} keys")
