"""``{% load countermark %}``: ``{% signed_url url auth_user [lifetime=seconds] [key=value ...] %}`` writes ``url``
signed for ``auth_user`` (a username or a user), with every other keyword signed as an extra field; ``as name``
stores it instead.

ska's tags, under their names (``{% load ska_tags %}`` becomes ``{% load countermark %}``):
``{% sign_url url [auth_user] [lifetime=seconds] %}`` (``auth_user`` defaults to the request's user) and
``{% provider_sign_url provider url [auth_user] [lifetime=seconds] [fail_silently=True] %}`` (the provider's
secret from ``COUNTERMARK['SIGNED_URL_PROVIDERS']``; an unknown provider writes nothing, or raises
``ImproperlyConfigured`` with ``fail_silently=False``)."""

from __future__ import annotations

from typing import Any, Optional

from django import template
from django.core.exceptions import ImproperlyConfigured

from ..decorators import provider_signed_url as _provider_signed_url
from ..decorators import signed_url as _signed_url
from ..schemes import UnknownProvider

register = template.Library()


def _username(context: Any, auth_user: Any) -> str:
    if auth_user is None or auth_user == "":
        auth_user = context["request"].user
    return auth_user.get_username() if hasattr(auth_user, "get_username") else str(auth_user)


def _lifetime(lifetime: Any) -> Optional[float]:
    return None if lifetime is None else float(lifetime)


@register.simple_tag
def signed_url(url: str, auth_user: Any, lifetime: Optional[float] = None, **extra: Any) -> str:
    username = auth_user.get_username() if hasattr(auth_user, "get_username") else str(auth_user)
    return _signed_url(str(url), username, lifetime=None if lifetime is None else float(lifetime), extra=extra)


@register.simple_tag(takes_context=True)
def sign_url(context: Any, url: str = "", auth_user: Any = None, lifetime: Any = None) -> str:
    """ska's ``sign_url`` tag: ``url`` signed for ``auth_user`` (default: the request's user)."""
    return _signed_url(str(url), _username(context, auth_user), lifetime=_lifetime(lifetime))


@register.simple_tag(takes_context=True)
def provider_sign_url(
    context: Any,
    provider: str,
    url: str = "",
    auth_user: Any = None,
    lifetime: Any = None,
    fail_silently: bool = True,
) -> Optional[str]:
    """ska's ``provider_sign_url`` tag: ``url`` signed with ``provider``'s secret, its name signed as the
    ``provider`` extra field."""
    try:
        return _provider_signed_url(str(provider), str(url), _username(context, auth_user), lifetime=_lifetime(lifetime))
    except UnknownProvider:
        if fail_silently:
            return None
        raise ImproperlyConfigured(f"Provider {provider} does not exist") from None
