"""API keys (shared secrets, sealed at rest) and public keys (for JWTs and RFC 9421 asymmetric signatures)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, NamedTuple, Optional

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.contrib.auth import get_user_model
from django.db import connections, models, router, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import countermark

from .checks import THROTTLE_RATE
from .conf import get_settings
from .keycache import key_cache

__all__ = ["ApiKey", "PublicKey", "KeyUsage", "JwksEndpoint", "KeyLimitReached", "new_key_id"]

throttle_rate_validator = RegexValidator(
    regex=THROTTLE_RATE, message=_("A throttle rate looks like 100/second, 200/min, 5000/hour or 10000/day.")
)


def new_key_id() -> str:
    """A fresh key id: a UUID, the form django-hmac-authentication hands out (so imported ids look alike)."""
    return str(uuid.uuid4())


class _LookupPlan(NamedTuple):
    sql: str
    key_names: list[str]
    user_names: list[str]
    user_model: Any
    converters: list[tuple[int, Any, list[Any]]]
    key_id_index: int


_plans: dict[tuple[str, Any], _LookupPlan] = {}


def _lookup_plan(db: str, user_model: Any) -> _LookupPlan:
    plan = _plans.get((db, user_model))
    if plan is None:
        connection = connections[db]
        qn = connection.ops.quote_name
        key_fields = ApiKey._meta.concrete_fields
        user_fields = user_model._meta.concrete_fields
        key_table, user_table = ApiKey._meta.db_table, user_model._meta.db_table
        columns = [f"{qn(key_table)}.{qn(f.column)}" for f in key_fields]
        columns += [f"{qn(user_table)}.{qn(f.column)}" for f in user_fields]
        key_id_column = qn(ApiKey._meta.get_field("key_id").column)
        # The row of the key id asked for or, when there is none, the row of the smallest key id: either way one
        # row is read, joined and converted, so an unknown key id costs what a known one does (the caller tells
        # them apart by the key id column and drops the stand-in).
        sql = (
            f"SELECT {', '.join(columns)} FROM {qn(key_table)} INNER JOIN {qn(user_table)} "
            f"ON {qn(user_table)}.{qn(user_model._meta.pk.column)} = "
            f"{qn(key_table)}.{qn(ApiKey._meta.get_field('user').column)} "
            f"WHERE {qn(key_table)}.{key_id_column} = COALESCE("
            f"(SELECT {key_id_column} FROM {qn(key_table)} WHERE {key_id_column} = %s), "
            f"(SELECT MIN({key_id_column}) FROM {qn(key_table)}))"
        )
        converters = []  # only the columns that have any (dates, booleans on SQLite...)
        for i, f in enumerate([*key_fields, *user_fields]):
            col = f.get_col(f.model._meta.db_table)
            found = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
            if found:
                converters.append((i, col, found))
        plan = _LookupPlan(
            sql,
            [f.attname for f in key_fields],
            [f.attname for f in user_fields],
            user_model,
            converters,
            [f.attname for f in key_fields].index("key_id"),
        )
        _plans[(db, user_model)] = plan
    return plan


class KeyLimitReached(ValidationError):
    """The user already holds ``MAX_KEYS_PER_USER`` live API keys."""


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def live(self) -> ApiKeyQuerySet:
        """Keys that are neither revoked nor expired."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ApiKeyManager(models.Manager["ApiKey"]):
    def get_queryset(self) -> ApiKeyQuerySet:
        return ApiKeyQuerySet(self.model, using=self._db)

    def for_verification(self, key_id: str) -> Optional[ApiKey]:
        """The key ``key_id`` with its user, or None: the lookup of every signed request.

        One precompiled ``SELECT … JOIN`` per database connection instead of a queryset: building and compiling
        ``select_related("user").get(key_id=…)`` cost ~780 µs a request on the benchmark machine, this ~100 µs
        (python/bench/bench_django.py). Rows come back through Django's own field converters and ``from_db``, so
        the instances are what the ORM would have built. An unknown key id reads, converts and drops another key's
        row: it costs what a known one does (python/bench/bench_django_keyids.py).
        """
        db = router.db_for_read(self.model)
        user_model = get_user_model()
        if user_model._meta.parents:  # multi-table inheritance: the user's columns span tables; plain ORM
            return self.select_related("user").filter(key_id=key_id).first()
        plan = _lookup_plan(db, user_model)
        with connections[db].cursor() as cursor:
            cursor.execute(plan.sql, [key_id])
            row = cursor.fetchone()
        if row is None:  # no key at all
            return None
        found = row[plan.key_id_index] == key_id
        values = list(row)
        connection = connections[db]
        for i, col, converters in plan.converters:
            for convert in converters:
                values[i] = convert(values[i], col, connection)
        n = len(plan.key_names)
        key = self.model.from_db(db, plan.key_names, values[:n])
        key.user = plan.user_model.from_db(db, plan.user_names, values[n:])
        return key if found else None

    def live(self) -> ApiKeyQuerySet:
        return self.get_queryset().live()

    def create_key(
        self,
        user: Any,
        *,
        comment: str = "",
        lifetime: Optional[int] = None,
        throttle_rate: str = "",
        secret: Optional[countermark.ApiSecret] = None,
        key_id: Optional[str] = None,
    ) -> tuple[ApiKey, str]:
        """A new key for ``user`` and its secret as base64 text: the only time the secret is shown.

        ``lifetime`` (seconds) defaults to ``COUNTERMARK['KEY_LIFETIME']``; ``secret`` and ``key_id`` are for
        imports (``countermark_import_hmac_keys``). Raises :class:`KeyLimitReached` when the user already holds
        ``COUNTERMARK['MAX_KEYS_PER_USER']`` live keys.
        """
        conf = get_settings()
        lifetime = conf.KEY_LIFETIME if lifetime is None else lifetime
        secret = countermark.ApiSecret.generate() if secret is None else secret
        with transaction.atomic():
            # Locks the user's row, so two concurrent requests cannot both take the last free slot.
            type(user)._default_manager.select_for_update().filter(pk=user.pk).first()
            if self.live().filter(user=user).count() >= conf.MAX_KEYS_PER_USER:
                raise KeyLimitReached(
                    _("This user already has %(n)d live API keys (COUNTERMARK['MAX_KEYS_PER_USER']).")
                    % {"n": conf.MAX_KEYS_PER_USER},
                    code="key_limit",
                )
            key = self.model(
                key_id=key_id or new_key_id(),
                user=user,
                comment=comment,
                throttle_rate=throttle_rate,
                expires_at=timezone.now() + timedelta(seconds=lifetime) if lifetime else None,
            )
            key.set_secret(secret)
            key.full_clean()
            key.save()
        return key, secret.to_base64()


