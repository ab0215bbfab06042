"""Writers of one programme at the same moment, in real threads against PostgreSQL: each
bumps the programme's data version in its own transaction, so they wait for one another on
that row, never deadlock, and the next read shows every write."""

import re

import pytest

from pilot.tests.threads import run_at_once
from tasks.models import Task, TaskStatus
from tasks.services import reporting, review

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = TaskStatus


def _filed(task, period, user, status):
    data = {
        "status": status,
        "percent": 100 if status == S.COMPLETED else 30,
        "work_done": "推进。",
        "next_steps": "继续。",
        "problems": "",
        "needs_coordination": False,
    }
    update = reporting.start_update(task=task, period=period, actor=user)
    update = reporting.save_update(
        update=update, actor=user, data=data, expected_version=update.version
    )
    return reporting.submit_update(update=update, actor=user, expected_version=update.version)


def test_a_confirmation_an_acceptance_and_a_submission_at_once_all_show(
    plan, personas, clients, clock
):
    period = plan.periods[(2021, 3)]
    done = _filed(plan.tasks[1], period, personas.support, S.COMPLETED)
    review.accept_update(update=done, actor=personas.office)
    behind = _filed(plan.tasks[0], period, personas.lead, S.BEHIND)
    clients.office.get("/dashboard/")  # fills the cache
    finance_update = reporting.start_update(
        task=plan.tasks[2], period=period, actor=personas.finance
    )
    reporting.save_update(
        update=finance_update,
        actor=personas.finance,
        data={
            "status": S.ON_TRACK,
            "percent": 30,
            "work_done": "推进。",
            "next_steps": "继续。",
            "problems": "",
            "needs_coordination": False,
        },
        expected_version=finance_update.version,
    )
    finance_update.refresh_from_db()

    results = run_at_once(
        lambda: review.confirm_completion(
            task=Task.objects.get(pk=plan.tasks[1].pk), actor=personas.office
        ),
        lambda: review.accept_update(update=behind, actor=personas.office),
        lambda: reporting.submit_update(
            update=finance_update, actor=personas.finance, expected_version=finance_update.version
        ),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    html = clients.office.get("/dashboard/").content.decode()
    assert re.search(r"已办结（办结确认）及占比", html)
    assert '<div class="stat">1<small>' in html  # task 2 confirmed
    assert re.search(r'<th scope="row">进度滞后</th><td class="num"><a href="[^"]*">1</a>', html)
    # Submitted in March: 海口海关 (task 2), 省商务厅 (task 1), 省财政厅 (task 3).
    assert re.search(r"按时 3</a>", html)
