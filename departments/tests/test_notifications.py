"""In-app notifications (通知): who gets one for a return, an acceptance and a report run;
the unread count in the menu; the list that marks read only on POST; each user's own only.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.context_processors import unread_notifications
from departments.models import Notification, NotificationVerb
from pilot.clock import now as clock_now
from pilot.testing.factories import make_user
from pilot.testing.february import build_february
from reports.models import ReportKind, RunState
from reports.services import runs as run_services
from tasks.models import ReturnReason
from tasks.services import reporting, review
from tasks.tests.test_loop_query_counts import FILLED

pytestmark = pytest.mark.django_db


def _submitted(plan, personas, task_index=0):
    march = plan.periods[(2021, 3)]
    update = reporting.start_update(task=plan.tasks[task_index], period=march, actor=personas.lead)
    return reporting.file_update(
        update=update, actor=personas.lead, data=FILLED, expected_version=1, submit=True
    )


def _returned(plan, personas):
    reason = ReturnReason.objects.create(text="未提供佐证材料")
    return review.return_update(
        update=_submitted(plan, personas), actor=personas.office, reasons=[reason], comment="补充"
    )


def test_a_returned_update_notifies_the_units_reporters_with_the_reasons(plan, personas, clock):
    colleague = make_user("lead2", "reporter", plan.commerce)

    update = _returned(plan, personas)

    notes = Notification.objects.order_by("recipient__username")
    assert [n.recipient for n in notes] == [personas.lead, colleague]
    note = notes[0]
    assert note.verb == NotificationVerb.RETURNED
    assert note.text == "1. 建设单一窗口。（2021年3月）的报送被退回：未提供佐证材料；补充"
    assert note.link == f"/tasks/{update.task_id}/periods/{update.period_id}/update/"
    assert note.read_at is None


def test_an_accepted_update_notifies_only_its_units_reporters(plan, personas, clock):
    update = review.accept_update(update=_submitted(plan, personas), actor=personas.office)

    note = Notification.objects.get()
    assert (note.recipient, note.verb) == (personas.lead, NotificationVerb.ACCEPTED)
    assert note.link == f"/tasks/{update.task_id}/"


def test_a_finished_report_run_notifies_the_office_once(plan, personas, clock):
    period = build_february(plan)
    run = run_services.request_report(
        kind=ReportKind.MONTHLY, programme=plan.programme, period=period, actor=personas.office
    )

    run_services.compile_report(run_id=run.pk)
    run_services.compile_report(run_id=run.pk)  # a second delivery of the job

    note = Notification.objects.get()
    assert (note.recipient, note.verb) == (personas.office, NotificationVerb.REPORT_DONE)
    assert note.text == "月报（2021-02）已生成。"
    assert note.link == reverse("report-run", args=[run.pk])


def test_a_failed_report_run_notifies_the_office(plan, personas, clock, monkeypatch):
    period = build_february(plan)
    run = run_services.request_report(
        kind=ReportKind.MONTHLY, programme=plan.programme, period=period, actor=personas.office
    )

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("reports.services.runs.build_files", explode)
    assert run_services.compile_report(run_id=run.pk).state == RunState.FAILED

    note = Notification.objects.get()
    assert (note.recipient, note.verb) == (personas.office, NotificationVerb.REPORT_FAILED)


def test_the_menu_shows_the_unread_count(plan, personas, clients, clock):
    _returned(plan, personas)

    assert "通知 (1)" in clients.lead.get(reverse("home")).content.decode()
    assert "通知 (0)" in clients.office.get(reverse("home")).content.decode()
    assert "通知 (" not in clients.anonymous.get(reverse("login")).content.decode()


def test_the_unread_count_takes_one_query(plan, personas, rf, clock):
    _returned(plan, personas)
    request = rf.get("/")
    request.user = personas.lead

    with CaptureQueriesContext(connection) as captured:
        assert str(unread_notifications(request)["unread_notifications"]) == "1"
    assert len(captured) == 1


def test_opening_the_list_does_not_mark_anything_read(plan, personas, clients, clock):
    _returned(plan, personas)

    page = clients.lead.get(reverse("notifications")).content.decode()

    assert "的报送被退回" in page
    assert "标为已读" in page
    assert Notification.objects.get().read_at is None


def test_marking_one_read_is_a_post(plan, personas, clients, clock):
    _returned(plan, personas)
    note = Notification.objects.get()

    response = clients.lead.post(reverse("notifications"), {"notification": note.pk})

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
    assert "通知 (0)" in clients.lead.get(reverse("home")).content.decode()


def test_marking_all_read_leaves_other_users_notifications_unread(plan, personas, clients, clock):
    _returned(plan, personas)
    review.accept_update(update=_submitted(plan, personas, task_index=2), actor=personas.office)
    other = Notification.objects.create(
        recipient=personas.support, verb=NotificationVerb.ACCEPTED, text="x", created_at=clock_now()
    )

    clients.lead.post(reverse("notifications"))

    assert not Notification.objects.filter(recipient=personas.lead, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=personas.lead).count() == 2
    other.refresh_from_db()
    assert other.read_at is None


def test_a_user_cannot_read_or_mark_anothers_notification(plan, personas, clients, clock):
    _returned(plan, personas)
    note = Notification.objects.get()

    page = clients.support.get(reverse("notifications")).content.decode()
    clients.support.post(reverse("notifications"), {"notification": note.pk})

    assert "的报送被退回" not in page
    note.refresh_from_db()
    assert note.read_at is None


def test_a_bad_notification_id_gets_a_chinese_message(plan, personas, clients, clock):
    response = clients.lead.post(reverse("notifications"), {"notification": "abc"}, follow=True)
    assert "通知编号无效。" in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(clients):
    response = clients.anonymous.get(reverse("notifications"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
