"""Shapes and types of the API's input and output; business rules live in tasks.services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.fields import empty

from departments.models import Department
from pilot.text_input import normalise_text, refuse_control_characters
from tasks.limits import COMMENT_MAX_LENGTH, UPDATE_TEXT_MAX_LENGTH
from tasks.models import (
    Category,
    Evidence,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    ReturnReason,
    Review,
    Task,
    TaskStatus,
)


class StrictFieldsMixin:
    """Refuse input keys the serializer does not declare, instead of silently dropping them."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("不支持该字段。")] for name in unknown})
        return super().to_internal_value(data)


class OptionalBooleanField(serializers.BooleanField):
    # DRF reads a boolean missing from form data as False; here missing means "unchanged".
    default_empty_html = empty


class CleanCharField(serializers.CharField):
    """A CharField under pilot.text_input's rule: line breaks normalised, controls refused.

    The rule runs before DRF's length check, as in the form, so both count alike.
    """

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return normalise_text(value)

    def run_validators(self, value):
        try:
            refuse_control_characters(value)
        except DjangoValidationError as refused:
            raise serializers.ValidationError(refused.messages) from refused
        super().run_validators(value)


# --- the plan ------------------------------------------------------------------------


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "title",
            "doc_number",
            "issuer",
            "issued_on",
            "starts_on",
            "ends_on",
            "tasks_due_on",
            "summary_starts_on",
            "summary_ends_on",
        ]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "programme", "number", "label", "title"]


class DepartmentSerializer(serializers.ModelSerializer):
    aliases = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "kind", "aliases"]


class AssignedDepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="department_id")
    name = serializers.CharField(source="department.name")
    on_behalf_of = serializers.IntegerField(source="on_behalf_of_id", allow_null=True)


class TaskSerializer(serializers.ModelSerializer):
    lead_departments = serializers.SerializerMethodField()
    supporting_departments = serializers.SerializerMethodField()
    completion_confirmed = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "programme",
            "category",
            "number",
            "measure",
            "responsibility",
            "due_on",
            "status",
            "percent",
            "status_period",
            "needs_coordination",
            "completion_confirmed",
            "completion_confirmed_at",
            "lead_departments",
            "supporting_departments",
        ]

    @extend_schema_field(AssignedDepartmentSerializer(many=True))
    def get_lead_departments(self, task):
        return self._assigned(task, "lead")

    @extend_schema_field(AssignedDepartmentSerializer(many=True))
    def get_supporting_departments(self, task):
        return self._assigned(task, "support")

    def get_completion_confirmed(self, task) -> bool:
        return task.completion_confirmed_at is not None

    def _assigned(self, task, role):
        # Plain dicts in AssignedDepartmentSerializer's shape: a nested serializer built
        # twice per task deep-copies its fields each time, most of a 200-row page's cost.
        return [
            {
                "id": item.department_id,
                "name": item.department.name,
                "on_behalf_of": item.on_behalf_of_id,
            }
            for item in task.assignment_list  # prefetched by selectors.api_tasks
            if item.role == role
        ]


class PeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = ReportingPeriod
        fields = [
            "id",
            "programme",
            "year",
            "month",
            "label",
            "starts_on",
            "ends_on",
            "due_on",
            "is_open",
            "current",
        ]

    def get_current(self, period) -> bool:
        """True for the period that holds today in its programme (see current_period)."""
        return period.pk in self.context.get("current_period_ids", ())


class CurrentPeriodQuerySerializer(serializers.Serializer):
    programme = serializers.IntegerField(
        required=False, min_value=1, help_text="Default: the most recent programme."
    )


class ReturnReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnReason
        fields = ["id", "text", "order"]


# --- updates -------------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "update",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "download_url",
        ]

    def get_download_url(self, evidence) -> str:
        return reverse("api:evidence-download", args=[evidence.pk])


class ReviewSerializer(serializers.ModelSerializer):
    reasons = serializers.SlugRelatedField(many=True, read_only=True, slug_field="text")

    class Meta:
        model = Review
        fields = ["id", "action", "reasons", "comment", "created_at"]


class UpdateSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    # The lists selectors.api_updates prefetches.
    drawn_from = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True, read_only=True, source="evidence_list")
    reviews = ReviewSerializer(many=True, read_only=True, source="review_list")

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "task",
            "period",
            "department",
            "department_name",
            "role",
            "state",
            "status",
            "percent",
            "work_done",
            "next_steps",
            "problems",
            "needs_coordination",
            "copied_from_previous",
            "drawn_from",
            "missing_inputs",
            "version",
            "return_count",
            "first_submitted_at",
            "submitted_at",
            "is_late",
            "reviewed_at",
            "created_at",
            "updated_at",
            "evidence",
            "reviews",
        ]
        read_only_fields = fields

    def get_drawn_from(self, update) -> list[int]:
        """Ids of the supporting units' updates the lead drew on."""
        return [item.pk for item in update.drawn_from_list]


class UpdateFieldsSerializer(StrictFieldsMixin, serializers.Serializer):
    """The editable fields of an update; each one left out keeps its current value."""

    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    percent = serializers.IntegerField(min_value=0, max_value=100, required=False)
    work_done = CleanCharField(
        allow_blank=True, required=False, max_length=UPDATE_TEXT_MAX_LENGTH, trim_whitespace=False
    )
    next_steps = CleanCharField(
        allow_blank=True, required=False, max_length=UPDATE_TEXT_MAX_LENGTH, trim_whitespace=False
    )
    problems = CleanCharField(
        allow_blank=True, required=False, max_length=UPDATE_TEXT_MAX_LENGTH, trim_whitespace=False
    )
    needs_coordination = OptionalBooleanField(required=False)


class UpdateCreateSerializer(UpdateFieldsSerializer):
    # Every task, retired ones too: filing refuses a retired task with its reason.
    task = serializers.PrimaryKeyRelatedField(queryset=Task.all_periods.all())
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())


class UpdateEditSerializer(UpdateFieldsSerializer):
    version = serializers.IntegerField(
        min_value=1, help_text=_("读取报送时得到的版本号（乐观锁）。")
    )


class UpdateReplaceSerializer(UpdateEditSerializer):
    """PUT: every editable field is required."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required = True
        return fields


class SubmitSerializer(StrictFieldsMixin, serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    drawn_from = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=100,
        help_text=_("牵头单位采用的配合单位报送编号。"),
    )


class WithdrawSerializer(StrictFieldsMixin, serializers.Serializer):
    version = serializers.IntegerField(min_value=1)


class AcceptSerializer(StrictFieldsMixin, serializers.Serializer):
    highlight = serializers.BooleanField(required=False, default=False)


class ReturnSerializer(StrictFieldsMixin, serializers.Serializer):
    reasons = serializers.PrimaryKeyRelatedField(
        many=True, queryset=ReturnReason.objects.filter(is_active=True), required=False
    )
    comment = CleanCharField(
        allow_blank=True, required=False, default="", max_length=COMMENT_MAX_LENGTH
    )


class EvidenceUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    file = serializers.FileField()


# --- tokens --------------------------------------------------------------------------


class TokenSerializer(serializers.ModelSerializer):
    """One of the caller's tokens, named by the first characters of its key."""

    username = serializers.CharField(source="user.get_username", read_only=True)

    class Meta:
        model = AuthToken
        fields = ["token_key", "username", "created", "expiry"]


class IssuedTokenSerializer(TokenSerializer):
    key = serializers.CharField(read_only=True, help_text="The token; shown only once.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]


class TokenRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    """Nothing to say: a token is always issued for the signed-in account."""
