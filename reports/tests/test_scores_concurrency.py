"""Two offices at the same moment, in real threads against PostgreSQL: publishing a month,
saving weights, building meetings and recording decisions."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from pilot.tests.threads import run_at_once
from reports.figures.scores import DEFAULT_WEIGHTS
from reports.models_scores import ScoreFormula, ScoreSheet
from reports.services import scores as score_services
from tasks.models import Meeting, Task
from tasks.services import meetings

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_publishing_a_month_twice_at_once_stores_it_once(plan, personas, clock):
    february = plan.periods[(2021, 2)]

    def publish():
        return score_services.publish_scores(
            programme=plan.programme, period=february, actor=personas.office
        )

    results = run_at_once(publish, publish)

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), results
    assert ScoreSheet.objects.count() == 1
    assert ScoreFormula.objects.count() == 1


def test_saving_different_weights_at_once_keeps_one_version_and_refuses_the_other(
    plan, personas, clock
):
    def save(on_time):
        weights = {**DEFAULT_WEIGHTS, "on_time": on_time}
        return lambda: score_services.save_formula(
            programme=plan.programme, weights=weights, actor=personas.office
        )

    results = run_at_once(save(10), save(20))

    # Either the second waits and becomes version 2, or it is refused with a message.
    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, ValidationError) and "刚被他人修改" in str(e) for e in errors), results
    versions = list(ScoreFormula.objects.values_list("version", flat=True).order_by("version"))
    assert versions == list(range(1, 3 - len(errors)))


def test_two_meetings_and_two_decisions_at_once_get_distinct_numbers(plan, personas, clock):
    day = datetime.date(2021, 3, 20)

    def create():
        return meetings.create_meeting(
            programme=plan.programme, held_on=day, tasks=[plan.tasks[0]], actor=personas.office
        )

    created = run_at_once(create, create)
    assert sorted(m.number for m in created) == [1, 2], created
    item = Meeting.objects.get(number=1).items.get()

    def decide(text):
        return lambda: meetings.record_decision(
            item=item, text=text, owner=plan.customs, due_on=day, actor=personas.office
        )

    decided = run_at_once(decide("甲"), decide("乙"))
    assert sorted(d.tracking_task.number for d in decided) == [4, 5], decided
    assert Task.objects.count() == 5
