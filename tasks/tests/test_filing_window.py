"""Periods open for filing a few days before they start and stay open (late filing marked
late) until the office closes them; the office can reopen one.

The clock is pinned at 2021-03-10: March is open, April opens on 2021-03-27 (five days
before 2021-04-01 by default), February is past due but still open.
"""

import datetime
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from departments.models import Role
from departments.services import create_account
from pilot import permissions
from tasks.models import AuditEvent, ProgressUpdate
from tasks.periods import FilingWindow, filing_opens_on, filing_window
from tasks.services import periods, reporting

pytestmark = pytest.mark.django_db

NOT_YET = "该报送期将于2021年3月27日开放填报。"
CLOSED = "该报送期已由联席会议办公室关闭填报，不能再填报或修改。"
FIELDS = {"status": "on_track", "percent": 30, "work_done": "完成调研。", "next_steps": "开发。"}


def _form_url(task, period):
    return reverse("update-form", args=[task.pk, period.pk])


def _post_form(client, task, period, **fields):
    data = {**FIELDS, "problems": "", "version": "0", "action": "save", **fields}
    return client.post(_form_url(task, period), data)


def _api_create(client, task, period):
    body = {"task": task.pk, "period": period.pk, "work_done": "提前填报的内容"}
    return client.post("/api/v1/updates/", json.dumps(body), content_type="application/json")


# --- the dates -------------------------------------------------------------------------


def test_a_period_opens_five_days_before_it_starts_by_default(plan):
    assert filing_opens_on(plan.periods[(2021, 4)]) == datetime.date(2021, 3, 27)


def test_the_opening_lead_time_is_a_setting(plan, settings):
    settings.PILOT_FILING_OPENS_DAYS_BEFORE = 10
    assert filing_opens_on(plan.periods[(2021, 4)]) == datetime.date(2021, 3, 22)


@pytest.mark.parametrize(
    ("today", "window"),
    [
        (datetime.date(2021, 3, 26), FilingWindow.NOT_YET),
        (datetime.date(2021, 3, 27), FilingWindow.OPEN),
        (datetime.date(2021, 4, 26), FilingWindow.OPEN),  # past due: late, still open
        (datetime.date(2023, 1, 1), FilingWindow.OPEN),
    ],
)
def test_filing_window_of_april(plan, today, window):
    assert filing_window(plan.periods[(2021, 4)], today) == window


def test_a_closed_period_is_closed_whatever_the_day(plan, personas):
    april = plan.periods[(2021, 4)]
    periods.close_period(period=april, actor=personas.office)
    assert filing_window(april, datetime.date(2021, 4, 10)) == FilingWindow.CLOSED


# --- the rule --------------------------------------------------------------------------


def test_reporters_cannot_file_for_a_period_not_yet_open(plan, personas, clock):
    april, june = plan.periods[(2021, 4)], plan.periods[(2021, 6)]
    assert not permissions.can_file_update(personas.lead, plan.tasks[0], april)
    assert not permissions.can_file_update(personas.lead, plan.tasks[0], june)
    assert permissions.filing_refusal(personas.lead, plan.tasks[0], april) == NOT_YET


def test_filing_opens_on_the_opening_day(plan, personas, clock):
    clock.move_to(datetime.datetime(2021, 3, 27, 9, 0, tzinfo=datetime.UTC))
    assert permissions.can_file_update(personas.lead, plan.tasks[0], plan.periods[(2021, 4)])


def test_late_filing_stays_possible_and_is_marked_late(plan, personas, clock):
    february = plan.periods[(2021, 2)]  # due 2021-02-25
    update = reporting.file_new_update(
        task=plan.tasks[0], period=february, actor=personas.lead, data=FIELDS, submit=True
    )
    assert (update.state, update.is_late) == ("submitted", True)


def test_the_service_refuses_a_draft_for_a_period_not_yet_open(plan, personas, clock):
    with pytest.raises(PermissionDenied, match=NOT_YET):
        reporting.create_draft(
            task=plan.tasks[0], period=plan.periods[(2021, 4)], actor=personas.lead
        )
    assert not ProgressUpdate.objects.exists()


# --- through the form and the API ------------------------------------------------------


def test_the_form_of_a_period_not_yet_open_says_when_it_opens(plan, clients, clock):
    response = clients.lead.get(_form_url(plan.tasks[0], plan.periods[(2021, 4)]))
    page = response.content.decode()
    assert response.status_code == 200
    assert NOT_YET in page
    assert 'name="work_done"' not in page


