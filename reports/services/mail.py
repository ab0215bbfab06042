"""E-mails: recorded as rows first, then sent at most once.

Each message is an ``EmailDelivery`` row with a unique ``key``; a delivery is claimed before
the SMTP conversation and marked sent after it, so a retried or repeated job never sends the
same message twice.
"""

import datetime
import logging
import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from pilot import clock
from reports import selectors
from reports.models import (
    DeliveryResult,
    DistributionList,
    EmailDelivery,
    EmailKind,
    FileKind,
    ReportKind,
    ReportRun,
    RunState,
)
from reports.services.broker import is_broker_error
from tasks.exports import DOCX_CONTENT_TYPE, XLSX_CONTENT_TYPE

logger = logging.getLogger(__name__)

TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, OSError)


class TransientEmailError(Exception):
    """Sending failed in a way worth retrying (SMTP refusal, network)."""


def _create_delivery(*, key: str, **values) -> EmailDelivery | None:
    """Record a message to send once; return None when ``key`` was already recorded."""
    delivery, created = EmailDelivery.objects.get_or_create(
        key=key, defaults={**values, "created_at": clock.now()}
    )
    if not created:
        return None
    transaction.on_commit(lambda: enqueue_delivery(delivery_id=delivery.pk))
    return delivery


def enqueue_delivery(*, delivery_id: int) -> None:
    from reports.tasks import send_email_task

    try:
        send_email_task.apply_async(args=[delivery_id], retry=True, retry_policy={"max_retries": 2})
    except Exception as exc:
        if not is_broker_error(exc):
            raise
        # The row stays pending; the periodic reaper enqueues it again.
        logger.warning("E-mail %s not queued: %s", delivery_id, exc)


def _render(template: str, context: dict) -> tuple[str, str]:
    text = render_to_string(f"reports/email/{template}.txt", context)
    html = render_to_string(f"reports/email/{template}.html", context)
    return text, html


def _portal_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@transaction.atomic
def send_report(*, run: ReportRun, distribution_list: DistributionList) -> list[EmailDelivery]:
    """Record (and queue) one e-mail per recipient of the list, with the run's files."""
    if run.state != RunState.DONE:
        raise ValidationError(_("报告尚未生成完成，不能发送。"))
    from django.urls import reverse

    kind = EmailKind.LATE_LIST if run.kind == ReportKind.LATE_LIST else EmailKind.REPORT
    subject = _("【%(kind)s】%(programme)s %(scope)s") % {
        "kind": run.get_kind_display(),
        "programme": run.programme,
        "scope": run.period or run.as_of.isoformat(),
    }
    context = {
        "run": run,
        "items": run.headline.get("items", []),
        "files": list(run.files.all()),
        "url": _portal_url(reverse("report-run", args=[run.pk])),
    }
    text, html = _render("report", context)
    deliveries = []
    for email in selectors.recipients(distribution_list=distribution_list):
        delivery = _create_delivery(
            key=f"run-{run.pk}/list-{distribution_list.pk}/{email.lower()}",
            run=run,
            kind=kind,
            to=email,
            subject=subject[:200],
            body_text=text,
            body_html=html,
        )
        if delivery is not None:
            deliveries.append(delivery)
    return deliveries


def deliver_email(*, delivery_id: int) -> EmailDelivery | None:
    """Send one recorded e-mail at most once; raise TransientEmailError to be retried."""
    claimed = EmailDelivery.objects.filter(
        pk=delivery_id, result__in=(DeliveryResult.PENDING, DeliveryResult.RETRYING)
    ).update(result=DeliveryResult.SENDING, attempts=F("attempts") + 1)
    if claimed != 1:
        return EmailDelivery.objects.filter(pk=delivery_id).first()
    delivery = EmailDelivery.objects.select_related("run").get(pk=delivery_id)
    message = _message(delivery)
    try:
        message.send(fail_silently=False)
    except TRANSIENT_EMAIL_ERRORS as exc:
        EmailDelivery.objects.filter(pk=delivery_id).update(
            result=DeliveryResult.RETRYING, error=repr(exc)[:2000]
        )
        raise TransientEmailError(repr(exc)) from exc
    except Exception as exc:
        give_up_delivery(delivery_id=delivery_id, error=repr(exc))
        raise
    EmailDelivery.objects.filter(pk=delivery_id).update(
        result=DeliveryResult.SENT, sent_at=clock.now(), error=""
    )
    delivery.refresh_from_db()
    return delivery


def _message(delivery: EmailDelivery) -> EmailMultiAlternatives:
    message_id = delivery.message_id or make_msgid(domain="pilot-portal")
    EmailDelivery.objects.filter(pk=delivery.pk).update(message_id=message_id)
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.body_text,
        to=[delivery.to],
        headers={"Message-ID": message_id},
    )
    if delivery.body_html:
        message.attach_alternative(delivery.body_html, "text/html")
    if delivery.run_id:
        for item in delivery.run.files.all():
            with item.file.open("rb") as handle:
                message.attach(item.name, handle.read(), _content_type(item.kind))
    return message


def _content_type(kind: str) -> str:
    return {
        FileKind.XLSX: XLSX_CONTENT_TYPE,
        FileKind.DOCX: DOCX_CONTENT_TYPE,
    }[kind]


def give_up_delivery(*, delivery_id: int, error: str) -> None:
    EmailDelivery.objects.filter(pk=delivery_id).exclude(result=DeliveryResult.SENT).update(
        result=DeliveryResult.FAILED, error=error[:2000]
    )


def requeue_pending_deliveries(*, older_than: datetime.timedelta) -> int:
    """Queue again the deliveries never handed to the queue (broker was down)."""
    ids = list(
        EmailDelivery.objects.filter(
            result=DeliveryResult.PENDING, created_at__lt=clock.now() - older_than
        ).values_list("pk", flat=True)
    )
    for delivery_id in ids:
        enqueue_delivery(delivery_id=delivery_id)
    return len(ids)
