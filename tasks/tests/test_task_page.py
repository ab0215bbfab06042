"""One task's page: plan text, units, status, the update timeline and the audit history."""

import pytest
from django.urls import reverse

from departments.models import Department
from pilot import clock as portal_clock
from pilot.testing.helpers import file_and_submit
from tasks.models import (
    Assignment,
    AssignmentRole,
    AuditEvent,
    AuditVerb,
    ProgressUpdate,
    TaskStatus,
    UpdateState,
)
from tasks.services import reporting, review
from tasks.views.task_page import AUDIT_PAGE_SIZE, TIMELINE_PAGE_SIZE

pytestmark = pytest.mark.django_db

FILLED = {
    "status": TaskStatus.BEHIND,
    "percent": 30,
    "work_done": "完成单一窗口需求调研。",
    "next_steps": "启动系统开发。",
    "problems": "",
    "needs_coordination": False,
}


def _filed(task, period, user, data=FILLED):
    return file_and_submit(task, period, user, data=data)


def _timeline(response) -> list[str]:
    return [
        f"{update.period} {update.department.name} {update.state}"
        for update in response.context["timeline"]
    ]


def test_task_page_shows_the_plan_text_and_the_units_with_collectives_marked(
    plan, personas, clients
):
    task = plan.tasks[0]
    task.responsibility = "省商务厅牵头，海口海关、各市县配合。"
    task.save(update_fields=["responsibility"])
    response = clients.member.get(reverse("task-detail", args=[task.pk]))
    html = response.content.decode()
    assert "建设单一窗口。" in html
    assert "省商务厅牵头，海口海关、各市县配合。" in html
    assert [item.department.name for item in response.context["leads"]] == ["省商务厅"]
    assert [item.department.name for item in response.context["supports"]] == ["海口海关", "各市县"]
    assert '各市县 <span class="badge">集合单位</span>' in html


def test_task_page_shows_the_current_status_and_explains_the_rule(plan, personas, clients, clock):
    update = _filed(plan.tasks[0], plan.periods[(2021, 3)], personas.lead)
    review.accept_update(update=update, actor=personas.office)
    html = clients.outsider.get(reverse("task-detail", args=[plan.tasks[0].pk])).content.decode()
    assert 'status-behind task-status">进度滞后</span>' in html
    assert '<span class="task-percent">30%</span>' in html
    assert "任一牵头单位报告“受阻”即为受阻" in html


def test_timeline_shows_an_outsider_only_accepted_updates(plan, personas, clients, clock):
    accepted = _filed(plan.tasks[0], plan.periods[(2021, 2)], personas.lead)
    review.accept_update(update=accepted, actor=personas.office)
    reporting.start_update(task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead)
    response = clients.outsider.get(reverse("task-detail", args=[plan.tasks[0].pk]))
    assert _timeline(response) == ["2021年2月 省商务厅 accepted"]


def test_timeline_shows_the_lead_its_own_draft_and_the_supporters_submitted_input(
    plan, personas, clients, clock
):
    march = plan.periods[(2021, 3)]
    reporting.start_update(task=plan.tasks[0], period=march, actor=personas.lead)
    _filed(plan.tasks[0], march, personas.support)
    response = clients.lead.get(reverse("task-detail", args=[plan.tasks[0].pk]))
    assert _timeline(response) == ["2021年3月 省商务厅 draft", "2021年3月 海口海关 submitted"]


def test_timeline_hides_a_supporting_units_draft_from_the_office(plan, personas, clients, clock):
    march = plan.periods[(2021, 3)]
    reporting.start_update(task=plan.tasks[0], period=march, actor=personas.support)
    _filed(plan.tasks[0], march, personas.lead)
    response = clients.office.get(reverse("task-detail", args=[plan.tasks[0].pk]))
    assert _timeline(response) == ["2021年3月 省商务厅 submitted"]


def test_audit_history_lists_who_did_what_and_when(plan, personas, clients, clock):
    update = _filed(plan.tasks[0], plan.periods[(2021, 3)], personas.lead)
    review.return_update(update=update, actor=personas.office, reasons=[], comment="补充数据。")
    response = clients.office.get(reverse("task-detail", args=[plan.tasks[0].pk]))
    lines = [
        (event.actor.username, event.verb, event.detail)
        for event in response.context["audit_events"]
    ]
    assert lines == [
        ("lead", AuditVerb.CREATED, ""),
        ("lead", AuditVerb.CHANGED, ""),
        ("lead", AuditVerb.SUBMITTED, "第 1 版"),
        ("office", AuditVerb.RETURNED, "补充数据。"),
    ]
    html = response.content.decode()
    assert "<td>2021-03-10 10:00</td>" in html
    assert "<td>补充数据。</td>" in html


