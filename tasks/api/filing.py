"""Opening an update through the API: one request starts the draft and saves its fields."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pilot import permissions
from tasks.models import ProgressUpdate, ReportingPeriod, Task
from tasks.services import reporting


@transaction.atomic
def create_update(*, task: Task, period: ReportingPeriod, actor, data: dict) -> ProgressUpdate:
    """Start the actor's department's update and save ``data`` into it, all or nothing.

    The department's existing update for the task and period is never overwritten here:
    edits go through PATCH with the version the client read.
    """
    department = permissions.reporter_department(actor)
    existing = ProgressUpdate.objects.filter(task=task, period=period, department=department)
    if existing.exists():
        raise ValidationError(
            {
                "task": _("本单位已有该任务本期的报送（编号 %(id)s），请修改该报送。")
                % {"id": existing.get().pk}
            }
        )
    try:
        update = reporting.start_update(task=task, period=period, actor=actor)
    except PermissionDenied as refused:
        raise ValidationError({"task": str(refused)}) from refused
    if not data:
        return update
    merged = merged_fields(update, data)
    return reporting.save_update(
        update=update, actor=actor, data=merged, expected_version=update.version
    )


def merged_fields(update: ProgressUpdate, data: dict) -> dict:
    """Return the update's editable fields with ``data`` laid over them."""
    return {field: getattr(update, field) for field in reporting.EDITABLE_FIELDS} | data
