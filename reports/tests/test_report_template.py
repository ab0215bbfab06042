"""The office's own Word template: download, upload (refused unless it renders), and use."""

import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from pilot import clock as portal_clock
from pilot.testing.february import build_february
from reports import exports
from reports.exports import common, templating
from reports.models import FileKind, ReportKind, ReportTemplate
from reports.services import runs as run_services

pytestmark = pytest.mark.django_db

DAY = datetime.date(2021, 3, 10)


def _template(*paragraphs: str) -> bytes:
    """Return a template built like the default one, with ``paragraphs`` in its body."""
    document = common.new_document()
    for text in paragraphs:
        document.add_paragraph(text)
    return common.document_bytes(document)


def _texts(content: bytes) -> list[str]:
    return [p.text for p in Document(BytesIO(content)).paragraphs]


def _upload(client, content: bytes, name: str = "模板.docx"):
    return client.post(
        reverse("report-template"), {"file": SimpleUploadedFile(name, content)}, follow=True
    )


def test_office_downloads_the_default_template_with_the_body_placeholder(clients):
    response = clients.office.get(reverse("report-template-download"))

    assert response.status_code == 200
    assert "{{p body }}" in _texts(response.content)


@pytest.mark.parametrize("persona", ["lead", "member", "outsider"])
def test_only_the_office_opens_the_template_page(clients, persona):
    client = getattr(clients, persona)

    assert client.get(reverse("report-template")).status_code == 403
    assert client.get(reverse("report-template-download")).status_code == 403


def test_a_template_with_a_head_and_copy_line_wraps_the_report(plan, clients, clock):
    content = _template("海南省服务贸易联席会议办公室文件", "{{p body }}", "抄送：省政府办公厅。")

    response = _upload(clients.office, content)

    assert "模板已启用" in response.content.decode()
    notice = exports.build_urging_notice(
        programme=plan.programme, period=plan.periods[(2021, 2)], department=plan.finance
    )
    texts = _texts(templating.apply_office_template(notice, day=DAY))
    assert texts[0] == "海南省服务贸易联席会议办公室文件"
    assert "省财政厅：" in texts
    assert texts[-1] == "抄送：省政府办公厅。"


def test_variables_are_filled_and_escaped(plan):
    template = _template("{{ office }}｜{{ date }}｜{{ title }}", "{{p body }}")
    document = common.new_document(office="A&B<办公室>")
    document.add_heading("标题", level=0)

    texts = _texts(templating.apply_template(template, common.document_bytes(document), day=DAY))

    assert texts[0] == "A&B<办公室>｜2021年3月10日｜标题"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not a word file", "模板无法使用"),
        (_template("{% if title %}", "{{p body }}"), "模板无法使用"),
        (_template("{{ titel }}", "{{p body }}"), "titel"),
        (_template("{{ office.__class__.__mro__ }}", "{{p body }}"), "模板无法使用"),
        (_template("只有版头"), "没有放置正文"),
    ],
)
def test_a_template_that_fails_is_refused_with_the_reason_and_the_last_good_one_stays(
    clients, clock, content, reason
):
    good = _template("版头甲", "{{p body }}")
    _upload(clients.office, good)

    response = _upload(clients.office, content, name="坏模板.docx")

    assert response.status_code == 400
    assert reason in response.content.decode()
    assert ReportTemplate.objects.count() == 1
    assert templating.current_template()[0] == good


def test_reports_are_built_through_the_template_in_use(plan, personas, clients, clock):
    build_february(plan)
    _upload(clients.office, _template("版头乙", "{{p body }}"))

    run = run_services.request_report(
        kind=ReportKind.MONTHLY,
        programme=plan.programme,
        period=plan.periods[(2021, 2)],
        actor=personas.office,
    )

    run = run_services.compile_report(run_id=run.pk)
    docx = run.files.get(kind=FileKind.DOCX)
    texts = _texts(docx.file.read())
    assert texts[0] == "版头乙"
    assert any("试点任务共3项" in text for text in texts)


def test_a_stored_template_that_fails_later_leaves_the_document_as_built(personas, clock):
    ReportTemplate.objects.create(
        name="坏.docx",
        content=b"broken",
        uploaded_by=personas.office,
        uploaded_at=portal_clock.now(),
    )
    content = _template("正文")

    assert templating.apply_office_template(content, day=DAY) == content


def test_the_page_names_the_template_in_use_and_a_get_writes_nothing(clients, clock):
    _upload(clients.office, _template("版头丙", "{{p body }}"), name="办公室模板.docx")

    page = clients.office.get(reverse("report-template")).content.decode()

    assert "正在使用：办公室模板.docx（office 于" in page
    assert "{{p body }}" in page
    assert ReportTemplate.objects.count() == 1
