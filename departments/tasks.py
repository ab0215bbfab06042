"""Celery wrappers around ``departments.webhooks``: an id in, a service call, retries."""

from celery import shared_task

from departments import webhooks

WEBHOOK_MAX_RETRIES = 3
WEBHOOK_BACKOFF_SECONDS = 10


def webhook_backoff(retries: int) -> int:
    """Seconds before retry number ``retries + 1``: 10 s, 20 s, 40 s."""
    return WEBHOOK_BACKOFF_SECONDS * 2**retries


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=WEBHOOK_MAX_RETRIES,
    time_limit=60,
    soft_time_limit=50,
)
def push_webhook_task(self, push_id: int) -> str | None:
    try:
        push = webhooks.send_push(push_id=push_id)
    except webhooks.TransientWebhookError as exc:
        if self.request.retries >= self.max_retries:
            webhooks.give_up_push(push_id=push_id, error=str(exc))
            return "failed"
        raise self.retry(exc=exc, countdown=webhook_backoff(self.request.retries)) from exc
    return push.result if push else None
