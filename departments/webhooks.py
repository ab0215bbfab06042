"""Push notifications to a department's 企业微信/钉钉 group robot (its ``webhook_url``).

Both robots take the same JSON body: ``{"msgtype": "text", "text": {"content": "..."}}``.
A push is recorded (``WebhookPush``) when its event happens and sent after the commit by
``departments.tasks.push_webhook_task``; transient failures are retried, the last one is
recorded on the row and logged.
"""

import json
import logging
import urllib.error
import urllib.request

from django.db import transaction

from departments.models import Department, WebhookPush, WebhookResult
from pilot import clock
from pilot.jobs import job

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5


class TransientWebhookError(Exception):
    """The robot did not answer, or answered with an error: worth trying again."""


def queue_push(*, department_id: int | None, text: str) -> WebhookPush | None:
    """Record a push to the department's robot and send it after commit (None: no robot)."""
    if department_id is None:
        return None
    department = Department.objects.filter(pk=department_id).exclude(webhook_url="").first()
    if department is None:
        return None
    push = WebhookPush.objects.create(
        department=department, text=text[:500], created_at=clock.now()
    )
    push_webhook_task = job("departments.tasks.push_webhook_task")
    transaction.on_commit(lambda: push_webhook_task.delay(push.pk))
    return push


def message_body(text: str) -> bytes:
    return json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()


def send_push(*, push_id: int) -> WebhookPush | None:
    """POST one pending push; raise ``TransientWebhookError`` for the caller to retry."""
    push = WebhookPush.objects.select_related("department").filter(pk=push_id).first()
    if push is None or push.result != WebhookResult.PENDING:
        return push
    WebhookPush.objects.filter(pk=push.pk).update(attempts=push.attempts + 1)
    request = urllib.request.Request(
        push.department.webhook_url,
        data=message_body(push.text),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            answer = response.read(2000)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise TransientWebhookError(str(exc)[:300]) from exc
    _check_answer(answer)
    WebhookPush.objects.filter(pk=push.pk).update(
        result=WebhookResult.SENT, sent_at=clock.now(), error=""
    )
    push.refresh_from_db()
    return push


def _check_answer(answer: bytes) -> None:
    # Both robots answer 200 with {"errcode": 0, ...}; a non-zero errcode is a refusal.
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0
    if errcode:
        raise TransientWebhookError(f"errcode {errcode}")


def give_up_push(*, push_id: int, error: str) -> None:
    """Record the final failure of a push and log it (the URL holds a key: not logged)."""
    WebhookPush.objects.filter(pk=push_id).update(result=WebhookResult.FAILED, error=error[:500])
    logger.warning("Webhook push %s failed after retries: %s", push_id, error)
