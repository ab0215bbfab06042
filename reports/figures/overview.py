"""Every programme's headline figures for its current period."""

from collections import defaultdict

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
from tasks.models import Assignment, Programme, ReportingPeriod, Task
from tasks.periods import pick_current_period
from tasks.warning import warning_colour


def current_periods(*, programmes=None) -> dict:
    """Return {programme id: its current period} in two queries (tasks.selectors' rule)."""
    today = clock.today()
    periods = ReportingPeriod.objects.order_by("programme_id", "starts_on")
    if programmes is not None:
        periods = periods.filter(programme__in=programmes)
    by_programme = defaultdict(list)
    # Plain tuples: a programme has dozens of periods, and only one of each is needed.
    for row in periods.values_list("pk", "programme_id", "starts_on", "ends_on", named=True):
        by_programme[row.programme_id].append(row)
    chosen = {pid: pick_current_period(rows, today).pk for pid, rows in by_programme.items()}
    instances = ReportingPeriod.objects.in_bulk(list(chosen.values()))
    return {pid: instances[pk] for pid, pk in chosen.items()}


def programmes_overview() -> list[ProgrammeHeadline]:
    """Return every programme's headline figures for its current period (six queries)."""
    today = clock.today()
    programmes = list(Programme.objects.order_by("-starts_on", "code"))
    current = current_periods()
    tasks = {
        row["programme_id"]: row
        for row in Task.objects.alias(colour=warning_colour(today=today))
        .order_by()
        .values("programme_id")
        .annotate(**task_aggregates(today))
    }
    reporting = _reporting_by_programme(current)
    empty_tasks = defaultdict(int, mean_percent=None)
    return [
        ProgrammeHeadline(
            programme=programme,
            period=current.get(programme.pk),
            tasks=task_counts_of(tasks.get(programme.pk, empty_tasks)),
            reporting=reporting_counts(*reporting.get(programme.pk, (0, 0, 0))),
        )
        for programme in programmes
    ]


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
        owed |= Q(task__programme_id__in=programme_ids) & open_in_period_q(
            start=start, prefix="task__"
        )
    expected = dict(
        Assignment.objects.filter(owed)
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
