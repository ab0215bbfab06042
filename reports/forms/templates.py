"""Form of the Word template page."""

from django import forms
from django.utils.translation import gettext_lazy


class TemplateUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Word 模板（.docx）"))
