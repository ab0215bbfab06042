from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path


def healthz(request):
    """Answer "ok" without touching the database (liveness probe and benchmark baseline)."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("dashboard/", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("departments.urls")),
    path("api/", include("tasks.api.urls")),
    path("reports/runs/", include("reports.urls_runs")),
    path("", include("tasks.urls")),
]
