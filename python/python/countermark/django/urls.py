"""``path("auth/", include("countermark.django.urls"))``: ``api-key/``, ``login/``, ``jwks.json`` and
``users/<username>/jwks.json``."""

from django.urls import path

from . import views

urlpatterns = [
    path("api-key/", views.obtain_api_key, name="countermark-obtain-key"),
    path("login/", views.signed_url_login, name="countermark-signed-url-login"),
    path("jwks.json", views.jwks_document, name="countermark-jwks"),
    path("users/<str:username>/jwks.json", views.user_jwks_document, name="countermark-user-jwks"),
]
