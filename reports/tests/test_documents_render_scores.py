"""The 考核通报 and the meeting pack rendered by LibreOffice: A4, every heading shown, no text
off the type area (the checks of test_documents_render, on the new documents).

Set PILOT_RENDER_DIR=dir to keep the PDFs there (pdftoppm them to look at the pages).
"""

import datetime
import os
import shutil
import subprocess

import pytest

from pilot.testing.factories import UpdateFactory
from pilot.testing.february import build_february
from reports.exports.bulletin import build_bulletin
from reports.exports.meeting_pack import build_meeting_pack
from reports.services import scores as score_services
from reports.tests.test_documents_render import (
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
from reports.tests.test_documents_render import soffice as soffice
from tasks.models import AssignmentRole, Task, TaskStatus, UpdateState
from tasks.services import meetings

pytestmark = [pytest.mark.django_db, pytest.mark.documents]


def test_bulletin_and_meeting_pack_render_inside_the_type_area(
    plan, personas, clock, soffice, tmp_path
):
    february = build_february(plan)
    score_services.publish_scores(programme=plan.programme, period=february, actor=personas.office)
    _t1, t2, t3 = plan.tasks
    Task.objects.filter(pk=t2.pk).update(status=TaskStatus.BLOCKED)
    UpdateFactory(
        task=t2, period=plan.periods[(2021, 3)], department=plan.customs, role=AssignmentRole.LEAD,
        state=UpdateState.ACCEPTED, problems="口岸查验数据未与商务部门共享，单一窗口对接受阻。" * 3,
    )  # fmt: skip
    first = meetings.create_meeting(
        programme=plan.programme, held_on=datetime.date(2021, 3, 12), tasks=[t2, t3],
        actor=personas.office,
    )  # fmt: skip
    meetings.record_decision(
        item=first.items.get(order=1), text="由海口海关牵头，一个月内完成查验数据共享接口。",
        owner=plan.customs, due_on=datetime.date(2021, 4, 30), actor=personas.office,
    )  # fmt: skip
    second = meetings.create_meeting(
        programme=plan.programme,
        held_on=datetime.date(2021, 4, 12),
        tasks=[t2],
        actor=personas.office,
    )
    documents = {
        "bulletin": build_bulletin(
            programme=plan.programme, period=february, today=datetime.date(2021, 3, 10)
        ),
        "pack1": build_meeting_pack(meeting=first),
        "pack2": build_meeting_pack(meeting=second),
    }

    pdfs = render(soffice, tmp_path, documents)

    keep = os.environ.get("PILOT_RENDER_DIR")
    for name, pdf in pdfs.items():
        if keep:
            shutil.copy(pdf, keep)
        assert 1 <= page_count(pdf) <= 4, name
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        for heading in _headings(documents[name]):
            assert _squeeze(heading) in _squeeze(text), (name, heading)
        for page in words_by_page(pdf):
            for x_min, y_min, x_max, y_max, word in page:
                right = RIGHT + TOLERANCE + (16 if word[-1] in HANGING else 0)
                assert x_min >= LEFT - TOLERANCE and x_max <= right, (name, word)
                if not _is_page_number(word):
                    assert y_min >= TOP - TOLERANCE and y_max <= BOTTOM + TOLERANCE, (name, word)
    assert "已办结0项" in _squeeze(
        subprocess.run(
            ["pdftotext", str(pdfs["pack2"]), "-"], capture_output=True, text=True
        ).stdout
    )
