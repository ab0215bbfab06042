"""撤回: a department takes its submitted update back to a draft until it is reviewed.

The clock is pinned at 2021-03-10; period 2021-03 is open. Task 1 is led by 省商务厅
(persona ``lead``) with 海口海关 (``support``) supporting; task 3 has two lead units.
"""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from pilot import permissions
from pilot.testing.helpers import FILLED, file_and_submit
from tasks.models import AuditEvent, AuditVerb, ProgressUpdate, UpdateState
from tasks.services import reporting, review

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_submitted(plan, personas, clock):
    return file_and_submit(plan.tasks[0], plan.periods[(2021, 3)], personas.lead)


@pytest.fixture
def support_submitted(plan, personas, clock):
    return file_and_submit(plan.tasks[0], plan.periods[(2021, 3)], personas.support)


# --- the service -----------------------------------------------------------------------


def test_withdrawing_a_submitted_update_makes_it_a_draft_again(lead_submitted, personas):
    version = lead_submitted.version

    update = reporting.withdraw_update(
        update=lead_submitted, actor=personas.lead, expected_version=version
    )

    assert update.state == UpdateState.DRAFT
    assert update.version == version + 1
    assert update.updated_by == personas.lead
    assert permissions.can_edit_update(personas.lead, update)


def test_withdrawal_is_recorded_in_the_audit_trail(lead_submitted, personas):
    reporting.withdraw_update(
        update=lead_submitted, actor=personas.lead, expected_version=lead_submitted.version
    )

    last = AuditEvent.objects.filter(update=lead_submitted).order_by("at", "id").last()
    assert (last.verb, last.actor) == (AuditVerb.WITHDRAWN, personas.lead)


def test_withdrawn_update_leaves_the_office_view_as_a_draft(lead_submitted, personas):
    reporting.withdraw_update(
        update=lead_submitted, actor=personas.lead, expected_version=lead_submitted.version
    )

    lead_submitted.refresh_from_db()
    assert not permissions.can_view_update(personas.office, lead_submitted)
    assert not permissions.can_review_update(personas.office, lead_submitted)


def test_withdrawn_update_can_be_submitted_again_keeping_its_first_lateness(
    lead_submitted, personas
):
    first = lead_submitted.first_submitted_at
    update = reporting.withdraw_update(
        update=lead_submitted, actor=personas.lead, expected_version=lead_submitted.version
    )

    again = reporting.submit_update(
        update=update, actor=personas.lead, expected_version=update.version
    )

    assert again.state == UpdateState.SUBMITTED
    assert again.first_submitted_at == first
    assert again.revisions.count() == 2


def test_accepted_update_cannot_be_withdrawn(lead_submitted, personas):
    review.accept_update(update=lead_submitted, actor=personas.office)

    with pytest.raises(PermissionDenied):
        reporting.withdraw_update(
            update=lead_submitted, actor=personas.lead, expected_version=lead_submitted.version
        )
    assert ProgressUpdate.objects.get(pk=lead_submitted.pk).state == UpdateState.ACCEPTED


def test_returned_update_cannot_be_withdrawn(lead_submitted, personas):
    review.return_update(update=lead_submitted, actor=personas.office, reasons=[], comment="补充")

    assert not permissions.can_withdraw_update(personas.lead, lead_submitted)


def test_another_department_cannot_withdraw_the_update(lead_submitted, personas):
    for user in (personas.support, personas.outsider, personas.office, personas.member):
        assert not permissions.can_withdraw_update(user, lead_submitted), user


def test_withdrawal_against_an_old_version_is_refused_as_stale(lead_submitted, personas):
    with pytest.raises(reporting.StaleVersionError):
        reporting.withdraw_update(
            update=lead_submitted,
            actor=personas.lead,
            expected_version=lead_submitted.version - 1,
        )
    assert ProgressUpdate.objects.get(pk=lead_submitted.pk).state == UpdateState.SUBMITTED


def test_withdrawal_after_acceptance_by_a_stale_reader_names_the_new_state(
    lead_submitted, personas
):
    # The reporter read the update while it was submitted; the office accepted it since.
    stale = ProgressUpdate.objects.get(pk=lead_submitted.pk)
    review.accept_update(update=lead_submitted, actor=personas.office)

    with pytest.raises(ValidationError) as refused:
        reporting._raise_not_withdrawn(stale)
    assert "已采纳" in refused.value.messages[0]


