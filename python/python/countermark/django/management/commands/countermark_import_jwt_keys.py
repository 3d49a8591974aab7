from __future__ import annotations

from typing import Any, Iterator, NamedTuple, Optional

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from ...models import JwksEndpoint, PublicKey

#: asymmetric-jwt-auth's tables, read directly when the app is no longer in INSTALLED_APPS.
_KEY_TABLE = "asymmetric_jwt_auth_publickey"
_JWKS_TABLE = "asymmetric_jwt_auth_jwksendpointtrust"


class _KeyRow(NamedTuple):
    user_id: Any
    key: str
    comment: str
    last_used_on: Any


class _JwksRow(NamedTuple):
    user_id: Any
    url: str
    last_used_on: Any


def _rows(model_name: str, table: str, columns: str) -> Optional[Iterator[tuple[Any, ...]]]:
    """The rows of asymmetric-jwt-auth's ``model_name``: through its model while the app is installed, else from
    its table while that still exists; None when neither is there."""
    try:
        model = apps.get_model("asymmetric_jwt_auth", model_name)
    except LookupError:
        model = None
    if model is not None:
        names = [c.strip() for c in columns.split(",")]
        return iter(model.objects.order_by("pk").values_list(*names))
    if table not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        quoted = ", ".join(connection.ops.quote_name(c.strip()) for c in columns.split(","))
        cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)} ORDER BY {connection.ops.quote_name('id')}")
        return iter(cursor.fetchall())


class Command(BaseCommand):
    help = (
        "Imports asymmetric-jwt-auth's PublicKey rows (PEM or OpenSSH) as countermark public keys (same key, same "
        "fingerprint key id, so existing clients' tokens verify) and its JWKSEndpointTrust rows as JWKS URLs. Works "
        "with the app still installed or already removed from INSTALLED_APPS (its tables are read directly). Rows "
        "already imported are skipped; keys countermark refuses (weak keys) are reported and skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")

    def handle(self, *args: Any, **opts: Any) -> None:
        keys = _rows("PublicKey", _KEY_TABLE, "user_id, key, comment, last_used_on")
        endpoints = _rows("JWKSEndpointTrust", _JWKS_TABLE, "user_id, jwks_url, last_used_on")
        if keys is None and endpoints is None:
            raise CommandError("no asymmetric-jwt-auth tables found: nothing to import from")
        users = get_user_model()._default_manager
        imported = skipped = refused = 0
        for row in map(_KeyRow._make, keys or ()):
            key = PublicKey(user=users.get(pk=row.user_id), pem=row.key, comment=row.comment or "")
            try:
                key.clean()
            except ValidationError as e:
                refused += 1
                self.stderr.write(f"public key of user {row.user_id} refused: {'; '.join(e.messages)}")
                continue
            if PublicKey.objects.filter(key_id=key.key_id).exists():
                skipped += 1
                continue
            if not opts["dry_run"]:
                with transaction.atomic():
                    key.save()
                    if row.last_used_on is not None:
                        PublicKey.objects.filter(pk=key.pk).update(last_used_at=row.last_used_on)
            imported += 1
        urls = urls_skipped = 0
        for jrow in map(_JwksRow._make, endpoints or ()):
            if JwksEndpoint.objects.filter(user_id=jrow.user_id, url=jrow.url).exists():
                urls_skipped += 1
                continue
            if not opts["dry_run"]:
                endpoint = JwksEndpoint.objects.create(
                    user=users.get(pk=jrow.user_id), url=jrow.url, comment="imported from asymmetric-jwt-auth"
                )
                if jrow.last_used_on is not None:
                    JwksEndpoint.objects.filter(pk=endpoint.pk).update(last_used_at=jrow.last_used_on)
            urls += 1
        verb = "would import" if opts["dry_run"] else "imported"
        self.stdout.write(
            f"{verb} {imported} public keys (skipped {skipped} already imported, {refused} refused) "
            f"and {urls} JWKS URLs (skipped {urls_skipped})"
        )
        if refused:
            raise CommandError(f"{refused} public keys were refused (see above): their owners need new keys")
