"""Two reviewers at the same moment, in real threads against PostgreSQL.

The task's status is recomputed under a row lock on the task, so accepting two lead units'
updates at once counts both; a bulk accept that meets updates another reviewer took skips
them and says so.
"""

import pytest

from pilot.testing.factories import AssignmentFactory, TaskFactory
from pilot.tests.threads import run_at_once
from tasks.models import AssignmentRole, Task, TaskStatus, UpdateState
from tasks.services import reporting, review

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DONE = {
    "status": TaskStatus.COMPLETED,
    "percent": 100,
    "work_done": "全部完成。",
    "next_steps": "",
    "problems": "",
    "needs_coordination": False,
}


def _filed(task, period, user):
    update = reporting.start_update(task=task, period=period, actor=user)
    update = reporting.save_update(
        update=update, actor=user, data=DONE, expected_version=update.version
    )
    return reporting.submit_update(update=update, actor=user, expected_version=update.version)


def test_accepting_both_leads_completed_updates_at_once_completes_the_task(plan, personas, clock):
    period = plan.periods[(2021, 3)]
    for number in range(10, 16):
        task = TaskFactory(programme=plan.programme, category=plan.categories[1], number=number)
        AssignmentFactory(task=task, department=plan.finance, role=AssignmentRole.LEAD)
        AssignmentFactory(task=task, department=plan.commerce, role=AssignmentRole.LEAD)
        first = _filed(task, period, personas.finance)
        second = _filed(task, period, personas.lead)

        results = run_at_once(
            lambda u=first: review.accept_update(update=u, actor=personas.office),
            lambda u=second: review.accept_update(update=u, actor=personas.office),
        )

        assert not [r for r in results if isinstance(r, Exception)], results
        task = Task.objects.get(pk=task.pk)
        assert (task.status, task.percent) == (TaskStatus.COMPLETED, 100), number


def test_two_bulk_accepts_of_the_same_updates_accept_each_once_and_report_the_rest(
    plan, personas, clock
):
    period = plan.periods[(2021, 3)]
    updates = [
        _filed(plan.tasks[0], period, personas.lead),
        _filed(plan.tasks[1], period, personas.support),
        _filed(plan.tasks[2], period, personas.finance),
        _filed(plan.tasks[2], period, personas.lead),
    ]

    results = run_at_once(
        lambda: review.bulk_accept(updates=list(updates), actor=personas.office),
        lambda: review.bulk_accept(updates=list(updates), actor=personas.office),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    accepted = [u.pk for result in results for u in result.accepted]
    taken = [u.pk for result in results for u in result.taken]
    assert sorted(accepted) == sorted(u.pk for u in updates)
    assert sorted(taken) == sorted(u.pk for u in updates)
    assert {u.state for u in type(updates[0]).objects.filter(pk__in=accepted)} == {
        UpdateState.ACCEPTED
    }
    assert Task.objects.get(pk=plan.tasks[2].pk).status == TaskStatus.COMPLETED
