"""Celery wrappers around ``reports.services``: JSON ids in, a service call, retry bookkeeping.

Every task acknowledges late, so a worker killed mid-job leaves the message to be delivered
again; the services' conditional UPDATEs make a second delivery harmless.
"""

from celery import shared_task

from pilot import clock
from reports.services import mail as mail_services
from reports.services import runs as run_services
from reports.services import schedule as schedule_services
from reports.services import slips as slip_services

EMAIL_MAX_RETRIES = 5
EMAIL_BACKOFF_SECONDS = 30
EMAIL_BACKOFF_MAX_SECONDS = 1800


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=run_services.COMPILE_TIME_LIMIT,
    soft_time_limit=run_services.COMPILE_SOFT_TIME_LIMIT,
)
def compile_report_task(run_id: int) -> str | None:
    run = run_services.compile_report(run_id=run_id)
    return run.state if run else None


def email_backoff(retries: int) -> int:
    """Seconds to wait before retry number ``retries + 1``: 30 s, 60 s, 120 s … at most 30 min."""
    return min(EMAIL_BACKOFF_SECONDS * 2**retries, EMAIL_BACKOFF_MAX_SECONDS)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=EMAIL_MAX_RETRIES,
    time_limit=120,
    soft_time_limit=100,
)
def send_email_task(self, delivery_id: int) -> str | None:
    try:
        delivery = mail_services.deliver_email(delivery_id=delivery_id)
    except mail_services.TransientEmailError as exc:
        if self.request.retries >= self.max_retries:
            mail_services.give_up_delivery(delivery_id=delivery_id, error=str(exc))
            return "failed"
        raise self.retry(exc=exc, countdown=email_backoff(self.request.retries)) from exc
    return delivery.result if delivery else None


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def reap_stale_runs_task() -> int:
    reaped = run_services.reap_stale_runs()
    mail_services.mark_unknown_deliveries()
    mail_services.requeue_pending_deliveries(older_than=run_services.STALE_GRACE * 5)
    return reaped


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def run_daily_schedule_task() -> dict:
    return schedule_services.run_daily_schedule(on_date=clock.today())


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def run_slip_schedule_task() -> dict:
    """Daily: escalate unanswered supervision slips, then issue those the rules call for."""
    return slip_services.run_slip_schedule(on_date=clock.today())