class ApiKey(models.Model):
    """A shared secret for the ``HMAC-SHA*`` header, FOST and RFC 9421 ``hmac-sha256`` schemes.

    The secret is 32 random bytes, handed to the client once as base64 text. The ``HMAC-SHA*`` header and RFC 9421
    use the decoded bytes as the HMAC key (as django-hmac-authentication does); FOST uses the base64 text itself,
    as django-fost-authn clients hold their secret as a string. At rest it is sealed with AES-256-GCM under a key
    derived from ``COUNTERMARK['KEY_ENCRYPTION_KEYS']`` and bound to this key id.
    """

    key_id = models.CharField(_("key id"), max_length=64, unique=True, default=new_key_id, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="countermark_api_keys", verbose_name=_("user")
    )
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    sealed_secret = models.CharField(_("sealed secret"), max_length=256, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, db_index=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    failed_attempts = models.PositiveIntegerField(
        _("refused signatures"),
        default=0,
        editable=False,
        help_text=_("Refused credentials that named this key id, for alerting (the key is never locked)."),
    )
    throttle_rate = models.CharField(
        _("throttle rate"),
        max_length=32,
        blank=True,
        validators=[throttle_rate_validator],
        help_text=_("Empty: COUNTERMARK['DEFAULT_THROTTLE_RATE']."),
    )
    rfc9421_since = models.DateTimeField(
        _("RFC 9421 since"),
        null=True,
        blank=True,
        help_text=_(
            "When this key first signed an RFC 9421 request. With COUNTERMARK['RETIRE_LEGACY_AFTER_RFC9421'] its "
            "HMAC-header and FOST credentials are refused from then on; clear it to accept them again."
        ),
    )

    objects = ApiKeyManager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.key_id} ({self.user})"

    def __repr__(self) -> str:
        return f"<ApiKey {self.key_id} user={self.user_id}>"

    # --- secret -------------------------------------------------------------------------------------------
    def _aad(self) -> bytes:
        return f"countermark.ApiKey:{self.key_id}".encode()

    def set_secret(self, secret: countermark.ApiSecret) -> None:
        from .keys import sealer

        self.sealed_secret = sealer().seal(bytes(secret), self._aad())

    def secret(self) -> countermark.ApiSecret:
        """The secret, opened from its sealed form (raises ``countermark.BadSignature`` if the row was altered)."""
        from .keys import open_api_secret

        return open_api_secret(self.sealed_secret, self._aad())

    def reseal(self) -> bool:
        """Re-seals the secret under the current master secret; False when it already was."""
        from .keys import sealer

        if sealer().is_current(self.sealed_secret):
            return False
        self.set_secret(self.secret())
        return True

    # --- state --------------------------------------------------------------------------------------------
    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def revoke(self) -> None:
        """Revokes the key for good (an explicit act: failed signatures only ever lock it for a while)."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            ApiKey.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=self.revoked_at)
        # This process honours it at once; the others within COUNTERMARK['KEY_CACHE_TTL'] (keycache).
        key_cache.discard(self.key_id)

    def pending_failures(self) -> int:
        """Refusals naming this key id counted in the cache and not yet added to ``failed_attempts``."""
        from .failures import pending_key_failures

        return pending_key_failures(self.key_id)

    def record_success(self) -> None:
        """Stamps ``last_used_at`` and adds the refusals counted in the cache to ``failed_attempts``, together at
        most once a minute per key (one write; never on the path of a refused request, see
        :mod:`~countermark.django.failures`)."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > timedelta(seconds=60):
            from .failures import take_key_failures

            refused = take_key_failures(self.key_id)
            self.last_used_at = now
            self.failed_attempts += refused
            ApiKey.objects.filter(pk=self.pk).update(last_used_at=now, failed_attempts=F("failed_attempts") + refused)


