"""Shapes of the dashboard figures and report runs (reports.figures, reports.models)."""

import django_filters as filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from departments.models import Department
from reports.models import ReportFile, ReportKind, ReportRun, RunState
from tasks.api.serializers import StrictFieldsMixin
from tasks.models import Programme, ReportingPeriod

# --- figures -------------------------------------------------------------------------


class TaskCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    completed_confirmed = serializers.IntegerField()
    progress_rate = serializers.FloatField(allow_null=True)
    mean_percent = serializers.FloatField(allow_null=True)
    overdue = serializers.IntegerField()
    past_due = serializers.IntegerField()
    needs_coordination = serializers.IntegerField()
    by_colour = serializers.DictField(child=serializers.IntegerField())


class ReportingCountsSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)


class CategoryRowSerializer(serializers.Serializer):
    category = serializers.IntegerField(source="category.pk")
    label = serializers.CharField(source="category.label")
    title = serializers.CharField(source="category.title")
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    completed_confirmed = serializers.IntegerField()


class DepartmentRowSerializer(serializers.Serializer):
    department = serializers.IntegerField(source="department.pk")
    name = serializers.CharField(source="department.name")
    led = serializers.IntegerField()
    supported = serializers.IntegerField()
    completed = serializers.IntegerField()
    overdue = serializers.IntegerField()
    expected = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    returned = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)


class PeriodFiguresSerializer(serializers.Serializer):
    """The programme overview of one period (definitions: reports.figures)."""

    programme = serializers.IntegerField(source="programme.pk")
    period = serializers.IntegerField(source="period.pk")
    as_of = serializers.DateField()
    tasks = TaskCountsSerializer()
    reporting = ReportingCountsSerializer()
    categories = CategoryRowSerializer(many=True)
    departments = DepartmentRowSerializer(many=True)


class FiguresQuerySerializer(serializers.Serializer):
    period = serializers.IntegerField(
        required=False, min_value=1, help_text="A period of the programme; default: current."
    )


# --- report runs ---------------------------------------------------------------------


class ReportFileSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportFile
        fields = ["id", "kind", "name", "size", "sha256", "download_url"]

    def get_download_url(self, item) -> str:
        return reverse("api:report-file-download", args=[item.pk])


class ReportRunSerializer(serializers.ModelSerializer):
    files = ReportFileSerializer(many=True, read_only=True)
    cutoff = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="The moment the figures describe: the end of the period's due date, or "
        "the request time for an interim run.",
    )

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "kind",
            "programme",
            "period",
            "department",
            "scope",
            "as_of",
            "version",
            "is_interim",
            "cutoff",
            "state",
            "error",
            "progress_text",
            "progress_percent",
            "created_at",
            "started_at",
            "finished_at",
            "files",
        ]
        read_only_fields = fields


def _messages(**extra) -> dict:
    """Chinese messages for a missing, empty or malformed value of any field."""
    return {
        "required": _("请填写此字段。"),
        "null": _("此字段不能为空。"),
        "invalid": _("格式不正确。"),
        **extra,
    }


RELATED_MESSAGES = _messages(
    does_not_exist=_("编号为 {pk_value} 的记录不存在。"),
    incorrect_type=_("请填写记录编号（整数）。"),
)


class ReportRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    """A report request: every missing or invalid field is a 400 naming that field."""

    kind = serializers.ChoiceField(
        choices=ReportKind.choices,
        error_messages=_messages(invalid_choice=_("未知的报告类型“{input}”。")),
    )
    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.all(), error_messages=RELATED_MESSAGES
    )
    period = serializers.PrimaryKeyRelatedField(
        queryset=ReportingPeriod.objects.all(),
        allow_null=True,
        default=None,
        error_messages=RELATED_MESSAGES,
        help_text="Required for every kind but summary.",
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        allow_null=True,
        default=None,
        error_messages=RELATED_MESSAGES,
        help_text="Required for urging.",
    )

    def validate(self, data):
        errors = {}
        kind, period = data["kind"], data["period"]
        if kind != ReportKind.SUMMARY and period is None:
            errors["period"] = [_("请选择报送期次。")]
        elif period is not None and period.programme_id != data["programme"].pk:
            errors["period"] = [_("期次不属于该方案。")]
        if kind == ReportKind.URGING and data["department"] is None:
            errors["department"] = [_("催报通知须选择单位。")]
        if errors:
            raise serializers.ValidationError(errors)
        return data


class ReportRunFilter(filters.FilterSet):
    programme = filters.ModelChoiceFilter(queryset=Programme.objects.all())
    period = filters.ModelChoiceFilter(queryset=ReportingPeriod.objects.all())
    kind = filters.ChoiceFilter(choices=ReportKind.choices)
    state = filters.ChoiceFilter(choices=RunState.choices)

    class Meta:
        model = ReportRun
        fields = ["programme", "period", "kind", "state"]
