"""Every programme's headline figures for its current period."""

from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, Q

from departments.models import DepartmentKind
from pilot import clock
from reports.figures.programme import task_aggregates, task_counts_of
from reports.figures.reporting import (
    SUBMISSION_AGGREGATES,
    open_in_period_q,
    reporting_counts,
    reporting_departments,
    submitted_updates,
)
from reports.figures.results import ProgrammeHeadline
from tasks import data_version
from tasks.models import Assignment, Programme, ReportingPeriod, Task
from tasks.periods import pick_current_period
from tasks.plan_asof import in_force_q
from tasks.warning import warning_colour


def current_periods(*, programmes=None) -> dict:
    """Return {programme id: its current period} in one query (tasks.selectors' rule)."""
    today = clock.today()
    periods = ReportingPeriod.objects.order_by("programme_id", "starts_on")
    if programmes is not None:
        periods = periods.filter(programme__in=programmes)
    names = [field.attname for field in ReportingPeriod._meta.concrete_fields]
    by_programme = defaultdict(list)
    # Plain tuples: a programme has dozens of periods, and only one of each is needed as
    # an instance (built from its tuple rather than fetched again).
    for row in periods.values_list(*names):
        by_programme[row[names.index("programme_id")]].append(_PeriodRow(row, names))
    chosen = {pid: pick_current_period(rows, today) for pid, rows in by_programme.items()}
    return {
        pid: ReportingPeriod.from_db("default", names, row.values) for pid, row in chosen.items()
    }


class _PeriodRow:
    """A period as a tuple, with the two dates ``pick_current_period`` reads."""

    __slots__ = ("ends_on", "starts_on", "values")

    def __init__(self, values: tuple, names: list):
        self.values = values
        self.starts_on = values[names.index("starts_on")]
        self.ends_on = values[names.index("ends_on")]


def programmes_overview(*, tokens: dict | None = None) -> list[ProgrammeHeadline]:
    """Return every programme's headline figures for its current period (four queries,
    six when some programme's snapshot is missing).

    Each programme's figures are kept in the cache as a per-period snapshot, under its
    programme, period, the date and its data version (``tasks.data_version``; ``tokens``:
    its ``all_tokens()``, read here if not given): after a write in one programme, only
    that programme's tasks and updates are counted again.
    """
    today = clock.today()
    programmes = list(Programme.objects.order_by("-starts_on", "code"))
    current = current_periods()
    tokens = data_version.all_tokens() if tokens is None else tokens
    snapshots = _snapshots(programmes, current, tokens, today)
    return [
        ProgrammeHeadline(
            programme=programme,
            period=current.get(programme.pk),
            tasks=task_counts_of(snapshots[programme.pk][0]),
            reporting=reporting_counts(*snapshots[programme.pk][1]),
        )
        for programme in programmes
    ]


def _snapshots(programmes, current, tokens, today) -> dict:
    """Return {programme id: (task aggregates, (expected, on time, late))}, from the cache
    where present, counted (two or three queries for all the missing ones) where not."""
    keys = {
        programme.pk: _snapshot_key(programme.pk, current.get(programme.pk), tokens, today)
        for programme in programmes
    }
    found = cache.get_many(keys.values())
    snapshots = {pid: found[key] for pid, key in keys.items() if key in found}
    missing = [pid for pid in keys if pid not in snapshots]
    if not missing:
        return snapshots
    tasks = {
        row["programme_id"]: row
        for row in Task.objects.filter(programme_id__in=missing)
        .alias(colour=warning_colour(today=today))
        .order_by()
        .values("programme_id")
        .annotate(**task_aggregates(today))
    }
    reporting = _reporting_by_programme(
        {pid: period for pid, period in current.items() if pid in missing}
    )
    empty_tasks = {**dict.fromkeys(task_aggregates(today), 0), "mean_percent": None}
    computed = {
        pid: (tasks.get(pid, empty_tasks), reporting.get(pid, (0, 0, 0))) for pid in missing
    }
    cache.set_many({keys[pid]: snapshot for pid, snapshot in computed.items()})
    return {**snapshots, **computed}


def _snapshot_key(programme_id, period, tokens, today) -> str:
    version = data_version.programme_version(tokens, programme_id)
    period_id = period.pk if period else None
    return f"figures:headline:{programme_id}:{period_id}:{today.isoformat()}:{version}"


def _reporting_by_programme(current: dict) -> dict:
    """Return {programme id: (expected, on time, late)} for each current period (two queries).

    Programmes whose current periods start on the same day share one filter, so the SQL
    stays small however many programmes there are.
    """
    if not current:
        return {}
    by_start = defaultdict(list)
    for programme_id, period in current.items():
        by_start[period.starts_on].append(programme_id)
    owed = Q()
    for start, programme_ids in by_start.items():
        owed |= (
            Q(task__programme_id__in=programme_ids)
            & open_in_period_q(start=start, prefix="task__")
            & in_force_q(start=start)
        )
    expected = dict(
        Assignment.all_periods.filter(owed)
        .exclude(department__kind=DepartmentKind.COLLECTIVE)
        .filter(reporting_departments())
        .order_by()
        .values("task__programme_id")
        .annotate(n=Count("pk"))
        .values_list("task__programme_id", "n")
    )
    programme_of = {period.pk: programme_id for programme_id, period in current.items()}
    submitted = {
        programme_of[row["period_id"]]: row
        for row in submitted_updates(periods=list(current.values()))
        .order_by()
        .values("period_id")
        .annotate(**SUBMISSION_AGGREGATES)
    }
    return {
        programme_id: (
            n,
            submitted.get(programme_id, {}).get("on_time", 0),
            submitted.get(programme_id, {}).get("late", 0),
        )
        for programme_id, n in expected.items()
    }
