"""Forms of the office's plan changes (方案调整): a task's units or text, a task's
retirement, split or merge, a department's merge or new name. Forms only parse input; the
rules live in tasks.services.plan_history and tasks.services.plan_lifecycle.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
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


def _month_field(help_text):
    return forms.DateField(
        label=_("生效月份"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        initial=clock.today,
        # A text box, not type=month: Firefox and Safari on the desktop have no month picker.
        widget=forms.DateInput(attrs={"placeholder": "2022-05"}, format="%Y-%m"),
        error_messages={
            "invalid": _("请按“2022-05”的格式填写生效月份。"),
            "required": _("请填写生效月份。"),
        },
        help_text=help_text,
    )


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


# --- a task's retirement, split or merge (tasks.services.plan_lifecycle) ------------------

MAX_SPLIT_PARTS = 10
MAX_TASK_NUMBER = 32767  # Task.number is a small integer
NUMBER_SEPARATORS = re.compile(r"[、,，;；\s]+")


def _typed(form: forms.Form) -> dict:
    """What was typed into the bound ``form``, as the initial data of an unbound copy."""
    return {name: form[name].value() for name in form.fields}


class _LifecycleForm(forms.Form):
    """The effective month (of the task's programme's periods) and the reason."""

    effective = _month_field(_("自该月的报送期次起生效；此前各期保持原样。"))
    reason = _reason_field()

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        current = selectors.current_period(programme=task.programme)
        if current is not None:
            self.fields["effective"].initial = datetime.date(current.year, current.month, 1)

    def clean_effective(self) -> ReportingPeriod:
        day = self.cleaned_data["effective"]
        periods = ReportingPeriod.objects.filter(programme_id=self.task.programme_id)
        period = periods.filter(year=day.year, month=day.month).first()
        if period is None:
            ordered = list(periods.order_by("starts_on"))
            raise ValidationError(
                _("%(month)s不是该方案的报送期次（%(first)s至%(last)s）。")
                % {
                    "month": f"{day:%Y-%m}",
                    "first": ordered[0] if ordered else "—",
                    "last": ordered[-1] if ordered else "—",
                }
            )
        return period


class RetireTaskForm(_LifecycleForm):
    pass


def _measure_field():
    return TextField(
        label=_("具体举措"),
        max_length=UPDATE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("具体举措不能为空。")},
    )


def _due_field():
    return forms.DateField(
        label=_("完成期限"),
        widget=DATE_WIDGET,
        error_messages={
            "required": _("请填写完成期限。"),
            "invalid": _("请按“2022-06-30”的格式填写完成期限。"),
        },
    )


def _units_field(label, required=True):
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=Department.objects.none(),
        required=required,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=MULTIPLE_HELP,
        error_messages={
            "required": _("请至少指定一个牵头单位。"),
            "invalid_choice": _("所选单位不存在或已并入其他单位。"),
        },
    )


class SplitPartForm(forms.Form):
    """One part of a split: its text and its units (prefix ``part<N>``)."""

    measure = _measure_field()
    due_on = _due_field()
    leads = _units_field(_("牵头单位"))
    supports = _units_field(_("配合单位"), required=False)

    def __init__(self, *args, number: int, **kwargs):
        super().__init__(*args, prefix=f"part{number}", **kwargs)
        self.number = number
        departments = current_departments()
        for name in ("leads", "supports"):
            self.fields[name].queryset = departments

    def is_blank(self) -> bool:
        """Nothing typed or chosen but perhaps a date: an added part left empty."""
        return not any(self[name].value() for name in ("measure", "leads", "supports"))

    def clean(self):
        data = super().clean()
        if set(data.get("leads") or []) & set(data.get("supports") or []):
            self.add_error("supports", _("同一单位不能既是牵头单位又是配合单位。"))
        return data

    def part(self) -> dict:
        """The part as ``split_task`` takes it, units in the directory's order."""
        data = self.cleaned_data

        def ordered(name):
            return sorted(data[name], key=lambda d: (d.sort_order, d.name))

        return {
            "measure": data["measure"],
            "due_on": data["due_on"],
            "leads": ordered("leads"),
            "supports": ordered("supports"),
        }


