from django import forms
from django.forms.renderers import DjangoTemplates

from pilot.renderers import PortalFormRenderer


class ChoiceForm(forms.Form):
    unit = forms.ChoiceField(
        choices=[("", "全部单位"), ("1", "省商务厅"), ("2", "海口海关 <&>")], required=False
    )
    grouped = forms.ChoiceField(choices=[("甲组", [("a", "A")]), ("b", "B")])
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")])


def _html(renderer, data):
    form = ChoiceForm(data, renderer=renderer)
    return [str(form[name]) for name in ("unit", "grouped", "many")]


def test_select_markup_matches_djangos_own_templates():
    data = {"unit": "2", "grouped": "a", "many": ["x", "y"]}
    ours = _html(PortalFormRenderer(), data)
    django = _html(DjangoTemplates(), data)
    squash = lambda html: "".join(html.split())  # noqa: E731 - whitespace differs only
    assert [squash(html) for html in ours] == [squash(html) for html in django]


def test_option_labels_are_escaped():
    html = str(ChoiceForm(renderer=PortalFormRenderer())["unit"])
    assert "海口海关 &lt;&amp;&gt;" in html