def test_supporting_input_can_be_withdrawn_before_the_lead_uses_it(support_submitted, personas):
    update = reporting.withdraw_update(
        update=support_submitted,
        actor=personas.support,
        expected_version=support_submitted.version,
    )

    assert update.state == UpdateState.DRAFT
    assert not permissions.can_view_update(personas.lead, update)


def test_supporting_input_drawn_into_a_submitted_lead_update_cannot_be_withdrawn(
    plan, support_submitted, personas
):
    lead = reporting.start_update(
        task=plan.tasks[0], period=plan.periods[(2021, 3)], actor=personas.lead
    )
    lead = reporting.save_update(
        update=lead, actor=personas.lead, data=FILLED, expected_version=lead.version
    )
    reporting.submit_update(
        update=lead,
        actor=personas.lead,
        expected_version=lead.version,
        drawn_from=[support_submitted],
    )

    assert not permissions.can_withdraw_update(personas.support, support_submitted)


# --- the form page ---------------------------------------------------------------------


def _form_url(update):
    return reverse("update-form", args=[update.task_id, update.period_id])


def test_form_of_a_submitted_update_offers_withdrawal(lead_submitted, clients):
    response = clients.lead.get(_form_url(lead_submitted))

    assert 'value="withdraw"' in response.content.decode()


def test_form_of_an_accepted_update_offers_no_withdrawal(lead_submitted, personas, clients):
    review.accept_update(update=lead_submitted, actor=personas.office)

    response = clients.lead.get(_form_url(lead_submitted))

    assert 'value="withdraw"' not in response.content.decode()


def test_withdraw_button_turns_the_update_back_into_an_editable_draft(lead_submitted, clients):
    response = clients.lead.post(
        _form_url(lead_submitted),
        {"action": "withdraw", "version": lead_submitted.version},
        follow=True,
    )

    page = response.content.decode()
    assert "已撤回" in page
    assert 'id="update-form"' in page
    assert ProgressUpdate.objects.get(pk=lead_submitted.pk).state == UpdateState.DRAFT


def test_withdraw_button_after_acceptance_says_why_and_changes_nothing(
    lead_submitted, personas, clients
):
    review.accept_update(update=lead_submitted, actor=personas.office)

    response = clients.lead.post(
        _form_url(lead_submitted),
        {"action": "withdraw", "version": lead_submitted.version},
        follow=True,
    )

    assert "不能撤回" in response.content.decode()
    assert ProgressUpdate.objects.get(pk=lead_submitted.pk).state == UpdateState.ACCEPTED


def test_withdraw_button_without_a_version_asks_to_reload(lead_submitted, clients):
    response = clients.lead.post(_form_url(lead_submitted), {"action": "withdraw"}, follow=True)

    assert "页面已过期" in response.content.decode()
    assert ProgressUpdate.objects.get(pk=lead_submitted.pk).state == UpdateState.SUBMITTED


# --- the API ---------------------------------------------------------------------------


def _api_withdraw(client, update, body):
    return client.post(
        f"/api/v1/updates/{update.pk}/withdraw/",
        json.dumps(body),
        content_type="application/json",
    )


def test_api_withdraw_returns_the_draft_with_its_new_version(lead_submitted, clients):
    response = _api_withdraw(clients.lead, lead_submitted, {"version": lead_submitted.version})

    assert response.status_code == 200
    assert response.json()["state"] == "draft"
    assert response.json()["version"] == lead_submitted.version + 1


def test_api_withdraw_with_a_stale_version_is_a_400_on_version(lead_submitted, clients):
    response = _api_withdraw(clients.lead, lead_submitted, {"version": 1})

    assert response.status_code == 400
    assert "version" in response.json()


def test_api_withdraw_without_a_version_is_a_400(lead_submitted, clients):
    response = _api_withdraw(clients.lead, lead_submitted, {})

    assert response.status_code == 400
    assert ProgressUpdate.objects.get(pk=lead_submitted.pk).state == UpdateState.SUBMITTED
