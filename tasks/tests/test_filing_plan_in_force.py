"""Filing follows the plan in force in the period filed, not the plan as it stands now.

The small plan (root conftest): task 1 is led by 省商务厅 (``lead``), supported by 海口海关
(``support``) and 各市县; the clock stands at 2021-03-10, March is open (due 03-25) and April
opens for filing on 2021-03-27. A change decided now and effective from April leaves March
to the units of March: 省商务厅 files March as lead, 省财政厅 (``finance``) only from April.
"""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from departments.models import Department
from pilot import permissions
from reports import figures
from reports.todo import reporter_todo
from tasks import selectors
from tasks.models import AssignmentRole, ProgressUpdate, Task, UpdateState
from tasks.services import filing, reporting
from tasks.services.plan_history import change_task_units, merge_departments
from tasks.services.plan_lifecycle import retire_task

pytestmark = pytest.mark.django_db

FORM = {
    "status": "on_track",
    "percent": "40",
    "work_done": "完成需求调研。",
    "next_steps": "启动开发。",
    "problems": "",
}
FILLED = {**FORM, "percent": 40}
APRIL_OPEN = datetime.datetime(2021, 3, 28, 10, tzinfo=datetime.UTC)
FINANCE_NOT_YET = "本单位自2021年4月起才承担该任务，2021年3月仍由原责任单位填报。"


def _url(task, period):
    return reverse("update-form", args=[task.pk, period.pk])


def _lead_to_finance(plan, personas, period):
    """From ``period``, 省财政厅 leads task 1 and 省委网信办 supports it (海口海关 and 各市县
    no longer do)."""
    change_task_units(
        task=plan.tasks[0],
        leads=[plan.finance],
        supports=[plan.cyber],
        effective=period,
        reason="调整分工",
        actor=personas.office,
    )


@pytest.fixture
def march(plan):
    return plan.periods[(2021, 3)]


@pytest.fixture
def april(plan):
    return plan.periods[(2021, 4)]


def test_the_old_lead_opens_saves_and_submits_march_after_a_change_from_april(
    plan, personas, clients, clock, march, april
):
    t1 = plan.tasks[0]
    _lead_to_finance(plan, personas, april)

    page = clients.lead.get(_url(t1, march))
    assert page.status_code == 200
    assert page.context["editable"] is True
    assert page.context["update"].role == AssignmentRole.LEAD
    saved = clients.lead.post(_url(t1, march), {**FORM, "version": "0", "action": "save"})
    assert saved.status_code == 302
    # The first save creates the draft (version 1) and saves the form into it (version 2).
    submitted = clients.lead.post(_url(t1, march), {**FORM, "version": "2", "action": "submit"})
    assert submitted.status_code == 302

    update = ProgressUpdate.objects.get(task=t1, period=march)
    assert (update.department, update.role, update.state) == (
        plan.commerce,
        AssignmentRole.LEAD,
        UpdateState.SUBMITTED,
    )
    assert update.is_late is False
    # March's supporting units were 海口海关 and 各市县 (a collective, which owes nothing).
    assert update.missing_inputs == "未收到海口海关的报送。"


def test_the_old_leads_march_form_lists_marchs_supporting_units(
    plan, personas, clients, clock, march, april
):
    _lead_to_finance(plan, personas, april)
    page = clients.lead.get(_url(plan.tasks[0], march))
    units = [row.department.name for row in page.context["rows"]]
    assert units == ["海口海关", "各市县"]


