"""Query-string filters of the list endpoints (django-filter)."""

import django_filters as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from departments.models import Department, DepartmentKind
from pilot import permissions
from tasks.models import (
    AssignmentRole,
    Category,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    Task,
    TaskStatus,
    UpdateState,
)


@extend_schema_field(OpenApiTypes.INT)
class DepartmentIdFilter(filters.ModelChoiceFilter):
    """A department id; documented as an integer although a method applies it."""


class CategoryFilter(filters.FilterSet):
    programme = filters.ModelChoiceFilter(queryset=Programme.objects.all())

    class Meta:
        model = Category
        fields = ["programme"]


class DepartmentFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=DepartmentKind.choices)

    class Meta:
        model = Department
        fields = ["kind"]


class PeriodFilter(filters.FilterSet):
    programme = filters.ModelChoiceFilter(queryset=Programme.objects.all())
    is_open = filters.BooleanFilter()
    year = filters.NumberFilter()

    class Meta:
        model = ReportingPeriod
        fields = ["programme", "is_open", "year"]


class TaskFilter(filters.FilterSet):
    programme = filters.ModelChoiceFilter(queryset=Programme.objects.all())
    category = filters.ModelChoiceFilter(queryset=Category.objects.all())
    department = DepartmentIdFilter(
        queryset=Department.objects.all(),
        method="filter_assignment",
        help_text="Tasks this department holds (as lead or support; see role).",
    )
    role = filters.ChoiceFilter(
        choices=AssignmentRole.choices,
        method="filter_assignment",
        help_text="With department: tasks it holds in this role; without it, a reporter's own "
        "department.",
    )
    status = filters.ChoiceFilter(choices=TaskStatus.choices)
    needs_coordination = filters.BooleanFilter()
    completion_confirmed = filters.BooleanFilter(
        field_name="completion_confirmed_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Task
        fields = ["programme", "category", "status", "needs_coordination"]

    def filter_assignment(self, queryset, name, value):
        # department and role narrow the same assignment row, so they are applied together
        # once (under whichever of the two is present, department first).
        data = self.form.cleaned_data
        if name == "role" and data.get("department"):
            return queryset
        department = data.get("department") or permissions.reporter_department(self.request.user)
        if department is None:
            return queryset.filter(
                assignments__role=data["role"], assignments__valid_until__isnull=True
            ).distinct()
        # The join sees ended assignments too (plan history): the current plan only.
        conditions = {
            "assignments__department": department,
            "assignments__valid_until__isnull": True,
        }
        if data.get("role"):
            conditions["assignments__role"] = data["role"]
        return queryset.filter(**conditions)


class UpdateFilter(filters.FilterSet):
    programme = filters.ModelChoiceFilter(
        field_name="task__programme", queryset=Programme.objects.all()
    )
    category = filters.ModelChoiceFilter(
        field_name="task__category", queryset=Category.objects.all()
    )
    task = filters.ModelChoiceFilter(queryset=Task.all_periods.all())
    period = filters.ModelChoiceFilter(queryset=ReportingPeriod.objects.all())
    department = filters.ModelChoiceFilter(queryset=Department.objects.all())
    role = filters.ChoiceFilter(choices=AssignmentRole.choices)
    state = filters.ChoiceFilter(choices=UpdateState.choices)
    status = filters.ChoiceFilter(choices=TaskStatus.choices)
    needs_coordination = filters.BooleanFilter()

    class Meta:
        model = ProgressUpdate
        fields = [
            "programme",
            "category",
            "task",
            "period",
            "department",
            "role",
            "state",
            "status",
            "needs_coordination",
        ]
