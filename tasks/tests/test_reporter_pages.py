"""The reporter's department home: its worklist, states, deadlines and query count."""

import datetime

import pytest
from django.urls import reverse

from pilot.testing.factories import stamp
from pilot.testing.helpers import file_and_submit
from tasks.models import (
    Assignment,
    AssignmentRole,
    Category,
    ProgressUpdate,
    ReturnReason,
    Review,
    ReviewAction,
    Task,
    UpdateState,
)
from tasks.services import reporting, review

pytestmark = pytest.mark.django_db

FILLED = {
    "status": "on_track",
    "percent": 40,
    "work_done": "完成需求调研。",
    "next_steps": "启动开发。",
    "problems": "",
    "needs_coordination": False,
}


def _submit(task, period, user):
    return file_and_submit(task, period, user, data=FILLED)


def _rows(response):
    return [item.task.number for item in response.context["items"]]


def test_anonymous_visitor_is_sent_to_the_login_page(clients):
    response = clients.anonymous.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_office_staff_get_the_landing_page_not_a_worklist(clients, clock):
    response = clients.office.get(reverse("home"))
    assert response.status_code == 200
    assert "items" not in response.context
    assert reverse("review-queue") in response.content.decode()


def test_member_gets_the_landing_page(clients, clock):
    response = clients.member.get(reverse("home"))
    assert response.status_code == 200
    assert "items" not in response.context


def test_reporter_home_lists_every_task_the_department_holds_lead_or_support(clients, clock):
    response = clients.lead.get(reverse("home"))
    # 省商务厅 leads 1 and 3 and supports 2.
    assert sorted(_rows(response)) == [1, 2, 3]
    roles = {item.task.number: item.assignment.role for item in response.context["items"]}
    assert roles == {1: "lead", 2: "support", 3: "lead"}


def test_reporter_home_shows_the_current_period_by_default(clients, plan, clock):
    response = clients.lead.get(reverse("home"))
    assert response.context["period"] == plan.periods[(2021, 3)]


def test_worklist_orders_returned_then_not_started_then_drafts_submitted_accepted(
    clients, plan, personas, clock
):
    # Task 1 (lead) submitted then returned by the office; task 2 (support) a draft;
    # task 3 not started.
    period = plan.periods[(2021, 3)]
    returned = file_and_submit(plan.tasks[0], period, personas.lead, data=FILLED)
    review.return_update(update=returned, actor=personas.office, reasons=[], comment="补充数据")
    reporting.start_update(task=plan.tasks[1], period=period, actor=personas.lead)
    response = clients.lead.get(reverse("home"))
    assert _rows(response) == [1, 3, 2]
    assert [item.state for item in response.context["items"]] == [
        "returned",
        "not_started",
        "draft",
    ]


def test_submitted_comes_before_accepted(clients, plan, personas, clock):
    period = plan.periods[(2021, 3)]
    accepted = file_and_submit(plan.tasks[0], period, personas.lead, data=FILLED)
    review.accept_update(update=accepted, actor=personas.office)
    file_and_submit(plan.tasks[2], period, personas.lead, data=FILLED)
    response = clients.lead.get(reverse("home"))
    assert _rows(response) == [2, 3, 1]


def test_returned_row_shows_the_offices_reasons_and_comment(clients, plan, personas, clock):
    reason = ReturnReason.objects.create(text="缺少量化数据")
    update = _submit(plan.tasks[0], plan.periods[(2021, 3)], personas.lead)
    review.return_update(
        update=update, actor=personas.office, reasons=[reason], comment="请补充3月数据"
    )
    page = clients.lead.get(reverse("home")).content.decode()
    assert "缺少量化数据；请补充3月数据" in page


def test_supporting_unit_sees_the_lead_units_comment_when_its_input_is_returned(
    clients, plan, personas, clock
):
    update = _submit(plan.tasks[0], plan.periods[(2021, 3)], personas.support)
    review.return_update(update=update, actor=personas.lead, reasons=[], comment="请写明通关时长")
    page = clients.support.get(reverse("home")).content.decode()
    assert "请写明通关时长" in page
    assert "（省商务厅）" in page


def test_counts_per_state_are_shown(clients, plan, personas, clock):
    _submit(plan.tasks[0], plan.periods[(2021, 3)], personas.lead)
    response = clients.lead.get(reverse("home"))
    assert response.context["counts"] == {
        "returned": 0,
        "not_started": 2,
        "draft": 0,
        "submitted": 1,
        "accepted": 0,
    }


