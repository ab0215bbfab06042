"""Forms of the joint meeting: building its agenda and recording a decision (议定事项)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from departments.ordering import order_units
from pilot.text_input import TextField
from tasks.limits import COMMENT_MAX_LENGTH
from tasks.models import Programme, Task

DATE_ERRORS = {"required": _("请填写日期。"), "invalid": _("请按 2022-06-15 的格式填写日期。")}


class MeetingForm(forms.Form):
    held_on = forms.DateField(
        label=_("会议日期"),
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    tasks = forms.ModelMultipleChoiceField(
        label=_("议题（需协调的任务）"),
        queryset=Task.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请至少选择一项议题。"),
            "invalid_choice": _("所选任务不存在或不属于此方案。"),
            "invalid_pk_value": _("所选任务不存在或不属于此方案。"),
        },
    )

    def __init__(self, *args, programme: Programme, candidates: list, **kwargs):
        super().__init__(*args, **kwargs)
        # Any task of the programme may be chosen; the candidates are listed and ticked.
        self.fields["tasks"].queryset = Task.objects.filter(programme=programme)
        self.candidates = candidates


class DecisionForm(forms.Form):
    text = TextField(
        label=_("议定事项"), max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(
        label=_("责任单位"),
        queryset=Department.objects.none(),
        error_messages={
            "required": _("请选择责任单位。"),
            "invalid_choice": _("所选单位不存在，请从列表中选择。"),
        },
    )
    due_on = forms.DateField(
        label=_("完成时限"),
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = Department.objects.concrete()
        field.choices = [("", "---------")] + [
            (unit.pk, unit.name) for unit in order_units(Department.objects.concrete())
        ]
