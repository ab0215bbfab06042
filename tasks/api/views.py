"""API handlers: pick the rows through permission-aware selectors, call one service, render."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from knox.models import AuthToken
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from pilot import permissions
from tasks.api import errors, filters, selectors, serializers
from tasks.api.pagination import KeysetPagination, PortalPagination
from tasks.api.schema import PortalAutoSchema
from tasks.api.tokens import ReadOnlyKnoxAuthentication
from tasks.models import Category, Programme, ProgressUpdate, ReturnReason
from tasks.selectors import current_period, default_programme
from tasks.services import filing, reporting, review, tokens


class CanUsePortal(BasePermission):
    def has_permission(self, request, view):
        return permissions.can_use_portal(request.user)


class CanViewDashboards(BasePermission):
    def has_permission(self, request, view):
        return permissions.can_view_dashboards(request.user)


class CanHoldTokens(BasePermission):
    def has_permission(self, request, view):
        return permissions.can_hold_api_token(request.user)


class PortalAPIMixin:
    # Token first, so that an anonymous client gets 401 with ``WWW-Authenticate: Token``.
    authentication_classes = [ReadOnlyKnoxAuthentication, SessionAuthentication]
    permission_classes = [CanUsePortal]
    pagination_class = PortalPagination
    schema = PortalAutoSchema()

    def get_exception_handler(self):
        return errors.exception_handler

    # DRF checks the throttles only once authentication and permissions have passed, so
    # anonymous calls and wrong tokens would never be counted: count them first.
    def perform_authentication(self, request):
        try:
            super().perform_authentication(request)
        except AuthenticationFailed:
            self.check_throttles(request)
            raise

    def check_permissions(self, request):
        if not request.user.is_authenticated:
            self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        if getattr(request, "_throttles_checked", False):
            return
        request._throttles_checked = True
        super().check_throttles(request)


def validated(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- the plan ------------------------------------------------------------------------


class ProgrammeViewSet(PortalAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Policy programmes (试点方案); their figures are in ``reports.api``."""

    queryset = Programme.objects.all()
    serializer_class = serializers.ProgrammeSerializer
    ordering_fields = ["starts_on", "code"]


