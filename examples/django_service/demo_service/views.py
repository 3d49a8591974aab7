"""Two protected views: a DRF API (every countermark scheme, REST_FRAMEWORK in settings.py) and a download that
only a signed URL opens."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from countermark.django.decorators import signed_url_required


def _verified(request: Any) -> dict[str, Any]:
    """What countermark verified (request.signed, a countermark.django.schemes.Signed)."""
    signed = request.signed
    return {
        "user": request.user.get_username(),
        "scheme": signed.scheme,
        "key_id": signed.key_id,
        "covered": list(signed.covered),
    }


@api_view(["GET", "POST"])
def orders(request: Request) -> Response:
    """Authenticated by any of the six DRF classes; answers who signed, how, and the parsed body."""
    return Response({**_verified(request._request), "data": request.data if request.method == "POST" else None})


@signed_url_required
def download_report(request: HttpRequest) -> HttpResponse:
    """Opens only through a signed URL (ska format); its auth_user becomes request.user."""
    return JsonResponse({**_verified(request), "report": "quarterly-orders.csv", "extra": request.signed.extra})
