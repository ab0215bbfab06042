"""Two people at once on extensions and slips, with real threads against PostgreSQL: one open
request per task, one decision per request, unique slip numbers."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from departments.models import Role
from pilot.testing.factories import make_user
from pilot.tests.threads import run_at_once
from tasks.models import Extension, ExtensionState, SupervisionSlip, Task
from tasks.services import extensions, slips

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_lead_units_asking_at_once_leave_one_open_request(plan, personas, clock):
    task = plan.tasks[2]  # 省财政厅 and 省商务厅 both lead

    def ask(user):
        return lambda: extensions.request_extension(
            task=task, actor=user, requested_due_on=datetime.date(2021, 9, 30), reason="原因"
        )

    results = run_at_once(ask(personas.lead), ask(personas.finance))

    assert sum(isinstance(result, Extension) for result in results) == 1
    assert sum(isinstance(result, ValidationError) for result in results) == 1
    assert Extension.objects.filter(task=task).count() == 1


def test_two_office_staff_deciding_at_once_make_one_decision(plan, personas, clock):
    other = make_user("office2", Role.OFFICE)
    request = extensions.request_extension(
        task=plan.tasks[0],
        actor=personas.lead,
        requested_due_on=datetime.date(2021, 9, 30),
        reason="原因",
    )

    def approve():
        return extensions.approve_extension(
            extension=Extension.objects.get(pk=request.pk),
            actor=personas.office,
            approved_due_on=datetime.date(2021, 9, 30),
        )

    def reject():
        return extensions.reject_extension(
            extension=Extension.objects.get(pk=request.pk), actor=other, comment="不同意。"
        )

    results = run_at_once(approve, reject)

    assert sum(isinstance(result, Extension) for result in results) == 1
    decided = Extension.objects.get(pk=request.pk)
    moved = Task.objects.get(pk=plan.tasks[0].pk).due_on == datetime.date(2021, 9, 30)
    assert moved is (decided.state == ExtensionState.APPROVED)


def test_slips_issued_at_once_get_distinct_numbers(plan, personas, clock):
    pairs = [(plan.tasks[0], plan.commerce), (plan.tasks[1], plan.customs)]
    pairs.append((plan.tasks[2], plan.finance))

    def issue(task, department):
        return lambda: slips.issue_slip(
            task=task,
            department_id=department.pk,
            level="blue",
            reason="请加快。",
            actor=personas.office,
        )

    results = run_at_once(*(issue(task, department) for task, department in pairs))

    assert all(isinstance(result, SupervisionSlip) for result in results), results
    assert sorted(SupervisionSlip.objects.values_list("number", flat=True)) == [1, 2, 3]
