"""Opening an update in one call (the API's ``POST /updates/``): start the draft and save
its fields, all or nothing."""

from django.core.exceptions import ValidationError
from django.db import transaction

from pilot import permissions
from tasks.models import ProgressUpdate, ReportingPeriod, Task
from tasks.services import reporting


@transaction.atomic
def create_update(*, task: Task, period: ReportingPeriod, actor, data: dict) -> ProgressUpdate:
    """Create the actor's department's update and save ``data`` into it, all or nothing.

    The department's existing update for the task and period is never overwritten here,
    not even by a client racing another one: ``reporting.UpdateExistsError`` names the
    existing update and its version, and edits go through PATCH with that version.
    """
    refusal = permissions.filing_refusal(actor, task, period)
    if refusal:
        field = "task" if permissions.period_accepts_filing(period) else "period"
        raise ValidationError({field: refusal})
    update = reporting.create_draft(task=task, period=period, actor=actor)
    if not data:
        return update
    merged = merged_fields(update, data)
    return reporting.save_update(
        update=update, actor=actor, data=merged, expected_version=update.version
    )


def merged_fields(update: ProgressUpdate, data: dict) -> dict:
    """Return the update's editable fields with ``data`` laid over them."""
    return {field: getattr(update, field) for field in reporting.EDITABLE_FIELDS} | data
