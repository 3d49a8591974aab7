"""Moving a service from a reference library to countermark without refusing one valid client.

**The switch-over order.** Install countermark beside the old app, import the old app's keys, then list
countermark's class *before* the old one (``DEFAULT_AUTHENTICATION_CLASSES``) with
``COUNTERMARK["PASS_UNKNOWN_KEYS"]`` naming the schemes being moved. A request signed with a key countermark
holds is verified by countermark (its answer is final: refused credentials are refused, replays and throttling
apply); a request naming a key id countermark does not hold (a key made by the old app after the import) is left
to the old class. Once every key is imported (run the import again last), remove the old class and the old app
and empty ``PASS_UNKNOWN_KEYS``.

**Why a setting, not detection of the old app in ``INSTALLED_APPS``.** Passing unknown key ids on tells anyone
which key ids countermark holds (the next class answers them, in its own words and time), where countermark
otherwise answers every unknown key id exactly as a bad signature. That is only acceptable while a reference
library answers those requests anyway (and django-hmac-authentication already answers "Key does not exist." for
an unknown id), and only for as long as the operator decides: an app left in ``INSTALLED_APPS`` after the move
would keep the oracle open without anyone choosing it, and handshake and ska have no app to detect. So the setting
is explicit, per scheme, and ``manage.py check`` warns while it is set (``countermark.W040``).

**What it never passes on.** Credentials naming a key countermark holds (revoked, expired, wrong signature:
refused as always, so no way around a refusal or a revocation), malformed credentials, and anything from a client
address that the failed-attempts throttle holds (429 comes first, whatever key id is named).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings as django_settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from .conf import raw_settings

__all__ = ["PASSABLE_SCHEMES", "check_migration_settings"]

#: Schemes whose credentials name a key (or a JWT user's key) that countermark may not hold yet.
PASSABLE_SCHEMES = ("hmac", "fost", "rfc9421", "jwt")


@register(Tags.security, Tags.compatibility)
def check_migration_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``PASS_UNKNOWN_KEYS``, ``RETIRE_LEGACY_AFTER_RFC9421`` and ``KILL_SWITCH_CACHE``."""
    raw = raw_settings()
    if not isinstance(raw, dict):
        return []  # countermark.E001 says so
    out: list[CheckMessage] = []
    passed = raw.get("PASS_UNKNOWN_KEYS", [])
    if not isinstance(passed, (list, tuple)) or any(s not in PASSABLE_SCHEMES for s in passed):
        out.append(
            Error(
                "COUNTERMARK['PASS_UNKNOWN_KEYS'] must be a list drawn from " + ", ".join(PASSABLE_SCHEMES) + ".",
                hint=f"Got {passed!r}.",
                id="countermark.E040",
            )
        )
    elif passed:
        out.append(
            Warning(
                f"COUNTERMARK['PASS_UNKNOWN_KEYS'] leaves credentials of unknown key ids ({', '.join(passed)}) to the "
                "next authentication class.",
                hint="Meant for the switch-over from a reference library: it tells a client which key ids "
                "countermark holds. Import the remaining keys, remove the old class and empty this list.",
                id="countermark.W040",
            )
        )
    retire = raw.get("RETIRE_LEGACY_AFTER_RFC9421", False)
    if not isinstance(retire, bool):
        out.append(
            Error(
                "COUNTERMARK['RETIRE_LEGACY_AFTER_RFC9421'] must be True or False.",
                hint=f"Got {retire!r}.",
                id="countermark.E041",
            )
        )
    alias = raw.get("KILL_SWITCH_CACHE")
    if alias is not None and (not isinstance(alias, str) or alias not in getattr(django_settings, "CACHES", {})):
        out.append(
            Error(
                "COUNTERMARK['KILL_SWITCH_CACHE'] must be None or an alias of settings.CACHES.",
                hint=f"Got {alias!r} (django-hmac-authentication's HMAC_CACHE_ALIAS, when HMAC_KILL_SWITCH is on).",
                id="countermark.E042",
            )
        )
    return out
