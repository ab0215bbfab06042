"""Two reviewers at the same moment, in real threads against PostgreSQL.

The task's status is recomputed under a row lock on the task, so accepting two lead units'
updates at once counts both; a bulk accept that meets updates another reviewer took skips
them and says so.
"""

import threading

import pytest
from django.db import connection

from pilot.factories import AssignmentFactory, TaskFactory
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


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("real-thread concurrency needs PostgreSQL (set DATABASE_URL)")


def _filed(task, period, user):
    update = reporting.start_update(task=task, period=period, actor=user)
    update = reporting.save_update(
        update=update, actor=user, data=DONE, expected_version=update.version
    )
    return reporting.submit_update(update=update, actor=user, expected_version=update.version)


def _at_once(*calls):
    """Run each call in its own thread, released together; return their results/errors."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # reported to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_accepting_both_leads_completed_updates_at_once_completes_the_task(plan, personas, clock):
    period = plan.periods[(2021, 3)]
    for number in range(10, 16):
        task = TaskFactory(programme=plan.programme, category=plan.categories[1], number=number)
        AssignmentFactory(task=task, department=plan.finance, role=AssignmentRole.LEAD)
        AssignmentFactory(task=task, department=plan.commerce, role=AssignmentRole.LEAD)
        first = _filed(task, period, personas.finance)
        second = _filed(task, period, personas.lead)

        results = _at_once(
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

    results = _at_once(
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
