"""Every page of the file-review-accept loop runs as many queries with 1,000 updates as with 10.

The background rows are spread over the plan's tasks, periods and departments, in every
state, so that each page's joins and prefetches meet them.
"""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from departments.models import Department
from pilot.testing.factories import TaskFactory
from tasks.models import Assignment, AssignmentRole, ProgressUpdate, UpdateState
from tasks.services import reporting

FILLED = {
    "status": "on_track",
    "percent": 40,
    "work_done": "完成需求调研。",
    "next_steps": "启动开发。",
    "problems": "",
    "needs_coordination": False,
}


def _background(plan, count, tag):
    """Create ``count`` updates around the loop: on task 1 and on more of 省商务厅's tasks,
    from more supporting units, over every period and state."""
    now = timezone.now()
    units = [Department.objects.create(name=f"背景单位{tag}-{n}") for n in range(5)]
    offset = 200 if tag == "small" else 400
    tasks = [
        TaskFactory(programme=plan.programme, category=plan.categories[1], number=offset + n)
        for n in range(max(count // 20, 1))
    ]
    for task in tasks:
        Assignment.objects.create(task=task, department=plan.commerce, role=AssignmentRole.LEAD)
    for task, unit in itertools.product([plan.tasks[0], *tasks], units):
        Assignment.objects.create(task=task, department=unit, role=AssignmentRole.SUPPORT)
    taken = set(ProgressUpdate.objects.values_list("task_id", "period_id", "department_id"))
    combos = itertools.product(
        [plan.tasks[0], *tasks], plan.periods.values(), [plan.commerce, *units]
    )
    states = itertools.cycle(UpdateState.values)
    rows = [
        ProgressUpdate(
            task=task,
            period=period,
            department=unit,
            role=AssignmentRole.LEAD if unit == plan.commerce else AssignmentRole.SUPPORT,
            state=next(states),
            work_done="背景数据",
            created_at=now,
            updated_at=now,
        )
        for task, period, unit in combos
        if (task.pk, period.pk, unit.pk) not in taken
    ][:count]
    ProgressUpdate.objects.bulk_create(rows)
    assert len(rows) == count


@pytest.fixture
def loop(plan, personas, clock):
    """A lead unit's update on task 1 in March, submitted, with one supporting input."""
    march = plan.periods[(2021, 3)]
    support = reporting.start_update(task=plan.tasks[0], period=march, actor=personas.support)
    reporting.file_update(
        update=support, actor=personas.support, data=FILLED, expected_version=1, submit=True
    )
    update = reporting.start_update(task=plan.tasks[0], period=march, actor=personas.lead)
    update = reporting.file_update(
        update=update, actor=personas.lead, data=FILLED, expected_version=1, submit=True
    )
    return {"task": plan.tasks[0].pk, "period": march.pk, "update": update.pk}


PAGES = [
    ("lead", "/"),
    ("lead", "/tasks/{task}/periods/{period}/update/"),
    ("office", "/review/"),
    ("office", "/review/{update}/"),
    ("office", "/tasks/{task}/"),
    ("support", "/tasks/{task}/"),
]


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(("persona", "page"), PAGES)
def test_loop_page_runs_the_same_queries_with_10_and_1000_updates(
    plan, clients, loop, persona, page
):
    client, url = getattr(clients, persona), page.format(**loop)
    _background(plan, 10, "small")
    _count(client, url)  # warm the session and the per-request caches
    small = _count(client, url)
    _background(plan, 1000, "large")
    large = _count(client, url)
    assert small == large <= 20
