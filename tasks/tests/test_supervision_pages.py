"""The extension and slip pages over HTTP: who gets what, refusals with messages (never a
500, nothing typed lost), the task page's panel, downloads, e-mail and the 待办 entries.

The clock is pinned to 2021-03-10; the shared plan's tasks are due 2021-06-30.
"""

import datetime
from io import BytesIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from departments.models import DepartmentContact
from pilot.celery import app as celery_app
from pilot.testing.factories import stamp
from reports.models import EmailDelivery, EmailKind
from tasks.models import Extension, ExtensionState, SlipStatus, SupervisionSlip, Task
from tasks.services import extensions, slips

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def eager_celery():
    """Run queued jobs in-process even where REDIS_URL is set (CI's PostgreSQL run)."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


def _ask(client, task, **data):
    payload = {"requested_due_on": "2021-09-30", "reason": "需等待上级批复。", **data}
    return client.post(reverse("extension-new", args=[task.pk]), payload)


def _request(plan, personas):
    return extensions.request_extension(
        task=plan.tasks[0],
        actor=personas.lead,
        requested_due_on=datetime.date(2021, 9, 30),
        reason="需等待上级批复。",
        files=[SimpleUploadedFile("批复.pdf", PDF)],
    )


# --- extensions --------------------------------------------------------------------------


def test_the_lead_unit_asks_from_the_task_page(plan, clients, clock):
    page = clients.lead.get(reverse("task-detail", args=[plan.tasks[0].pk]))
    assert reverse("extension-new", args=[plan.tasks[0].pk]) in page.content.decode()
    upload = SimpleUploadedFile("批复.pdf", PDF, content_type="application/pdf")
    response = _ask(clients.lead, plan.tasks[0], files=[upload])
    extension = Extension.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("extension-detail", args=[extension.pk])
    assert extension.evidence.get().original_name == "批复.pdf"


@pytest.mark.parametrize("persona", ["support", "outsider", "member", "office"])
def test_nobody_else_may_open_the_request_form(plan, clients, clock, persona):
    client = getattr(clients, persona)
    assert client.get(reverse("extension-new", args=[plan.tasks[0].pk])).status_code == 403
    assert _ask(client, plan.tasks[0]).status_code == 403
    assert not Extension.objects.exists()


def test_a_supporting_unit_sees_no_request_button(plan, clients, clock):
    page = clients.support.get(reverse("task-detail", args=[plan.tasks[0].pk]))
    assert reverse("extension-new", args=[plan.tasks[0].pk]) not in page.content.decode()


def test_after_the_due_date_the_form_says_why_and_a_post_creates_nothing(plan, clients, clock):
    clock.move_to(stamp(2021, 7, 1))
    page = clients.lead.get(reverse("extension-new", args=[plan.tasks[0].pk]))
    assert "该任务的完成期限（2021-06-30）已过" in page.content.decode()
    response = _ask(clients.lead, plan.tasks[0])
    assert response.status_code == 400
    assert not Extension.objects.exists()


def test_a_date_before_the_due_date_is_refused_and_the_reason_typed_stays(plan, clients, clock):
    response = _ask(clients.lead, plan.tasks[0], requested_due_on="2021-05-01", reason="原因甲乙丙")
    body = response.content.decode()
    assert response.status_code == 400
    assert "申请延期至的日期应晚于当前完成期限（2021-06-30）" in body
    assert "原因甲乙丙" in body


def test_a_second_request_while_one_is_open_is_refused_with_a_message(
    plan, personas, clients, clock
):
    _request(plan, personas)
    page = clients.lead.get(reverse("extension-new", args=[plan.tasks[0].pk]))
    assert "已有一份延期申请正在办理" in page.content.decode()


def test_the_office_approves_with_its_own_date_and_the_task_page_shows_both(
    plan, personas, clients, clock
):
    extension = _request(plan, personas)
    response = clients.office.post(
        reverse("extension-decide", args=[extension.pk]),
        {"version": extension.version, "decision": "approve", "approved_due_on": "2021-08-31"},
    )
    assert response.status_code == 302
    task = Task.objects.get(pk=plan.tasks[0].pk)
    assert (task.due_on, task.original_due_on) == (
        datetime.date(2021, 8, 31),
        datetime.date(2021, 6, 30),
    )
    page = clients.member.get(reverse("task-detail", args=[task.pk])).content.decode()
    assert "2021-08-31" in page and "已批准延期，原定 2021-06-30" in page


def test_rejecting_without_a_reason_is_refused_on_the_form(plan, personas, clients, clock):
    extension = _request(plan, personas)
    response = clients.office.post(
        reverse("extension-decide", args=[extension.pk]),
        {"version": extension.version, "decision": "reject", "comment": ""},
    )
    assert response.status_code == 400
    assert "请填写审批意见" in response.content.decode()
    assert Extension.objects.get().state == ExtensionState.PENDING


def test_a_reporter_cannot_decide_over_http(plan, personas, clients, clock):
    extension = _request(plan, personas)
    response = clients.lead.post(
        reverse("extension-decide", args=[extension.pk]),
        {"version": extension.version, "decision": "approve", "approved_due_on": "2021-08-31"},
    )
    assert response.status_code == 403


def test_a_pending_request_and_its_file_are_hidden_from_other_units(plan, personas, clients, clock):
    extension = _request(plan, personas)
    item = extension.evidence.get()
    for client in (clients.outsider, clients.support, clients.member):
        assert client.get(reverse("extension-detail", args=[extension.pk])).status_code == 404
        assert client.get(reverse("extension-file", args=[item.pk])).status_code == 404
    response = clients.lead.get(reverse("extension-file", args=[item.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_asked_for_more_the_unit_supplements_from_its_todo(plan, personas, clients, clock):
    extension = _request(plan, personas)
    extensions.ask_for_more(extension=extension, actor=personas.office, comment="请补充批复。")
    home = clients.lead.get(reverse("home"))
    groups = {group.kind: group for group in home.context["todo"]}
    assert groups["extensions-more"].entries[0].detail == "请补充批复。"
    extension.refresh_from_db()
    response = clients.lead.post(
        reverse("extension-supplement", args=[extension.pk]),
        {"version": extension.version, "supplement": "批复已附。"},
    )
    assert response.status_code == 302
    assert Extension.objects.get().state == ExtensionState.PENDING


def test_the_office_todo_lists_requests_to_decide(plan, personas, clients, clock):
    extension = _request(plan, personas)
    groups = {group.kind: group for group in clients.office.get(reverse("home")).context["todo"]}
    assert groups["extensions"].count == 1
    assert groups["extensions"].entries[0].url == reverse("extension-detail", args=[extension.pk])
    assert groups["extensions"].entries[0].detail == "省商务厅申请延期至2021-09-30"


def test_the_extension_list_runs_a_fixed_number_of_queries(
    plan, personas, clients, clock, django_assert_max_num_queries
):
    _request(plan, personas)
    with django_assert_max_num_queries(12):
        response = clients.office.get(reverse("extension-list"))
    assert response.status_code == 200 and "省商务厅" in response.content.decode()


# --- slips -------------------------------------------------------------------------------


def _issue(clients, plan, level="red", department=None):
    return clients.office.post(
        reverse("slip-issue", args=[plan.tasks[0].pk]),
        {
            "department": (department or plan.commerce).pk,
            "level": level,
            "reason": "该任务连续两期受阻。",
        },
    )


def test_the_office_issues_a_slip_answered_and_reviewed_over_http(plan, clients, clock):
    response = _issue(clients, plan)
    slip = SupervisionSlip.objects.get()
    assert response.status_code == 302 and slip.code == "督办〔2021〕1号"
    # Red: two working days from Wednesday 2021-03-10 (11 and 12).
    assert slip.response_due == datetime.date(2021, 3, 12)
    answer = {"version": slip.version, "measures": "成立专班，每周调度。", "fix_by": "2021-04-30"}
    assert clients.support.post(reverse("slip-respond", args=[slip.pk]), answer).status_code == 404
    assert clients.lead.post(reverse("slip-respond", args=[slip.pk]), answer).status_code == 302
    slip.refresh_from_db()
    review = {"version": slip.version, "decision": "accept", "comment": "同意。"}
    assert clients.lead.post(reverse("slip-review", args=[slip.pk]), review).status_code == 403
    assert clients.office.post(reverse("slip-review", args=[slip.pk]), review).status_code == 302
    assert SupervisionSlip.objects.get().status == SlipStatus.ACCEPTED


def test_an_answer_without_measures_is_refused_and_the_date_typed_stays(plan, clients, clock):
    _issue(clients, plan)
    slip = SupervisionSlip.objects.get()
    response = clients.lead.post(
        reverse("slip-respond", args=[slip.pk]),
        {"version": slip.version, "measures": "", "fix_by": "2021-04-30"},
    )
    assert response.status_code == 400
    assert 'value="2021-04-30"' in response.content.decode()


def test_a_slip_to_a_supporting_unit_is_refused_with_a_message(plan, clients, clock):
    response = _issue(clients, plan, department=plan.customs)
    assert response.status_code == 400
    assert not SupervisionSlip.objects.exists()


def test_reporters_cannot_issue(plan, clients, clock):
    assert _issue(clients, plan).status_code == 302
    response = clients.lead.post(
        reverse("slip-issue", args=[plan.tasks[0].pk]),
        {"department": plan.commerce.pk, "level": "blue", "reason": "x"},
    )
    assert response.status_code == 403


def test_slips_are_seen_by_the_office_members_and_the_unit_only(plan, clients, clock):
    _issue(clients, plan)
    slip = SupervisionSlip.objects.get()
    for client, status in (
        (clients.office, 200),
        (clients.member, 200),
        (clients.lead, 200),
        (clients.support, 404),
        (clients.outsider, 404),
    ):
        assert client.get(reverse("slip-detail", args=[slip.pk])).status_code == status
        assert client.get(reverse("slip-document", args=[slip.pk])).status_code == status
    task_page = clients.outsider.get(reverse("task-detail", args=[plan.tasks[0].pk]))
    assert slip.code not in task_page.content.decode()
    assert (
        slip.code
        in clients.lead.get(reverse("task-detail", args=[plan.tasks[0].pk])).content.decode()
    )


def test_the_slip_document_is_numbered_and_names_the_reply_date(plan, clients, clock):
    _issue(clients, plan)
    slip = SupervisionSlip.objects.get()
    response = clients.lead.get(reverse("slip-document", args=[slip.pk]))
    text = "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)
    assert "试点任务督办单（红色）" in text
    assert "督办〔2021〕1号" in text
    assert "省商务厅：" in text
    assert "请于2021年3月12日前登录试点任务管理平台" in text
    assert "该任务连续两期受阻。" in text


def test_an_issued_slip_is_mailed_with_its_document_to_the_units_contacts(
    plan, personas, clock, eager_celery, django_capture_on_commit_callbacks
):
    DepartmentContact.objects.create(department=plan.commerce, email="ban@commerce.test")
    with django_capture_on_commit_callbacks(execute=True):
        slip = slips.issue_slip(
            task=plan.tasks[0],
            department_id=plan.commerce.pk,
            level="yellow",
            reason="进度滞后。",
            actor=personas.office,
        )
    delivery = EmailDelivery.objects.get()
    assert (delivery.kind, delivery.slip, delivery.to) == (
        EmailKind.SLIP,
        slip,
        "ban@commerce.test",
    )
    (message,) = mail.outbox
    assert message.subject == "【督办单】督办〔2021〕1号 黄色督办：第1项任务"
    assert message.attachments[0][0] == "督办单督办〔2021〕1号.docx"


def test_the_unit_sees_the_slip_on_its_todo_and_the_office_the_answer(plan, clients, clock):
    _issue(clients, plan)
    slip = SupervisionSlip.objects.get()
    groups = {group.kind: group for group in clients.lead.get(reverse("home")).context["todo"]}
    assert groups["slips"].count == 1
    assert groups["slips"].entries[0].url == reverse("slip-detail", args=[slip.pk])
    clients.lead.post(
        reverse("slip-respond", args=[slip.pk]),
        {"version": slip.version, "measures": "加快推进。", "fix_by": "2021-04-30"},
    )
    groups = {group.kind: group for group in clients.office.get(reverse("home")).context["todo"]}
    assert groups["slip-answers"].count == 1


def test_a_red_slip_past_its_date_waits_on_the_office_todo(plan, clients, clock):
    _issue(clients, plan)
    clock.move_to(stamp(2021, 3, 15))
    groups = {group.kind: group for group in clients.office.get(reverse("home")).context["todo"]}
    assert groups["slips-overdue"].entries[0].detail == "省商务厅，反馈期限2021-03-12"


def test_the_slip_list_runs_a_fixed_number_of_queries(
    plan, clients, clock, django_assert_max_num_queries
):
    _issue(clients, plan)
    with django_assert_max_num_queries(12):
        response = clients.office.get(reverse("slip-list"))
    assert "督办〔2021〕1号" in response.content.decode()
    assert "督办〔2021〕1号" not in clients.outsider.get(reverse("slip-list")).content.decode()
