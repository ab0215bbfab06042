"""Forms of the report run pages: request a run, send its e-mails."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import Department
from reports.models import DistributionList, ReportKind
from tasks.models import ReportingPeriod

REQUESTABLE_KINDS = [
    (ReportKind.MONTHLY, gettext_lazy("月报")),
    (ReportKind.SUMMARY, gettext_lazy("试点总结")),
    (ReportKind.LATE_LIST, gettext_lazy("未按期报送名单及催报通知")),
    (ReportKind.URGING, gettext_lazy("催报通知（一个单位）")),
]
# One button per kind, saying what it makes; each submits its kind with the form's choices.
REQUEST_BUTTONS = [
    (ReportKind.MONTHLY, gettext_lazy("生成月报"), gettext_lazy("Excel 工作簿和 Word 文档")),
    (
        ReportKind.LATE_LIST,
        gettext_lazy("生成未按期报送名单"),
        gettext_lazy("名单及每个逾期单位的催报通知"),
    ),
    (ReportKind.URGING, gettext_lazy("生成催报通知"), gettext_lazy("所选单位的催报通知")),
    (ReportKind.SUMMARY, gettext_lazy("生成试点总结"), gettext_lazy("截至今日，无需选择期次")),
]


class RunRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("报告类型"), choices=REQUESTABLE_KINDS)
    period = forms.ModelChoiceField(
        label=gettext_lazy("报送期次"), queryset=ReportingPeriod.objects.none(), required=False
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("催报单位"), queryset=Department.objects.none(), required=False
    )
    # Set by the confirmation step shown when the period's filing is still open.
    confirm_interim = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["period"].queryset = ReportingPeriod.objects.filter(programme=programme)
        self.fields["period"].empty_label = gettext_lazy("（试点总结不需要选择）")
        # Units that hold a task of the programme and can report (not collectives).
        held = Department.objects.concrete().filter(assignments__task__programme=programme)
        self.fields["department"].queryset = held.distinct()
        self.fields["department"].empty_label = gettext_lazy("（仅催报通知需要选择）")

    def clean(self):
        data = super().clean()
        if data.get("kind") != ReportKind.SUMMARY and not data.get("period"):
            self.add_error("period", _("请选择报送期次。"))
        if data.get("kind") == ReportKind.URGING and not data.get("department"):
            self.add_error("department", _("生成催报通知时请选择催报单位。"))
        if data.get("kind") != ReportKind.URGING:
            data["department"] = None  # only an urging notice is for one unit
        return data


class SendForm(forms.Form):
    distribution_list = forms.ModelChoiceField(
        label=gettext_lazy("分发名单"), queryset=DistributionList.objects.filter(is_active=True)
    )
