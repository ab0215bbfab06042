"""Forms of the office's plan changes (方案调整): a task's units or text, a department's
merge or new name. Forms only parse input; the rules live in tasks.services.plan_history.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from pilot import clock
from pilot.text_input import TextField
from tasks import selectors
from tasks.limits import COMMENT_MAX_LENGTH, UPDATE_TEXT_MAX_LENGTH
from tasks.models import AssignmentRole, PlanChangeKind, ReportingPeriod, Task

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MULTIPLE_HELP = _("可多选：电脑上按住 Ctrl（Mac 为 Command）键点选。")


def _reason_field():
    return TextField(
        label=_("变更原因"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如依据的文件或会议决定，将记入方案变更记录。"),
        error_messages={"required": _("请填写变更原因。")},
    )


def current_departments():
    """Departments that can take work: every one not merged into another."""
    return Department.objects.filter(merged_into__isnull=True).order_by("sort_order", "name")


class PeriodField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class _TaskChangeForm(forms.Form):
    """The effective period (one of the task's programme's) and the reason."""

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        periods = ReportingPeriod.objects.filter(programme_id=task.programme_id)
        self.fields["effective"] = PeriodField(
            label=_("生效期次"),
            queryset=periods.order_by("starts_on"),
            initial=selectors.current_period(programme=task.programme),
            help_text=_("自该期次起按新的方案报送和统计；此前各期保持原样。"),
            error_messages={"invalid_choice": _("生效期次不属于该任务所在的方案。")},
        )
        self.fields["reason"] = _reason_field()


class TaskUnitsForm(_TaskChangeForm):
    leads = forms.ModelMultipleChoiceField(
        label=_("牵头单位"),
        queryset=Department.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=MULTIPLE_HELP,
        error_messages={"required": _("请至少指定一个牵头单位。")},
    )
    supports = forms.ModelMultipleChoiceField(
        label=_("配合单位"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=MULTIPLE_HELP,
    )

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, task=task, **kwargs)
        for name in ("leads", "supports"):
            self.fields[name].queryset = current_departments()
        held = list(task.assignments.all())
        for name, role in (("leads", AssignmentRole.LEAD), ("supports", AssignmentRole.SUPPORT)):
            self.fields[name].initial = [a.department_id for a in held if a.role == role]

    def ordered(self, name: str) -> list[Department]:
        """The chosen units of ``name`` in the directory's order (kept for the order column)."""
        return sorted(self.cleaned_data[name], key=lambda d: (d.sort_order, d.name))


class TaskTextForm(_TaskChangeForm):
    measure = TextField(
        label=_("具体举措"),
        max_length=UPDATE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("具体举措不能为空。")},
    )
    due_on = forms.DateField(label=_("完成期限"), widget=DATE_WIDGET)

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, task=task, **kwargs)
        self.fields["measure"].initial = task.measure
        self.fields["due_on"].initial = task.due_on
        # The form's fields in the order of the page: the text first.
        self.order_fields(["measure", "due_on", "effective", "reason"])


class MergeForm(forms.Form):
    """机构改革: a department merged into another from a month."""

    source = forms.ModelChoiceField(
        label=_("被合并单位"), queryset=Department.objects.none(), empty_label=_("请选择")
    )
    target = forms.ModelChoiceField(
        label=_("并入单位"), queryset=Department.objects.none(), empty_label=_("请选择")
    )
    effective_on = forms.DateField(
        label=_("生效月份"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        initial=clock.today,
        # A text box, not type=month: Firefox and Safari on the desktop have no month picker.
        widget=forms.DateInput(attrs={"placeholder": "2022-05"}, format="%Y-%m"),
        error_messages={"invalid": _("请按“2022-05”的格式填写生效月份。")},
        help_text=_("自该月的报送期次起由并入单位承担；此前各期仍记在原单位名下。"),
    )
    reason = _reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        concrete = current_departments().concrete()
        self.fields["source"].queryset = concrete
        self.fields["target"].queryset = concrete

    def clean(self):
        data = super().clean()
        if data.get("source") and data.get("source") == data.get("target"):
            self.add_error("target", _("不能把单位并入它自己。"))
        return data


class RenameForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("单位"), queryset=Department.objects.none(), empty_label=_("请选择")
    )
    name = TextField(
        label=_("新名称"),
        max_length=100,
        help_text=_("原名称保留为该单位的别名，导入方案时仍能识别。"),
        error_messages={"required": _("请填写新名称。")},
    )
    reason = _reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = current_departments()


class PlanChangeFilterForm(forms.Form):
    """The change log's filters; empty means all."""

    kind = forms.ChoiceField(
        label=_("变更类型"), choices=[("", _("全部类型")), *PlanChangeKind.choices], required=False
    )
    task = forms.IntegerField(label=_("任务序号"), required=False, min_value=1, max_value=32767)
