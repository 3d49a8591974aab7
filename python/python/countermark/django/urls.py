"""``path("auth/", include("countermark.django.urls"))``: ``api-key/`` and ``login/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("api-key/", views.obtain_api_key, name="countermark-obtain-key"),
    path("login/", views.signed_url_login, name="countermark-signed-url-login"),
]