def test_the_home_page_of_a_period_not_yet_open_says_when_it_opens(plan, clients, clock):
    response = clients.lead.get(reverse("home"), {"period": plan.periods[(2021, 4)].pk})
    assert NOT_YET in response.content.decode()
    assert NOT_YET not in clients.lead.get(reverse("home")).content.decode()


def test_posting_the_form_early_is_refused_and_keeps_the_text(plan, clients, clock):
    response = _post_form(clients.lead, plan.tasks[0], plan.periods[(2021, 4)])
    assert response.status_code == 200
    assert NOT_YET in response.context["form"].non_field_errors()
    assert "完成调研。" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_the_api_refuses_an_update_for_a_period_not_yet_open(plan, clients, clock):
    response = _api_create(clients.lead, plan.tasks[0], plan.periods[(2021, 4)])
    assert response.status_code == 400
    assert response.json() == {"period": [NOT_YET]}
    assert not ProgressUpdate.objects.exists()


def test_the_api_refuses_an_update_for_a_closed_period(plan, personas, clients, clock):
    march = plan.periods[(2021, 3)]
    periods.close_period(period=march, actor=personas.office)
    response = _api_create(clients.lead, plan.tasks[0], march)
    assert response.status_code == 400
    assert response.json() == {"period": [CLOSED]}
    assert not ProgressUpdate.objects.exists()


def test_a_draft_of_a_closed_period_can_no_longer_be_saved(plan, personas, clients, clock):
    march = plan.periods[(2021, 3)]
    draft = reporting.file_new_update(
        task=plan.tasks[0], period=march, actor=personas.lead, data=FIELDS
    )
    periods.close_period(period=march, actor=personas.office)
    response = _post_form(clients.lead, plan.tasks[0], march, version="2", work_done="新内容")
    assert "当前不能修改" in response.content.decode()
    draft.refresh_from_db()
    assert draft.work_done == "完成调研。"


def test_a_reopened_period_takes_filing_again(plan, personas, clients, clock):
    march = plan.periods[(2021, 3)]
    periods.close_period(period=march, actor=personas.office)
    periods.reopen_period(period=march, actor=personas.office)
    assert _api_create(clients.lead, plan.tasks[0], march).status_code == 201


# --- the office closes and reopens -----------------------------------------------------


@pytest.fixture
def office_admin(plan, client):
    user, _password = create_account(username="office-admin", role=Role.OFFICE)
    client.force_login(user)
    client.user = user
    return client


def _admin_action(client, action, period):
    return client.post(
        "/admin/tasks/reportingperiod/",
        {"action": action, "_selected_action": [period.pk]},
        follow=True,
    )


def test_the_office_closes_a_period_in_the_admin_with_who_and_when(office_admin, plan, clock):
    march = plan.periods[(2021, 3)]
    response = _admin_action(office_admin, "close_filing", march)
    assert "已关闭 1 个期次的填报。" in response.content.decode()
    march.refresh_from_db()
    assert (march.is_open, march.closed_by) == (False, office_admin.user)
    assert march.closed_at.date() == datetime.date(2021, 3, 10)
    entry = LogEntry.objects.get(object_id=str(march.pk))
    assert (entry.user, entry.change_message) == (office_admin.user, "关闭填报")


def test_the_office_reopens_a_period_in_the_admin(office_admin, plan, clock):
    march = plan.periods[(2021, 3)]
    _admin_action(office_admin, "close_filing", march)
    response = _admin_action(office_admin, "reopen_filing", march)
    assert "已重新开放 1 个期次的填报。" in response.content.decode()
    march.refresh_from_db()
    assert (march.is_open, march.closed_at, march.closed_by) == (True, None, None)
    messages = LogEntry.objects.filter(object_id=str(march.pk)).order_by("pk")
    assert [entry.change_message for entry in messages] == ["关闭填报", "重新开放填报"]


def test_closing_a_closed_period_changes_and_logs_nothing(plan, personas, clock):
    march = plan.periods[(2021, 3)]
    assert periods.close_period(period=march, actor=personas.office) is True
    assert periods.close_period(period=march, actor=personas.office) is False
    assert LogEntry.objects.count() == 1
    assert not AuditEvent.objects.exists()
