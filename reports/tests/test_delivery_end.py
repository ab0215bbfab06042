"""Deliveries that always end: "sending" past the timeout becomes unknown; the office resends.

A worker that died mid-SMTP is simulated by leaving the row "sending" with the time of its
attempt; the clock is pinned to 2021-03-10 10:00 (conftest.py).
"""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from pilot import permissions
from pilot.celery import app as celery_app
from pilot.testing.factories import stamp
from pilot.testing.february import build_february
from reports.models import (
    DeliveryResult,
    DistributionList,
    DistributionListKind,
    DistributionListMember,
    EmailDelivery,
    ReportKind,
)
from reports.services import mail as mail_services
from reports.services import runs as run_services
from reports.tasks import reap_stale_runs_task
from reports.tests.test_runs import broker_down  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

UNKNOWN = "发送过程中后台进程中断，无法确认邮件是否已送达。"


@pytest.fixture
def done_run(plan, personas, clock):
    period = build_february(plan)
    run = run_services.request_report(
        kind=ReportKind.MONTHLY, programme=plan.programme, period=period, actor=personas.office
    )
    return run_services.compile_report(run_id=run.pk)


@pytest.fixture
def members():
    members = DistributionList.objects.create(
        name="联席会议成员", kind=DistributionListKind.MEMBERS
    )
    for email in ("leader1@gov.test", "leader2@gov.test", "leader3@gov.test"):
        DistributionListMember.objects.create(distribution_list=members, email=email)
    return members


def _by_address(deliveries):
    return {d.to: d for d in deliveries}


def _set(delivery, result, attempted_at=None):
    EmailDelivery.objects.filter(pk=delivery.pk).update(result=result, attempted_at=attempted_at)


def _died_mid_smtp(delivery, at=None):
    _set(delivery, DeliveryResult.SENDING, at or stamp(2021, 3, 10))


# --- sending past the timeout ----------------------------------------------------------


def test_a_delivery_left_sending_past_the_timeout_becomes_unknown(
    done_run, members, clock, settings
):
    settings.PILOT_EMAIL_SENDING_TIMEOUT_MINUTES = 10
    delivery = mail_services.send_report(run=done_run, distribution_list=members)[0]
    _died_mid_smtp(delivery)
    clock.move_to(stamp(2021, 3, 10, 10, 9))
    assert mail_services.mark_unknown_deliveries() == 0

    clock.move_to(stamp(2021, 3, 10, 10, 11))
    assert mail_services.mark_unknown_deliveries() == 1

    delivery.refresh_from_db()
    assert (delivery.result, delivery.error) == (DeliveryResult.UNKNOWN, UNKNOWN)
    assert delivery.get_result_display() == "结果未知"


def test_the_sending_timeout_is_read_from_the_settings(done_run, members, clock, settings):
    settings.PILOT_EMAIL_SENDING_TIMEOUT_MINUTES = 60
    delivery = mail_services.send_report(run=done_run, distribution_list=members)[0]
    _died_mid_smtp(delivery)
    clock.move_to(stamp(2021, 3, 10, 10, 30))

    assert mail_services.mark_unknown_deliveries() == 0


def test_the_periodic_reaper_marks_stuck_deliveries_unknown(done_run, members, clock):
    delivery = mail_services.send_report(run=done_run, distribution_list=members)[0]
    _died_mid_smtp(delivery)
    clock.move_to(stamp(2021, 3, 10, 12))

    reap_stale_runs_task.apply()

    assert EmailDelivery.objects.get(pk=delivery.pk).result == DeliveryResult.UNKNOWN


def test_an_unknown_delivery_is_never_sent_again_by_a_redelivered_job(done_run, members):
    delivery = mail_services.send_report(run=done_run, distribution_list=members)[0]
    _set(delivery, DeliveryResult.UNKNOWN)

    mail_services.deliver_email(delivery_id=delivery.pk)

    assert mail.outbox == []
    assert EmailDelivery.objects.get(pk=delivery.pk).result == DeliveryResult.UNKNOWN


def test_giving_up_never_turns_an_unknown_outcome_into_failed(done_run, members):
    delivery = mail_services.send_report(run=done_run, distribution_list=members)[0]
    _set(delivery, DeliveryResult.UNKNOWN)

    mail_services.give_up_delivery(delivery_id=delivery.pk, error="451")

    assert EmailDelivery.objects.get(pk=delivery.pk).result == DeliveryResult.UNKNOWN


