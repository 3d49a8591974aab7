"""Views the suite calls: a DRF view (every class), a plain view behind the middleware, signed-URL views."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import View
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from countermark.django.decorators import signed_url_required
from countermark.django.drf import ApiKeyRateThrottle


def _claims(request) -> dict:
    signed = getattr(request, "signed", None)
    return {
        "user": request.user.get_username() if request.user.is_authenticated else None,
        "scheme": signed.scheme if signed else None,
        "key_id": signed.key_id if signed else None,
        "covered": list(signed.covered) if signed else [],
    }


@api_view(["GET", "POST", "PUT"])
def whoami(request: Request) -> Response:
    body = request.data if request.method != "GET" else None
    return Response({**_claims(request), "data": body})


@api_view(["GET"])
@throttle_classes([ApiKeyRateThrottle])
def throttled(request: Request) -> Response:
    return Response(_claims(request))


@api_view(["GET", "POST"])
@permission_classes([AllowAny])
def public(request: Request) -> Response:
    # request.signed read directly: it must exist (None) on a request without credentials.
    return Response({"signed": request.signed.scheme if request.signed is not None else None})


def plain(request: HttpRequest) -> HttpResponse:
    return JsonResponse(_claims(request))


@signed_url_required
def download(request: HttpRequest) -> HttpResponse:
    return JsonResponse(_claims(request))


@signed_url_required
class Report(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return JsonResponse(_claims(request))


def home(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"user": request.user.get_username() if request.user.is_authenticated else None})


# ska's names (countermark.django's equivalents of ska.contrib.django.ska's decorators and DRF permissions).
from rest_framework.decorators import authentication_classes  # noqa: E402

from countermark.django.decorators import m_validate_signed_request, validate_signed_request  # noqa: E402
from countermark.django.drf import ProviderSignedRequestRequired, SignedRequestRequired  # noqa: E402


@validate_signed_request()
def ska_download(request: HttpRequest) -> HttpResponse:
    return JsonResponse({**_claims(request), "extra": dict(request.signed.extra)})


class SkaReport(View):
    @m_validate_signed_request()
    def get(self, request: HttpRequest) -> HttpResponse:
        return JsonResponse(_claims(request))


@api_view(["GET"])
@authentication_classes([])
@permission_classes([SignedRequestRequired])
def ska_drf(request: Request) -> Response:
    return Response({"ok": True})


@api_view(["GET"])
@authentication_classes([])
@permission_classes([ProviderSignedRequestRequired])
def ska_drf_provider(request: Request) -> Response:
    return Response({"ok": True})
async def async_plain(request: HttpRequest) -> HttpResponse:
    """An ``async def`` view behind the middleware."""
    return JsonResponse(_claims(request))


async def async_explicit(request: HttpRequest) -> HttpResponse:
    """An ``async def`` view that authenticates by itself, with ``aauthenticate_request``."""
    from countermark.django.backends import aauthenticate_request
    from countermark.django.schemes import AuthenticationError

    try:
        result = await aauthenticate_request(request, ["hmac"])
    except AuthenticationError as e:
        return JsonResponse({"reason": e.reason}, status=e.status)
    if result is None:
        return JsonResponse({"user": None}, status=401)
    user, signed = result
    return JsonResponse({"user": user.get_username(), "scheme": signed.scheme, "key_id": signed.key_id})
