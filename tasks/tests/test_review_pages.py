"""The office's review pages: the queue, one update's page, accept/return, bulk accept."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from pilot.testing.factories import TaskFactory, UpdateFactory
from pilot.testing.helpers import FILLED, file_and_submit
from tasks.diff import CHAR_BUDGET, DiffBudget, diff_html
from tasks.models import AuditEvent, ReturnReason, TaskStatus, UpdateState
from tasks.services import reporting, review

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _filed(task, period, user, data=FILLED, evidence=False):
    if not evidence:
        return file_and_submit(task, period, user, data=data)
    update = reporting.start_update(task=task, period=period, actor=user)
    update = reporting.save_update(
        update=update, actor=user, data=data, expected_version=update.version
    )
    upload = SimpleUploadedFile("调研报告.pdf", PDF, content_type="application/pdf")
    reporting.add_evidence(update=update, actor=user, upload=upload)
    return reporting.submit_update(update=update, actor=user, expected_version=update.version)


def _rows(response) -> list[str]:
    """Return the review queue's rows as "task department" strings."""
    return [f"{update.task.number} {update.department.name}" for update in response.context["page"]]


@pytest.fixture
def march(plan):
    return plan.periods[(2021, 3)]


# --- the queue -------------------------------------------------------------------------


def test_queue_lists_this_periods_submitted_lead_updates_by_default(
    plan, personas, clients, clock, march
):
    _filed(plan.tasks[0], march, personas.lead)  # 省商务厅 leads task 1
    _filed(plan.tasks[1], march, personas.support)  # 海口海关 leads task 2
    _filed(plan.tasks[1], march, personas.lead)  # 省商务厅 supports task 2: not the office's
    reporting.start_update(task=plan.tasks[2], period=march, actor=personas.finance)  # a draft
    _filed(plan.tasks[2], plan.periods[(2021, 2)], personas.finance)  # last period
    response = clients.office.get(reverse("review-queue"))
    assert response.status_code == 200
    assert _rows(response) == ["1 省商务厅", "2 海口海关"]


def test_queue_filters_by_department(plan, personas, clients, clock, march):
    _filed(plan.tasks[0], march, personas.lead)
    _filed(plan.tasks[1], march, personas.support)
    response = clients.office.get(reverse("review-queue"), {"department": plan.customs.pk})
    assert _rows(response) == ["2 海口海关"]


def test_queue_filters_by_category(plan, personas, clients, clock, march):
    _filed(plan.tasks[0], march, personas.lead)
    _filed(plan.tasks[2], march, personas.finance)
    response = clients.office.get(reverse("review-queue"), {"category": plan.categories[1].pk})
    assert _rows(response) == ["3 省财政厅"]


def test_queue_shows_only_updates_needing_coordination_when_asked(
    plan, personas, clients, clock, march
):
    _filed(plan.tasks[0], march, personas.lead)
    blocked = {**FILLED, "needs_coordination": True, "problems": "需海关协调数据接口。"}
    _filed(plan.tasks[1], march, personas.support, data=blocked)
    response = clients.office.get(reverse("review-queue"), {"needs_coordination": "on"})
    assert _rows(response) == ["2 海口海关"]


def test_queue_with_the_empty_state_choice_shows_every_state_but_drafts(
    plan, personas, clients, clock, march
):
    _filed(plan.tasks[0], march, personas.lead)
    returned = _filed(plan.tasks[2], march, personas.finance)
    review.return_update(update=returned, actor=personas.office, reasons=[], comment="补充数据")
    reporting.start_update(task=plan.tasks[1], period=march, actor=personas.support)  # a draft
    response = clients.office.get(reverse("review-queue"), {"state": ""})
    assert _rows(response) == ["1 省商务厅", "3 省财政厅"]


def test_queue_cannot_be_filtered_to_drafts(plan, personas, clients, clock, march):
    reporting.start_update(task=plan.tasks[1], period=march, actor=personas.support)
    response = clients.office.get(reverse("review-queue"), {"state": "draft"})
    assert response.status_code == 400
    assert "draft" not in dict(response.context["form"].fields["state"].choices)
    assert response.context["page"] is None


def test_queue_with_the_empty_period_choice_shows_every_period(
    plan, personas, clients, clock, march
):
    _filed(plan.tasks[0], plan.periods[(2021, 2)], personas.lead)
    _filed(plan.tasks[0], march, personas.lead)
    response = clients.office.get(reverse("review-queue"), {"period": ""})
    assert [str(update.period) for update in response.context["page"]] == [
        "2021年2月",
        "2021年3月",
    ]


