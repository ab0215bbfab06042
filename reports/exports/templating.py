"""The office's own Word template: a .docx rendered with docxtpl around each document's body.

The builders make the body with python-docx (``reports.exports.common``); the template
places it with ``{{p body }}`` and may add what the office wants around it: a 版头, its own
落款 or 抄送 lines, and its own styles (the body's paragraphs take the template's styles of
the same name). Variables: ``body``, ``title``, ``office`` and ``date`` (the 成文日期).
Templates run in Jinja's sandbox with strict undefined variables, so a misspelt name is an
error at upload, not a blank in a report.
"""

import datetime
import logging
from io import BytesIO

from docx import Document
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from reports.exports import common, gbt9704
from reports.models import ReportTemplate

logger = logging.getLogger(__name__)

VARIABLES = ("body", "title", "office", "date")


def default_template() -> bytes:
    """Return the template the portal uses until the office uploads its own."""
    document = common.new_document()
    document.add_paragraph("{{p body }}")
    return common.document_bytes(document)


def apply_template(template: bytes, content: bytes, *, day: datetime.date) -> bytes:
    """Return ``content`` (a .docx built by the portal) rendered inside ``template``."""
    properties = Document(BytesIO(content)).core_properties
    document = DocxTemplate(BytesIO(template))
    context = {
        "body": document.new_subdoc(BytesIO(content)),
        "title": properties.title,
        "office": properties.author,
        "date": common.chinese_date(day),
    }
    environment = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    document.render(context, jinja_env=environment)
    _copy_properties(properties, document.docx)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _copy_properties(source, target_document) -> None:
    """Keep the built document's title and office (the template's own are a template's)."""
    target = target_document.core_properties
    target.title, target.language = source.title, source.language
    target.author = target.last_modified_by = source.author
    gbt9704.set_company(target_document, source.author)


def current_template() -> tuple[bytes, ReportTemplate | None]:
    """Return the template in use (the newest upload, else the portal's default)."""
    latest = ReportTemplate.objects.order_by("-uploaded_at", "-pk").first()
    if latest is None:
        return default_template(), None
    return bytes(latest.content), latest


def apply_office_template(content: bytes, *, day: datetime.date) -> bytes:
    """Return the portal's .docx ``content`` inside the template in use."""
    template, record = current_template()
    try:
        return apply_template(template, content, day=day)
    except Exception:  # a report is never lost to its template
        # The record's id, not its name: an uploaded file name is user text.
        logger.exception(
            "Word template %s failed; the document is built without it",
            record.pk if record else "default",
        )
        return content
