"""Forms of the office's pages: review queue filters, returning an update, naming a body."""

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department, DepartmentKind
from pilot.text_input import TextField
from tasks import selectors
from tasks.limits import COMMENT_MAX_LENGTH
from tasks.models import Category, Programme, ReportingPeriod, Task, UpdateState


class ReviewFilterForm(forms.Form):
    """The review queue's filters; an empty choice means "all"."""

    period = forms.ModelChoiceField(
        label=_("期次"),
        queryset=ReportingPeriod.objects.none(),
        required=False,
        empty_label=_("全部期次"),
    )
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.none(), required=False, empty_label=_("全部类别")
    )
    department = forms.ModelChoiceField(
        label=_("牵头单位"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("全部单位"),
    )
    state = forms.ChoiceField(
        label=_("报送状态"),
        # Drafts are private to their department: the office never lists them.
        choices=[("", _("全部状态")), *[c for c in UpdateState.choices if c[0] != "draft"]],
        required=False,
    )
    needs_coordination = forms.BooleanField(label=_("仅看需协调"), required=False)

    def __init__(self, data, *, programme: Programme, default_period: ReportingPeriod | None):
        # The period defaults to the current one and the state to 已提交; an explicitly
        # empty value (chosen from the list) means "all".
        data = data.copy()
        if "period" not in data:
            data["period"] = default_period.pk if default_period else ""
        if "state" not in data:
            data["state"] = UpdateState.SUBMITTED
        super().__init__(data)
        self.fields["period"].queryset = programme.periods.order_by("-starts_on")
        self.fields["category"].queryset = programme.categories.order_by("number")
        self.fields["department"].queryset = selectors.lead_departments(programme=programme)


class AcceptForm(forms.Form):
    """Accepting an update, optionally marking it a highlight for the monthly report."""

    highlight = forms.BooleanField(
        label=_("列为亮点/典型做法（写入月报“本月主要进展”）"), required=False
    )


class ReturnForm(forms.Form):
    """Reasons and a comment for returning an update; the service requires one of them."""

    reasons = forms.ModelMultipleChoiceField(
        label=_("退回原因"),
        queryset=selectors.active_return_reasons(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = TextField(
        label=_("审核意见"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class NameBodyForm(forms.Form):
    """Name a concrete body (a city, a bureau) for a collective unit on one task."""

    collective = forms.ModelChoiceField(label=_("集合单位"), queryset=Department.objects.none())
    department = forms.ModelChoiceField(label=_("具体单位"), queryset=Department.objects.none())

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, **kwargs)
        held = task.assignments.values("department_id")
        self.fields["collective"].queryset = Department.objects.filter(
            pk__in=held, kind=DepartmentKind.COLLECTIVE
        )
        # Units already on the task stay in the list: the service explains why they cannot
        # be chosen, which reads better than a choice that silently is not there.
        self.fields["department"].queryset = Department.objects.exclude(
            kind=DepartmentKind.COLLECTIVE
        )
