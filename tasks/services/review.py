"""The office's review of lead units' updates, and the task state that follows from it.

Task status rule (documented in the README): for each lead unit take its latest accepted
update; the task is 受阻 if any lead reports 受阻, else 进度滞后 if any reports 进度滞后,
else 已完成 if every lead unit reports 已完成, else 未启动 if all report 未启动, else
正常推进. The percent is the mean of the leads' percents, rounded down. A lead unit with no
accepted update yet counts as 未启动 at 0 %.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pilot import clock, permissions
from reports.figures import mark_trend_stale
from tasks.models import (
    AssignmentRole,
    AuditVerb,
    ProgressUpdate,
    ReturnReason,
    Review,
    ReviewAction,
    Task,
    TaskStatus,
    UpdateState,
)
from tasks.services.audit import record_event


@transaction.atomic
def accept_update(*, update: ProgressUpdate, actor) -> ProgressUpdate:
    """Accept a lead unit's submitted update and refresh the task's status."""
    if not permissions.can_review_update(actor, update):
        raise PermissionDenied(_("该报送当前不能审核。"))
    _claim(update, actor, UpdateState.ACCEPTED)
    Review.objects.create(
        update=update,
        action=ReviewAction.ACCEPT,
        revision=update.revisions.order_by("-number").first(),
        department_id=update.department_id,
        created_at=update.reviewed_at,
        created_by=actor,
    )
    record_event(task=update.task, update=update, verb=AuditVerb.ACCEPTED, actor=actor)
    refresh_task_status(task=update.task)
    return update


@transaction.atomic
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
    return update


def _claim(update: ProgressUpdate, actor, new_state: str, returned: bool = False) -> None:
    # A conditional UPDATE: of two reviewers pressing at once, only one wins.
    now = clock.now()
    values = {"state": new_state, "reviewed_at": now, "reviewed_by": actor}
    if returned:
        values["return_count"] = update.return_count + 1
    claimed = ProgressUpdate.objects.filter(pk=update.pk, state=UpdateState.SUBMITTED).update(
        **values
    )
    if claimed != 1:
        raise ValidationError(_("该报送已被他人审核，请刷新页面。"), code="stale")
    update.refresh_from_db()


def bulk_accept(*, updates, actor) -> int:
    """Accept every reviewable update in ``updates``; return how many were accepted."""
    accepted = 0
    for update in updates:
        if permissions.can_review_update(actor, update):
            accept_update(update=update, actor=actor)
            accepted += 1
    return accepted


@transaction.atomic
def confirm_completion(*, task: Task, actor) -> Task:
    """Record the office's confirmation (办结确认) that a completed task is done."""
    if not permissions.can_confirm_completion(actor, task):
        raise PermissionDenied(_("只有牵头单位报告“已完成”并经采纳的任务才能办结确认。"))
    now = clock.now()
    claimed = Task.objects.filter(pk=task.pk, completion_confirmed_at__isnull=True).update(
        completion_confirmed_at=now, completion_confirmed_by=actor
    )
    if claimed != 1:
        raise ValidationError(_("该任务已办结确认。"))
    task.refresh_from_db()
    record_event(task=task, verb=AuditVerb.COMPLETION_CONFIRMED, actor=actor)
    return task


def refresh_task_status(*, task: Task) -> Task:
    """Derive the task's status, percent and coordination flag from accepted lead updates."""
    leads = set(
        task.assignments.filter(role=AssignmentRole.LEAD).values_list("department_id", flat=True)
    )
    latest = {}
    accepted = task.updates.filter(role=AssignmentRole.LEAD, state=UpdateState.ACCEPTED).order_by(
        "-period__starts_on"
    )
    for update in accepted:
        latest.setdefault(update.department_id, update)
    reports = [latest.get(department) for department in leads]
    statuses = [report.status if report else TaskStatus.NOT_STARTED for report in reports]
    percents = [report.percent if report else 0 for report in reports]
    task.status = combine_statuses(statuses)
    task.percent = sum(percents) // len(percents) if percents else 0
    task.needs_coordination = any(report and report.needs_coordination for report in reports)
    periods = [report.period for report in reports if report]
    task.status_period = max(periods, key=lambda period: period.starts_on) if periods else None
    task.save(update_fields=["status", "percent", "needs_coordination", "status_period"])
    mark_trend_stale(period_ids={update.period_id for update in accepted})
    return task


def combine_statuses(statuses: list[str]) -> str:
    """Combine several lead units' statuses into the task's (see the module docstring)."""
    if not statuses:
        return TaskStatus.NOT_STARTED
    if TaskStatus.BLOCKED in statuses:
        return TaskStatus.BLOCKED
    if TaskStatus.BEHIND in statuses:
        return TaskStatus.BEHIND
    if all(status == TaskStatus.COMPLETED for status in statuses):
        return TaskStatus.COMPLETED
    if all(status == TaskStatus.NOT_STARTED for status in statuses):
        return TaskStatus.NOT_STARTED
    return TaskStatus.ON_TRACK
