"""The admin's big changelists (updates, reviews, revisions, evidence, audit events):
counts capped and said so, newest first, exact searches through the rows' own keys."""

import pytest
from django.test import Client

from departments.services import grant_office_admin
from pilot import pagination
from pilot.testing.factories import UpdateFactory
from tasks.models import AuditEvent, AuditVerb, UpdateState

pytestmark = pytest.mark.django_db

URL = "/admin/tasks/progressupdate/"


@pytest.fixture
def office_admin(personas):
    grant_office_admin(user=personas.office)
    client = Client()
    client.force_login(personas.office)
    return client


@pytest.fixture
def updates(plan, clock):
    """Submitted lead updates: 省商务厅 on task 1 (Jan-Mar), 海口海关 on task 2 (Jan)."""
    made = [
        UpdateFactory(
            task=plan.tasks[0],
            period=plan.periods[(2021, month)],
            department=plan.commerce,
            state=UpdateState.SUBMITTED,
        )
        for month in (1, 2, 3)
    ]
    made.append(
        UpdateFactory(
            task=plan.tasks[1],
            period=plan.periods[(2021, 1)],
            department=plan.customs,
            state=UpdateState.SUBMITTED,
        )
    )
    return made


def _listed(response):
    return [update.pk for update in response.context["cl"].result_list]


def test_the_updates_list_newest_first(office_admin, updates):
    assert _listed(office_admin.get(URL)) == [u.pk for u in reversed(updates)]


def test_each_page_holds_its_rows_in_order_fetched_by_id(office_admin, updates, monkeypatch):
    from tasks.admin import ProgressUpdateAdmin

    monkeypatch.setattr(ProgressUpdateAdmin, "list_per_page", 3)
    newest_first = [u.pk for u in reversed(updates)]

    first = _listed(office_admin.get(URL))
    last = _listed(office_admin.get(URL, {"p": 2}))

    assert first == newest_first[:3]
    assert last == newest_first[3:]


def test_past_the_cap_the_list_says_more_than_and_stops_counting(
    office_admin, updates, monkeypatch
):
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    page = office_admin.get(URL).content.decode()
    assert "超过 2 条进展报送" in page


def test_under_the_cap_the_list_gives_the_count(office_admin, updates):
    page = office_admin.get(URL).content.decode()
    assert "4 进展报送" in page
    assert "超过" not in page


def test_searching_a_task_number_finds_its_updates(office_admin, updates):
    assert sorted(_listed(office_admin.get(f"{URL}?q=2"))) == [updates[3].pk]


def test_searching_a_departments_full_name_finds_its_updates(office_admin, updates):
    response = office_admin.get(f"{URL}?q=海口海关")
    assert _listed(response) == [updates[3].pk]


def test_a_part_of_a_name_finds_nothing(office_admin, updates):
    assert _listed(office_admin.get(f"{URL}?q=海关")) == []


def test_the_offices_audit_list_leaves_out_only_the_drafts_events(
    office_admin, updates, plan, personas
):
    draft = UpdateFactory(
        task=plan.tasks[2], period=plan.periods[(2021, 3)], department=plan.finance
    )
    at = updates[0].created_at
    shown = [
        AuditEvent.objects.create(task=plan.tasks[0], verb=AuditVerb.CHANGED, actor=None, at=at),
        AuditEvent.objects.create(
            task=plan.tasks[0], update=updates[0], verb=AuditVerb.SUBMITTED, at=at
        ),
    ]
    AuditEvent.objects.create(task=plan.tasks[2], update=draft, verb=AuditVerb.CREATED, at=at)
    response = office_admin.get("/admin/tasks/auditevent/")
    assert _listed(response) == [event.pk for event in reversed(shown)]
