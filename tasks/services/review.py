"""The office's review of lead units' updates, and the task state that follows from it.

The task status rule lives in ``tasks.status_rule`` (documented in the README): the task
row holds its result as of now, i.e. from the accepted lead updates of the periods that
have started, and the completion confirmation. It is recomputed under a row lock on the
task, so two lead units' updates accepted at the same moment both count.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from departments import notifications
from pilot import clock, permissions
from tasks import data_version
from tasks.models import (
    AssignmentRole,
    AuditVerb,
    ProgressUpdate,
    ReturnReason,
    Review,
    ReviewAction,
    Task,
    UpdateState,
)
from tasks.services.audit import record_event
from tasks.status_rule import Report, combine, lead_units, row_state


@transaction.atomic
@data_version.routine_write()
def accept_update(*, update: ProgressUpdate, actor, highlight: bool = False) -> ProgressUpdate:
    """Accept a lead unit's submitted update and refresh the task's status.

    ``highlight`` marks the update as a 亮点/典型做法 for the monthly report.
    """
    if not permissions.can_review_update(actor, update):
        raise PermissionDenied(_("该报送当前不能审核。"))
    _claim(update, actor, UpdateState.ACCEPTED, highlight=highlight)
    Review.objects.create(
        update=update,
        action=ReviewAction.ACCEPT,
        revision=update.revisions.order_by("-number").first(),
        department_id=update.department_id,
        created_at=update.reviewed_at,
        created_by=actor,
    )
    record_event(task=update.task, update=update, verb=AuditVerb.ACCEPTED, actor=actor)
    notifications.notify_update_accepted(update=update)
    refresh_task_status(task=update.task)
    _bump_last(update.task.programme_id)
    return update


@transaction.atomic
@data_version.routine_write()
def return_update(
    *, update: ProgressUpdate, actor, reasons: list[ReturnReason], comment: str
) -> ProgressUpdate:
    """Send a submitted update back with reasons: the office to a lead, a lead to a supporter."""
    allowed = permissions.can_review_update(actor, update) or permissions.can_return_input(
        actor, update
    )
    if not allowed:
        raise PermissionDenied(_("该报送当前不能退回。"))
    if not reasons and not comment.strip():
        raise ValidationError({"comment": _("退回时请选择退回原因或填写意见。")})
    _claim(update, actor, UpdateState.RETURNED, returned=True)
    review = Review.objects.create(
        update=update,
        action=ReviewAction.RETURN,
        comment=comment.strip(),
        revision=update.revisions.order_by("-number").first(),
        department_id=update.department_id,
        created_at=update.reviewed_at,
        created_by=actor,
    )
    review.reasons.set(reasons)
    detail = "；".join([reason.text for reason in reasons] + ([comment.strip()] if comment else []))
    record_event(
        task=update.task, update=update, verb=AuditVerb.RETURNED, actor=actor, detail=detail
    )
    notifications.notify_update_returned(update=update, reasons=detail)
    _bump_last(update.task.programme_id)
    return update


def _claim(
    update: ProgressUpdate, actor, new_state: str, returned: bool = False, highlight: bool = False
) -> None:
    # A conditional UPDATE: of two reviewers pressing at once, only one wins.
    now = clock.now()
    values = {"state": new_state, "reviewed_at": now, "reviewed_by": actor}
    values["is_highlight"] = bool(highlight) and new_state == UpdateState.ACCEPTED
    if returned:
        values["return_count"] = update.return_count + 1
    claimed = ProgressUpdate.objects.filter(pk=update.pk, state=UpdateState.SUBMITTED).update(
        **values
    )
    if claimed != 1:
        raise ValidationError(_("该报送已被他人审核，请刷新页面。"), code="stale")
    update.refresh_from_db()


def _bump_last(programme_id: int) -> None:
    # The data version's row is the last lock a review takes (after the update's and the
    # task's): two reviews in one programme then wait for each other, never deadlock.
    data_version.bump(programme_id=programme_id)


@dataclass
class BulkResult:
    """What a bulk accept did: the updates accepted, and those someone else had reviewed."""

    accepted: list = field(default_factory=list)
    taken: list = field(default_factory=list)


def bulk_accept(*, updates, actor) -> BulkResult:
    """Accept every reviewable update in ``updates``, each in its own transaction.

    An update another reviewer accepted or returned meanwhile is skipped and reported in
    ``taken``: the others are still accepted.
    """
    result = BulkResult()
    for update in updates:
        if not permissions.can_review_update(actor, update):
            result.taken.append(update)
            continue
        try:
            accept_update(update=update, actor=actor)
        except ValidationError as error:
            if getattr(error, "code", None) != "stale":
                raise
            result.taken.append(update)
        else:
            result.accepted.append(update)
    return result


@transaction.atomic
def confirm_completion(*, task: Task, actor) -> Task:
    """Record the office's confirmation (办结确认) that a completed task is done."""
    if not permissions.can_confirm_completion(actor, task):
        raise PermissionDenied(_("只有牵头单位报告“已完成”并经采纳的任务才能办结确认。"))
    now = clock.now()
    claimed = Task.all_periods.filter(pk=task.pk, completion_confirmed_at__isnull=True).update(
        completion_confirmed_at=now, completion_confirmed_by=actor
    )
    if claimed != 1:
        raise ValidationError(_("该任务已办结确认。"))
    task.refresh_from_db()
    record_event(task=task, verb=AuditVerb.COMPLETION_CONFIRMED, actor=actor)
    refresh_task_status(task=task)
    _bump_last(task.programme_id)
    return task


@transaction.atomic
def refresh_task_status(*, task: Task) -> Task:
    """Derive the task's status, percent and coordination flag as of now (see the module
    docstring), holding a lock on the task row while it reads the accepted updates."""
    # A retired task's row too: an update of a period it was in force in may be accepted late.
    locked = Task.all_periods.select_for_update().get(pk=task.pk)
    leads = lead_units(tasks=Task.all_periods.filter(pk=task.pk)).get(task.pk, [])
    accepted = (
        ProgressUpdate.objects.filter(
            task_id=task.pk,
            role=AssignmentRole.LEAD,
            state=UpdateState.ACCEPTED,
            period__starts_on__lte=clock.today(),
        )
        .order_by("period__starts_on")
        .values_list(
            "department_id",
            "status",
            "percent",
            "needs_coordination",
            "period_id",
            "period__starts_on",
        )
    )
    # Ordered by period: each lead unit's latest report is the last one kept.
    reports = {row[0]: Report(*row[1:]) for row in accepted}
    state = combine(
        leads=leads,
        reports=reports,
        confirmed=locked.completion_confirmed_at is not None,
        fallback=row_state(locked),
    )
    task.status, task.percent = state.status, state.percent
    task.needs_coordination = state.needs_coordination
    task.status_period_id = state.status_period_id
    task.save(update_fields=["status", "percent", "needs_coordination", "status_period"])
    return task
