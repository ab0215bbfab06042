"""The one task status rule, as of any period.

A task's status and percent as of period P come from the lead updates of periods up to P
that the office had ACCEPTED by P's cut-off, and from a completion confirmation (办结确认)
made by then:

- **Cut-off** of P: the end of P's due date (local time), or now if that is later than now
  (a report generated before the due date is an interim one, 中期/未截止).
- **Lead units**: the task's lead assignments whose department is concrete. A collective
  (各市县, 有关部门 ...) never reports, so it is never a lead for the rule; a body the office
  named for a collective (``Assignment.on_behalf_of``) is an ordinary concrete lead. A task
  whose leads are all collectives, with no body named, keeps the status the office set on
  the row.
- For each lead unit take its latest (by period) accepted update in effect; the task is
  受阻 if any lead reports 受阻, else 进度滞后 if any reports 进度滞后, else 已完成 if every
  lead reports 已完成, else 未启动 if all report 未启动, else 正常推进. The percent is the
  mean of the leads' percents, rounded down; a lead with no accepted update counts as 未启动
  at 0 %. Needs coordination: any lead's update in effect asks for it.
- A task confirmed complete by the cut-off is 已完成 at 100 %, whatever the updates say.

An accepted update takes effect at the first period whose start is not before its own
period's start and whose cut-off is not before its acceptance: an update accepted after its
own period's due date counts from a later period on, so a past period's figures never
change. ``walk_statuses`` applies that period by period in one pass (four queries for a
programme's whole history); ``states_as_of`` is its last step, and the task row
(``tasks.services.review.refresh_task_status``) uses ``combine`` on the same inputs.
The rule itself (``combine``, ``lead_units``) and the cut-off (``cutoff``) live in
``tasks/status_rule.py`` and ``tasks/periods.py``, beneath both.
"""

import bisect
import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q

from departments.models import DepartmentKind
from pilot import clock
from tasks.models import (
    AssignmentRole,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    Task,
    UpdateState,
)
from tasks.periods import cutoff
from tasks.status_rule import Report, TaskState, combine, lead_spans


@dataclass
class _TaskInputs:
    leads: list
    fallback: TaskState
    confirmed_at: datetime.datetime | None
    reports: dict
    since: datetime.date | None = None  # the task's validity: period starts (None: open)
    until: datetime.date | None = None

    def in_force(self, start: datetime.date) -> bool:
        return (self.since is None or self.since <= start) and (
            self.until is None or self.until > start
        )