def test_the_office_accepts_the_old_leads_march_update_and_march_counts_it_on_time(
    plan, personas, clients, clock, march, april
):
    t1 = plan.tasks[0]
    _lead_to_finance(plan, personas, april)
    update = reporting.file_new_update(
        task=t1, period=march, actor=personas.lead, data=FILLED, submit=True
    )

    response = clients.office.post(reverse("review-accept", args=[update.pk]))
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == UpdateState.ACCEPTED
    # 省商务厅 owes three March submissions (task 1 and 3 as lead, task 2 as support); the
    # task 1 lead update came in on time. 省财政厅 owes only task 3 in March.
    commerce = figures.period_reporting(
        programme=plan.programme, period=march, department=plan.commerce
    )
    assert (commerce.expected, commerce.on_time, commerce.late, commerce.missing) == (3, 1, 0, 2)
    finance = figures.period_reporting(
        programme=plan.programme, period=march, department=plan.finance
    )
    assert (finance.expected, finance.on_time, finance.missing) == (1, 0, 1)


def test_the_new_lead_may_not_file_march_but_files_april_once_april_opens(
    plan, personas, clients, clock, march, april
):
    t1 = plan.tasks[0]
    _lead_to_finance(plan, personas, april)

    assert permissions.filing_refusal(personas.finance, t1, march) == FINANCE_NOT_YET
    page = clients.finance.get(_url(t1, march))
    assert page.status_code == 403
    assert FINANCE_NOT_YET in page.content.decode()
    posted = clients.finance.post(_url(t1, march), {**FORM, "version": "0", "action": "save"})
    assert posted.status_code == 403
    assert not ProgressUpdate.objects.filter(task=t1, department=plan.finance).exists()

    clock.move_to(APRIL_OPEN)
    page = clients.finance.get(_url(t1, april))
    assert page.status_code == 200
    assert page.context["update"].role == AssignmentRole.LEAD
    saved = clients.finance.post(_url(t1, april), {**FORM, "version": "0", "action": "save"})
    assert saved.status_code == 302
    update = ProgressUpdate.objects.get(task=t1, period=april)
    assert (update.department, update.role) == (plan.finance, AssignmentRole.LEAD)


def test_the_old_lead_may_not_file_april_once_april_opens(
    plan, personas, clients, clock, march, april
):
    _lead_to_finance(plan, personas, april)
    clock.move_to(APRIL_OPEN)
    assert permissions.filing_refusal(personas.lead, plan.tasks[0], april) == (
        "本单位自2021年4月起不再承担该任务，不能填报2021年4月。"
    )
    assert clients.lead.get(_url(plan.tasks[0], april)).status_code == 403


def test_a_change_from_the_open_period_passes_it_to_the_new_lead(
    plan, personas, clients, clock, march
):
    t1 = plan.tasks[0]
    _lead_to_finance(plan, personas, march)

    refusal = "本单位自2021年3月起不再承担该任务，不能填报2021年3月。"
    assert permissions.filing_refusal(personas.lead, t1, march) == refusal
    page = clients.lead.get(_url(t1, march))
    assert page.status_code == 403
    assert refusal in page.content.decode()

    update = filing.create_update(task=t1, period=march, actor=personas.finance, data={})
    assert (update.department, update.role) == (plan.finance, AssignmentRole.LEAD)


def test_a_task_retired_from_april_takes_march_and_refuses_april(
    plan, personas, clients, clock, march, april
):
    retire_task(task=plan.tasks[0], effective=april, reason="任务取消", actor=personas.office)
    t1 = Task.all_periods.get(pk=plan.tasks[0].pk)

    update = filing.create_update(task=t1, period=march, actor=personas.lead, data=FILLED)
    assert (update.role, update.work_done) == (AssignmentRole.LEAD, "完成需求调研。")
    page = clients.support.get(_url(t1, march))
    assert page.status_code == 200
    assert page.context["update"].role == AssignmentRole.SUPPORT

    clock.move_to(APRIL_OPEN)
    retired = "该任务已自2021年4月起撤销，不再填报。"
    assert permissions.filing_refusal(personas.lead, t1, april) == retired
    page = clients.lead.get(_url(t1, april))
    assert page.status_code == 200
    assert retired in page.content.decode()
    assert "editable" not in page.context
    with pytest.raises(ValidationError, match="该任务已自2021年4月起撤销"):
        filing.create_update(task=t1, period=april, actor=personas.lead, data={})


