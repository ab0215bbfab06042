"""Task statuses at the end of each period, from per-period snapshots.

The trend needs every accepted lead update of a programme, grouped per (period, task): a
scan that grows with the programme's history. Past periods rarely change, so each period's
grouped counts are kept in a ``reports.TrendSnapshot`` row. ``mark_trend_stale`` (called
when a task's status is refreshed after an acceptance) gives the task's periods a new token;
``status_trend`` recomputes only the periods whose snapshot is missing or stale, and
stores the result only if no acceptance changed the token meanwhile (a conditional UPDATE),
so a concurrent acceptance is never lost.
"""

import uuid

from django.db.models import Count, Q

from pilot import clock
from reports.figures.results import STATUSES, TrendPoint
from reports.models import TrendSnapshot
from tasks.models import (
    AssignmentRole,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    Task,
    TaskStatus,
    UpdateState,
)


def status_trend(*, programme: Programme) -> list[TrendPoint]:
    """Return task status counts at the end of each period that has started (three queries
    when the snapshots are up to date, a few more for the periods that changed).

    Approximation: for each (task, period) the accepted LEAD updates of that period are
    combined as ``tasks.services.review.combine_statuses`` does (blocked > behind > all
    completed > all not started > on track), where a lead unit that sent no accepted update
    in that period counts as not completed. A task with no accepted lead update in a period
    keeps its status of the previous period (未启动 before its first). Leads are not carried
    forward one by one, so a period where only one of two lead units reported uses that
    unit's report alone (apart from the "all completed" test). Periods after today are left
    out. Python only carries values forward over at most tasks x periods small lists.
    """
    today = clock.today()
    periods = list(
        ReportingPeriod.objects.filter(programme=programme, starts_on__lte=today).order_by(
            "starts_on"
        )
    )
    # Every task of the programme with its number of lead units (the "all completed" test).
    leads = dict(
        Task.objects.filter(programme=programme)
        .order_by()
        .annotate(n=Count("assignments", filter=Q(assignments__role=AssignmentRole.LEAD)))
        .values_list("pk", "n")
    )
    grouped = period_groups(programme=programme, period_ids=[period.pk for period in periods])
    total = len(leads)
    # Counts kept up to date as statuses change, so each period costs its own rows only.
    by_status = dict.fromkeys(STATUSES, 0)
    by_status[TaskStatus.NOT_STARTED] = total
    current = {}
    points = []
    for period in periods:
        for task_id, blocked, behind, completed, not_started, n in grouped.get(period.pk, ()):
            if task_id not in leads:  # a task deleted since the snapshot no longer counts
                continue
            status = _combined(blocked, behind, completed, not_started, n, leads=leads[task_id])
            by_status[current.get(task_id, TaskStatus.NOT_STARTED)] -= 1
            by_status[status] += 1
            current[task_id] = status
        points.append(TrendPoint(period=period, by_status=dict(by_status), total=total))
    return points


def _combined(blocked, behind, completed, not_started, n, *, leads: int) -> str:
    if blocked:
        return TaskStatus.BLOCKED
    if behind:
        return TaskStatus.BEHIND
    if completed >= (leads or 1):  # a task without a lead unit needs one 已完成 report
        return TaskStatus.COMPLETED
    if not_started == n:
        return TaskStatus.NOT_STARTED
    return TaskStatus.ON_TRACK


def period_groups(*, programme: Programme, period_ids: list) -> dict:
    """Return {period id: [[task id, blocked, behind, completed, not started, n], ...]}.

    Read from the snapshots (one query); missing or stale ones are recomputed in one grouped
    query and stored (one query per stale period, one for all missing ones).
    """
    snapshots = TrendSnapshot.objects.filter(period_id__in=period_ids).values_list(
        "pk", "token", "computed_token", "tasks", named=True
    )
    known = {snapshot.pk: snapshot for snapshot in snapshots}
    groups = {
        pk: snapshot.tasks
        for pk, snapshot in known.items()
        if snapshot.computed_token == snapshot.token
    }
    outdated = [pk for pk in period_ids if pk not in groups]
    if outdated:
        fresh = _accepted_lead_counts(programme=programme, period_ids=outdated)
        for pk in outdated:
            groups[pk] = fresh.get(pk, [])
        _store(fresh, known=known, outdated=outdated)
    return groups


def _accepted_lead_counts(*, programme: Programme, period_ids: list) -> dict:
    """Return {period id: [[task id, blocked, behind, completed, not started, n], ...]}."""
    # Filtering on the period ids lets the database use the (period, state) index.
    rows = (
        ProgressUpdate.objects.filter(
            period_id__in=period_ids,
            task__programme=programme,
            role=AssignmentRole.LEAD,
            state=UpdateState.ACCEPTED,
        )
        .order_by("period_id", "task_id")
        .values("period_id", "task_id")
        .annotate(
            blocked=Count("pk", filter=Q(status=TaskStatus.BLOCKED)),
            behind=Count("pk", filter=Q(status=TaskStatus.BEHIND)),
            completed=Count("pk", filter=Q(status=TaskStatus.COMPLETED)),
            not_started=Count("pk", filter=Q(status=TaskStatus.NOT_STARTED)),
            n=Count("pk"),
        )
        .values_list("period_id", "task_id", "blocked", "behind", "completed", "not_started", "n")
    )
    grouped = {}
    for period_id, *counts in rows:
        grouped.setdefault(period_id, []).append(counts)
    return grouped


def _store(fresh: dict, *, known: dict, outdated: list) -> None:
    missing = []
    for pk in outdated:
        snapshot = known.get(pk)
        if snapshot is None:
            token = uuid.uuid4().hex
            missing.append(
                TrendSnapshot(
                    period_id=pk, token=token, computed_token=token, tasks=fresh.get(pk, [])
                )
            )
            continue
        # Only if no acceptance gave the period a new token since it was read.
        TrendSnapshot.objects.filter(pk=pk, token=snapshot.token).update(
            tasks=fresh.get(pk, []), computed_token=snapshot.token
        )
    # A row created meanwhile by mark_trend_stale wins: it carries a newer token.
    TrendSnapshot.objects.bulk_create(missing, ignore_conflicts=True)


def mark_trend_stale(*, period_ids) -> None:
    """Give the snapshots of ``period_ids`` a new token, creating missing ones (one query).

    Call it whenever the accepted lead updates of these periods may have changed; the
    next ``status_trend`` recomputes them.
    """
    period_ids = sorted(set(period_ids))
    if not period_ids:
        return
    token = uuid.uuid4().hex
    TrendSnapshot.objects.bulk_create(
        [TrendSnapshot(period_id=pk, token=token) for pk in period_ids],
        update_conflicts=True,
        unique_fields=["period"],
        update_fields=["token"],
    )
