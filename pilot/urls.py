from django.contrib import admin
from django.http import HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from pilot import views


def healthz(request):
    """Answer "ok" without touching the database (liveness probe and benchmark baseline)."""
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    """Send browsers that ask for /favicon.ico (the admin's pages link none) to the icon."""
    return HttpResponseRedirect(static("favicon.ico"))


admin.site.site_header = _("试点任务管理平台")
admin.site.site_title = _("试点任务管理平台")
admin.site.index_title = _("系统管理")

handler500 = "pilot.views.server_error"

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("help/", views.help_page, name="help"),
    path("help/<slug:topic>/", views.help_page, name="help-topic"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("departments.urls")),
    path("api/", include("pilot.api_urls")),
    path("", include("reports.urls")),
    path("", include("tasks.urls")),
]
