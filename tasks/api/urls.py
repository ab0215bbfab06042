"""The programme's endpoints under /api/v1/ (included by ``pilot/api_urls.py``)."""

from rest_framework.routers import DefaultRouter

from tasks.api import views

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

urlpatterns = router.urls
