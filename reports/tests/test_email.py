"""E-mail: report mails with both files, retries on SMTP refusal, never a second copy."""

import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.exceptions import ValidationError

from pilot.celery import app as celery_app
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
from reports.tasks import email_backoff, send_email_task

pytestmark = pytest.mark.django_db


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
    for email in ("leader1@gov.test", "leader2@gov.test"):
        DistributionListMember.objects.create(distribution_list=members, email=email)
    return members


def _deliveries(run, members):
    return mail_services.send_report(run=run, distribution_list=members)


def test_sending_a_report_records_one_delivery_per_member(done_run, members):
    deliveries = _deliveries(done_run, members)

    assert sorted(d.to for d in deliveries) == ["leader1@gov.test", "leader2@gov.test"]
    assert all(d.result == DeliveryResult.PENDING for d in deliveries)


def test_sending_the_same_report_to_the_same_list_twice_records_it_once(done_run, members):
    _deliveries(done_run, members)

    assert _deliveries(done_run, members) == []
    assert EmailDelivery.objects.count() == 2


def test_a_report_mail_has_html_and_text_bodies_and_both_files(done_run, members):
    delivery = _deliveries(done_run, members)[0]

    mail_services.deliver_email(delivery_id=delivery.pk)

    [message] = mail.outbox
    assert message.to == [delivery.to]
    assert "按期报送率：50.0%" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "50.0%" in html
    assert sorted(name for name, _content, _type in message.attachments) == [
        "2021年2月工作月报.docx",
        "2021年2月工作月报.xlsx",
    ]
    delivery.refresh_from_db()
    assert (delivery.result, delivery.attempts) == (DeliveryResult.SENT, 1)
    assert delivery.message_id == message.extra_headers["Message-ID"]


def test_delivering_a_sent_mail_again_sends_nothing(done_run, members):
    delivery = _deliveries(done_run, members)[0]
    mail_services.deliver_email(delivery_id=delivery.pk)

    mail_services.deliver_email(delivery_id=delivery.pk)

    assert len(mail.outbox) == 1


def test_a_report_cannot_be_sent_before_it_is_done(plan, personas, clock, members):
    period = build_february(plan)
    run = run_services.request_report(
        kind=ReportKind.MONTHLY, programme=plan.programme, period=period, actor=personas.office
    )

    with pytest.raises(ValidationError):
        mail_services.send_report(run=run, distribution_list=members)


def test_retries_back_off_exponentially_up_to_half_an_hour():
    assert [email_backoff(n) for n in range(7)] == [30, 60, 120, 240, 480, 960, 1800]


# --- a real SMTP server on the loopback ----------------------------------------------


class RefusingOnce:
    """An SMTP handler that refuses the first message (451) and accepts the rest."""

    def __init__(self, refusals: int = 1):
        self.refusals = refusals
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 Try again later"
        self.received.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    def start(handler):
        port = _free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        return handler

    started = []
    # Task.apply() runs retries in-process; an eager Retry must not propagate to the test.
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield start
    celery_app.conf.task_eager_propagates = propagates
    for controller in started:
        controller.stop()


def test_an_smtp_refusal_is_retried_and_exactly_one_mail_arrives(done_run, members, smtp_server):
    handler = smtp_server(RefusingOnce())
    delivery = _deliveries(done_run, members)[0]

    send_email_task.apply(args=[delivery.pk])

    assert len(handler.received) == 1
    assert handler.received[0].rcpt_tos == [delivery.to]
    delivery.refresh_from_db()
    assert (delivery.result, delivery.attempts) == (DeliveryResult.SENT, 2)


def test_a_retry_after_a_successful_send_does_not_send_again(done_run, members, smtp_server):
    handler = smtp_server(RefusingOnce(refusals=0))
    delivery = _deliveries(done_run, members)[0]
    send_email_task.apply(args=[delivery.pk])

    send_email_task.apply(args=[delivery.pk])

    assert len(handler.received) == 1


def test_a_mail_refused_every_time_is_given_up_as_failed(done_run, members, smtp_server):
    handler = smtp_server(RefusingOnce(refusals=100))
    delivery = _deliveries(done_run, members)[0]

    send_email_task.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert delivery.result == DeliveryResult.FAILED
    assert delivery.attempts == 6  # the first try and five retries
    assert "451" in delivery.error
    assert handler.received == []