def walk_statuses(
    *, programme: Programme, periods: list[ReportingPeriod], now=None, only_last: bool = False
) -> Iterator[tuple[ReportingPeriod, dict[int, TaskState]]]:
    """Yield (period, {task id: TaskState as of that period}) for ``periods`` (in order;
    ``only_last``: for the last one only, which spares combining at every step). The dict
    holds the tasks in force in the period (a task retired, merged or split off counts in
    the periods it was in force in).

    The dict may be the same object each time, updated in place: read it before the next
    step. Four queries whatever the length of the history.
    """
    now = now or clock.now()
    periods = sorted(periods, key=lambda period: period.starts_on)
    cutoffs = [cutoff(period, now=now) for period in periods]
    # Cut-offs only grow along the periods (later periods are due later), which the search
    # below needs; an office that moved a due date earlier than the previous one's is clamped.
    for index in range(1, len(cutoffs)):
        cutoffs[index] = max(cutoffs[index], cutoffs[index - 1])
    # Searched as POSIX timestamps: comparing aware datetimes of two time zones (the
    # database's UTC, the portal's Asia/Shanghai) asks both for their offsets every time.
    stamps = [moment.timestamp() for moment in cutoffs]
    index_of = {period.pk: index for index, period in enumerate(periods)}
    # Every task that ever was in the plan: the readers of a period keep those in force in
    # it (``tasks.plan_asof.task_in_force_q``).
    tasks = Task.all_periods.filter(programme=programme)
    spans = lead_spans(tasks=tasks)
    # The leads of each period are those in force in it (a lead change or a merge from a
    # later period leaves the earlier ones as they were); tasks whose leads never changed
    # keep one list throughout.
    first_start = periods[0].starts_on if periods else None
    leads = {task_id: _leads_at(task_spans, first_start) for task_id, task_spans in spans.items()}
    changing = {
        task_id
        for task_id, task_spans in spans.items()
        if any(span.since is not None or span.until is not None for span in task_spans)
    }
    ever = {
        task_id: {span.department_id for span in task_spans}
        for task_id, task_spans in spans.items()
    }
    inputs = _task_inputs(tasks, leads)
    bounded = {
        task_id for task_id, task in inputs.items() if task.since or task.until
    }  # tasks retired, merged or split off while the plan ran
    effects: list[list] = [[] for _period in periods]
    for update in _accepted(period_ids=list(index_of)):
        task_id, department_id, period_id, reviewed_at = update[:4]
        task = inputs.get(task_id)
        if task is None or department_id not in ever.get(task_id, ()):
            continue
        first = index_of[period_id]
        # An accepted update without a review time (older data) counts from its own period.
        at = bisect.bisect_left(stamps, reviewed_at.timestamp(), lo=first) if reviewed_at else first
        if at < len(periods):
            effects[at].append(update)
    confirmations: list[list] = [[] for _period in periods]
    for task_id, task in inputs.items():
        if task.confirmed_at is not None:
            at = bisect.bisect_left(stamps, task.confirmed_at.timestamp())
            if at < len(periods):
                confirmations[at].append(task_id)
    confirmed: set[int] = set()
    states = {
        task_id: combine(leads=task.leads, reports={}, confirmed=False, fallback=task.fallback)
        for task_id, task in inputs.items()
    }
    changed: set[int] = set()
    for index, period in enumerate(periods):
        for task_id in changing:
            now_leads = _leads_at(spans[task_id], period.starts_on)
            if task_id in inputs and now_leads != inputs[task_id].leads:
                inputs[task_id].leads = now_leads
                changed.add(task_id)
        changed.update(confirmations[index])
        confirmed.update(confirmations[index])
        for task_id, department_id, period_id, _at, status, percent, coordination in effects[index]:
            start = periods[index_of[period_id]].starts_on
            reports = inputs[task_id].reports
            held = reports.get(department_id)
            if held is None or held.period_start <= start:
                reports[department_id] = Report(status, percent, coordination, period_id, start)
                changed.add(task_id)
        if only_last and index < len(periods) - 1:
            continue
        for task_id in changed:
            task = inputs[task_id]
            states[task_id] = combine(
                leads=task.leads,
                reports=task.reports,
                confirmed=task_id in confirmed,
                fallback=task.fallback,
            )
        changed.clear()
        if bounded:
            start = period.starts_on
            yield (
                period,
                {
                    task_id: state
                    for task_id, state in states.items()
                    if task_id not in bounded or inputs[task_id].in_force(start)
                },
            )
        else:
            yield period, states


def _leads_at(spans, start) -> list[int]:
    if start is None:
        return [span.department_id for span in spans if span.until is None]
    return [span.department_id for span in spans if span.in_force(start)]


def _task_inputs(tasks, leads) -> dict[int, _TaskInputs]:
    rows = tasks.order_by().values_list(
        "pk",
        "status",
        "percent",
        "needs_coordination",
        "completion_confirmed_at",
        "valid_from__starts_on",
        "valid_until__starts_on",
    )
    return {
        pk: _TaskInputs(
            leads.get(pk, []),
            TaskState(status, percent, coordination, False),
            at,
            {},
            since,
            until,
        )
        for pk, status, percent, coordination, at, since, until in rows
    }


def _accepted(*, period_ids: list[int]):
    # Filtering on the period ids lets the database use the (period, state) index.
    return (
        ProgressUpdate.objects.filter(
            period_id__in=period_ids, role=AssignmentRole.LEAD, state=UpdateState.ACCEPTED
        )
        .order_by()
        .values_list(
            "task_id",
            "department_id",
            "period_id",
            "reviewed_at",
            "status",
            "percent",
            "needs_coordination",
        )
        .iterator(chunk_size=5000)
    )


def states_as_of(
    *, programme: Programme, period: ReportingPeriod, now=None
) -> dict[int, TaskState]:
    """Return {task id: TaskState} of every task of ``programme`` as of ``period`` (every
    task the plan ever had: keep those in force in ``period`` with ``task_in_force_q``)."""
    periods = list(
        ReportingPeriod.objects.filter(programme=programme, starts_on__lte=period.starts_on)
    )
    states: dict[int, TaskState] = {}
    for _period, current in walk_statuses(
        programme=programme, periods=periods, now=now, only_last=True
    ):
        states = current
    return dict(states)


def period_accepted_q(period: ReportingPeriod, *, now=None) -> Q:
    """Return the ProgressUpdate filter of ``period``'s lead updates accepted by its cut-off
    (what a report on ``period`` may quote; concrete leads only, as the rule counts them)."""
    accepted_by = Q(reviewed_at__lte=cutoff(period, now=now)) | Q(reviewed_at__isnull=True)
    return (
        Q(period=period, role=AssignmentRole.LEAD, state=UpdateState.ACCEPTED)
        & accepted_by
        & ~Q(department__kind=DepartmentKind.COLLECTIVE)
    )
