"""The office's form for the scoring weights (each save is a new formula version)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from pilot.text_input import TextField
from reports.models_scores import WEIGHT_FIELDS
from tasks.limits import COMMENT_MAX_LENGTH

LABELS = {
    "on_time": _("按时报送率权重"),
    "on_schedule": _("按期推进率权重"),
    "completion": _("按期办结率权重"),
    "returns": _("退回扣分（每份报送退回1次扣）"),
    "slips": _("督办单扣分（每件未办结扣）"),
    "highlights": _("亮点加分（每条加）"),
}


class FormulaForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in WEIGHT_FIELDS:
            self.fields[name] = forms.DecimalField(
                label=LABELS[name],
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=4,
                decimal_places=1,
                error_messages={
                    "required": _("请填写权重。"),
                    "invalid": _("请输入数字，例如 40 或 2.5。"),
                    "max_decimal_places": _("最多保留一位小数。"),
                    "max_digits": _("权重应在 0 到 100 之间。"),
                },
                widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "100"}),
            )


class BulletinForm(forms.Form):
    """The office's edits to the 通报: its text and which of the suggested units it names."""

    opening = TextField(
        label=_("开头"), max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    praised = forms.TypedMultipleChoiceField(
        label=_("表扬单位"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    criticised = forms.TypedMultipleChoiceField(
        label=_("通报单位"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    closing = TextField(
        label=_("工作要求"), max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, lists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["praised"].choices = [
            (u.department.pk, f"{u.department.name}（{u.score}）") for u in lists.praised
        ]
        self.fields["criticised"].choices = [
            (u.department.pk, f"{u.department.name}：{'；'.join(u.reasons)}")
            for u in lists.criticised
        ]