def test_marchs_worklist_and_todo_keep_the_task_with_the_old_lead(
    plan, personas, clock, march, april
):
    _lead_to_finance(plan, personas, april)

    commerce = selectors.department_worklist(department=plan.commerce, period=march)
    assert [(item.task.number, item.assignment.role) for item in commerce] == [
        (1, AssignmentRole.LEAD),
        (2, AssignmentRole.SUPPORT),
        (3, AssignmentRole.LEAD),
    ]
    finance = selectors.department_worklist(department=plan.finance, period=march)
    assert [item.task.number for item in finance] == [3]
    assert [
        item.task.number
        for item in selectors.department_worklist(department=plan.finance, period=april)
    ] == [1, 3]
    [to_file] = [g for g in reporter_todo(department=plan.finance, period=march) if g.count]
    assert (to_file.kind, to_file.count) == ("to-file", 1)


def test_the_worklist_stays_within_four_queries_after_a_change(
    plan, personas, clock, march, april, django_assert_max_num_queries
):
    _lead_to_finance(plan, personas, april)
    reporting.file_new_update(task=plan.tasks[0], period=march, actor=personas.lead, data=FILLED)
    with django_assert_max_num_queries(4):
        selectors.department_worklist(department=plan.commerce, period=march)


def test_the_old_lead_still_sees_and_returns_marchs_supporting_input(
    plan, personas, clock, march, april
):
    t1 = plan.tasks[0]
    support = reporting.file_new_update(
        task=t1, period=march, actor=personas.support, data=FILLED, submit=True
    )
    _lead_to_finance(plan, personas, april)

    assert permissions.can_view_update(personas.lead, support) is True
    assert permissions.can_return_input(personas.lead, support) is True
    assert permissions.returnable_inputs(personas.lead, [support]) == {support.pk}
    visible = permissions.visible_updates(personas.lead, ProgressUpdate.objects.all())
    assert list(visible.values_list("pk", flat=True)) == [support.pk]
    # 省财政厅 leads task 1 only from April: March's input is not its to read or return.
    assert permissions.can_view_update(personas.finance, support) is False
    assert permissions.returnable_inputs(personas.finance, [support]) == set()
    visible = permissions.visible_updates(personas.finance, ProgressUpdate.objects.all())
    assert not visible.exists()


def test_the_api_files_by_the_plan_in_force_in_the_period(
    plan, personas, clients, clock, march, april
):
    t1 = plan.tasks[0]
    _lead_to_finance(plan, personas, april)
    body = json.dumps({"task": t1.pk, "period": march.pk, **FILLED})

    refused = clients.finance.post("/api/v1/updates/", body, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json() == {"task": [FINANCE_NOT_YET]}
    created = clients.lead.post("/api/v1/updates/", body, content_type="application/json")
    assert created.status_code == 201
    assert (created.json()["role"], created.json()["percent"]) == ("lead", 40)


def test_after_a_merge_from_april_the_merged_units_reporters_still_file_march(
    plan, personas, clock, march
):
    # As before this change: the reporters of 省商务厅 moved to the department it merged
    # into, which files March's update under its own name, in 省商务厅's March role.
    reformed = Department.objects.create(name="省商务和外事厅")
    merge_departments(
        source=plan.commerce,
        target=reformed,
        effective_on=datetime.date(2021, 4, 1),
        reason="机构改革",
        actor=personas.office,
    )
    lead = type(personas.lead).objects.get(pk=personas.lead.pk)

    update = filing.create_update(task=plan.tasks[1], period=march, actor=lead, data={})
    assert (update.department, update.role) == (reformed, AssignmentRole.SUPPORT)
    worklist = selectors.department_worklist(department=reformed, period=march)
    assert [(item.task.number, item.assignment.role) for item in worklist] == [
        (1, AssignmentRole.LEAD),
        (3, AssignmentRole.LEAD),
        (2, AssignmentRole.SUPPORT),
    ]
