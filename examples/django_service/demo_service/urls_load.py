"""The load test's two endpoints: one DRF view, behind countermark's HMACAuthentication or behind
django-hmac-authentication's (the same header format, the same key)."""

from typing import Any

from django.urls import path
from django_hmac_authentication.authentication import HMACAuthentication as ReferenceHMAC
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from countermark.django.drf import HMACAuthentication

from .urls import urlpatterns as demo_urlpatterns


class Echo(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        return Response({"user": request.user.get_username(), "n": len(request.data)})


class CountermarkEcho(Echo):
    authentication_classes: list[Any] = [HMACAuthentication]


class ReferenceEcho(Echo):
    authentication_classes: list[Any] = [ReferenceHMAC]


urlpatterns = [
    *demo_urlpatterns,
    path("load/countermark/", CountermarkEcho.as_view()),
    path("load/reference/", ReferenceEcho.as_view()),
]