def test_audit_history_hides_events_of_updates_the_viewer_cannot_see(
    plan, personas, clients, clock
):
    reporting.start_update(task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead)
    response = clients.outsider.get(reverse("task-detail", args=[plan.tasks[0].pk]))
    assert list(response.context["audit_events"]) == []


def test_office_names_a_city_for_the_collective_and_the_page_shows_it(
    plan, personas, clients, clock
):
    haikou = Department.objects.create(name="海口市人民政府", kind="city")
    response = clients.office.post(
        reverse("task-name-body", args=[plan.tasks[0].pk]),
        {"collective": plan.cities.pk, "department": haikou.pk},
        follow=True,
    )
    assert '海口市人民政府 <span class="muted">（代表各市县）</span>' in response.content.decode()
    assignment = Assignment.objects.get(task=plan.tasks[0], department=haikou)
    assert (assignment.role, assignment.on_behalf_of) == (AssignmentRole.SUPPORT, plan.cities)


def test_naming_a_unit_that_already_holds_the_task_is_refused_in_chinese(
    plan, personas, clients, clock
):
    response = clients.office.post(
        reverse("task-name-body", args=[plan.tasks[0].pk]),
        {"collective": plan.cities.pk, "department": plan.customs.pk},
    )
    assert response.status_code == 400
    assert "“海口海关”已是该任务的责任单位。" in response.content.decode()


def test_naming_form_is_offered_only_to_the_office(plan, personas, clients):
    url = reverse("task-detail", args=[plan.tasks[0].pk])
    assert "为集合单位指定具体单位" in clients.office.get(url).content.decode()
    assert "为集合单位指定具体单位" not in clients.lead.get(url).content.decode()


def test_a_reporter_cannot_name_a_body(plan, personas, clients):
    haikou = Department.objects.create(name="海口市人民政府", kind="city")
    response = clients.lead.post(
        reverse("task-name-body", args=[plan.tasks[0].pk]),
        {"collective": plan.cities.pk, "department": haikou.pk},
    )
    assert response.status_code == 403
    assert not Assignment.objects.filter(department=haikou).exists()


def test_unknown_task_is_a_404(plan, clients):
    assert clients.office.get(reverse("task-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("count", [10, 1000])
def test_task_page_query_count_does_not_grow_with_the_number_of_updates(
    plan, personas, clients, clock, count, django_assert_max_num_queries
):
    _many_accepted_updates(plan, personas, count=count)
    # Two more than before pagination: the count of each of the two paginated histories;
    # three more for the 延期与督办 panel (requests, slips, the office's 督办单位 choices);
    # three for the plan's history (the tasks split from or merged into this one, the
    # units and the texts period by period).
    with django_assert_max_num_queries(19):
        response = clients.office.get(reverse("task-detail", args=[plan.tasks[0].pk]))
    assert response.context["timeline"].paginator.count == count
    assert len(response.context["timeline"]) == min(count, TIMELINE_PAGE_SIZE)
    assert len(response.context["audit_events"]) == min(count, AUDIT_PAGE_SIZE)


def test_both_histories_page_through_every_record_once(plan, personas, clients, clock):
    _many_accepted_updates(plan, personas, count=45)
    url = reverse("task-detail", args=[plan.tasks[0].pk])
    seen = []
    for number in (1, 2, 3):
        page = clients.office.get(url, {"page": number}).context["timeline"]
        seen += [update.pk for update in page]
    assert len(seen) == len(set(seen)) == 45
    first = clients.office.get(url).content.decode()
    assert "?page=2" in first and "?history=2" not in first  # 45 audit lines fit one page
    last = clients.office.get(url, {"page": 99, "history": "x"})
    assert last.status_code == 200
    assert last.context["timeline"].number == 3  # out of range: the last page


def _many_accepted_updates(plan, personas, *, count):
    """Give task 1 ``count`` accepted updates spread over its six periods, with audit lines."""
    periods = list(plan.periods.values())
    per_period = -(-count // len(periods))
    departments = Department.objects.bulk_create(
        Department(name=f"测试单位{n}", kind="provincial") for n in range(per_period)
    )
    now = portal_clock.now()
    updates = ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            task=plan.tasks[0],
            period=periods[n % len(periods)],
            department=departments[n // len(periods)],
            role=AssignmentRole.SUPPORT,
            state=UpdateState.ACCEPTED,
            work_done="完成了本期工作。",
            created_at=now,
            updated_at=now,
        )
        for n in range(count)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            task=plan.tasks[0],
            update=update,
            verb=AuditVerb.ACCEPTED,
            actor=personas.office,
            at=now,
        )
        for update in updates
    )