class PublicKey(models.Model):
    """A user's public key (Ed25519, RSA or ECDSA P-256): verifies the user's JWTs (asymmetric-jwt-auth) and RFC
    9421 signatures whose ``keyid`` parameter is its ``key_id``. It is given as SubjectPublicKeyInfo PEM or as an
    OpenSSH line (``ssh-ed25519 AAAA… comment``, as asymmetric-jwt-auth accepts) and stored as PEM; an OpenSSH
    line's comment becomes the key's comment when it has none."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="countermark_public_keys",
        verbose_name=_("user"),
    )
    pem = models.TextField(_("public key (PEM)"))
    key_id = models.CharField(
        _("key id"),
        max_length=64,
        unique=True,
        editable=False,
        help_text=_("Lowercase hex SHA-256 of the PEM, as asymmetric-jwt-auth computes it."),
    )
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("public key")
        verbose_name_plural = _("public keys")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.key_id[:16]}… ({self.user})"

    def verifying_key(self) -> countermark.VerifyingKey:
        return countermark.VerifyingKey.from_pem(self.pem)

    def clean(self) -> None:
        text = self.pem.strip()
        parts = text.split(None, 2)
        if len(parts) == 3 and parts[0].startswith(("ssh-", "ecdsa-")) and not self.comment:
            self.comment = parts[2][:200]
        try:
            key = countermark.VerifyingKey.from_pem(self.pem)
        except countermark.CountermarkError as e:
            raise ValidationError({"pem": _("Not a public key this library accepts: %(why)s") % {"why": e}}) from None
        # Stored in canonical form, so the fingerprint is the one clients compute from their key.
        self.pem = key.to_pem()
        self.key_id = key.fingerprint

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.key_id:
            self.clean()
        super().save(*args, **kwargs)

    def touch(self) -> None:
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > timedelta(seconds=60):
            self.last_used_at = now
            PublicKey.objects.filter(pk=self.pk).update(last_used_at=now)


class KeyUsage(models.Model):
    """How often, and when last, a key signed requests in one scheme: what ``manage.py countermark_report`` shows
    to move clients from the legacy schemes to RFC 9421 one by one.

    ``key_id`` is an :class:`ApiKey`'s or a :class:`PublicKey`'s key id, or empty for the schemes without one
    (handshake tokens and ska signed URLs, signed with the app's secret). Written by
    :mod:`~countermark.django.usage`: at a key and scheme's first request in a process, then at most once a minute
    per key and scheme, never failing a request."""

    key_id = models.CharField(_("key id"), max_length=64, blank=True)
    scheme = models.CharField(_("scheme"), max_length=16)
    count = models.PositiveBigIntegerField(_("requests"), default=0)
    first_used_at = models.DateTimeField(_("first use"))
    last_used_at = models.DateTimeField(_("last use"))

    class Meta:
        verbose_name = _("key usage")
        verbose_name_plural = _("key usage")
        constraints = [models.UniqueConstraint(fields=["key_id", "scheme"], name="countermark_keyusage_key_scheme")]
        ordering = ("key_id", "scheme")

    def __str__(self) -> str:
        return f"{self.key_id or '(app secret)'} {self.scheme}: {self.count}"


class JwksEndpoint(models.Model):
    """A JWKS URL whose keys verify the user's JWTs (asymmetric-jwt-auth's ``JWKSEndpointTrust``): a token signed
    by a key of that set, named by the token's ``kid``, authenticates the user. Key sets are fetched with the
    limits of :mod:`countermark.django.jwks`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="countermark_jwks_endpoints",
        verbose_name=_("user"),
    )
    url = models.URLField(
        _("JWKS URL"),
        max_length=2000,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("e.g. https://example.com/.well-known/jwks.json"),
    )
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("JWKS endpoint")
        verbose_name_plural = _("JWKS endpoints")
        ordering = ("-created_at",)
        constraints = [models.UniqueConstraint(fields=["user", "url"], name="countermark_jwks_user_url")]

    def __str__(self) -> str:
        return f"{self.url} ({self.user})"

    def touch(self) -> None:
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > timedelta(seconds=60):
            self.last_used_at = now
            JwksEndpoint.objects.filter(pk=self.pk).update(last_used_at=now)
# A key or a user changed through the ORM in this process: its cached entry goes at once (other processes drop
# theirs within COUNTERMARK['KEY_CACHE_TTL']). Queryset .update() sends no signal: ApiKey.revoke drops it itself.
def _drop_cached_key(sender: Any, instance: ApiKey, **kwargs: Any) -> None:
    key_cache.discard(instance.key_id)


def _drop_cached_keys_of_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    key_cache.discard_user(instance.pk)


models.signals.post_save.connect(_drop_cached_key, sender=ApiKey, dispatch_uid="countermark.keycache.key_saved")
models.signals.post_delete.connect(_drop_cached_key, sender=ApiKey, dispatch_uid="countermark.keycache.key_deleted")
models.signals.post_save.connect(
    _drop_cached_keys_of_user, sender=settings.AUTH_USER_MODEL, dispatch_uid="countermark.keycache.user_saved"
)
models.signals.post_delete.connect(
    _drop_cached_keys_of_user, sender=settings.AUTH_USER_MODEL, dispatch_uid="countermark.keycache.user_deleted"
)
