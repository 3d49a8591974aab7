from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("api/whoami/", views.whoami),
    path("api/throttled/", views.throttled),
    path("api/public/", views.public),
    path("plain/", views.plain),
    path("async/plain/", views.async_plain),
    path("async/explicit/", views.async_explicit),
    path("download/", views.download),
    path("report/", views.Report.as_view()),
    path("home/", views.home),
    path("ska/download/", views.ska_download),
    path("ska/report/", views.SkaReport.as_view()),
    path("ska/drf/", views.ska_drf),
    path("ska/drf-provider/", views.ska_drf_provider),
    path("auth/", include("countermark.django.urls")),
    path("admin/", admin.site.urls),
]