class SplitTaskForm(_LifecycleForm):
    """The split's month and reason; ``parts`` holds one SplitPartForm per part (2 to 10).

    Part 1 is what the task keeps (proposed: its text and units); a further part left
    wholly empty is ignored, so an extra 增加一项 does no harm.
    """

    count = forms.CharField(widget=forms.HiddenInput, required=False)  # parsed in __init__

    def __init__(self, data=None, *, task: Task, **kwargs):
        super().__init__(data, task=task, **kwargs)
        count = 2
        if data is not None:
            raw = data.get("count") or ""
            count = int(raw) if raw.isdigit() else 2
        count = min(max(count, 2), MAX_SPLIT_PARTS)
        self.fields["count"].initial = count
        self.parts = [self._part(data, number) for number in range(1, count + 1)]

    def _part(self, data, number: int, initial=None) -> SplitPartForm:
        if initial is None and data is None and number == 1:
            held = list(self.task.assignments.all())
            initial = {
                "measure": self.task.measure,
                "due_on": self.task.due_on,
                "leads": [a.department_id for a in held if a.role == AssignmentRole.LEAD],
                "supports": [a.department_id for a in held if a.role == AssignmentRole.SUPPORT],
            }
        # A part from the third on may be left empty: no ``required`` for the browser.
        return SplitPartForm(
            data, number=number, initial=initial, use_required_attribute=number <= 2
        )

    @property
    def can_add(self) -> bool:
        return len(self.parts) < MAX_SPLIT_PARTS

    def with_another_part(self) -> "SplitTaskForm":
        """An unbound copy holding what was typed, one empty part more (no errors shown)."""
        copy = SplitTaskForm(task=self.task, initial=_typed(self))
        copy.parts = [self._part(None, part.number, initial=_typed(part)) for part in self.parts]
        if self.can_add:
            copy.parts.append(self._part(None, len(self.parts) + 1, initial={}))
        copy.fields["count"].initial = len(copy.parts)
        copy.initial["count"] = len(copy.parts)
        return copy

    def filled_parts(self) -> list[SplitPartForm]:
        return [self.parts[0], *(part for part in self.parts[1:] if not part.is_blank())]

    def is_valid(self) -> bool:
        filled = self.filled_parts()
        # Validate the form and every part (no short cut), so that each shows its errors.
        results = [super().is_valid(), *(part.is_valid() for part in filled)]
        valid = all(results)
        if len(filled) < 2:
            self.add_error(None, _("拆分至少需要两个部分：请填写第2部分。"))
            valid = False
        return valid

    def cleaned_parts(self) -> list[dict]:
        return [part.part() for part in self.filled_parts()]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(part.errors for part in self.filled_parts())


class MergeTasksForm(_LifecycleForm):
    """The tasks merged into ``task`` (their numbers in its programme) and the merged text."""

    numbers = forms.CharField(
        label=_("并入本任务的任务序号"),
        max_length=200,
        help_text=_("填写本方案中要并入的现行任务序号，多个用顿号或逗号分隔，如“3、5”。"),
        error_messages={"required": _("请填写要并入的任务序号。")},
    )
    measure = _measure_field()
    due_on = _due_field()

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, task=task, **kwargs)
        self.fields["measure"].label = _("合并后的具体举措")
        self.fields["measure"].initial = task.measure
        self.fields["due_on"].label = _("合并后的完成期限")
        self.fields["due_on"].initial = task.due_on
        self.order_fields(["numbers", "measure", "due_on", "effective", "reason"])

    def clean_numbers(self) -> list[Task]:
        text = self.cleaned_data["numbers"].strip()
        parts = [part for part in NUMBER_SEPARATORS.split(text) if part]
        if not parts or not all(part.isdigit() for part in parts):
            raise ValidationError(_("请只填写任务序号，如“3、5”。"))
        numbers = sorted({int(part) for part in parts})
        if self.task.number in numbers:
            raise ValidationError(_("不能把任务并入它自己。"))
        found = {
            task.number: task
            for task in Task.all_periods.filter(
                # Beyond a small integer no task has the number (and SQL would overflow).
                programme_id=self.task.programme_id,
                number__in=[n for n in numbers if n <= MAX_TASK_NUMBER],
            ).select_related("valid_until", "merged_into")
        }
        missing = [str(n) for n in numbers if n not in found]
        if missing:
            raise ValidationError(
                _("本方案中没有任务 %(numbers)s。") % {"numbers": "、".join(missing)}
            )
        for number in numbers:
            if found[number].is_retired:
                raise ValidationError(_describe_retired(found[number]))
        return [found[n] for n in numbers]


def _describe_retired(task: Task) -> str:
    if task.merged_into_id is not None:
        return _("任务 %(number)s 已并入任务 %(into)s，不能再并入。") % {
            "number": task.number,
            "into": task.merged_into.number,
        }
    return _("任务 %(number)s 已撤销（自%(period)s起），不能再并入。") % {
        "number": task.number,
        "period": task.valid_until,
    }


class MergeForm(forms.Form):
    """机构改革: a department merged into another from a month."""

    source = forms.ModelChoiceField(
        label=_("被合并单位"), queryset=Department.objects.none(), empty_label=_("请选择")
    )
    target = forms.ModelChoiceField(
        label=_("并入单位"), queryset=Department.objects.none(), empty_label=_("请选择")
    )
    effective_on = _month_field(_("自该月的报送期次起由并入单位承担；此前各期仍记在原单位名下。"))
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
