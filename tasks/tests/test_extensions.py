"""Extension requests (延期申请): who asks, when, one at a time, and what approval changes.

The shared plan's tasks are due 2021-06-30; the clock is pinned to 2021-03-10.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pilot.testing.factories import stamp
from tasks.models import AuditEvent, Extension, ExtensionState, Task
from tasks.services import extensions

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="说明.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def ask(task, user, day=datetime.date(2021, 9, 30), files=()):
    return extensions.request_extension(
        task=task, actor=user, requested_due_on=day, reason="审批流程较长。", files=files
    )


def test_lead_unit_asks_for_a_later_date_with_a_file(plan, personas, clock):
    task = plan.tasks[0]
    extension = ask(task, personas.lead, files=[pdf()])
    assert extension.state == ExtensionState.PENDING
    assert extension.department == plan.commerce
    assert extension.current_due_on == datetime.date(2021, 6, 30)
    assert [item.original_name for item in extension.evidence.all()] == ["说明.pdf"]
    task.refresh_from_db()
    assert task.due_on == datetime.date(2021, 6, 30)  # nothing moves before a decision


def test_supporting_unit_cannot_ask(plan, personas, clock):
    with pytest.raises(ValidationError, match="只有该任务的牵头单位"):
        ask(plan.tasks[0], personas.support)


def test_office_cannot_ask_for_a_unit(plan, personas, clock):
    with pytest.raises(ValidationError):
        ask(plan.tasks[0], personas.office)


def test_asking_on_the_due_date_itself_is_in_time(plan, personas, clock):
    clock.move_to(stamp(2021, 6, 30, 17))
    assert ask(plan.tasks[0], personas.lead).state == ExtensionState.PENDING


def test_asking_the_day_after_the_due_date_is_refused_with_a_message(plan, personas, clock):
    clock.move_to(stamp(2021, 7, 1, 9))
    with pytest.raises(ValidationError, match="2021-06-30）已过"):
        ask(plan.tasks[0], personas.lead)
    assert not Extension.objects.exists()


def test_a_date_not_after_the_current_due_date_is_refused(plan, personas, clock):
    with pytest.raises(ValidationError, match="应晚于当前完成期限"):
        ask(plan.tasks[0], personas.lead, day=datetime.date(2021, 6, 30))


def test_only_one_open_request_per_task_even_from_another_lead(plan, personas, clock):
    task = plan.tasks[2]  # 省财政厅 and 省商务厅 both lead
    ask(task, personas.lead)
    with pytest.raises(ValidationError, match="正在办理"):
        ask(task, personas.finance)
    assert Extension.objects.filter(task=task).count() == 1


def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(plan, personas, clock):
    fake = SimpleUploadedFile("说明.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError, match="内容与扩展名不符"):
        ask(plan.tasks[0], personas.lead, files=[fake])
    assert not Extension.objects.exists()


def test_approval_with_the_offices_date_moves_the_due_date_and_keeps_the_original(
    plan, personas, clock
):
    task = plan.tasks[0]
    extension = ask(task, personas.lead, day=datetime.date(2021, 9, 30))
    extensions.approve_extension(
        extension=extension,
        actor=personas.office,
        approved_due_on=datetime.date(2021, 8, 31),
        comment="同意延期至8月底。",
    )
    task.refresh_from_db()
    assert (task.due_on, task.original_due_on) == (
        datetime.date(2021, 8, 31),
        datetime.date(2021, 6, 30),
    )
    assert task.planned_due_on == datetime.date(2021, 6, 30)
    assert task.is_extended
    extension.refresh_from_db()
    assert extension.state == ExtensionState.APPROVED
    assert extension.approved_due_on == datetime.date(2021, 8, 31)
    details = list(AuditEvent.objects.filter(task=task).values_list("detail", flat=True))
    assert "完成期限由2021-06-30调整为2021-08-31" in details


def test_a_second_approved_extension_keeps_the_plans_date_as_the_original(plan, personas, clock):
    task = plan.tasks[0]
    first = ask(task, personas.lead, day=datetime.date(2021, 8, 31))
    extensions.approve_extension(
        extension=first, actor=personas.office, approved_due_on=datetime.date(2021, 8, 31)
    )
    task.refresh_from_db()
    second = ask(task, personas.lead, day=datetime.date(2021, 10, 31))
    assert second.current_due_on == datetime.date(2021, 8, 31)
    extensions.approve_extension(
        extension=second, actor=personas.office, approved_due_on=datetime.date(2021, 10, 15)
    )
    task.refresh_from_db()
    assert (task.due_on, task.original_due_on) == (
        datetime.date(2021, 10, 15),
        datetime.date(2021, 6, 30),
    )


def test_rejection_needs_a_reason_and_leaves_the_due_date(plan, personas, clock):
    task = plan.tasks[0]
    extension = ask(task, personas.lead)
    with pytest.raises(ValidationError, match="不予延期的理由"):
        extensions.reject_extension(extension=extension, actor=personas.office, comment=" ")
    extensions.reject_extension(extension=extension, actor=personas.office, comment="理由不充分。")
    task.refresh_from_db()
    assert task.due_on == datetime.date(2021, 6, 30) and task.original_due_on is None
    # A refused request no longer blocks a new one.
    assert ask(task, personas.lead).state == ExtensionState.PENDING


def test_asking_for_more_then_the_unit_supplements_and_the_office_decides(plan, personas, clock):
    extension = ask(plan.tasks[0], personas.lead)
    extension = extensions.ask_for_more(
        extension=extension, actor=personas.office, comment="请补充上级批复文件。"
    )
    assert extension.state == ExtensionState.MORE_INFO
    with pytest.raises(PermissionDenied):
        extensions.approve_extension(
            extension=extension, actor=personas.office, approved_due_on=datetime.date(2021, 9, 1)
        )
    extension = extensions.supplement_extension(
        extension=extension,
        actor=personas.lead,
        supplement="已附批复。",
        files=[pdf("批复.pdf")],
        version=extension.version,
    )
    assert extension.state == ExtensionState.PENDING
    assert extension.evidence.count() == 1
    extensions.approve_extension(
        extension=extension, actor=personas.office, approved_due_on=datetime.date(2021, 9, 1)
    )
    assert Task.objects.get(pk=plan.tasks[0].pk).due_on == datetime.date(2021, 9, 1)


def test_reporters_cannot_decide(plan, personas, clock):
    extension = ask(plan.tasks[0], personas.lead)
    with pytest.raises(PermissionDenied):
        extensions.approve_extension(
            extension=extension, actor=personas.lead, approved_due_on=datetime.date(2021, 9, 1)
        )


def test_a_stale_decision_is_refused(plan, personas, clock):
    extension = ask(plan.tasks[0], personas.lead)
    stale = Extension.objects.get(pk=extension.pk)
    extensions.reject_extension(extension=extension, actor=personas.office, comment="不同意。")
    with pytest.raises(ValidationError, match="已被他人处理"):
        extensions.approve_extension(
            extension=stale, actor=personas.office, approved_due_on=datetime.date(2021, 9, 1)
        )
