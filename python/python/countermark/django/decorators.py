"""Signed URLs in views and models (as ska's Django module offers them).

* :func:`signed_url_required` protects a function view or a class-based view: the request must carry a valid
  ska signed URL; its ``auth_user`` becomes ``request.user`` (for this request only) and ``request.signed`` holds
  what was verified. Otherwise 401 with ``{"detail", "reason"}``.
* :func:`sign_url` turns a model method that returns a URL into one that returns it signed.
* :func:`validate_signed_request` / :func:`m_validate_signed_request` are ska's names for the first, for views
  and view methods (``@validate_signed_request()``): URLs signed with a provider's secret (ska's ``PROVIDERS``,
  ``COUNTERMARK['SIGNED_URL_PROVIDERS']``) are accepted too, and with ``SIGNED_URL_SINGLE_USE`` each URL once.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Mapping, Optional, TypeVar, Union

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import View

from .conf import get_settings
from .schemes import PROVIDER_FIELD, AuthenticationError, SignedUrlScheme, url_signer

__all__ = [
    "signed_url_required",
    "sign_url",
    "signed_url",
    "provider_signed_url",
    "validate_signed_request",
    "m_validate_signed_request",
]

F = TypeVar("F", bound=Callable[..., Any])


def _refuse(e: AuthenticationError) -> HttpResponse:
    response = JsonResponse({"detail": e.message, "reason": e.reason}, status=e.status)
    if e.status == 401:
        response["WWW-Authenticate"] = SignedUrlScheme().challenge(e.reason)
    return response


def _guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            result = SignedUrlScheme().authenticate(request)
        except AuthenticationError as e:
            return _refuse(e)
        if result is None:
            return _refuse(AuthenticationError(SignedUrlScheme.name, "missing"))
        request.user, request.signed = result  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def signed_url_required(view: Any) -> Any:
    """``@signed_url_required`` on a view function, or on a ``View`` subclass (its ``dispatch`` is guarded)."""
    if isinstance(view, type) and issubclass(view, View):
        cls: type[View] = view
        original = cls.dispatch

        @functools.wraps(original)
        def dispatch(self: View, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return _guard(lambda r, *a, **k: original(self, r, *a, **k))(request, *args, **kwargs)

        cls.dispatch = dispatch  # type: ignore[method-assign]
        return cls
    return _guard(view)


def signed_url(
    url: str,
    auth_user: str,
    *,
    lifetime: Optional[float] = None,
    extra: Optional[Mapping[str, Union[str, int, float, bool, None]]] = None,
) -> str:
    """``url`` signed for ``auth_user`` (a username), valid ``lifetime`` seconds (int or float; default
    ``COUNTERMARK['SIGNED_URL_LIFETIME']``, and when that is unset the core's signed-URL lifetime); ``extra`` values
    are signed too."""
    life = get_settings().SIGNED_URL_LIFETIME if lifetime is None else lifetime
    return url_signer().sign_url(url, auth_user, lifetime=life, extra=dict(extra or {}))


def provider_signed_url(
    provider: str,
    url: str,
    auth_user: str,
    *,
    lifetime: Optional[float] = None,
    extra: Optional[Mapping[str, Union[str, int, float, bool, None]]] = None,
) -> str:
    """``url`` signed for ``auth_user`` with the secret of ska provider ``provider``
    (``COUNTERMARK['SIGNED_URL_PROVIDERS']``), its name signed as the ``provider`` extra field, as ska's
    ``provider_sign_url`` does. :class:`~countermark.django.schemes.UnknownProvider` when it is not listed."""
    life = get_settings().SIGNED_URL_LIFETIME if lifetime is None else lifetime
    fields = {**dict(extra or {}), PROVIDER_FIELD: provider}
    return url_signer(provider=provider).sign_url(url, auth_user, lifetime=life, extra=fields)


_SKA_ARGUMENTS = ("secret_key", "signature_param", "auth_user_param", "valid_until_param", "extra_param")


def _no_ska_arguments(kwargs: dict[str, Any]) -> None:
    if kwargs:
        raise TypeError(
            f"validate_signed_request() takes no arguments here (got {', '.join(sorted(kwargs))}): the secret is "
            "COUNTERMARK['SIGNED_URL_SECRET'] or a provider's in SIGNED_URL_PROVIDERS, and the parameter names are "
            f"ska's defaults ({', '.join(_SKA_ARGUMENTS[1:])} cannot be renamed)"
        )


def validate_signed_request(view: Any = None, **kwargs: Any) -> Any:
    """ska's decorator, under its name: ``@validate_signed_request()`` (or without the parentheses) on a view
    function or a ``View`` subclass is :func:`signed_url_required`."""
    _no_ska_arguments(kwargs)
    return signed_url_required if view is None else signed_url_required(view)


def m_validate_signed_request(method: Any = None, **kwargs: Any) -> Any:
    """ska's decorator of view methods (``def get(self, request, ...)``), under its name:
    ``@m_validate_signed_request()``."""
    _no_ska_arguments(kwargs)

    def decorate(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(func)
        def wrapped(self: Any, request: HttpRequest, *args: Any, **kw: Any) -> HttpResponse:
            return _guard(lambda r, *a, **k: func(self, r, *a, **k))(request, *args, **kw)

        return wrapped

    return decorate if method is None else decorate(method)


def sign_url(
    auth_user: Union[str, Callable[[Any], str]],
    *,
    lifetime: Optional[float] = None,
    extra: Optional[Mapping[str, Union[str, int, float, bool, None]]] = None,
) -> Callable[[F], F]:
    """Decorates a model method returning a URL so that it returns the URL signed::

        class Report(models.Model):
            @sign_url(auth_user=lambda report: report.owner.username, lifetime=3600)
            def get_download_url(self):
                return reverse("report-download", args=[self.pk])

    ``auth_user`` is a username or a function of the instance.
    """

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def wrapped(self: Any, *args: Any, **kwargs: Any) -> str:
            user = auth_user(self) if callable(auth_user) else auth_user
            return signed_url(method(self, *args, **kwargs), user, lifetime=lifetime, extra=extra)

        return wrapped  # type: ignore[return-value]

    return decorate
