"""Two reporters of one department create the same update at the same moment: one wins,
the others are refused and nothing they typed overwrites the winner's text.

Real threads against PostgreSQL (the unique constraint decides inside a savepoint).
"""

import json

import pytest
from django.test import Client

from departments.models import Role
from pilot.testing.factories import make_user
from pilot.tests.threads import run_at_once
from tasks.models import AuditEvent, ProgressUpdate
from tasks.services import reporting

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 6


def _race(work, count):
    """Run ``work(i)`` in ``count`` threads released together; return their results."""
    return run_at_once(*(lambda i=i: work(i) for i in range(count)))


def _colleagues(plan, count):
    return [make_user(f"writer{i}", Role.REPORTER, plan.commerce) for i in range(count)]


def test_simultaneous_api_creates_of_one_update_let_exactly_one_win(plan, personas, clock):
    march = plan.periods[(2021, 3)]
    clients = []
    for user in _colleagues(plan, WRITERS):
        client = Client()
        client.force_login(user)
        clients.append(client)

    def create(i):
        body = {"task": plan.tasks[0].pk, "period": march.pk, "work_done": f"第{i}位的内容"}
        return clients[i].post(
            "/api/v1/updates/", json.dumps(body), content_type="application/json"
        )

    responses = _race(create, WRITERS)

    codes = sorted(response.status_code for response in responses)
    assert codes == [201] + [409] * (WRITERS - 1)
    [winner] = [i for i, response in enumerate(responses) if response.status_code == 201]
    update = ProgressUpdate.objects.get()
    assert update.work_done == f"第{winner}位的内容"
    assert update.version == 2
    for response in responses:
        if response.status_code == 409:
            assert response.json()["existing"] == {"id": update.pk, "version": 2}
    assert AuditEvent.objects.filter(verb="created").count() == 1


def test_simultaneous_first_saves_of_the_form_let_exactly_one_win(plan, personas, clock):
    march = plan.periods[(2021, 3)]
    writers = _colleagues(plan, WRITERS)

    def save(i):
        return reporting.file_new_update(
            task=plan.tasks[0],
            period=march,
            actor=writers[i],
            data={"status": "on_track", "percent": 10 + i, "work_done": f"第{i}位的内容"},
        )

    results = _race(save, WRITERS)

    saved = [result for result in results if isinstance(result, ProgressUpdate)]
    refused = [result for result in results if isinstance(result, reporting.UpdateExistsError)]
    assert (len(saved), len(refused)) == (1, WRITERS - 1)
    update = ProgressUpdate.objects.get()
    assert (update.pk, update.work_done) == (saved[0].pk, saved[0].work_done)
    assert all(f"编号 {update.pk}，版本 2" in error.messages[0] for error in refused)
