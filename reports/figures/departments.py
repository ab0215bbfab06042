"""One department's share of a programme, and its reporting record per period."""

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from departments.models import Department, DepartmentKind
from pilot import clock
from reports.figures.programme import category_rows_of, summed_task_counts, tasks_by_category
from reports.figures.reporting import (
    reporting_aggregates,
    reporting_counts,
    reporting_departments,
    returned_counts,
)
from reports.figures.results import DepartmentFigures, RecordRow
from tasks.models import (
    Assignment,
    AssignmentRole,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    Task,
)
from tasks.plan_asof import in_force_q, tasks_as_of


def department_tasks(
    *, programme: Programme, department: Department, period: ReportingPeriod | None = None
) -> QuerySet:
    """Return the tasks of ``programme`` that ``department`` leads or supports (now, or in
    ``period`` if given)."""
    held = Assignment.objects.filter(department=department, task_id=OuterRef("pk"))
    if period is not None:
        held = Assignment.all_periods.filter(in_force_q(period=period)).filter(
            department=department, task_id=OuterRef("pk")
        )
        return tasks_as_of(period=period).filter(Exists(held))
    return Task.objects.filter(programme=programme).filter(Exists(held))


def department_figures(
    *, programme: Programme, period: ReportingPeriod, department: Department
) -> DepartmentFigures:
    """Return the overview's figures restricted to ``department``'s tasks (four queries)."""
    today = clock.today()
    counts = tasks_by_category(
        tasks=department_tasks(programme=programme, department=department, period=period),
        today=today,
    )
    held = Assignment.all_periods.filter(in_force_q(period=period))
    row = held.filter(task__programme=programme, department=department).aggregate(
        led=Count("pk", filter=Q(role=AssignmentRole.LEAD)),
        supported=Count("pk", filter=Q(role=AssignmentRole.SUPPORT)),
        **reporting_aggregates(period=period),
    )
    returned = returned_counts(programme=programme, until=period, department=department)
    return DepartmentFigures(
        department=department,
        programme=programme,
        period=period,
        as_of=today,
        tasks=summed_task_counts(counts.values()),
        led=row["led"],
        supported=row["supported"],
        reporting=reporting_counts(row["expected"], row["on_time"], row["late"]),
        returned=returned.get(department.pk, 0),
        categories=category_rows_of(counts, programme=programme, keep_empty=False),
    )


def department_record(*, programme: Programme, department: Department) -> list[RecordRow]:
    """Return the department's reporting record per period up to today (four queries).

    Periods are those that have started by ``clock.today()``, oldest first.
    """
    today = clock.today()
    periods = list(
        ReportingPeriod.objects.filter(programme=programme, starts_on__lte=today).order_by(
            "starts_on"
        )
    )
    ids = [period.pk for period in periods]
    owing = _owing_confirmations(programme=programme, department=department)
    submitted = _submitted_by_period(department=department, period_ids=ids)
    returned = _returned_by_period(department=department, period_ids=ids)
    rows = []
    for period in periods:
        start = period.starts_on
        expected = sum(
            1
            for confirmed, since, until in owing
            if (confirmed is None or confirmed >= start)
            and (since is None or since <= start)
            and (until is None or until > start)
        )
        on_time, late = submitted.get(period.pk, (0, 0))
        reporting = reporting_counts(expected, on_time, late)
        rows.append(
            RecordRow(
                period=period,
                reporting=reporting,
                returned=returned.get(period.pk, 0),
            )
        )
    return rows


def _owing_confirmations(*, programme, department) -> list:
    """Return (local confirmation date or None, first period start or None, end period
    start or None) of each assignment of a task the department owes, current or ended."""
    if department.kind == DepartmentKind.COLLECTIVE:
        return []
    assignments = (
        Assignment.all_periods.filter(task__programme=programme, department=department)
        .filter(reporting_departments())
        .values_list(
            "task__completion_confirmed_at", "valid_from__starts_on", "valid_until__starts_on"
        )
    )
    return [
        (timezone.localdate(at) if at else None, since, until) for at, since, until in assignments
    ]


def _submitted_by_period(*, department, period_ids) -> dict:
    """Return {period id: (on time, late)} of the department's submissions owed."""
    held = Assignment.all_periods.filter(
        in_force_q(start=OuterRef("period__starts_on")),
        task_id=OuterRef("task_id"),
        department=department,
    )
    owed = Q(task__completion_confirmed_at__isnull=True) | Q(
        task__completion_confirmed_at__date__gte=F("period__starts_on")
    )
    rows = (
        ProgressUpdate.objects.filter(
            period_id__in=period_ids,
            department=department,
            first_submitted_at__isnull=False,
        )
        .filter(owed)
        .filter(Exists(held))
        .order_by()
        .values("period_id")
        .annotate(
            on_time=Count("pk", filter=Q(is_late=False)),
            late=Count("pk", filter=Q(is_late=True)),
        )
    )
    return {row["period_id"]: (row["on_time"], row["late"]) for row in rows}


def _returned_by_period(*, department, period_ids) -> dict:
    rows = (
        ProgressUpdate.objects.filter(
            department=department, period_id__in=period_ids, return_count__gt=0
        )
        .order_by()
        .values("period_id")
        .annotate(n=Sum("return_count"))
    )
    return {row["period_id"]: row["n"] for row in rows}
