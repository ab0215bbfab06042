"""Forms of the reporter's pages: the progress update and a lead's return of an input.

Forms only parse and check input; the rules live in tasks.services.reporting (which the
view calls) and tasks.evidence.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pilot.text_input import TextField
from tasks.evidence import MAX_FILES_PER_UPDATE, check_evidence_file
from tasks.limits import COMMENT_MAX_LENGTH, UPDATE_TEXT_MAX_LENGTH
from tasks.models import ProgressUpdate, TaskStatus

PERCENT_MESSAGE = _("完成进度应为 0 到 100 之间的整数。")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files and cleans to a list (Django's recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class UpdateForm(forms.Form):
    """A department's progress update; ``inputs`` (lead units only) offers drawn_from."""

    status = forms.ChoiceField(label=_("推进状态"), choices=TaskStatus.choices)
    percent = forms.IntegerField(
        label=_("完成进度（%）"),
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": PERCENT_MESSAGE,
            "min_value": PERCENT_MESSAGE,
            "max_value": PERCENT_MESSAGE,
            "required": PERCENT_MESSAGE,
        },
    )
    work_done = TextField(
        label=_("本期工作进展"),
        required=False,
        max_length=UPDATE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    next_steps = TextField(
        label=_("下步工作计划"),
        required=False,
        max_length=UPDATE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    problems = TextField(
        label=_("存在问题及需协调事项"),
        required=False,
        max_length=UPDATE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    needs_coordination = forms.BooleanField(label=_("需协调解决"), required=False)
    evidence = MultipleFileField(label=_("佐证材料"), required=False)
    drawn_from = forms.ModelMultipleChoiceField(
        queryset=ProgressUpdate.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=[("save", _("保存草稿")), ("submit", _("提交"))], required=False
    )

    def __init__(self, *args, inputs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if inputs is None:
            del self.fields["drawn_from"]
        else:
            pks = [item.pk for item in inputs]
            self.fields["drawn_from"].queryset = ProgressUpdate.objects.filter(pk__in=pks)

    @property
    def submitting(self) -> bool:
        return self.cleaned_data.get("action") == "submit"

    def clean_evidence(self):
        files = self.cleaned_data["evidence"]
        most = getattr(settings, "EVIDENCE_MAX_FILES_PER_UPDATE", MAX_FILES_PER_UPDATE)
        if len(files) > most:
            raise ValidationError(
                _("每份报送最多上传 %(max)s 个佐证材料，本次选择了 %(n)s 个。")
                % {"max": most, "n": len(files)}
            )
        problems = []
        for upload in files:
            try:
                check_evidence_file(upload)
            except ValidationError as error:
                problems.extend(error.messages)
        if problems:
            raise ValidationError(problems)
        return files

    def update_values(self) -> dict:
        """Return the fields reporting.save_update takes."""
        fields = ("status", "percent", "work_done", "next_steps", "problems")
        values = {field: self.cleaned_data[field] for field in fields}
        values["needs_coordination"] = self.cleaned_data["needs_coordination"]
        return values


class ReturnInputForm(forms.Form):
    """A lead unit's comment when it sends a supporting unit's input back."""

    comment = TextField(
        label=_("退回意见"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("退回时请填写意见，说明需要补充或修改的内容。")},
    )