@pytest.fixture
def eager_celery():
    """Run queued jobs in-process even where REDIS_URL is set (CI's PostgreSQL run)."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


def test_a_retry_whose_message_was_lost_is_queued_again_then_given_up(
    done_run, members, clock, eager_celery
):
    first, second, third = mail_services.send_report(run=done_run, distribution_list=members)
    _set(third, DeliveryResult.SENT)
    _set(first, DeliveryResult.RETRYING, stamp(2021, 3, 10))
    _set(second, DeliveryResult.RETRYING, stamp(2021, 3, 10))
    EmailDelivery.objects.filter(pk=second.pk).update(attempts=6)
    clock.move_to(stamp(2021, 3, 10, 11, 30))

    assert mail_services.requeue_pending_deliveries(older_than=run_services.STALE_GRACE) == 2

    # Eager Celery: the requeued one was sent now; the one out of tries is failed.
    assert EmailDelivery.objects.get(pk=first.pk).result == DeliveryResult.SENT
    assert EmailDelivery.objects.get(pk=second.pk).result == DeliveryResult.FAILED


# --- resending --------------------------------------------------------------------------


def test_resending_an_unknown_delivery_records_a_new_one_and_links_the_old(
    done_run, members, personas
):
    old = mail_services.send_report(run=done_run, distribution_list=members)[0]
    _set(old, DeliveryResult.UNKNOWN)

    new = mail_services.resend_delivery(delivery=old, actor=personas.office)

    old.refresh_from_db()
    assert old.resent_as == new
    assert old.result == DeliveryResult.UNKNOWN  # kept on record as it was
    assert new.key == old.key + "/resend-1"
    assert (new.to, new.subject, new.run) == (old.to, old.subject, old.run)
    assert new.result == DeliveryResult.PENDING


def test_a_delivery_is_resent_once_and_a_sent_one_never(done_run, members, personas):
    old, sent = mail_services.send_report(run=done_run, distribution_list=members)[:2]
    _set(old, DeliveryResult.FAILED)
    _set(sent, DeliveryResult.SENT)
    mail_services.resend_delivery(delivery=old, actor=personas.office)

    for delivery in (old, sent):
        with pytest.raises(ValidationError, match="只有发送失败或结果未知"):
            mail_services.resend_delivery(delivery=delivery, actor=personas.office)
    assert EmailDelivery.objects.count() == 4


def test_a_member_cannot_resend(done_run, members, personas):
    old = mail_services.send_report(run=done_run, distribution_list=members)[0]
    _set(old, DeliveryResult.FAILED)

    with pytest.raises(PermissionDenied):
        mail_services.resend_delivery(delivery=old, actor=personas.member)
    assert not permissions.can_resend_delivery(personas.member, old)


def test_sending_to_the_list_again_resends_only_failed_and_unknown_deliveries(
    done_run, members, personas
):
    first = _by_address(mail_services.send_report(run=done_run, distribution_list=members))
    _set(first["leader1@gov.test"], DeliveryResult.FAILED)
    _set(first["leader2@gov.test"], DeliveryResult.UNKNOWN)
    _set(first["leader3@gov.test"], DeliveryResult.SENT)
    DistributionListMember.objects.create(distribution_list=members, email="new@gov.test")

    again = _by_address(mail_services.send_report(run=done_run, distribution_list=members))

    assert sorted(again) == ["leader1@gov.test", "leader2@gov.test", "new@gov.test"]
    assert again["leader1@gov.test"].key.endswith("/leader1@gov.test/resend-1")
    assert again["new@gov.test"].key.endswith("/new@gov.test")
    # A third send while the resends are pending records nothing more.
    assert mail_services.send_report(run=done_run, distribution_list=members) == []
    # After the resend fails too, the next send makes resend number 2.
    _set(again["leader1@gov.test"], DeliveryResult.FAILED)
    [third] = mail_services.send_report(run=done_run, distribution_list=members)
    assert third.key.endswith("/leader1@gov.test/resend-2")


def test_the_run_page_offers_resend_for_unknown_deliveries_and_it_is_post_only(
    clients, done_run, members
):
    old = mail_services.send_report(run=done_run, distribution_list=members)[0]
    _set(old, DeliveryResult.UNKNOWN)
    url = reverse("report-delivery-resend", args=[old.pk])
    page = clients.office.get(reverse("report-run", args=[done_run.pk])).content.decode()
    assert "结果未知" in page
    assert url in page
    assert url not in clients.member.get(reverse("report-run", args=[done_run.pk])).content.decode()

    assert clients.office.get(url).status_code == 405
    assert clients.member.post(url).status_code == 403
    response = clients.office.post(url)

    assert response.url == reverse("report-run", args=[done_run.pk])
    old.refresh_from_db()
    assert old.resent_as is not None
    page = clients.office.get(reverse("report-run", args=[done_run.pk])).content.decode()
    assert url not in page
    assert "已重新发送" in page


# --- the send page when Redis is down ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_sending_while_redis_is_down_says_nothing_was_queued_and_keeps_the_records(
    clients,
    done_run,
    members,
    broker_down,  # noqa: F811  (after done_run: built first)
):
    response = clients.office.post(
        reverse("report-run-send", args=[done_run.pk]),
        {"distribution_list": members.pk},
        follow=True,
    )

    page = response.content.decode()
    assert "已安排发送" not in page
    assert "3 封邮件未能加入发送队列" in page
    assert "发送记录已保存，不会丢失" in page
    rows = EmailDelivery.objects.filter(run=done_run)
    assert rows.count() == 3
    assert set(rows.values_list("result", flat=True)) == {DeliveryResult.PENDING}


@pytest.mark.django_db(transaction=True)
def test_sending_with_redis_up_says_the_mails_were_queued(clients, done_run, members):
    response = clients.office.post(
        reverse("report-run-send", args=[done_run.pk]),
        {"distribution_list": members.pk},
        follow=True,
    )

    assert "已安排发送 3 封邮件。" in response.content.decode()


def test_the_admin_resends_an_unknown_reminder_and_skips_a_sent_one(
    admin_client, done_run, members
):
    unknown, sent = mail_services.send_report(run=done_run, distribution_list=members)[:2]
    _set(unknown, DeliveryResult.UNKNOWN)
    _set(sent, DeliveryResult.SENT)

    response = admin_client.post(
        reverse("admin:reports_emaildelivery_changelist"),
        {"action": "resend", "_selected_action": [unknown.pk, sent.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "已重新发送 1 封邮件。另有 1 封不是发送失败或结果未知的邮件，未重新发送。" in page
    assert EmailDelivery.objects.get(pk=unknown.pk).resent_as is not None
    assert EmailDelivery.objects.get(pk=sent.pk).resent_as is None
