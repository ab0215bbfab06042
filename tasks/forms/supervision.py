"""Forms of extension requests (延期申请) and supervision slips (督办单).

Forms only parse input; the rules live in tasks.services.extensions and tasks.services.slips.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department, DepartmentKind
from pilot.text_input import TextField
from tasks.evidence import check_evidence_file
from tasks.forms.update import MultipleFileField
from tasks.limits import COMMENT_MAX_LENGTH, UPDATE_TEXT_MAX_LENGTH
from tasks.models import AssignmentRole, SlipLevel, Task

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CheckedFilesField(MultipleFileField):
    """Several evidence files, each checked by content like update evidence."""

    def clean(self, data, initial=None):
        files = super().clean(data, initial)
        for upload in files:
            check_evidence_file(upload)
        return files


class ExtensionRequestForm(forms.Form):
    requested_due_on = forms.DateField(label=_("申请延期至"), widget=DATE_WIDGET)
    reason = TextField(
        label=_("延期理由"),
        max_length=UPDATE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    files = CheckedFilesField(
        label=_("证明材料"),
        required=False,
        help_text=_("PDF、Word、Excel、JPG、PNG，每个不超过 20 MB，最多 10 个。"),
    )


class ExtensionSupplementForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    supplement = TextField(
        label=_("补充说明"),
        required=False,
        max_length=UPDATE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = CheckedFilesField(label=_("补充材料"), required=False)


class ExtensionDecisionForm(forms.Form):
    DECISIONS = [
        ("approve", _("批准")),
        ("reject", _("不予批准")),
        ("more", _("要求补充材料")),
    ]
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("审批结果"), choices=DECISIONS, widget=forms.RadioSelect)
    approved_due_on = forms.DateField(
        label=_("批准延期至"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("批准时必填，默认为申请的日期，可调整。"),
    )
    comment = TextField(
        label=_("审批意见"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不予批准或要求补充材料时必填。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "approve" and not data.get("approved_due_on"):
            self.add_error("approved_due_on", _("批准时请选择延期至的日期。"))
        if data.get("decision") in ("reject", "more") and not (data.get("comment") or "").strip():
            self.add_error("comment", _("不予批准或要求补充材料时请填写审批意见。"))
        return data


class SlipIssueForm(forms.Form):
    department = forms.ModelChoiceField(label=_("督办单位"), queryset=Department.objects.none())
    level = forms.ChoiceField(label=_("等级"), choices=SlipLevel.choices)
    reason = TextField(
        label=_("督办事由"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = (
            Department.objects.filter(
                assignments__task=task,
                assignments__role=AssignmentRole.LEAD,
                assignments__valid_until__isnull=True,
            )
            .exclude(kind=DepartmentKind.COLLECTIVE)
            .order_by("assignments__order")
        )


class SlipResponseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    measures = TextField(
        label=_("整改措施"),
        max_length=UPDATE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    fix_by = forms.DateField(label=_("完成时限"), widget=DATE_WIDGET)


class SlipReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("accept", _("认可")), ("return", _("退回重新反馈")), ("close", _("关闭督办单"))],
        widget=forms.RadioSelect,
    )
    comment = TextField(
        label=_("审核意见"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回或关闭时必填。"),
    )

    def __init__(self, *args, answered: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not answered:  # nothing to accept or return yet: the office may only close it
            self.fields["decision"].choices = [("close", _("关闭督办单"))]
