"""Two office staff changing one plan at once, with real threads against PostgreSQL."""

import datetime

import pytest

from departments.models import Role
from pilot.testing.factories import make_user
from pilot.tests.threads import run_at_once
from tasks.models import PlanChange, Task
from tasks.services.plan_lifecycle import split_task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DUE = datetime.date(2021, 12, 31)


def test_two_splits_at_once_number_their_new_tasks_apart(plan, personas, clock):
    other = make_user("office2", Role.OFFICE)
    may = plan.periods[(2021, 5)]

    def split(task, actor, lead):
        parts = [
            {"measure": task.measure, "due_on": DUE, "leads": [lead], "supports": []},
            {
                "measure": f"{task.number}的新增部分。",
                "due_on": DUE,
                "leads": [lead],
                "supports": [],
            },
        ]
        return lambda: split_task(
            task=task, parts=parts, effective=may, reason="细化任务", actor=actor
        )

    rounds = 6
    for _round in range(rounds):
        first, second = Task.objects.filter(number__in=[1, 2]).order_by("number")
        results = run_at_once(
            split(first, personas.office, plan.commerce), split(second, other, plan.customs)
        )
        assert all(isinstance(result, PlanChange) for result in results), results

    added = list(Task.objects.filter(number__gt=3).values_list("number", "split_from__number"))
    assert sorted(number for number, _origin in added) == list(range(4, 4 + 2 * rounds))
    assert sorted(origin for _number, origin in added) == [1] * rounds + [2] * rounds
