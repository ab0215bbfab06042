"""Task statuses at the end of each period, from per-period snapshots.

The trend needs every accepted lead update of a programme, grouped per (period, task), and
carried forward period by period: work that grows with the programme's history. Past
periods rarely change, so each period's RESULT (every task's status at the end of the
period, one character per task) is kept in a ``reports.TrendSnapshot`` row, with a
signature of the plan it was computed for (task ids and their numbers of lead units).

A period's result depends on every earlier period, so ``mark_trend_stale`` (called when a
task's status is refreshed after an acceptance) gives the given periods AND every later
period of the same programme a new token, in one statement. ``status_trend`` uses the
snapshots up to the first one that is missing, stale or computed for another plan, and
recomputes from there to the last started period, carrying the statuses forward from the
last valid snapshot. It stores the results only where no acceptance changed the token
meanwhile (a conditional UPDATE), so a concurrent acceptance is never lost.
"""

import hashlib
import uuid

from django.db import connection
from django.db.models import Case, Count, F, Q, Value, When

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

# One character per status in TrendSnapshot.statuses: its index in STATUSES.
CODES = {status: str(index) for index, status in enumerate(STATUSES)}


def status_trend(*, programme: Programme) -> list[TrendPoint]:
    """Return task status counts at the end of each period that has started (three queries
    when the snapshots are up to date, two or three more when some periods changed).

    Approximation: for each (task, period) the accepted LEAD updates of that period are
    combined as ``tasks.services.review.combine_statuses`` does (blocked > behind > all
    completed > all not started > on track), where a lead unit that sent no accepted update
    in that period counts as not completed. A task with no accepted lead update in a period
    keeps its status of the previous period (未启动 before its first). Leads are not carried
    forward one by one, so a period where only one of two lead units reported uses that
    unit's report alone (apart from the "all completed" test). Periods after today are left
    out.
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
    statuses = _period_statuses(
        programme=programme, period_ids=[period.pk for period in periods], leads=leads
    )
    total = len(leads)
    return [
        TrendPoint(
            period=period,
            by_status={status: statuses[period.pk].count(code) for status, code in CODES.items()},
            total=total,
        )
        for period in periods
    ]


def plan_signature(*, leads: dict) -> str:
    """Return a short signature of {task id: number of lead units} (32 hex digits)."""
    text = ",".join(f"{task_id}:{leads[task_id]}" for task_id in sorted(leads))
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _period_statuses(*, programme: Programme, period_ids: list, leads: dict) -> dict:
    """Return {period id: statuses string} for ``period_ids`` (in order), from the snapshots
    (one query) and, from the first outdated period on, recomputed and stored."""
    signature = plan_signature(leads=leads)
    snapshots = TrendSnapshot.objects.filter(period_id__in=period_ids).values_list(
        "pk", "token", "computed_token", "plan", "statuses", named=True
    )
    known = {snapshot.pk: snapshot for snapshot in snapshots}
    statuses = {}
    for pk in period_ids:
        snapshot = known.get(pk)
        if (
            snapshot is None
            or snapshot.computed_token != snapshot.token
            or snapshot.plan != signature
            or len(snapshot.statuses) != len(leads)
        ):
            break
        statuses[pk] = snapshot.statuses
    valid = len(statuses)
    if valid < len(period_ids):
        start = statuses[period_ids[valid - 1]] if valid else None
        fresh = _carried_forward(
            programme=programme, period_ids=period_ids[valid:], leads=leads, start=start
        )
        statuses.update(fresh)
        _store(fresh, known=known, signature=signature)
    return statuses


def _carried_forward(*, programme: Programme, period_ids: list, leads: dict, start) -> dict:
    """Return {period id: statuses string}, starting from ``start`` (the statuses at the end
    of the period before the first of ``period_ids``; None: every task not started)."""
    task_ids = sorted(leads)
    position = {task_id: index for index, task_id in enumerate(task_ids)}
    current = list(start) if start is not None else [CODES[TaskStatus.NOT_STARTED]] * len(task_ids)
    grouped = period_groups(programme=programme, period_ids=period_ids)
    result = {}
    for pk in period_ids:
        for task_id, blocked, behind, completed, not_started, n in grouped.get(pk, ()):
            index = position.get(task_id)
            if index is None:  # a task deleted meanwhile no longer counts
                continue
            status = _combined(blocked, behind, completed, not_started, n, leads=leads[task_id])
            current[index] = CODES[status]
        result[pk] = "".join(current)
    return result


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
    """Return {period id: [[task id, blocked, behind, completed, not started, n], ...]}:
    the accepted lead updates of ``period_ids`` counted per task (one grouped query)."""
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


def _store(fresh: dict, *, known: dict, signature: str) -> None:
    """Store the recomputed ``fresh`` statuses: one UPDATE for the existing snapshots (only
    those whose token no acceptance changed since they were read), one INSERT for the
    missing ones."""
    existing = [pk for pk in fresh if pk in known]
    if existing:
        unchanged = Q()
        for pk in existing:
            unchanged |= Q(pk=pk, token=known[pk].token)
        TrendSnapshot.objects.filter(unchanged).update(
            statuses=Case(*[When(pk=pk, then=Value(fresh[pk])) for pk in existing]),
            plan=signature,
            computed_token=F("token"),
        )
    missing = []
    for pk in fresh:
        if pk not in known:
            token = uuid.uuid4().hex
            missing.append(
                TrendSnapshot(
                    period_id=pk,
                    token=token,
                    computed_token=token,
                    statuses=fresh[pk],
                    plan=signature,
                )
            )
    # A row created meanwhile by mark_trend_stale wins: it carries a newer token.
    TrendSnapshot.objects.bulk_create(missing, ignore_conflicts=True)


def mark_trend_stale(*, period_ids) -> None:
    """Give the snapshots of ``period_ids`` and of every later period of the same programme
    a new token, creating missing ones (one query).

    Call it whenever the accepted lead updates of these periods may have changed; the
    next ``status_trend`` recomputes them.
    """
    period_ids = sorted(set(period_ids))
    if not period_ids:
        return
    quote = connection.ops.quote_name
    snapshot, period = TrendSnapshot._meta, ReportingPeriod._meta
    columns = ", ".join(
        quote(snapshot.get_field(name).column)
        for name in ("period", "token", "computed_token", "statuses", "plan")
    )
    table, periods = quote(snapshot.db_table), quote(period.db_table)
    pk, programme = quote(period.pk.column), quote(period.get_field("programme").column)
    starts_on = quote(period.get_field("starts_on").column)
    placeholders = ", ".join(["%s"] * len(period_ids))
    # Both SQLite and PostgreSQL: INSERT ... SELECT (with a WHERE) ... ON CONFLICT.
    sql = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT DISTINCT later.{pk}, %s, '', '', '' "
        f"FROM {periods} later INNER JOIN {periods} given "
        f"ON later.{programme} = given.{programme} AND later.{starts_on} >= given.{starts_on} "
        f"WHERE given.{pk} IN ({placeholders}) "
        f"ORDER BY later.{pk} "
        f"ON CONFLICT ({quote(snapshot.get_field('period').column)}) "
        f"DO UPDATE SET {quote(snapshot.get_field('token').column)} = excluded."
        f"{quote(snapshot.get_field('token').column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [uuid.uuid4().hex, *period_ids])
