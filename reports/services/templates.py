"""The office's Word template: upload (refused unless it renders), and use in every report.

A template is tried on a sample document before it is stored; one that fails is refused
with the reason and the last good one stays in use. Should a stored template still fail
on a real document, the report is built without it (and the failure logged), so that a
template never stops a report.
"""

import logging
from io import BytesIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from docx import Document

from pilot import clock, permissions
from reports.exports import common, templating
from reports.models import ReportTemplate

logger = logging.getLogger(__name__)

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
SAMPLE_TEXT = "试点任务管理平台模板检查"


@transaction.atomic
def upload_report_template(*, actor, name: str, content: bytes) -> ReportTemplate:
    """Store ``content`` as the template in use, if it renders a sample document."""
    if not permissions.can_manage_report_template(actor):
        raise PermissionDenied(_("只有联席会议办公室可以上传 Word 模板。"))
    if len(content) > MAX_TEMPLATE_BYTES:
        raise ValidationError(_("模板文件不能超过 5 MB。"))
    check_template(content)
    return ReportTemplate.objects.create(
        name=name[:200], content=content, uploaded_by=actor, uploaded_at=clock.now()
    )


def check_template(content: bytes) -> None:
    """Raise ``ValidationError`` with the reason when ``content`` cannot render a document."""
    sample = common.new_document()
    sample.add_heading(_("模板检查"), level=0)
    sample.add_paragraph(SAMPLE_TEXT)
    try:
        rendered = templating.apply_template(
            content, common.document_bytes(sample), day=clock.today()
        )
    except Exception as error:  # any failure of a foreign file is a refusal
        raise ValidationError(_("模板无法使用：%(reason)s") % {"reason": _reason(error)}) from error
    if SAMPLE_TEXT not in _text(rendered):
        raise ValidationError(_("模板无法使用：模板中没有放置正文的 {{p body }}。"))


def _reason(error: Exception) -> str:
    message = str(error).strip() or error.__class__.__name__
    return message[:300]


def _text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(BytesIO(content)).paragraphs)
