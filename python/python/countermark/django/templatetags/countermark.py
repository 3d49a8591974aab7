"""``{% load countermark %}``: ``{% signed_url url auth_user [lifetime=seconds] [key=value ...] %}`` writes ``url``
signed for ``auth_user`` (a username or a user), with every other keyword signed as an extra field; ``as name``
stores it instead."""

from __future__ import annotations

from typing import Any, Optional

from django import template

from ..decorators import signed_url as _signed_url

register = template.Library()


@register.simple_tag
def signed_url(url: str, auth_user: Any, lifetime: Optional[float] = None, **extra: Any) -> str:
    username = auth_user.get_username() if hasattr(auth_user, "get_username") else str(auth_user)
    return _signed_url(str(url), username, lifetime=None if lifetime is None else float(lifetime), extra=extra)
