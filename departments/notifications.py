"""In-app notifications (通知): written when an update is returned or accepted and when a
report run ends; read on the notification page, the unread count shown in the menu.

The services that own those events call the ``notify_*`` functions here inside their own
transaction, so a notification exists exactly when its event does. This module imports no
other app: ``tasks`` and ``reports`` both depend on ``departments``, never the reverse.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from departments import webhooks
from departments.models import Notification, NotificationVerb, Role
from pilot import clock

TEXT_LIMIT = 500


def _notify(*, recipients, verb: str, text: str, link: str) -> list[Notification]:
    now = clock.now()
    rows = [
        Notification(recipient=user, verb=verb, text=text[:TEXT_LIMIT], link=link, created_at=now)
        for user in recipients
    ]
    return Notification.objects.bulk_create(rows)


def _unit_reporters(department_id: int):
    return get_user_model().objects.filter(
        is_active=True, profile__role=Role.REPORTER, profile__department_id=department_id
    )


def _office_staff():
    office = Q(profile__role__in=[Role.OFFICE, Role.ADMIN]) | Q(is_superuser=True)
    return get_user_model().objects.filter(office, is_active=True).distinct()


def notify_update_returned(*, update, reasons: str) -> list[Notification]:
    """Tell the unit's reporters that its update was returned, and why."""
    text = _("%(task)s（%(period)s）的报送被退回：%(reasons)s") % {
        "task": update.task,
        "period": update.period.label,
        "reasons": reasons,
    }
    link = reverse("update-form", args=[update.task_id, update.period_id])
    webhooks.queue_push(department_id=update.department_id, text=text)
    return _notify(
        recipients=_unit_reporters(update.department_id),
        verb=NotificationVerb.RETURNED,
        text=text,
        link=link,
    )


def notify_update_accepted(*, update) -> list[Notification]:
    """Tell the unit's reporters that the office accepted its update."""
    text = _("%(task)s（%(period)s）的报送已采纳。") % {
        "task": update.task,
        "period": update.period.label,
    }
    webhooks.queue_push(department_id=update.department_id, text=text)
    return _notify(
        recipients=_unit_reporters(update.department_id),
        verb=NotificationVerb.ACCEPTED,
        text=text,
        link=reverse("task-detail", args=[update.task_id]),
    )


def notify_run_finished(*, run) -> list[Notification]:
    """Tell the office that a report run is done or has failed."""
    failed = run.state == "failed"  # reports.models.RunState.FAILED (no import of reports)
    if failed:
        template = _("%(report)s（%(scope)s）生成失败。")
    else:
        template = _("%(report)s（%(scope)s）已生成。")
    text = template % {"report": run.get_kind_display(), "scope": run.scope}
    webhooks.queue_push(department_id=run.department_id, text=text)  # a unit's own report
    return _notify(
        recipients=_office_staff(),
        verb=NotificationVerb.REPORT_FAILED if failed else NotificationVerb.REPORT_DONE,
        text=text,
        link=reverse("report-run", args=[run.pk]),
    )


@transaction.atomic
def mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark one of ``user``'s notifications read, or all of them; return how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=clock.now())
