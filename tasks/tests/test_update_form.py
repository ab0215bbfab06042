"""The progress update form: drafts, submission, errors that keep typed text, evidence
files, and the lead unit's consolidation of supporting input."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import browser_login
from departments.models import Department, Role
from pilot import permissions
from pilot.testing.factories import make_user, stamp
from tasks.models import (
    Assignment,
    AssignmentRole,
    AuditEvent,
    Category,
    Evidence,
    ProgressUpdate,
    Task,
    UpdateState,
)
from tasks.services import reporting, review

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

FILLED = {
    "status": "on_track",
    "percent": 40,
    "work_done": "完成需求调研。",
    "next_steps": "启动开发。",
    "problems": "",
    "needs_coordination": False,
}


def _url(task, period):
    return reverse("update-form", args=[task.pk, period.pk])


def _march(plan):
    return plan.periods[(2021, 3)]


def _post(client, task, period, *, version=1, action="save", files=(), follow=False, **fields):
    data = {
        "status": "on_track",
        "percent": "60",
        "work_done": "上线单一窗口二期。",
        "next_steps": "推广到全部口岸。",
        "problems": "",
        "version": str(version),
        "action": action,
        **fields,
    }
    if files:
        data["evidence"] = list(files)
    return client.post(_url(task, period), data, follow=follow)


def _submitted(task, period, user, data=FILLED):
    update = reporting.start_update(task=task, period=period, actor=user)
    update = reporting.save_update(
        update=update, actor=user, data=data, expected_version=update.version
    )
    return reporting.submit_update(update=update, actor=user, expected_version=update.version)


def _update(plan, department, task_index=0):
    return ProgressUpdate.objects.get(
        task=plan.tasks[task_index], period=_march(plan), department=department
    )


# --- the draft --------------------------------------------------------------------------


def test_opening_the_form_writes_nothing(clients, plan, clock):
    with CaptureQueriesContext(connection) as queries:
        response = clients.lead.get(_url(plan.tasks[0], _march(plan)))
    assert response.status_code == 200
    assert "未填报" in response.content.decode()
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert not ProgressUpdate.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_first_save_creates_the_departments_draft_with_one_audit_event(clients, plan, clock):
    response = _post(clients.lead, plan.tasks[0], _march(plan), version=0)
    assert response.status_code == 302
    update = _update(plan, plan.commerce)
    assert (update.state, update.role, update.work_done) == ("draft", "lead", "上线单一窗口二期。")
    verbs = list(AuditEvent.objects.filter(update=update).values_list("verb", flat=True))
    assert verbs == ["created", "changed"]


def test_the_unsaved_form_starts_from_the_previous_status_and_percent(
    clients, plan, personas, clock
):
    february = plan.periods[(2021, 2)]
    _submitted(plan.tasks[0], february, personas.lead, {**FILLED, "percent": 35})
    response = clients.lead.get(_url(plan.tasks[0], _march(plan)))
    assert response.context["form"].initial["percent"] == 35
    assert response.context["form"].initial["version"] == 0
    assert ProgressUpdate.objects.filter(period=_march(plan)).count() == 0


def test_evidence_uploaded_with_the_first_save_is_attached_to_the_new_draft(clients, plan, clock):
    upload = SimpleUploadedFile("调研报告.pdf", PDF, content_type="application/pdf")
    response = _post(clients.lead, plan.tasks[0], _march(plan), version=0, files=[upload])
    assert response.status_code == 302
    update = _update(plan, plan.commerce)
    assert list(update.evidence.values_list("original_name", flat=True)) == ["调研报告.pdf"]


def test_a_draft_created_by_a_colleague_after_the_form_was_opened_is_not_overwritten(
    clients, plan, clock
):
    clients.lead.get(_url(plan.tasks[0], _march(plan)))  # the unsaved form: version 0
    colleague = make_user("colleague", Role.REPORTER, plan.commerce)
    reporting.file_new_update(task=plan.tasks[0], period=_march(plan), actor=colleague, data=FILLED)
    response = _post(clients.lead, plan.tasks[0], _march(plan), version=0, work_done="我的内容")
    assert response.status_code == 200
    assert "colleague 已在 2021-03-10 10:00 修改了这份报送" in response.content.decode()
    assert "我的内容" in response.content.decode()
    assert _update(plan, plan.commerce).work_done == "完成需求调研。"


def test_outsider_cannot_open_a_task_its_department_does_not_hold(clients, plan, clock):
    response = clients.outsider.get(_url(plan.tasks[0], _march(plan)))
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_office_staff_cannot_open_the_reporters_form(clients, plan, clock):
    assert clients.office.get(_url(plan.tasks[0], _march(plan))).status_code == 403


def test_period_of_another_programme_is_not_found(clients, plan, clock):
    response = clients.lead.get(reverse("update-form", args=[plan.tasks[0].pk, 999999]))
    assert response.status_code == 404


def test_saving_a_draft_keeps_it_a_draft_with_the_typed_text(clients, plan, clock):
    clients.lead.get(_url(plan.tasks[0], _march(plan)))
    response = _post(clients.lead, plan.tasks[0], _march(plan))
    assert response.status_code == 302
    update = _update(plan, plan.commerce)
    assert (update.state, update.percent, update.work_done) == ("draft", 60, "上线单一窗口二期。")
    assert update.version == 2


def test_submitting_sends_the_update_to_the_office(clients, plan, clock):
    clients.lead.get(_url(plan.tasks[0], _march(plan)))
    _post(clients.lead, plan.tasks[0], _march(plan), action="submit")
    update = _update(plan, plan.commerce)
    assert update.state == UpdateState.SUBMITTED
    assert update.is_late is False


def test_submitted_update_is_shown_read_only(clients, plan, personas, clock):
    _submitted(plan.tasks[0], _march(plan), personas.lead)
    page = clients.lead.get(_url(plan.tasks[0], _march(plan))).content.decode()
    assert 'name="work_done"' not in page
    assert "完成需求调研。" in page


def test_posting_to_a_submitted_update_keeps_the_typed_text_and_saves_nothing(
    clients, plan, personas, clock
):
    _submitted(plan.tasks[0], _march(plan), personas.lead)
    response = _post(clients.lead, plan.tasks[0], _march(plan), version=3, work_done="新内容")
    assert response.status_code == 200
    assert "当前不能修改" in response.content.decode()
    assert "新内容" in response.content.decode()
    assert _update(plan, plan.commerce).work_done == "完成需求调研。"


# --- errors keep what was typed -----------------------------------------------------------


def test_percent_150_is_refused_in_chinese_and_the_text_comes_back(clients, plan, clock):
    clients.lead.get(_url(plan.tasks[0], _march(plan)))
    response = _post(clients.lead, plan.tasks[0], _march(plan), percent="150")
    assert response.status_code == 200
    assert response.context["form"].errors["percent"] == ["完成进度应为 0 到 100 之间的整数。"]
    assert "上线单一窗口二期。" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_submitting_without_work_done_is_refused_and_nothing_is_saved(clients, plan, clock):
    clients.lead.get(_url(plan.tasks[0], _march(plan)))
    response = _post(
        clients.lead, plan.tasks[0], _march(plan), action="submit", work_done="", percent="70"
    )
    assert response.context["form"].errors["work_done"] == ["提交前请填写本期工作进展。"]
    assert "推广到全部口岸。" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_stale_version_gives_a_chinese_error_and_keeps_the_typed_text(
    clients, plan, personas, clock
):
    reporting.start_update(task=plan.tasks[0], period=_march(plan), actor=personas.lead)
    colleague = make_user("colleague", Role.REPORTER, plan.commerce)
    update = _update(plan, plan.commerce)
    reporting.save_update(update=update, actor=colleague, data=FILLED, expected_version=1)
    response = _post(clients.lead, plan.tasks[0], _march(plan), version=1, work_done="我的内容")
    errors = response.context["form"].non_field_errors()
    assert "colleague 已在 2021-03-10 10:00 修改了这份报送" in errors[0]
    assert "我的内容" in response.content.decode()
    assert _update(plan, plan.commerce).work_done == "完成需求调研。"


def test_oversized_file_is_refused_naming_the_file_and_nothing_is_saved(
    clients, plan, settings, clock
):
    settings.EVIDENCE_MAX_BYTES = 20
    clients.lead.get(_url(plan.tasks[0], _march(plan)))
    upload = SimpleUploadedFile("调研报告.pdf", PDF, content_type="application/pdf")
    response = _post(clients.lead, plan.tasks[0], _march(plan), files=[upload])
    page = response.content.decode()
    assert "文件“调研报告.pdf”大小为" in response.context["form"].errors["evidence"][0]
    assert "所选文件未上传，请重新选择文件。" in page
    assert "上线单一窗口二期。" in page
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "content", [b"just some text, not a pdf at all", b"MZ\x90\x00\x03" + b"\x00" * 200]
)
def test_disguised_file_is_refused_in_chinese(clients, plan, clock, content):
    clients.lead.get(_url(plan.tasks[0], _march(plan)))
    upload = SimpleUploadedFile("通知.pdf", content, content_type="application/pdf")
    response = _post(clients.lead, plan.tasks[0], _march(plan), files=[upload])
    assert response.context["form"].errors["evidence"] == [
        "文件“通知.pdf”的内容与扩展名不符（可能是改了扩展名的其他文件），请上传真实的 PDF 文件。"
    ]
    assert "上线单一窗口二期。" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_failed_submission_leaves_no_uploaded_file_behind(clients, plan, settings, clock):
    clients.lead.get(_url(plan.tasks[0], _march(plan)))
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    response = _post(
        clients.lead, plan.tasks[0], _march(plan), action="submit", next_steps="", files=[upload]
    )
    assert response.context["form"].errors["next_steps"] == ["提交前请填写下步工作计划。"]
    assert not Evidence.objects.exists()
    evidence_dir = settings.MEDIA_ROOT / "evidence"
    assert not evidence_dir.exists() or not any(p.is_file() for p in evidence_dir.rglob("*"))


# --- evidence -------------------------------------------------------------------------------


def test_several_files_are_attached_with_their_original_names(clients, plan, clock):
    clients.lead.get(_url(plan.tasks[0], _march(plan)))
    files = [
        SimpleUploadedFile("会议纪要.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("通知.pdf", PDF + b"2", content_type="application/pdf"),
    ]
    _post(clients.lead, plan.tasks[0], _march(plan), files=files)
    names = sorted(Evidence.objects.values_list("original_name", flat=True))
    assert names == ["会议纪要.pdf", "通知.pdf"]


def _evidence(plan, user, name="纪要.pdf"):
    update = reporting.start_update(task=plan.tasks[0], period=_march(plan), actor=user)
    upload = SimpleUploadedFile(name, PDF, content_type="application/pdf")
    return reporting.add_evidence(update=update, actor=user, upload=upload)


def test_owner_downloads_evidence_as_an_attachment_with_its_original_name(
    clients, plan, personas, clock
):
    evidence = _evidence(plan, personas.lead)
    response = clients.lead.get(reverse("evidence-download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E7%BA%AA%E8%A6%81.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_outsider_gets_404_for_evidence_it_may_not_see(clients, plan, personas, clock):
    evidence = _evidence(plan, personas.lead)
    assert clients.outsider.get(reverse("evidence-download", args=[evidence.pk])).status_code == 404


def test_missing_evidence_gives_the_same_404(clients, plan, clock):
    assert clients.outsider.get(reverse("evidence-download", args=[999999])).status_code == 404


def test_lead_unit_downloads_a_supporting_units_submitted_evidence(clients, plan, personas, clock):
    evidence = _evidence(plan, personas.support)
    reporting.submit_update(
        update=reporting.save_update(
            update=evidence.update, actor=personas.support, data=FILLED, expected_version=1
        ),
        actor=personas.support,
        expected_version=2,
    )
    assert clients.lead.get(reverse("evidence-download", args=[evidence.pk])).status_code == 200


def test_lead_unit_cannot_download_a_supporting_units_draft_evidence(
    clients, plan, personas, clock
):
    evidence = _evidence(plan, personas.support)
    assert clients.lead.get(reverse("evidence-download", args=[evidence.pk])).status_code == 404


def test_owner_deletes_evidence_from_a_draft(clients, plan, personas, clock):
    evidence = _evidence(plan, personas.lead)
    response = clients.lead.post(reverse("evidence-delete", args=[evidence.pk]))
    assert response.status_code == 302
    assert not Evidence.objects.exists()


def test_evidence_of_a_submitted_update_cannot_be_deleted(clients, plan, personas, clock):
    evidence = _evidence(plan, personas.lead)
    reporting.submit_update(
        update=reporting.save_update(
            update=evidence.update, actor=personas.lead, data=FILLED, expected_version=1
        ),
        actor=personas.lead,
        expected_version=2,
    )
    response = clients.lead.post(reverse("evidence-delete", args=[evidence.pk]))
    assert response.status_code == 403
    assert Evidence.objects.count() == 1


# --- copying last month -------------------------------------------------------------------


def test_form_warns_when_the_text_equals_last_periods(clients, plan, personas, clock):
    clock.move_to(stamp(2021, 2, 10))
    _submitted(plan.tasks[0], plan.periods[(2021, 2)], personas.lead)
    clock.move_to(stamp(2021, 3, 10))
    update = reporting.start_update(task=plan.tasks[0], period=_march(plan), actor=personas.lead)
    reporting.save_update(update=update, actor=personas.lead, data=FILLED, expected_version=1)
    page = clients.lead.get(_url(plan.tasks[0], _march(plan))).content.decode()
    assert "与上期报送完全相同" in page


def test_submitting_a_copy_of_last_period_is_allowed_and_flagged(clients, plan, personas, clock):
    clock.move_to(stamp(2021, 2, 10))
    _submitted(plan.tasks[0], plan.periods[(2021, 2)], personas.lead)
    clock.move_to(stamp(2021, 3, 10))
    clients.lead.get(_url(plan.tasks[0], _march(plan)))
    response = _post(
        clients.lead,
        plan.tasks[0],
        _march(plan),
        action="submit",
        work_done=FILLED["work_done"],
        next_steps=FILLED["next_steps"],
        follow=True,
    )
    assert "已标注“与上期内容相同”" in response.content.decode()
    assert _update(plan, plan.commerce).copied_from_previous is True


# --- the lead unit's consolidation --------------------------------------------------------


def _panel(response):
    return {row.department.name: row.state for row in response.context["rows"]}


def test_lead_panel_shows_each_supporting_units_state(clients, plan, personas, clock):
    response = clients.lead.get(_url(plan.tasks[0], _march(plan)))
    assert _panel(response) == {"海口海关": "missing", "各市县": "collective"}
    page = response.content.decode()
    assert "未收到" in page
    assert "集合单位，不单独报送" in page


def test_lead_panel_shows_a_received_input_with_its_text_and_a_quote_button(
    clients, plan, personas, clock
):
    _submitted(plan.tasks[0], _march(plan), personas.support, {**FILLED, "work_done": "压缩通关"})
    response = clients.lead.get(_url(plan.tasks[0], _march(plan)))
    assert _panel(response)["海口海关"] == "received"
    page = response.content.decode()
    assert "压缩通关" in page
    assert 'class="quote"' in page
    assert "js/consolidate.js" in page


def test_lead_panel_marks_a_late_input(clients, plan, personas, clock):
    clock.move_to(stamp(2021, 3, 26))
    _submitted(plan.tasks[0], _march(plan), personas.support)
    response = clients.lead.get(_url(plan.tasks[0], _march(plan)))
    assert _panel(response)["海口海关"] == "late"
    assert "逾期提交" in response.content.decode()


def test_supporting_units_form_has_no_panel(clients, plan, clock):
    response = clients.support.get(_url(plan.tasks[0], _march(plan)))
    assert response.context["rows"] is None


def test_received_inputs_are_chosen_by_default(clients, plan, personas, clock):
    support = _submitted(plan.tasks[0], _march(plan), personas.support)
    response = clients.lead.get(_url(plan.tasks[0], _march(plan)))
    assert response.context["chosen"] == {str(support.pk)}


def test_lead_submission_records_the_inputs_it_drew_on_and_names_the_missing(
    clients, plan, personas, clock
):
    support = _submitted(plan.tasks[0], _march(plan), personas.support)
    clients.lead.get(_url(plan.tasks[0], _march(plan)))
    response = _post(
        clients.lead,
        plan.tasks[0],
        _march(plan),
        action="submit",
        drawn_from=[str(support.pk)],
        follow=True,
    )
    update = _update(plan, plan.commerce)
    assert list(update.drawn_from.all()) == [support]
    assert "采用了海口海关的报送。" in response.content.decode()


def test_lead_submission_without_inputs_names_the_unit_not_heard_from(
    clients, plan, personas, clock
):
    clients.lead.get(_url(plan.tasks[0], _march(plan)))
    response = _post(clients.lead, plan.tasks[0], _march(plan), action="submit", follow=True)
    assert "未收到海口海关的报送。" in response.content.decode()


def test_lead_returns_a_supporting_input_with_a_comment(clients, plan, personas, clock):
    support = _submitted(plan.tasks[0], _march(plan), personas.support)
    response = clients.lead.post(
        reverse("return-input", args=[support.pk]), {"comment": "请补充通关时长数据"}
    )
    assert response.status_code == 302
    support.refresh_from_db()
    assert support.state == UpdateState.RETURNED
    assert support.reviews.get().comment == "请补充通关时长数据"


def test_returning_an_input_needs_a_comment(clients, plan, personas, clock):
    support = _submitted(plan.tasks[0], _march(plan), personas.support)
    response = clients.lead.post(
        reverse("return-input", args=[support.pk]), {"comment": ""}, follow=True
    )
    assert "退回时请填写意见" in response.content.decode()
    support.refresh_from_db()
    assert support.state == UpdateState.SUBMITTED


def test_a_supporting_unit_cannot_return_the_leads_update(clients, plan, personas, clock):
    lead_update = _submitted(plan.tasks[0], _march(plan), personas.lead)
    response = clients.support.post(
        reverse("return-input", args=[lead_update.pk]), {"comment": "不行"}
    )
    assert response.status_code in (403, 404)
    lead_update.refresh_from_db()
    assert lead_update.state == UpdateState.SUBMITTED


def test_outsider_gets_404_when_returning_an_input(clients, plan, personas, clock):
    support = _submitted(plan.tasks[0], _march(plan), personas.support)
    response = clients.outsider.post(reverse("return-input", args=[support.pk]), {"comment": "x"})
    assert response.status_code == 404


def test_returned_update_shows_the_return_reason_on_the_form(clients, plan, personas, clock):
    update = _submitted(plan.tasks[0], _march(plan), personas.lead)
    review.return_update(update=update, actor=personas.office, reasons=[], comment="补充数据")
    page = clients.lead.get(_url(plan.tasks[0], _march(plan))).content.decode()
    assert "补充数据" in page
    assert 'name="work_done"' in page


# --- query counts -----------------------------------------------------------------------


def _bulk_supporters(plan, plan_user, n_units, n_filler_tasks):
    """Add n supporting units with submitted inputs to task 1, plus filler updates."""
    now = stamp(2021, 3, 5)
    units = Department.objects.bulk_create(Department(name=f"配合单位{i}") for i in range(n_units))
    Assignment.objects.bulk_create(
        Assignment(task=plan.tasks[0], department=unit, role=AssignmentRole.SUPPORT, order=10 + i)
        for i, unit in enumerate(units)
    )
    inputs = ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            task=plan.tasks[0],
            period=_march(plan),
            department=unit,
            role=AssignmentRole.SUPPORT,
            state=UpdateState.SUBMITTED,
            work_done=f"{unit.name}的进展",
            created_at=now,
            updated_at=now,
        )
        for unit in units
    )
    Evidence.objects.bulk_create(
        Evidence(
            update=item,
            file=f"evidence/2021/{item.pk}.pdf",
            original_name=f"{item.pk}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            uploaded_at=now,
            uploaded_by=plan_user,
        )
        for item in inputs
    )
    category = Category.objects.filter(programme=plan.programme).first()
    tasks = Task.objects.bulk_create(
        Task(
            programme=plan.programme,
            category=category,
            number=200 + i,
            measure="填充任务",
            responsibility="测试",
            due_on=datetime.date(2021, 6, 30),
        )
        for i in range(n_filler_tasks)
    )
    filler = ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            task=task,
            period=period,
            department=plan.commerce,
            role=AssignmentRole.LEAD,
            created_at=now,
            updated_at=now,
        )
        for task in tasks
        for period in plan.periods.values()
    )
    return len(inputs) + len(filler)


@pytest.mark.parametrize(("n_units", "n_tasks", "expected"), [(2, 1, 8), (40, 160, 1000)])
def test_lead_form_query_count_does_not_grow_with_the_number_of_updates(
    clients, plan, personas, clock, django_assert_max_num_queries, n_units, n_tasks, expected
):
    assert _bulk_supporters(plan, personas.support, n_units, n_tasks) == expected
    reporting.start_update(task=plan.tasks[0], period=_march(plan), actor=personas.lead)
    # 16 before the form showed the previous accepted text and the other lead units (+1 each),
    # and the menu's unread notification count (+1).
    with django_assert_max_num_queries(19):
        response = clients.lead.get(_url(plan.tasks[0], _march(plan)))
    assert len(response.context["rows"]) == n_units + 2
    assert response.content.decode().count('href="/evidence/') == n_units


def test_unsaved_lead_form_query_count_does_not_grow_with_the_number_of_updates(
    clients, plan, personas, clock, django_assert_max_num_queries
):
    assert _bulk_supporters(plan, personas.support, 40, 160) == 1000
    # 17 before the form showed the previous accepted text and the other lead units (+1 each),
    # and the menu's unread notification count (+1).
    with django_assert_max_num_queries(20):
        response = clients.lead.get(_url(plan.tasks[0], _march(plan)))
    assert len(response.context["rows"]) == 42
    assert not ProgressUpdate.objects.filter(department=plan.commerce, task=plan.tasks[0]).exists()


def test_returnable_inputs_agrees_with_can_return_input(plan, personas, clock):
    submitted = _submitted(plan.tasks[0], _march(plan), personas.support)
    draft = reporting.start_update(task=plan.tasks[1], period=_march(plan), actor=personas.lead)
    for user in (personas.lead, personas.support, personas.outsider, personas.office):
        expected = {u.pk for u in (submitted, draft) if permissions.can_return_input(user, u)}
        assert permissions.returnable_inputs(user, [submitted, draft]) == expected


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_quote_button_appends_the_input_prefixed_by_the_units_name(page, plan, personas, clock):
    _submitted(plan.tasks[0], _march(plan), personas.support, {**FILLED, "work_done": "压缩通关"})
    browser_login(page, "lead")
    page.goto(_url(plan.tasks[0], _march(plan)))
    page.fill("#id_work_done", "牵头单位的进展")
    page.click("button.quote")
    assert page.input_value("#id_work_done") == "牵头单位的进展\n海口海关：压缩通关"
    assert page.input_value("#id_next_steps") == "海口海关：启动开发。"
