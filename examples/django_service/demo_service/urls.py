from django.urls import include, path

from . import views

urlpatterns = [
    path("api/orders/", views.orders),
    path("download/report/", views.download_report),
    path("auth/", include("countermark.django.urls")),  # auth/api-key/ (password -> API key), auth/login/
]
