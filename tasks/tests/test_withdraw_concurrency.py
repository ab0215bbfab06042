"""撤回 racing the office's acceptance, in real threads against PostgreSQL.

Both claim the row only while it is still submitted (a conditional UPDATE), so exactly one
of them wins each time and the other is told the update moved on.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from pilot.testing.factories import AssignmentFactory, TaskFactory
from pilot.tests.threads import run_at_once
from tasks.models import AssignmentRole, AuditEvent, AuditVerb, ProgressUpdate, UpdateState
from tasks.services import reporting, review

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FILLED = {
    "status": "on_track",
    "percent": 40,
    "work_done": "完成需求调研。",
    "next_steps": "启动开发。",
    "problems": "",
    "needs_coordination": False,
}


def _submitted(task, period, user):
    update = reporting.start_update(task=task, period=period, actor=user)
    update = reporting.save_update(
        update=update, actor=user, data=FILLED, expected_version=update.version
    )
    return reporting.submit_update(update=update, actor=user, expected_version=update.version)


def test_withdrawal_racing_an_acceptance_lets_exactly_one_win(plan, personas, clock):
    period = plan.periods[(2021, 3)]
    for number in range(10, 18):
        task = TaskFactory(programme=plan.programme, category=plan.categories[0], number=number)
        AssignmentFactory(task=task, department=plan.commerce, role=AssignmentRole.LEAD)
        update = _submitted(task, period, personas.lead)
        # Each thread reads the update as its user's page would, before either acts.
        mine = ProgressUpdate.objects.get(pk=update.pk)
        office = ProgressUpdate.objects.get(pk=update.pk)

        withdrawn, accepted = run_at_once(
            lambda u=mine: reporting.withdraw_update(
                update=u, actor=personas.lead, expected_version=u.version
            ),
            lambda u=office: review.accept_update(update=u, actor=personas.office),
        )

        failures = [r for r in (withdrawn, accepted) if isinstance(r, Exception)]
        assert len(failures) == 1, (number, withdrawn, accepted)
        assert all(isinstance(f, ValidationError | PermissionDenied) for f in failures)
        final = ProgressUpdate.objects.get(pk=update.pk)
        verbs = set(
            AuditEvent.objects.filter(
                update=update, verb__in=[AuditVerb.WITHDRAWN, AuditVerb.ACCEPTED]
            ).values_list("verb", flat=True)
        )
        if isinstance(withdrawn, Exception):
            assert final.state == UpdateState.ACCEPTED
            assert verbs == {AuditVerb.ACCEPTED}
            assert final.reviews.count() == 1
        else:
            assert final.state == UpdateState.DRAFT
            assert verbs == {AuditVerb.WITHDRAWN}
            assert final.reviews.count() == 0
