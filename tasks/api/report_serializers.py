"""Shapes of the dashboard figures and report runs (reports.figures, reports.models)."""

import django_filters as filters
from django.urls import reverse
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


class ReportRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    programme = serializers.PrimaryKeyRelatedField(queryset=Programme.objects.all())
    period = serializers.PrimaryKeyRelatedField(
        queryset=ReportingPeriod.objects.all(), required=False, allow_null=True
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )


class ReportRunFilter(filters.FilterSet):
    programme = filters.ModelChoiceFilter(queryset=Programme.objects.all())
    period = filters.ModelChoiceFilter(queryset=ReportingPeriod.objects.all())
    kind = filters.ChoiceFilter(choices=ReportKind.choices)
    state = filters.ChoiceFilter(choices=RunState.choices)

    class Meta:
        model = ReportRun
        fields = ["programme", "period", "kind", "state"]
