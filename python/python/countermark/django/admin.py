"""Admin: API keys (secrets never shown; revoke and clear-count actions), public keys (PEM or OpenSSH validated on
save) and the JWKS URLs users trust."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .failures import clear_key_failures
from .models import ApiKey, JwksEndpoint, KeyUsage, PublicKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("key_id", "user", "comment", "created_at", "expires_at", "revoked_at", "last_used_at", "refused")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("key_id", "comment")
    raw_id_fields = ("user",)
    readonly_fields = ("key_id", "created_at", "revoked_at", "last_used_at", "refused")
    exclude = ("sealed_secret",)
    actions = ("revoke", "clear_failures")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A secret is shown once, to whoever creates it: use the obtain-key view or countermark_create_key.
        return False

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        n = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%(n)d keys revoked.") % {"n": n}, messages.SUCCESS)

    @admin.display(description=_("refused signatures"))
    def refused(self, obj: ApiKey) -> int:
        """Counted in the database plus those still in the cache (keys are never locked: this is for alerting)."""
        return obj.failed_attempts + obj.pending_failures()

    @admin.action(description=_("Clear the refused-signature counts"))
    def clear_failures(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key_id in queryset.values_list("key_id", flat=True):
            clear_key_failures(key_id)
        n = queryset.update(failed_attempts=0)
        self.message_user(request, _("%(n)d counts cleared.") % {"n": n}, messages.SUCCESS)


@admin.register(PublicKey)
class PublicKeyAdmin(admin.ModelAdmin):
    list_display = ("key_id", "user", "comment", "created_at", "last_used_at")
    search_fields = ("key_id", "comment")
    raw_id_fields = ("user",)
    readonly_fields = ("key_id", "created_at", "last_used_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The key id is the PEM's fingerprint: a saved key's PEM does not change (add a new key instead).
        return (*self.readonly_fields, "pem") if obj is not None else self.readonly_fields


@admin.register(KeyUsage)
class KeyUsageAdmin(admin.ModelAdmin):
    """Read-only: written by :mod:`~countermark.django.usage` (``manage.py countermark_report`` sums it up)."""

    list_display = ("key_id", "scheme", "count", "first_used_at", "last_used_at")
    list_filter = ("scheme",)
    search_fields = ("key_id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JwksEndpoint)
class JwksEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "user", "comment", "created_at", "last_used_at")
    search_fields = ("url", "comment")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "last_used_at")