class CategoryViewSet(PortalAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Task categories of the programmes."""

    queryset = Category.objects.all()
    serializer_class = serializers.CategorySerializer
    filterset_class = filters.CategoryFilter
    ordering_fields = ["number"]


class DepartmentViewSet(PortalAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Departments, with their kind and the spellings (aliases) documents use for them."""

    queryset = selectors.api_departments()
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filters.DepartmentFilter
    ordering_fields = ["name", "sort_order"]


class TaskViewSet(PortalAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Tasks with their lead and supporting departments and their current state."""

    queryset = selectors.api_tasks()
    serializer_class = serializers.TaskSerializer
    filterset_class = filters.TaskFilter
    ordering_fields = ["number", "status", "percent", "due_on"]


@extend_schema_view(
    current=extend_schema(parameters=[serializers.CurrentPeriodQuerySerializer], filters=False)
)
class PeriodViewSet(PortalAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Monthly reporting periods with their due dates."""

    queryset = selectors.api_periods()
    serializer_class = serializers.PeriodSerializer
    filterset_class = filters.PeriodFilter
    ordering_fields = ["starts_on", "due_on"]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "current_period_ids": self._current_ids()}

    def _current_ids(self):
        if not hasattr(self, "_current_period_ids"):
            self._current_period_ids = selectors.current_period_ids()
        return self._current_period_ids

    @action(detail=False, pagination_class=None)
    def current(self, request):
        """The period that holds today (the programme's first before it starts, last after)."""
        query = serializers.CurrentPeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        programme_id = query.validated_data.get("programme")
        if programme_id is None:
            programme = default_programme()
        else:
            programme = Programme.objects.filter(pk=programme_id).first()
        period = current_period(programme=programme) if programme else None
        if period is None:
            raise Http404
        return Response(self.get_serializer(period).data)


class ReturnReasonViewSet(PortalAPIMixin, viewsets.ReadOnlyModelViewSet):
    """The standard reasons the office gives when it returns an update."""

    queryset = ReturnReason.objects.filter(is_active=True)
    serializer_class = serializers.ReturnReasonSerializer
    filter_backends = []


# --- updates -------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=serializers.UpdateCreateSerializer,
        responses={201: serializers.UpdateSerializer, 409: OpenApiTypes.OBJECT},
        description="Open your department's update of a task for a period (a draft) and save "
        "the fields given. Reporters only. 409 when the update exists already: the body's "
        "``existing`` gives its id and version; edit it with PATCH.",
    ),
    update=extend_schema(request=serializers.UpdateReplaceSerializer),
    partial_update=extend_schema(request=serializers.UpdateEditSerializer),
    submit=extend_schema(request=serializers.SubmitSerializer),
    withdraw=extend_schema(
        request=serializers.WithdrawSerializer,
        description="Take your department's submitted update back to a draft (撤回) before "
        "it is reviewed; give the version you read.",
    ),
    accept=extend_schema(request=serializers.AcceptSerializer),
    return_update=extend_schema(request=serializers.ReturnSerializer),
    evidence=extend_schema(
        request={"multipart/form-data": serializers.EvidenceUploadSerializer},
        responses={201: serializers.EvidenceSerializer, 200: serializers.EvidenceSerializer},
        description="201 with the new file; 200 with the one already attached if identical.",
    ),
)
class UpdateViewSet(
    PortalAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Progress updates you may see; reporters file them, the office reviews them.

    Paged by cursor, newest first (``?ordering=id``: oldest first): follow ``next``.
    """

    serializer_class = serializers.UpdateSerializer
    filterset_class = filters.UpdateFilter
    # Millions of rows: only the primary key orders them on an index, page after page.
    pagination_class = KeysetPagination
    ordering_fields = ["id"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        return selectors.api_updates(user=self.request.user)

    def create(self, request, *args, **kwargs):
        if not permissions.can_start_updates(request.user):
            raise PermissionDenied
        data = dict(validated(serializers.UpdateCreateSerializer, request))
        task, period = data.pop("task"), data.pop("period")
        try:
            update = filing.create_update(task=task, period=period, actor=request.user, data=data)
        except reporting.UpdateExistsError as exists:
            # 409, naming the update (maybe created a moment ago by another client) and
            # its version, to be edited with PATCH: a create never overwrites.
            existing = {"id": exists.update.pk, "version": exists.update.version}
            body = {"task": exists.messages, "existing": existing}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return self._respond(update, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        update = self.get_object()
        edit = serializers.UpdateEditSerializer if partial else serializers.UpdateReplaceSerializer
        data = dict(validated(edit, request))
        version = data.pop("version")
        update = reporting.save_update(
            update=update,
            actor=request.user,
            data=filing.merged_fields(update, data),
            expected_version=version,
        )
        return self._respond(update)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        update = self.get_object()
        data = validated(serializers.SubmitSerializer, request)
        inputs = list(ProgressUpdate.objects.filter(pk__in=data["drawn_from"]))
        update = reporting.submit_update(
            update=update, actor=request.user, expected_version=data["version"], drawn_from=inputs
        )
        return self._respond(update)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        update = self.get_object()
        data = validated(serializers.WithdrawSerializer, request)
        update = reporting.withdraw_update(
            update=update, actor=request.user, expected_version=data["version"]
        )
        return self._respond(update)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        update = self.get_object()
        data = validated(serializers.AcceptSerializer, request)
        accepted = review.accept_update(
            update=update, actor=request.user, highlight=data["highlight"]
        )
        return self._respond(accepted)

    @action(detail=True, methods=["post"], url_path="return")
    def return_update(self, request, pk=None):
        update = self.get_object()
        data = validated(serializers.ReturnSerializer, request)
        reasons = data.get("reasons", [])
        update = review.return_update(
            update=update, actor=request.user, reasons=reasons, comment=data["comment"]
        )
        return self._respond(update)

    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, pk=None):
        update = self.get_object()
        upload = validated(serializers.EvidenceUploadSerializer, request)["file"]
        try:
            evidence = reporting.add_evidence(update=update, actor=request.user, upload=upload)
        except DjangoValidationError as refused:
            raise ValidationError(errors.field_errors(refused, "file")) from refused
        data = serializers.EvidenceSerializer(evidence, context=self.get_serializer_context())
        # An identical file already attached is returned as it is, with 200 instead of 201.
        code = status.HTTP_200_OK if evidence.duplicate else status.HTTP_201_CREATED
        return Response(data.data, status=code)

    def _respond(self, update, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=update.pk)
        return Response(self.get_serializer(fresh).data, status=code)


@extend_schema_view(
    download=extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        description="The file, if you may see its update.",
    ),
)
class EvidenceViewSet(PortalAPIMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Evidence files of updates: download (if you see the update) or remove (if you edit it)."""

    serializer_class = serializers.EvidenceSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.api_evidence(user=self.request.user)

    @action(detail=True)
    def download(self, request, pk=None):
        evidence = self.get_object()
        if not permissions.can_download_evidence(request.user, evidence):
            raise Http404
        return FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )

    def perform_content_negotiation(self, request, force=False):
        # A client asking for the file's own type (application/pdf) still gets the file;
        # errors then fall back to JSON instead of 406.
        return super().perform_content_negotiation(request, force=True)

    def perform_destroy(self, instance):
        reporting.remove_evidence(evidence=instance, actor=self.request.user)


# --- tokens --------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(description="The caller's own tokens (never another account's)."),
    create=extend_schema(
        request=serializers.TokenRequestSerializer,
        responses={201: serializers.IssuedTokenSerializer},
        description=(
            "Issue a token for the signed-in account, replacing its old one. The key is "
            "shown only in this answer. Needs the portal session: a token cannot issue "
            "its own successor (that would defeat the expiry)."
        ),
    ),
    destroy=extend_schema(
        description="Revoke one of the caller's own tokens.",
        parameters=[
            OpenApiParameter(
                "token_key",
                str,
                OpenApiParameter.PATH,
                description="The first characters of the key, as listed.",
            )
        ],
    ),
)
class TokenViewSet(
    PortalAPIMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own API tokens (the key is shown once, when issued)."""

    permission_classes = [CanHoldTokens]
    serializer_class = serializers.TokenSerializer
    filter_backends = []
    lookup_field = "token_key"

    def get_queryset(self):
        return selectors.api_tokens(user=self.request.user)

    def create(self, request, *args, **kwargs):
        validated(serializers.TokenRequestSerializer, request)
        if isinstance(request.auth, AuthToken):
            raise PermissionDenied(_("请登录门户后签发接口令牌（令牌不能签发新令牌）。"))
        token, key = tokens.issue_token(account=request.user, actor=request.user)
        data = {**serializers.TokenSerializer(token).data, "key": key}
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        tokens.revoke_token(token=instance, actor=self.request.user)
