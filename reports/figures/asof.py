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
programme's whole history); ``counts_and_states`` (the overview's trend) resumes the walk
from a cached snapshot of the closed periods when one is there; ``states_as_of`` is the
walk's last step, and the task row (``tasks.services.review.refresh_task_status``) uses
``combine`` on the same inputs.
The rule itself (``combine``, ``lead_units``) and the cut-off (``cutoff``) live in
``tasks/status_rule.py`` and ``tasks/periods.py``, beneath both.
"""

import bisect
import datetime
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q

from departments.models import DepartmentKind
from pilot import clock
from tasks import data_version
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
    walk = _Walk(programme=programme, periods=periods, now=now)
    walk.load_effects()
    yield from walk.steps(only_last=only_last)


class _Walk:
    """One walk of the rule over a programme's periods: the inputs read once (the tasks and
    their lead units at construction, the accepted updates by ``load_effects``), then
    ``steps`` applies them period by period, from the first period or from a snapshot
    (``resume``) of the reports in effect after a closed prefix of the periods."""

    def __init__(self, *, programme: Programme, periods: list[ReportingPeriod], now=None):
        now = now or clock.now()
        self.periods = periods = sorted(periods, key=lambda period: period.starts_on)
        cutoffs = [cutoff(period, now=now) for period in periods]
        # Cut-offs only grow along the periods (later periods are due later), which the
        # search below needs; an office that moved a due date earlier than the previous
        # one's is clamped.
        for index in range(1, len(cutoffs)):
            cutoffs[index] = max(cutoffs[index], cutoffs[index - 1])
        self.cutoffs = cutoffs
        # Searched as POSIX timestamps: comparing aware datetimes of two time zones (the
        # database's UTC, the portal's Asia/Shanghai) asks both for their offsets every time.
        self.stamps = stamps = [moment.timestamp() for moment in cutoffs]
        # The closed prefix: the periods whose cut-off has passed (their figures are final).
        self.closed = bisect.bisect_left(stamps, now.timestamp())
        self.index_of = {period.pk: index for index, period in enumerate(periods)}
        # Every task that ever was in the plan: the readers of a period keep those in force
        # in it (``tasks.plan_asof.task_in_force_q``).
        tasks = Task.all_periods.filter(programme=programme)
        self.spans = spans = lead_spans(tasks=tasks)
        # The leads of each period are those in force in it (a lead change or a merge from
        # a later period leaves the earlier ones as they were); tasks whose leads never
        # changed keep one list throughout.
        first_start = periods[0].starts_on if periods else None
        leads = {
            task_id: _leads_at(task_spans, first_start) for task_id, task_spans in spans.items()
        }
        self.changing = {
            task_id
            for task_id, task_spans in spans.items()
            if any(span.since is not None or span.until is not None for span in task_spans)
        }
        self.ever = {
            task_id: {span.department_id for span in task_spans}
            for task_id, task_spans in spans.items()
        }
        self.task_rows = _task_rows(tasks)
        self.inputs = _task_inputs(self.task_rows, leads)
        self.bounded = {
            task_id for task_id, task in self.inputs.items() if task.since or task.until
        }  # tasks retired, merged or split off while the plan ran
        self.confirmations: list[list] = [[] for _period in periods]
        for task_id, task in self.inputs.items():
            if task.confirmed_at is not None:
                at = bisect.bisect_left(stamps, task.confirmed_at.timestamp())
                if at < len(periods):
                    self.confirmations[at].append(task_id)

    def fingerprint(self) -> str:
        """Return a digest of every input of the closed prefix but the accepted updates
        (which the history token covers): its periods and cut-offs, the lead units, and
        of each task its validity, a confirmation that takes effect in the prefix, and the
        row's own state where the rule may fall back on it (a task without a concrete lead
        in some period). An acceptance rewrites a task row's state, which the rule reads
        only for tasks without leads: it leaves the digest as it is."""
        closed, stamps = self.closed, self.stamps
        periods = [
            (period.pk, period.starts_on, stamp)
            for period, stamp in zip(self.periods[:closed], stamps[:closed], strict=True)
        ]
        spans = sorted(
            (task_id, span.department_id, span.since, span.until)
            for task_id, task_spans in self.spans.items()
            for span in task_spans
        )
        tasks = []
        for pk, status, percent, coordination, confirmed_at, since, until in sorted(self.task_rows):
            if confirmed_at is not None and confirmed_at.timestamp() > stamps[closed - 1]:
                confirmed_at = None  # it takes effect after the prefix
            own = (status, percent, coordination)
            if pk in self.spans and pk not in self.changing:
                own = None  # always led: the rule never reads the row
            tasks.append((pk, own, confirmed_at, since, until))
        text = repr((periods, spans, tasks))
        return hashlib.sha256(text.encode()).hexdigest()

    def load_effects(self, *, after_closed: bool = False) -> None:
        """Read the accepted lead updates and file each under the period it takes effect in
        (``after_closed``: only those taking effect after the closed prefix)."""
        stamps, periods, index_of = self.stamps, self.periods, self.index_of
        self.effects: list[list] = [[] for _period in periods]
        ids = [period.pk for period in periods]
        since = self.closed if after_closed else 0
        if since:
            # Taking effect after the prefix: an update of a later period, or one accepted
            # after the prefix's last cut-off.
            late = Q(period_id__in=ids[:since], reviewed_at__gt=self.cutoffs[since - 1])
            rows = _accepted(Q(period_id__in=ids[since:]) | late)
        else:
            rows = _accepted(Q(period_id__in=ids))
        inputs, ever = self.inputs, self.ever
        for update in rows:
            task_id, department_id, period_id, reviewed_at = update[:4]
            task = inputs.get(task_id)
            if task is None or department_id not in ever.get(task_id, ()):
                continue
            first = index_of[period_id]
            # An accepted update without a review time (older data) counts from its own
            # period.
            at = (
                bisect.bisect_left(stamps, reviewed_at.timestamp(), lo=first)
                if reviewed_at
                else first
            )
            if since <= at < len(periods):
                self.effects[at].append(update)

    def reports(self) -> dict[int, dict]:
        """Return {task id: {lead unit: Report}}: the reports in effect after the last step
        (a copy, for a snapshot)."""
        return {
            task_id: dict(task.reports) for task_id, task in self.inputs.items() if task.reports
        }

    def steps(
        self, *, only_last: bool = False, resume: dict | None = None
    ) -> Iterator[tuple[ReportingPeriod, dict[int, TaskState]]]:
        """Yield (period, states) as ``walk_statuses`` does; with ``resume`` (``reports()``
        after the closed prefix, and ``load_effects(after_closed=True)``), for the periods
        after the closed prefix only."""
        periods, inputs, index_of = self.periods, self.inputs, self.index_of
        spans, changing, bounded = self.spans, self.changing, self.bounded
        start = self.closed if resume is not None else 0
        confirmed: set[int] = set()
        for index in range(start):
            confirmed.update(self.confirmations[index])
        if resume is not None:
            last_start = periods[start - 1].starts_on if start else None
            for task_id, task in inputs.items():
                task.reports = dict(resume.get(task_id, {}))
                if task_id in changing:
                    task.leads = _leads_at(spans[task_id], last_start)
        states = {
            task_id: combine(
                leads=task.leads,
                reports=task.reports,
                confirmed=task_id in confirmed,
                fallback=task.fallback,
            )
            for task_id, task in inputs.items()
        }
        changed: set[int] = set()
        for index in range(start, len(periods)):
            period = periods[index]
            for task_id in changing:
                now_leads = _leads_at(spans[task_id], period.starts_on)
                if task_id in inputs and now_leads != inputs[task_id].leads:
                    inputs[task_id].leads = now_leads
                    changed.add(task_id)
            changed.update(self.confirmations[index])
            confirmed.update(self.confirmations[index])
            for (
                task_id,
                department_id,
                period_id,
                _at,
                status,
                percent,
                coordination,
            ) in self.effects[index]:
                start_on = periods[index_of[period_id]].starts_on
                reports = inputs[task_id].reports
                held = reports.get(department_id)
                if held is None or held.period_start <= start_on:
                    reports[department_id] = Report(
                        status, percent, coordination, period_id, start_on
                    )
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
                start_day = period.starts_on
                yield (
                    period,
                    {
                        task_id: state
                        for task_id, state in states.items()
                        if task_id not in bounded or inputs[task_id].in_force(start_day)
                    },
                )
            else:
                yield period, states


def counts_and_states(
    *, programme: Programme, periods: list[ReportingPeriod], chosen: ReportingPeriod, now=None
) -> tuple[list[tuple[ReportingPeriod, Counter, int]], dict[int, TaskState]]:
    """Return [(period, Counter of the statuses, tasks in force)] for each of ``periods``
    (in order) and {task id: TaskState} as of ``chosen`` (one of them): the walk's result,
    in five queries.

    The closed prefix of the periods (cut-offs passed: their figures are final) comes from
    a snapshot in the cache when one is there: its counts, and the reports in effect after
    it, from which the walk goes on over the open periods with only the updates that take
    effect in them. The snapshot's key holds what it was computed from: the programme's
    history token (renewed by every write but the reporting loop's routine ones,
    ``tasks.data_version``), the prefix, and a digest of the prefix's periods and cut-offs,
    the task rows and the lead units. A routine acceptance takes effect in an open period,
    so after one only the open periods are walked again.
    """
    walk = _Walk(programme=programme, periods=periods, now=now)
    usable = 0 < walk.closed <= walk.index_of[chosen.pk]
    key = snapshot = None
    if usable:
        history = data_version.history(programme_id=programme.pk)
        key = f"figures:walk:{programme.pk}:{history}:{walk.closed}:{walk.fingerprint()}"
        snapshot = cache.get(key)
    points: list[tuple[ReportingPeriod, Counter, int]] = []
    if snapshot is not None:
        walk.load_effects(after_closed=True)
        for period, (counts, total) in zip(walk.periods, snapshot["counts"], strict=False):
            points.append((period, Counter(counts), total))
        steps = walk.steps(resume=snapshot["reports"])
    else:
        walk.load_effects()
        steps = walk.steps()
    chosen_states: dict[int, TaskState] = {}
    for index, (period, states) in enumerate(steps, start=len(points)):
        points.append((period, Counter(state.status for state in states.values()), len(states)))
        if period.pk == chosen.pk:
            chosen_states = dict(states)
        if key is not None and snapshot is None and index == walk.closed - 1:
            counts = [(dict(counts), total) for _period, counts, total in points]
            cache.set(key, {"counts": counts, "reports": walk.reports()})
    return points, chosen_states


def _leads_at(spans, start) -> list[int]:
    if start is None:
        return [span.department_id for span in spans if span.until is None]
    return [span.department_id for span in spans if span.in_force(start)]


def _task_rows(tasks) -> list[tuple]:
    return list(
        tasks.order_by().values_list(
            "pk",
            "status",
            "percent",
            "needs_coordination",
            "completion_confirmed_at",
            "valid_from__starts_on",
            "valid_until__starts_on",
        )
    )


def _task_inputs(rows, leads) -> dict[int, _TaskInputs]:
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


def _accepted(periods: Q):
    # Filtering on the period ids lets the database use the (period, state) index.
    return (
        ProgressUpdate.objects.filter(periods, role=AssignmentRole.LEAD, state=UpdateState.ACCEPTED)
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