def test_queue_row_shows_late_copied_and_return_marks(plan, personas, clients, clock, march):
    # Filed on 2021-03-10 for February (due 2021-02-25): late.
    update = _filed(plan.tasks[0], plan.periods[(2021, 2)], personas.lead)
    review.return_update(update=update, actor=personas.office, reasons=[], comment="补充数据。")
    update = reporting.submit_update(
        update=update, actor=personas.lead, expected_version=update.version
    )
    _filed(plan.tasks[0], march, personas.lead)  # word for word February's text: copied
    response = clients.office.get(reverse("review-queue"), {"period": ""})
    html = response.content.decode()
    assert html.count("逾期") == 1
    assert html.count("同上期") == 1
    assert re.search(r'<td class="num"[^>]*>1</td>\s*</tr>', html)  # February's return count


def test_queue_refuses_an_unknown_period_with_a_chinese_message(plan, personas, clients):
    response = clients.office.get(reverse("review-queue"), {"period": "999999"})
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()


def test_queue_shows_fifty_updates_a_page(plan, personas, clients, clock, march):
    _many_submitted(plan, march, count=51)
    first = clients.office.get(reverse("review-queue"))
    second = clients.office.get(reverse("review-queue"), {"page": 2})
    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 1


@pytest.mark.parametrize("count", [5, 60])
def test_queue_query_count_does_not_grow_with_the_number_of_updates(
    plan, personas, clients, clock, march, count, django_assert_max_num_queries
):
    _many_submitted(plan, march, count=count)
    with django_assert_max_num_queries(12):
        response = clients.office.get(reverse("review-queue"))
    assert response.status_code == 200


def _many_submitted(plan, period, *, count):
    for number in range(100, 100 + count):
        task = TaskFactory(programme=plan.programme, category=plan.categories[0], number=number)
        UpdateFactory(
            task=task,
            period=period,
            department=plan.commerce,
            state=UpdateState.SUBMITTED,
            submitted_at=datetime.datetime(2021, 3, 9, tzinfo=datetime.UTC),
        )


# --- bulk accept -------------------------------------------------------------------------


