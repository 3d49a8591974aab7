"""The authentication backend of plain Django views: ``django.contrib.auth.authenticate(request)`` verifies the
request's signature with the schemes of ``COUNTERMARK['SCHEMES']`` (or ``schemes=[...]``).

    AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "countermark.django.backends.CountermarkBackend",
    ]

On success the user is returned and ``request.signed`` is set (``None`` otherwise); on failure ``None`` is returned (Django's backend
contract) and ``request.countermark_failure`` holds the :class:`~countermark.django.schemes.AuthenticationError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .conf import get_settings
from .schemes import SCHEME_CLASSES, AuthenticationError, Signed

__all__ = ["CountermarkBackend", "authenticate_request", "aauthenticate_request"]


def authenticate_request(
    request: HttpRequest, schemes: Optional[Sequence[str]] = None
) -> Optional[tuple[Any, Signed]]:
    """Tries each scheme in turn; the first whose credentials are present decides: ``(user, Signed)``, or it
    raises :class:`AuthenticationError`. ``None`` when the request carries no credentials of any of them."""
    for name in schemes if schemes is not None else get_settings().SCHEMES:
        result = SCHEME_CLASSES[name]().authenticate(request)
        if result is not None:
            return result
    return None


async def aauthenticate_request(
    request: HttpRequest, schemes: Optional[Sequence[str]] = None
) -> Optional[tuple[Any, Signed]]:
    """:func:`authenticate_request` for ``async def`` views: the verification (database, cache, signature) runs
    in a worker thread through ``sync_to_async``, so the event loop is not blocked."""
    return await sync_to_async(authenticate_request)(request, schemes)


class CountermarkBackend(ModelBackend):
    """Authenticates signed requests (never passwords); sessions made by :func:`signed_url_login` use it too."""

    def authenticate(  # type: ignore[override]
        self, request: Optional[HttpRequest], schemes: Optional[Sequence[str]] = None
    ) -> Any:
        if request is None:
            return None
        if not hasattr(request, "signed"):
            request.signed = None  # type: ignore[attr-defined]
        try:
            result = authenticate_request(request, schemes)
        except AuthenticationError as e:
            request.countermark_failure = e  # type: ignore[attr-defined]
            return None
        if result is None:
            return None
        user, signed = result
        request.signed = signed  # type: ignore[attr-defined]
        return user if self.user_can_authenticate(user) else None

    async def aauthenticate(  # type: ignore[override]
        self, request: Optional[HttpRequest], schemes: Optional[Sequence[str]] = None
    ) -> Any:
        """``authenticate`` for ``django.contrib.auth.aauthenticate``: in a worker thread, off the event loop."""
        return await sync_to_async(self.authenticate)(request, schemes)
