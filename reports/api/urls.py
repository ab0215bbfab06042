"""The report endpoints under /api/v1/ (included by ``pilot/api_urls.py``)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from reports.api import views

router = DefaultRouter()
router.include_root_view = False
router.register("report-runs", views.ReportRunViewSet, basename="report-run")
router.register("report-files", views.ReportFileViewSet, basename="report-file")

urlpatterns = [
    path(
        "programmes/<pk>/figures/",
        views.ProgrammeFiguresViewSet.as_view({"get": "retrieve"}),
        name="programme-figures",
    ),
    path("", include(router.urls)),
]
