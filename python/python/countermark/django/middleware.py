"""``CountermarkMiddleware``: signed requests to plain Django views.

Put it after ``AuthenticationMiddleware`` and add :class:`~countermark.django.backends.CountermarkBackend` to
``AUTHENTICATION_BACKENDS``::

    MIDDLEWARE = [
        ...,
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "countermark.django.middleware.CountermarkMiddleware",
    ]

A request without credentials of any enabled scheme passes through untouched (``request.signed`` is ``None``); a
verified one gets ``request.user`` and ``request.signed`` and skips the CSRF check (it carries no cookie); a
refused one is answered here: 401 with a JSON body ``{"detail": ..., "reason": ...}`` (and ``"explanation"`` with
``DEBUG`` and ``COUNTERMARK["EXPLAIN"]`` on: :func:`~countermark.django.schemes.explanation`) and a ``WWW-Authenticate``
challenge naming the refusing scheme (429 ``throttled`` with ``Retry-After`` when the client address sent too many
refused credentials, 503 when the cache is down).

Under ASGI the middleware is async (``async def`` views need no sync adapter around it): the verification runs
in a worker thread (``sync_to_async``), off the event loop.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional, Union

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string

from .backends import CountermarkBackend
from .schemes import SCHEME_CLASSES, explanation

__all__ = ["CountermarkMiddleware"]


class CountermarkMiddleware:
    """Sync and async: under ASGI with ``async def`` views it runs as a coroutine, and the verification (the key
    row, the nonce and refusal caches, the signature check) runs in a thread through ``sync_to_async``, as Django
    runs sync code, so the event loop is never blocked by the database or the cache."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        paths = [p for p in settings.AUTHENTICATION_BACKENDS if issubclass(import_string(p), CountermarkBackend)]
        if not paths:
            raise ImproperlyConfigured(
                "CountermarkMiddleware needs countermark.django.backends.CountermarkBackend in AUTHENTICATION_BACKENDS"
            )
        self.backend_path = paths[0]
        self.backend = import_string(paths[0])()

    def __call__(self, request: HttpRequest) -> Union[HttpResponse, Awaitable[HttpResponse]]:
        if self.is_async:
            return self.__acall__(request)
        refused = self.authenticate(request)
        return refused if refused is not None else self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        refused = await sync_to_async(self.authenticate)(request)
        return refused if refused is not None else await self.get_response(request)

    def authenticate(self, request: HttpRequest) -> Optional[HttpResponse]:
        """Verifies ``request``'s credentials: sets ``request.signed`` (and ``request.user`` when they verify) and
        returns None to go on to the view, or returns the refusal to send instead."""
        request.signed = None  # type: ignore[attr-defined]
        # The backend is called directly, not through auth.authenticate(): an unsigned request is not a failed
        # login (no user_login_failed signal for every anonymous request).
        user = self.backend.authenticate(request)
        failure = getattr(request, "countermark_failure", None)
        if failure is not None:
            body = {"detail": failure.message, "reason": failure.reason}
            explained = explanation(request, failure)
            if explained is not None:
                body["explanation"] = explained
            response = JsonResponse(body, status=failure.status)
            if failure.status == 401:
                response["WWW-Authenticate"] = SCHEME_CLASSES[failure.scheme]().challenge(failure.reason)
            if failure.retry_after is not None:
                response["Retry-After"] = str(failure.retry_after)
            return response
        if user is not None:
            # No session is created: the user is this request's alone.
            user.backend = self.backend_path
            request.user = user
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return None