def test_bulk_accept_asks_for_confirmation_and_accepts_nothing_yet(
    plan, personas, clients, clock, march
):
    update = _filed(plan.tasks[0], march, personas.lead)
    response = clients.office.post(
        reverse("review-bulk-accept"), {"scope": "checked", "ids": [update.pk]}
    )
    assert response.status_code == 200
    assert "确认采纳" in response.content.decode()
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_bulk_accept_of_checked_updates_accepts_only_those(plan, personas, clients, clock, march):
    first = _filed(plan.tasks[0], march, personas.lead)
    second = _filed(plan.tasks[1], march, personas.support)
    response = clients.office.post(
        reverse("review-bulk-accept"), {"scope": "checked", "ids": [first.pk], "confirm": "yes"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (UpdateState.ACCEPTED, UpdateState.SUBMITTED)


def test_bulk_accept_of_the_filtered_list_accepts_every_matching_submitted_update(
    plan, personas, clients, clock, march
):
    first = _filed(plan.tasks[0], march, personas.lead)
    second = _filed(plan.tasks[1], march, personas.support)
    other = _filed(plan.tasks[2], march, personas.finance)  # category 2: filtered out
    filters = f"category={plan.categories[0].pk}"
    confirm = clients.office.post(
        reverse("review-bulk-accept"), {"scope": "filtered", "filters": filters}
    )
    ids = [update.pk for update in confirm.context["updates"]]
    clients.office.post(
        reverse("review-bulk-accept"),
        {"scope": "checked", "ids": ids, "filters": filters, "confirm": "yes"},
    )
    states = [type(first).objects.get(pk=update.pk).state for update in (first, second, other)]
    assert states == [UpdateState.ACCEPTED, UpdateState.ACCEPTED, UpdateState.SUBMITTED]


def test_bulk_accept_ignores_checked_ids_that_are_not_submitted_lead_updates(
    plan, personas, clients, clock, march
):
    support_input = _filed(plan.tasks[1], march, personas.lead)  # 省商务厅 supports task 2
    clients.office.post(
        reverse("review-bulk-accept"),
        {"scope": "checked", "ids": [support_input.pk], "confirm": "yes"},
    )
    support_input.refresh_from_db()
    assert support_input.state == UpdateState.SUBMITTED


# --- one update's review page ----------------------------------------------------------------


def test_review_page_shows_the_fields_evidence_and_missing_inputs_note(
    plan, personas, clients, clock, march
):
    update = _filed(plan.tasks[0], march, personas.lead, evidence=True)
    html = clients.office.get(reverse("review-update", args=[update.pk])).content.decode()
    assert "完成单一窗口需求调研。" in html
    assert "启动系统开发。" in html
    assert "调研报告.pdf" in html
    assert "未收到海口海关的报送。" in html


def test_review_page_lists_the_supporting_input_the_lead_drew_on(
    plan, personas, clients, clock, march
):
    customs_input = _filed(plan.tasks[0], march, personas.support, data=FILLED)
    update = reporting.start_update(task=plan.tasks[0], period=march, actor=personas.lead)
    update = reporting.save_update(
        update=update, actor=personas.lead, data=FILLED, expected_version=1
    )
    reporting.submit_update(
        update=update, actor=personas.lead, expected_version=2, drawn_from=[customs_input]
    )
    response = clients.office.get(reverse("review-update", args=[update.pk]))
    assert [item.department.name for item in response.context["update"].drawn_from.all()] == [
        "海口海关"
    ]
    assert "未收到" not in response.content.decode()


def test_review_page_warns_when_the_text_is_copied_from_last_period(
    plan, personas, clients, clock, march
):
    _filed(plan.tasks[0], plan.periods[(2021, 2)], personas.lead)
    update = _filed(plan.tasks[0], march, personas.lead)
    html = clients.office.get(reverse("review-update", args=[update.pk])).content.decode()
    assert "与该单位上期报送内容完全相同" in html


def test_accepting_marks_the_update_accepted_and_moves_the_task_status(
    plan, personas, clients, clock, march
):
    update = _filed(plan.tasks[0], march, personas.lead)
    response = clients.office.post(reverse("review-accept", args=[update.pk]))
    assert response.status_code == 302
    update.refresh_from_db()
    plan.tasks[0].refresh_from_db()
    assert update.state == UpdateState.ACCEPTED
    assert (plan.tasks[0].status, plan.tasks[0].percent) == (TaskStatus.ON_TRACK, 40)


def test_accepting_an_already_accepted_update_explains_instead_of_failing(
    plan, personas, clients, clock, march
):
    update = _filed(plan.tasks[0], march, personas.lead)
    clients.office.post(reverse("review-accept", args=[update.pk]))
    response = clients.office.post(reverse("review-accept", args=[update.pk]), follow=True)
    assert response.status_code == 200
    assert "该报送当前不能审核。" in response.content.decode()


def test_returning_without_reason_or_comment_is_refused_in_chinese(
    plan, personas, clients, clock, march
):
    update = _filed(plan.tasks[0], march, personas.lead)
    response = clients.office.post(reverse("review-return", args=[update.pk]), {"comment": " "})
    assert response.status_code == 400
    assert "退回时请选择退回原因或填写意见。" in response.content.decode()
    update.refresh_from_db()
    assert update.state == UpdateState.SUBMITTED


def test_returning_with_a_reason_and_a_comment_records_both(plan, personas, clients, clock, march):
    reason = ReturnReason.objects.create(text="未提供佐证材料")
    update = _filed(plan.tasks[0], march, personas.lead)
    response = clients.office.post(
        reverse("review-return", args=[update.pk]),
        {"reasons": [reason.pk], "comment": "请上传调研报告。"},
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.state, update.return_count) == (UpdateState.RETURNED, 1)
    assert (
        AuditEvent.objects.filter(update=update).last().detail == "未提供佐证材料；请上传调研报告。"
    )


def test_return_form_offers_only_active_reasons(plan, personas, clients, clock, march):
    ReturnReason.objects.create(text="进度与描述不符", order=1)
    ReturnReason.objects.create(text="已停用的原因", order=2, is_active=False)
    update = _filed(plan.tasks[0], march, personas.lead)
    html = clients.office.get(reverse("review-update", args=[update.pk])).content.decode()
    assert "进度与描述不符" in html
    assert "已停用的原因" not in html


def test_resubmitted_update_shows_what_changed_since_it_was_returned(
    plan, personas, clients, clock, march
):
    update = _filed(plan.tasks[0], march, personas.lead)
    review.return_update(update=update, actor=personas.office, reasons=[], comment="补充数据。")
    changed = {**FILLED, "percent": 45, "work_done": "完成单一窗口需求调研和方案设计。"}
    update = reporting.save_update(
        update=update, actor=personas.lead, data=changed, expected_version=update.version
    )
    reporting.submit_update(update=update, actor=personas.lead, expected_version=update.version)
    html = clients.office.get(reverse("review-update", args=[update.pk])).content.decode()
    assert '<table class="diff">' in html
    assert "完成单一窗口需求调研<ins>和方案设计</ins>。" in html
    assert "<del>40</del><ins>45</ins>" in html


def test_first_submission_shows_no_diff(plan, personas, clients, clock, march):
    update = _filed(plan.tasks[0], march, personas.lead)
    response = clients.office.get(reverse("review-update", args=[update.pk]))
    assert response.context["diff"] is None


def test_diff_marks_deletions_and_insertions_and_escapes_html():
    assert diff_html("甲乙<b>", "甲丙<b>") == "甲<del>乙</del><ins>丙</ins>&lt;b&gt;"


def test_diff_of_a_whole_value_shows_old_and_new_side_by_side():
    assert diff_html("40", "45", whole=True) == "<del>40</del><ins>45</ins>"


# --- bounded work: the diff never compares more than its budget --------------------------


def test_a_100000_character_resubmission_is_shown_with_a_notice_instead_of_a_diff(
    plan, personas, clients, clock, march, django_assert_max_num_queries
):
    long_text = {**FILLED, "work_done": "调研" * 50_000}
    update = _filed(plan.tasks[0], march, personas.lead, data=long_text)
    review.return_update(update=update, actor=personas.office, reasons=[], comment="精简。")
    changed = {**long_text, "work_done": "开发" * 50_000}
    update = reporting.save_update(
        update=update, actor=personas.lead, data=changed, expected_version=update.version
    )
    reporting.submit_update(update=update, actor=personas.lead, expected_version=update.version)

    with django_assert_max_num_queries(40):
        response = clients.office.get(reverse("review-update", args=[update.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="muted diff-notice">内容过长，未逐字比较。</p>' in html


def test_changed_lines_are_compared_character_by_character_within_the_budget():
    old = "".join(f"第{n}段：推进单一窗口建设。\n" for n in range(1, 4))
    new = old.replace("第2段：推进", "第2段：全面推进")
    budget = DiffBudget()

    html = diff_html(old, new, budget=budget)

    assert "第2段：<ins>全面</ins>推进单一窗口建设。" in html
    assert "第1段：推进单一窗口建设。" in html
    assert budget.used == 2  # only the changed middle of the changed line: "" -> "全面"


def test_a_small_edit_in_a_long_paragraph_costs_only_its_own_size():
    paragraph = "甲" * 19_000
    budget = DiffBudget()

    html = diff_html(paragraph + "乙", paragraph + "丙", budget=budget)

    assert html.endswith("<del>乙</del><ins>丙</ins>")
    assert budget.used == 2


def test_the_characters_compared_on_one_page_never_exceed_the_budget():
    # 40 paragraphs rewritten throughout, between unchanged headings: each costs 600
    # characters to compare.
    old = "".join(f"标题{n}\n第{n}段" + "甲乙" * 150 + "\n" for n in range(40))
    new = "".join(f"标题{n}\n第{n}段" + "乙甲" * 150 + "\n" for n in range(40))
    budget = DiffBudget()

    html = diff_html(old, new, budget=budget)

    assert 0 < budget.used <= CHAR_BUDGET
    assert budget.left < 600  # spent: the later paragraphs are shown whole
    assert "<del>第39段" + "甲乙" * 150 in html


def test_office_gets_404_for_a_supporting_units_draft(plan, personas, clients, clock, march):
    draft = reporting.start_update(task=plan.tasks[0], period=march, actor=personas.support)
    response = clients.office.get(reverse("review-update", args=[draft.pk]))
    assert response.status_code == 404


def test_confirm_completion_button_appears_once_the_task_is_completed(
    plan, personas, clients, clock
):
    task = plan.tasks[0]
    task.status = TaskStatus.COMPLETED
    task.save(update_fields=["status"])
    page = clients.office.get(reverse("task-detail", args=[task.pk])).content.decode()
    assert "办结确认</button>" in page
    response = clients.office.post(reverse("task-confirm-completion", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.completion_confirmed_by == personas.office


def test_confirming_an_unfinished_task_is_refused_with_a_message(plan, personas, clients, clock):
    response = clients.office.post(
        reverse("task-confirm-completion", args=[plan.tasks[0].pk]), follow=True
    )
    assert "才能办结确认" in response.content.decode()
    plan.tasks[0].refresh_from_db()
    assert plan.tasks[0].completion_confirmed_at is None


# --- seeding the standard reasons ----------------------------------------------------------


def test_seed_return_reasons_creates_eight_reasons_and_can_run_twice(db):
    call_command("seed_return_reasons")
    ReturnReason.objects.filter(order=10).update(is_active=False)  # the office retired one
    call_command("seed_return_reasons")
    assert ReturnReason.objects.count() == 8
    assert ReturnReason.objects.filter(is_active=False).count() == 1