def test_task_due_date_shows_days_left(clients, plan, clock):
    # Tasks are due 2021-06-30; today is 2021-03-10: 112 days.
    page = clients.lead.get(reverse("home")).content.decode()
    assert "剩余 112 天" in page


def test_task_past_its_due_date_shows_days_overdue(clients, plan, clock):
    Task.objects.filter(pk=plan.tasks[0].pk).update(due_on=datetime.date(2021, 3, 5))
    page = clients.lead.get(reverse("home")).content.decode()
    assert "已逾期 5 天" in page


def test_period_picker_shows_another_periods_states(clients, plan, personas, clock):
    february = plan.periods[(2021, 2)]
    clock.move_to(stamp(2021, 2, 10))
    file_and_submit(plan.tasks[0], february, personas.lead, data=FILLED)
    clock.move_to(stamp(2021, 3, 10))
    response = clients.lead.get(reverse("home"), {"period": february.pk})
    assert response.context["period"] == february
    assert response.context["counts"]["submitted"] == 1


def test_period_of_another_programme_is_ignored(clients, plan, clock):
    response = clients.lead.get(reverse("home"), {"period": "999999"})
    assert response.context["period"] == plan.periods[(2021, 3)]


def test_reporter_menu_links_to_the_department_tasks(clients, clock):
    page = clients.lead.get(reverse("home")).content.decode()
    assert "本单位任务" in page


def test_office_menu_has_no_reporter_link(clients, clock):
    page = clients.office.get(reverse("home")).content.decode()
    assert "本单位任务" not in page


def _bulk_plan(plan, department, n_tasks):
    """Give ``department`` n more lead tasks with updates in every period (six periods)."""
    category = Category.objects.filter(programme=plan.programme).first()
    tasks = Task.objects.bulk_create(
        Task(
            programme=plan.programme,
            category=category,
            number=100 + i,
            measure=f"批量任务{i}",
            responsibility="测试",
            due_on=datetime.date(2021, 6, 30),
        )
        for i in range(n_tasks)
    )
    Assignment.objects.bulk_create(
        Assignment(task=task, department=department, role=AssignmentRole.LEAD) for task in tasks
    )
    now = stamp(2021, 3, 1)
    states = [UpdateState.DRAFT, UpdateState.SUBMITTED, UpdateState.RETURNED]
    updates = ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            task=task,
            period=period,
            department=department,
            role=AssignmentRole.LEAD,
            state=states[(task.number + period.month) % 3],
            work_done="批量",
            created_at=now,
            updated_at=now,
        )
        for task in tasks
        for period in plan.periods.values()
    )
    return updates


def _bulk_returns(updates, actor, reason):
    returned = [u for u in updates if u.state == UpdateState.RETURNED]
    reviews = Review.objects.bulk_create(
        Review(
            update=u,
            action=ReviewAction.RETURN,
            comment="补充",
            department_id=u.department_id,
            created_at=stamp(2021, 3, 2),
            created_by=actor,
        )
        for u in returned
    )
    Review.reasons.through.objects.bulk_create(
        Review.reasons.through(review_id=r.pk, returnreason_id=reason.pk) for r in reviews
    )


@pytest.mark.parametrize(("n_tasks", "expected_updates"), [(2, 12), (170, 1020)])
def test_home_query_count_does_not_grow_with_the_number_of_updates(
    clients, plan, personas, clock, django_assert_max_num_queries, n_tasks, expected_updates
):
    updates = _bulk_plan(plan, plan.commerce, n_tasks)
    _bulk_returns(updates, personas.office, ReturnReason.objects.create(text="数据不全"))
    assert len(updates) == expected_updates
    # 11 for the page, one for the 待办's supporting inputs (reports.todo), one for the
    # menu's unread notification count, two for the slips to answer and the extension
    # requests asked for more (reports.todo_supervision).
    with django_assert_max_num_queries(15):
        response = clients.lead.get(reverse("home"))
    assert len(response.context["items"]) == n_tasks + 3


def test_a_task_confirmed_complete_before_the_period_leaves_the_worklist(
    plan, personas, clients, clock
):
    task = plan.tasks[0]
    task.completion_confirmed_at = stamp(2021, 2, 20)
    task.save(update_fields=["completion_confirmed_at"])
    response = clients.lead.get("/")
    numbers = [item.task.number for item in response.context["items"]]
    assert 1 not in numbers
    assert sorted(numbers) == [2, 3]
