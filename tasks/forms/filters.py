"""The task list's filter bar."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import Department
from tasks import selectors
from tasks.models import AssignmentRole, Category, Programme, ReportingPeriod, TaskStatus
from tasks.warning import WarningColour

REPORTING_CHOICES = (
    ("expected", gettext_lazy("本期应报")),
    ("on_time", gettext_lazy("按时报送")),
    ("late", gettext_lazy("逾期报送")),
    ("missing", gettext_lazy("未报送")),
)


class TaskFilterForm(forms.Form):
    """The task list's filters; every field is optional (empty means "all")."""

    # Long input is not refused: words past the limits are ignored, with a note (see clean_q).
    q = forms.CharField(
        label=gettext_lazy("搜索"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("举措、单位或已采纳的报送内容，多个词用空格分隔")}
        ),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("类别"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部类别"),
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("责任单位"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部单位"),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("职责"),
        choices=[("", gettext_lazy("牵头或配合")), *AssignmentRole.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("当前状态"),
        choices=[("", gettext_lazy("全部状态")), *TaskStatus.choices],
        required=False,
    )
    colour = forms.ChoiceField(
        label=gettext_lazy("预警灯"),
        choices=[("", gettext_lazy("全部")), *WarningColour.choices],
        required=False,
    )
    coordination = forms.BooleanField(label=gettext_lazy("仅看需协调"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("仅看逾期"), required=False)
    confirmed = forms.BooleanField(label=gettext_lazy("仅看已办结"), required=False)
    past_due = forms.BooleanField(label=gettext_lazy("仅看已到期"), required=False)
    reporting = forms.ChoiceField(
        label=gettext_lazy("报送情况"),
        choices=[("", gettext_lazy("不限")), *REPORTING_CHOICES],
        required=False,
    )
    period = forms.ModelChoiceField(
        label=gettext_lazy("期次"),
        queryset=ReportingPeriod.objects.none(),
        required=False,
        empty_label=gettext_lazy("—"),
    )

    def __init__(self, data, *, programme: Programme):
        super().__init__(data)
        self.search_truncated = False
        self.fields["category"].queryset = Category.objects.filter(programme=programme)
        self.fields["period"].queryset = ReportingPeriod.objects.filter(programme=programme)

    def clean_q(self) -> tuple[str, ...]:
        """Return the search words (all must match); note when some were ignored."""
        found = selectors.search_words(self.cleaned_data["q"])
        self.search_truncated = found.truncated
        return found.words

    def clean(self):
        data = super().clean()
        if data.get("reporting") and not data.get("period"):
            self.add_error("period", _("按报送情况筛选时请选择期次。"))
        return data
