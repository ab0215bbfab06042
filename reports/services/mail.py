"""E-mails: recorded as rows first, then sent at most once.

Each message is an ``EmailDelivery`` row with a unique ``key``; a delivery is claimed before
the SMTP conversation and marked sent after it, so a retried or repeated job never sends the
same message twice. Every delivery ends: one left "sending" past
``PILOT_EMAIL_SENDING_TIMEOUT_MINUTES`` (the worker died mid-SMTP) becomes "unknown" and is
never retried by itself (it may have arrived); the office resends failed and unknown ones,
which records a new delivery (``key`` + ``/resend-N``) and links the old one to it.
"""

import datetime
import logging
import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from pilot import clock, permissions
from pilot.jobs import job
from reports import selectors
from reports.exports.slip import build_slip_document, slip_file_name
from reports.models import (
    RESENDABLE_RESULTS,
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
RESEND_MARK = "/resend-"
# A delivery waiting for a retry this long lost its retry message (the longest backoff is
# 30 minutes); at most this many tries in all (the first and reports.tasks.EMAIL_MAX_RETRIES).
RETRY_LOST_AFTER = datetime.timedelta(hours=1)
MAX_ATTEMPTS = 6

NOT_QUEUED_MESSAGE = _("后台任务服务（Redis）暂时不可用，邮件尚未加入发送队列。")
UNKNOWN_MESSAGE = _("发送过程中后台进程中断，无法确认邮件是否已送达。")
NOT_RESENDABLE_MESSAGE = _("只有发送失败或结果未知、且尚未重新发送的邮件可以重新发送。")


def sending_timeout() -> datetime.timedelta:
    """How long an SMTP conversation may take before its outcome counts as unknown."""
    minutes = getattr(settings, "PILOT_EMAIL_SENDING_TIMEOUT_MINUTES", 10)
    return datetime.timedelta(minutes=minutes)


class TransientEmailError(Exception):
    """Sending failed in a way worth retrying (SMTP refusal, network)."""


def create_delivery(*, key: str, **values) -> EmailDelivery | None:
    """Record a message to send once; return None when ``key`` was already recorded."""
    delivery, created = EmailDelivery.objects.get_or_create(
        key=key, defaults={**values, "created_at": clock.now()}
    )
    if not created:
        return None
    transaction.on_commit(lambda: enqueue_delivery(delivery_id=delivery.pk))
    return delivery


def enqueue_delivery(*, delivery_id: int) -> bool:
    """Hand the delivery to the task queue; return False (and say so on the row) if down."""
    send_email_task = job("reports.tasks.send_email_task")
    try:
        send_email_task.apply_async(args=[delivery_id], retry=True, retry_policy={"max_retries": 2})
    except Exception as exc:
        if not is_broker_error(exc):
            raise
        # The row stays pending; the periodic reaper enqueues it again.
        logger.warning("E-mail %s not queued: %s", delivery_id, exc)
        EmailDelivery.objects.filter(pk=delivery_id, result=DeliveryResult.PENDING).update(
            error=str(NOT_QUEUED_MESSAGE)
        )
        return False
    return True


def count_not_queued(*, deliveries: list[EmailDelivery]) -> int:
    """How many of ``deliveries`` (just recorded) the task queue could not take."""
    return EmailDelivery.objects.filter(
        pk__in=[d.pk for d in deliveries],
        result=DeliveryResult.PENDING,
        error=str(NOT_QUEUED_MESSAGE),
    ).count()


def render_mail(template: str, context: dict) -> tuple[str, str]:
    text = render_to_string(f"reports/email/{template}.txt", context)
    html = render_to_string(f"reports/email/{template}.html", context)
    return text, html


def portal_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@transaction.atomic
def send_report(*, run: ReportRun, distribution_list: DistributionList) -> list[EmailDelivery]:
    """Record (and queue) one e-mail per recipient of the list, with the run's files.

    Sending to the same list again records e-mails only for new recipients and for those
    whose last delivery failed or has an unknown outcome (resent); the rest are left alone.
    """
    if run.state != RunState.DONE:
        raise ValidationError(_("报告尚未生成完成，不能发送。"))
    from django.urls import reverse

    kind = EmailKind.LATE_LIST if run.kind == ReportKind.LATE_LIST else EmailKind.REPORT
    subject = _("【%(kind)s】%(programme)s %(scope)s") % {
        "kind": run.get_kind_display(),
        "programme": run.programme,
        "scope": run.period or run.as_of.isoformat(),
    }
    if run.is_interim:
        subject += _("（中期/未截止）")
    context = {
        "run": run,
        "items": run.headline.get("items", []),
        "files": list(run.files.all()),
        "url": portal_url(reverse("report-run", args=[run.pk])),
    }
    text, html = render_mail("report", context)
    prefix = f"run-{run.pk}/list-{distribution_list.pk}/"
    latest = _latest_by_root(prefix)
    deliveries = []
    for email in selectors.recipients(distribution_list=distribution_list):
        previous = latest.get(prefix + email.lower())
        if previous is not None:
            if previous.result in RESENDABLE_RESULTS:
                deliveries.append(_resend(previous))
            continue
        delivery = create_delivery(
            key=prefix + email.lower(),
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


def _latest_by_root(prefix: str) -> dict[str, EmailDelivery]:
    """Map each root key under ``prefix`` to its delivery not yet resent (locked)."""
    rows = EmailDelivery.objects.select_for_update().filter(
        key__startswith=prefix, resent_as__isnull=True
    )
    return {row.key.split(RESEND_MARK)[0]: row for row in rows}


def _resend(old: EmailDelivery) -> EmailDelivery:
    """Record the same message again under the next resend key and link ``old`` to it."""
    root = old.key.split(RESEND_MARK)[0]
    number = EmailDelivery.objects.filter(key__startswith=root + RESEND_MARK).count() + 1
    new = create_delivery(
        key=f"{root}{RESEND_MARK}{number}",
        run_id=old.run_id,
        slip_id=old.slip_id,
        kind=old.kind,
        department_id=old.department_id,
        to=old.to,
        subject=old.subject,
        body_text=old.body_text,
        body_html=old.body_html,
    )
    if new is None:  # a concurrent resend recorded this number first
        new = EmailDelivery.objects.get(key=f"{root}{RESEND_MARK}{number}")
    EmailDelivery.objects.filter(pk=old.pk).update(resent_as=new)
    return new


@transaction.atomic
def resend_delivery(*, delivery: EmailDelivery, actor) -> EmailDelivery:
    """Send a failed or unknown delivery again as a new delivery; return the new one."""
    old = EmailDelivery.objects.select_for_update().get(pk=delivery.pk)
    if old.result not in RESENDABLE_RESULTS or old.resent_as_id is not None:
        raise ValidationError(NOT_RESENDABLE_MESSAGE)
    if not permissions.can_resend_delivery(actor, old):
        raise PermissionDenied(_("只有联席会议办公室可以重新发送邮件。"))
    new = _resend(old)
    logger.info("E-mail %s resent as %s by %s", old.pk, new.pk, actor.pk)
    return new


def deliver_email(*, delivery_id: int) -> EmailDelivery | None:
    """Send one recorded e-mail at most once; raise TransientEmailError to be retried."""
    claimed = EmailDelivery.objects.filter(
        pk=delivery_id, result__in=(DeliveryResult.PENDING, DeliveryResult.RETRYING)
    ).update(result=DeliveryResult.SENDING, attempts=F("attempts") + 1, attempted_at=clock.now())
    if claimed != 1:
        return EmailDelivery.objects.filter(pk=delivery_id).first()
    delivery = EmailDelivery.objects.select_related("run").get(pk=delivery_id)
    message = _message(delivery)
    try:
        message.send(fail_silently=False)
    except TRANSIENT_EMAIL_ERRORS as exc:
        # Only while still ours: a delivery marked unknown meanwhile is the office's to resend.
        waiting = EmailDelivery.objects.filter(pk=delivery_id, result=DeliveryResult.SENDING)
        if waiting.update(result=DeliveryResult.RETRYING, error=repr(exc)[:2000]) != 1:
            return EmailDelivery.objects.get(pk=delivery_id)
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
    if delivery.slip_id:
        slip = delivery.slip
        message.attach(
            slip_file_name(slip), build_slip_document(slip=slip), _content_type(FileKind.DOCX)
        )
    return message


def _content_type(kind: str) -> str:
    return {
        FileKind.XLSX: XLSX_CONTENT_TYPE,
        FileKind.DOCX: DOCX_CONTENT_TYPE,
    }[kind]


def give_up_delivery(*, delivery_id: int, error: str) -> None:
    # Never over a sent or unknown outcome: "failed" would claim it surely did not arrive.
    final = (DeliveryResult.SENT, DeliveryResult.UNKNOWN)
    EmailDelivery.objects.filter(pk=delivery_id).exclude(result__in=final).update(
        result=DeliveryResult.FAILED, error=error[:2000]
    )


def requeue_pending_deliveries(*, older_than: datetime.timedelta) -> int:
    """Queue again the deliveries never handed to the queue (broker was down) and those
    whose retry message was lost; give up on those out of tries (the office may resend)."""
    now = clock.now()
    pending = Q(result=DeliveryResult.PENDING, created_at__lt=now - older_than)
    lost_retry = Q(result=DeliveryResult.RETRYING, attempted_at__lt=now - RETRY_LOST_AFTER)
    rows = list(EmailDelivery.objects.filter(pending | lost_retry).values_list("pk", "attempts"))
    for delivery_id, attempts in rows:
        if attempts >= MAX_ATTEMPTS:
            give_up_delivery(delivery_id=delivery_id, error=_("多次重试仍未发送成功。"))
        else:
            enqueue_delivery(delivery_id=delivery_id)
    return len(rows)


def mark_unknown_deliveries() -> int:
    """Mark deliveries stuck "sending" past the timeout (worker died mid-SMTP) unknown."""
    before = clock.now() - sending_timeout()
    stuck = Q(attempted_at__lt=before) | Q(attempted_at__isnull=True, created_at__lt=before)
    changed = EmailDelivery.objects.filter(stuck, result=DeliveryResult.SENDING).update(
        result=DeliveryResult.UNKNOWN, error=str(UNKNOWN_MESSAGE)
    )
    if changed:
        logger.warning("%s e-mail deliveries stuck sending marked unknown", changed)
    return changed
