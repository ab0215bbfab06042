"""The report endpoints: a programme's figures, report runs and their files."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from pilot import permissions
from reports import figures
from reports import selectors as report_selectors
from reports.api import serializers as shapes
from reports.models import ReportFile
from reports.services import runs as run_services
from tasks.api.views import CanViewDashboards, PortalAPIMixin, validated
from tasks.models import Programme, ReportingPeriod
from tasks.selectors import current_period


class CanViewReports(BasePermission):
    def has_permission(self, request, view):
        return permissions.can_view_reports(request.user)


class ProgrammeFiguresViewSet(PortalAPIMixin, viewsets.GenericViewSet):
    """The dashboard figures of a programme (``programmes/{id}/figures/``)."""

    queryset = Programme.objects.all()
    permission_classes = [CanViewDashboards]
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[shapes.FiguresQuerySerializer],
        responses=shapes.PeriodFiguresSerializer,
        filters=False,
    )
    def retrieve(self, request, pk=None):
        """The dashboard figures of a period (default: the current one)."""
        programme = self.get_object()
        query = shapes.FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = _programme_period(programme, query.validated_data.get("period"))
        result = figures.period_figures(programme=programme, period=period)
        return Response(shapes.PeriodFiguresSerializer(result).data)


def _programme_period(programme, period_id) -> ReportingPeriod:
    if period_id is None:
        period = current_period(programme=programme)
    else:
        period = ReportingPeriod.objects.filter(programme=programme, pk=period_id).first()
    if period is None:
        raise Http404
    return period


class QueueUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("任务队列暂时不可用，请稍后再试。")
    default_code = "broker"


@extend_schema_view(
    create=extend_schema(
        request=shapes.ReportRequestSerializer,
        responses={
            202: shapes.ReportRunSerializer,
            503: OpenApiResponse(description="The task queue is down; try again later."),
        },
        description="Queue a report run (office only). A run of the same kind and scope still "
        "queued or running is returned instead of a new one (a stuck one is failed and "
        "replaced). A monthly report, urging notice or late list for a period whose filing "
        "is still open is made and marked is_interim (its documents say 中期/未截止).",
    )
)
class ReportRunViewSet(
    PortalAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Periodic reports (月报, 试点总结, 未按期报送名单) and their files."""

    permission_classes = [CanViewReports]
    serializer_class = shapes.ReportRunSerializer
    filterset_class = shapes.ReportRunFilter
    ordering_fields = ["created_at", "version"]

    def get_queryset(self):
        return report_selectors.visible_runs(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = validated(shapes.ReportRequestSerializer, request)
        try:
            # An API call is its own confirmation; the response says is_interim.
            run = run_services.request_report(**data, actor=request.user, confirm_interim=True)
        except run_services.BrokerUnavailable as down:
            raise QueueUnavailable(down.messages[0]) from down
        fresh = self.get_queryset().get(pk=run.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    download=extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
)
class ReportFileViewSet(PortalAPIMixin, viewsets.GenericViewSet):
    """The files of report runs (Excel, Word)."""

    permission_classes = [CanViewReports]
    queryset = ReportFile.objects.all()
    serializer_class = shapes.ReportFileSerializer
    filter_backends = []

    @action(detail=True)
    def download(self, request, pk=None):
        item = self.get_object()
        try:
            handle = item.file.open("rb")
        except FileNotFoundError as missing:
            raise Http404(_("文件不存在。")) from missing
        return FileResponse(handle, as_attachment=True, filename=item.name)

    def perform_content_negotiation(self, request, force=False):
        # A client asking for the file's own type still gets it; errors fall back to JSON.
        return super().perform_content_negotiation(request, force=True)
