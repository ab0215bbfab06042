"""The office marks an update as a highlight (亮点/典型做法) when accepting it by the API."""

import json

import pytest

pytestmark = pytest.mark.django_db


def _accept(client, update, body):
    return client.post(
        f"/api/v1/updates/{update.pk}/accept/", json.dumps(body), content_type="application/json"
    )


def test_accepting_with_highlight_marks_the_update(filed, clients):
    response = _accept(clients.office, filed.lead_submitted, {"highlight": True})

    filed.lead_submitted.refresh_from_db()
    assert response.status_code == 200
    assert (filed.lead_submitted.state, filed.lead_submitted.is_highlight) == ("accepted", True)


def test_accepting_without_highlight_leaves_it_unmarked(filed, clients):
    _accept(clients.office, filed.lead_submitted, {})

    filed.lead_submitted.refresh_from_db()
    assert (filed.lead_submitted.state, filed.lead_submitted.is_highlight) == ("accepted", False)


def test_a_highlight_that_is_not_a_boolean_is_refused(filed, clients):
    response = _accept(clients.office, filed.lead_submitted, {"highlight": "很好"})

    filed.lead_submitted.refresh_from_db()
    assert response.status_code == 400
    assert filed.lead_submitted.state == "submitted"
