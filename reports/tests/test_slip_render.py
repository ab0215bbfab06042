"""The supervision slip (督办单) rendered by LibreOffice: one A4 page, every heading shown, no
text off the GB/T 9704 type area, hostile text cleaned."""

import datetime
import subprocess
from io import BytesIO

import pytest
from docx import Document

from pilot.testing.factories import stamp
from reports.exports.slip import build_slip_document
from reports.tests import test_documents_render as rendering
from reports.tests.test_documents_render import (  # the render helpers, one copy
    BOTTOM,
    HANGING,
    LEFT,
    RIGHT,
    TOLERANCE,
    TOP,
    _headings,
    _is_page_number,
    _squeeze,
    page_count,
    render,
    words_by_page,
)
from tasks.services import slips

pytestmark = [pytest.mark.django_db, pytest.mark.documents]

soffice = rendering.soffice  # the fixture: LibreOffice, or a skip (a failure in CI)


def _red_slip(plan, personas, clock, reason):
    clock.move_to(stamp(2021, 7, 1))
    return slips.issue_slip(
        task=plan.tasks[0],
        department_id=plan.commerce.pk,
        level="red",
        reason=reason,
        actor=personas.office,
    )


def test_the_slip_renders_on_one_page_inside_the_type_area(
    plan, personas, clock, soffice, tmp_path
):
    reason = "该任务完成期限为2021年6月30日，已逾期，尚未完成。" * 3
    slip = _red_slip(plan, personas, clock, reason)
    content = build_slip_document(slip=slip)

    pdf = render(soffice, tmp_path, {"slip": content})["slip"]

    assert page_count(pdf) == 1
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for heading in _headings(content):
        assert _squeeze(heading) in _squeeze(text)
    for expected in ("督办〔2021〕1号", "省商务厅：", "请于2021年7月5日前", "2021年7月1日"):
        assert expected in _squeeze(text), expected
    for page in words_by_page(pdf):
        for x_min, y_min, x_max, y_max, word in page:
            right = RIGHT + TOLERANCE + (16 if word[-1] in HANGING else 0)
            assert x_min >= LEFT - TOLERANCE and x_max <= right, word
            if not _is_page_number(word):
                assert y_min >= TOP - TOLERANCE and y_max <= BOTTOM + TOLERANCE, word


def test_control_characters_in_the_reason_never_reach_the_document(plan, personas, clock):
    slip = _red_slip(plan, personas, clock, "受阻\x0b两期\x1b。")
    slip.reason = "受阻\x0b两期\x07。"  # as if written around the input rule
    paragraphs = [p.text for p in Document(BytesIO(build_slip_document(slip=slip))).paragraphs]
    assert not any(ch in text for text in paragraphs for ch in "\x07\x1b")
    assert datetime.date(2021, 7, 5) == slip.response_due
