"""The task status rule: how the lead units' accepted updates combine into a task's status
and percent (documented in the README and in ``reports/figures/asof.py``, which applies it
as of any period). The task row (``tasks.services.review.refresh_task_status``) and every
figure use these functions.
"""

import datetime
from typing import NamedTuple

from departments.models import DepartmentKind
from tasks.models import Assignment, AssignmentRole, TaskStatus
from tasks.plan_asof import in_force_q


class Report(NamedTuple):
    """What one lead unit's accepted update says (the inputs of the rule)."""

    status: str
    percent: int
    needs_coordination: bool
    period_id: int
    period_start: datetime.date


class TaskState(NamedTuple):
    """A task's state as of a period: status, percent, needs_coordination, confirmed, and the
    latest period whose update it reflects (status_period_id, None when none)."""

    status: str
    percent: int
    needs_coordination: bool
    confirmed: bool
    status_period_id: int | None = None

    @property
    def completed(self) -> bool:
        return self.status == TaskStatus.COMPLETED


def combine(*, leads, reports: dict, confirmed: bool, fallback: TaskState) -> TaskState:
    """Apply the rule: ``leads`` are the concrete lead department ids, ``reports`` maps a
    department id to its Report in effect; ``fallback`` is the row's state (used when the
    task has no concrete lead)."""
    if confirmed:
        period = _latest_period(reports.values())
        return TaskState(TaskStatus.COMPLETED, 100, False, True, period)
    if not leads:
        return fallback
    if len(leads) == 1:  # most tasks: the same rule, without the lists
        report = reports.get(leads[0])
        if report is None:
            return TaskState(_NOT_STARTED, 0, False, False, None)
        status = combine_statuses([report.status])
        coordination = bool(report.needs_coordination)
        return TaskState(status, report.percent, coordination, False, report.period_id)
    found = [reports.get(department) for department in leads]
    statuses = [report.status if report else TaskStatus.NOT_STARTED for report in found]
    percents = [report.percent if report else 0 for report in found]
    return TaskState(
        status=combine_statuses(statuses),
        percent=sum(percents) // len(percents),
        needs_coordination=any(report and report.needs_coordination for report in found),
        confirmed=False,
        status_period_id=_latest_period(report for report in found if report),
    )


def _latest_period(reports) -> int | None:
    latest = max(reports, key=lambda report: report.period_start, default=None)
    return latest.period_id if latest else None


# The members, looked up once: the dashboards' walk combines thousands of times a page.
_BLOCKED, _BEHIND = TaskStatus.BLOCKED, TaskStatus.BEHIND
_COMPLETED, _NOT_STARTED, _ON_TRACK = (
    TaskStatus.COMPLETED,
    TaskStatus.NOT_STARTED,
    TaskStatus.ON_TRACK,
)


def combine_statuses(statuses: list[str]) -> str:
    """Combine several lead units' statuses into the task's (see the module docstring)."""
    if not statuses:
        return _NOT_STARTED
    if _BLOCKED in statuses:
        return _BLOCKED
    if _BEHIND in statuses:
        return _BEHIND
    distinct = set(statuses)
    if distinct == {_COMPLETED}:
        return _COMPLETED
    if distinct == {_NOT_STARTED}:
        return _NOT_STARTED
    return _ON_TRACK


def lead_units(*, tasks, period=None) -> dict[int, list[int]]:
    """Return {task id: [concrete lead department ids]} for a Task queryset (one query): the
    current leads, or those in force in ``period`` if given."""
    held = Assignment.objects.all()
    if period is not None:
        held = Assignment.all_periods.filter(in_force_q(period=period))
    rows = (
        held.filter(task__in=tasks, role=AssignmentRole.LEAD)
        .exclude(department__kind=DepartmentKind.COLLECTIVE)
        .order_by()
        .values_list("task_id", "department_id")
    )
    leads: dict[int, list[int]] = {}
    for task_id, department_id in rows:
        leads.setdefault(task_id, []).append(department_id)
    return leads


class LeadSpan(NamedTuple):
    """A concrete lead assignment and the period starts it holds between (None: open)."""

    department_id: int
    since: datetime.date | None
    until: datetime.date | None

    def in_force(self, start: datetime.date) -> bool:
        return (self.since is None or self.since <= start) and (
            self.until is None or self.until > start
        )


def lead_spans(*, tasks) -> dict[int, list[LeadSpan]]:
    """Return {task id: [LeadSpan]} of every lead assignment, current or ended (one query),
    for walking the rule over periods with the leads of each period."""
    rows = (
        Assignment.all_periods.filter(task__in=tasks, role=AssignmentRole.LEAD)
        .exclude(department__kind=DepartmentKind.COLLECTIVE)
        .order_by()
        .values_list("task_id", "department_id", "valid_from__starts_on", "valid_until__starts_on")
    )
    spans: dict[int, list[LeadSpan]] = {}
    for task_id, department_id, since, until in rows:
        spans.setdefault(task_id, []).append(LeadSpan(department_id, since, until))
    return spans


def row_state(task) -> TaskState:
    """Return the state stored on a task row (what the office set, for collective-led ones)."""
    return TaskState(task.status, task.percent, task.needs_coordination, False)
