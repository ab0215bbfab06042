"""One rule for text people type: line breaks normalised, other control characters refused.

Control characters cannot be seen on a page but break what is built from the text:
openpyxl refuses a cell holding one (and with it the whole monthly workbook), Word shows
boxes, PostgreSQL refuses NUL. Line-break spellings are harmless and common (Windows
\\r\\n, Word's manual line break \\x0b, a page break \\x0c): they become \\n. Everything
else in C0 and DEL is refused with a message rather than silently dropped, so that what
is stored is what the user saw; the form shows the text back for them to fix.

Used by ``TextField`` (forms), the API's ``CleanCharField`` and the admin through
``ADMIN_FORMFIELD_OVERRIDES``.
"""

import re

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.db import models
from django.utils.translation import gettext as _

# \r\n first so that it becomes one \n, not two.
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c]")
# C0 controls except tab and newline (the breaks above are gone by then), and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def normalise_text(value: str) -> str:
    """Return ``value`` with every line-break spelling turned into \\n."""
    return _LINE_BREAKS.sub("\n", value)


def refuse_control_characters(value: str) -> None:
    """Raise ValidationError if ``value`` holds a control character other than \\t \\n."""
    found = _CONTROL.search(value)
    if found:
        code = f"U+{ord(found.group()):04X}"
        raise ValidationError(
            _("内容含有不可见的控制字符（%(code)s），请删除后重新提交。") % {"code": code},
            code="control_character",
        )


def query_value(request, name: str) -> str | None:
    """Return a query-string parameter, or raise BadRequest (a 400) if it holds a control.

    A NUL in a lookup value makes PostgreSQL refuse the query (a 500); any control
    character in a code or an id is a broken link, not something to look up.
    """
    value = request.GET.get(name)
    if value is not None and _CONTROL.search(value):
        raise BadRequest(_("参数“%(name)s”含有无效字符。") % {"name": name})
    return value


class TextField(forms.CharField):
    """A form CharField that normalises line breaks and refuses control characters."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_text(value) if isinstance(value, str) else value

    def validate(self, value):
        super().validate(value)
        refuse_control_characters(value)


# For ModelAdmin and inlines: every free-text model field gets the same rule (fields
# with choices, e-mail and URL fields keep their own form fields).
ADMIN_FORMFIELD_OVERRIDES = {
    models.CharField: {"form_class": TextField},
    models.TextField: {"form_class": TextField},
}


class TextInputAdminMixin:
    """For ModelAdmin and inlines: the rule above on every free-text field.

    ``text_limits`` maps a field name to its length limit where the model sets none
    (a TextField), so that the admin accepts what the portal's form accepts.
    """

    formfield_overrides = ADMIN_FORMFIELD_OVERRIDES
    text_limits: dict[str, int] = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.text_limits:
            kwargs.setdefault("max_length", self.text_limits[db_field.name])
        return super().formfield_for_dbfield(db_field, request, **kwargs)
