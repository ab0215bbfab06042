"""/api/v1/ (the API) and /api/schema/, /api/docs/, /api/redoc/ (its documentation).

The schema and the documentation pages are for signed-in users only: the schema answers
401/403 to others (``SERVE_PERMISSIONS``), the pages send them to the login page.
"""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from tasks.api import docs, report_views, views

app_name = "api"

router = DefaultRouter()
router.include_root_view = False
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("return-reasons", views.ReturnReasonViewSet, basename="return-reason")
router.register("updates", views.UpdateViewSet, basename="update")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register("tokens", views.TokenViewSet, basename="token")
router.register("report-runs", report_views.ReportRunViewSet, basename="report-run")
router.register("report-files", report_views.ReportFileViewSet, basename="report-file")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        login_required(docs.LocalSwaggerView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path(
        "redoc/",
        login_required(docs.LocalRedocView.as_view(url_name="api:schema")),
        name="redoc",
    ),
]
