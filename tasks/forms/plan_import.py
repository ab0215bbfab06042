"""Forms of the plan import pages (upload, row fixes, unit decisions, programme details).

Forms only parse and check input; the rules live in tasks.plan_import.services.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department, DepartmentKind
from pilot.text_input import TextField
from tasks.plan_import.readers import MAX_FILE_BYTES


class PlanUploadForm(forms.Form):
    file = forms.FileField(
        label=_("责任分工表文件"),
        help_text=_(
            "Word（.docx，含责任分工表）、Excel（.xlsx）、CSV（UTF-8）或纯文本，10 MB 以内。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.xlsx,.csv,.txt"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件超过 10 MB，无法导入。"))
        return upload


class ImportRowForm(forms.Form):
    category = TextField(label=_("试点任务（类别）"), max_length=200, required=False)
    number = TextField(label=_("序号"), max_length=10)
    measure = TextField(
        label=_("具体举措"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    responsibility = TextField(
        label=_("责任分工"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    leads = TextField(label=_("牵头单位"), max_length=500, required=False)
    supports = TextField(label=_("配合单位"), max_length=500, required=False)
    due = TextField(label=_("完成时限"), max_length=30, required=False)


class UnitDecisionForm(forms.Form):
    EXISTING, CREATE = "existing", "create"

    name = TextField(widget=forms.HiddenInput, max_length=100)
    action = forms.ChoiceField(
        label=_("处理方式"),
        choices=[(EXISTING, _("即已有单位")), (CREATE, _("新建单位"))],
        widget=forms.RadioSelect,
    )
    department = forms.ModelChoiceField(
        label=_("已有单位"), queryset=Department.objects.all(), required=False
    )
    kind = forms.ChoiceField(
        label=_("新单位类型"), choices=[("", "—"), *DepartmentKind.choices], required=False
    )
    short_name = TextField(label=_("简称"), max_length=50, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == self.EXISTING and not data.get("department"):
            self.add_error("department", _("请选择已有单位。"))
        if data.get("action") == self.CREATE and not data.get("kind"):
            self.add_error("kind", _("请选择新单位的类型。"))
        return data


class ImportMetaForm(forms.Form):
    title = TextField(label=_("方案名称"), max_length=200)
    code = forms.SlugField(
        label=_("代码"),
        max_length=50,
        help_text=_("英文小写、数字和连字符，如 hainan-digital-2024。"),
    )
    doc_number = TextField(label=_("文号"), max_length=100)
    issuer = TextField(label=_("印发单位"), max_length=200)
    issued_on = forms.DateField(label=_("印发日期"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_on = forms.DateField(label=_("试点开始"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("试点结束"), widget=forms.DateInput(attrs={"type": "date"}))
    tasks_due_on = forms.DateField(
        label=_("任务完成期限"),
        help_text=_("未填写完成时限的任务以此为期限。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["starts_on"] >= data["ends_on"]:
            self.add_error("ends_on", _("试点结束日期须晚于开始日期。"))
        return data
