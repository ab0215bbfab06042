"""Who owes a submission for a period, and how it was met (see the package docstring)."""

from django.db.models import (
    Count,
    Q,
    QuerySet,
    Sum,
)

from departments.models import Department, DepartmentKind
from reports.figures.results import ReportingCounts
from tasks.models import (
    Assignment,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
)
from tasks.obligations import open_in_period_q, owed_q, reporting_departments, submitted_exists
from tasks.plan_asof import in_force_q


def expected_assignments(*, programme: Programme, period: ReportingPeriod) -> QuerySet:
    """Return the assignments that owe a submission for ``period`` (one row each; the plan
    as it stood in ``period``)."""
    return (
        Assignment.all_periods.filter(task__programme=programme)
        .filter(in_force_q(period=period))
        .exclude(department__kind=DepartmentKind.COLLECTIVE)
        .filter(reporting_departments())
        .filter(open_in_period_q(start=period.starts_on, prefix="task__"))
    )


def percent_of(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def reporting_counts(expected: int, on_time: int, late: int) -> ReportingCounts:
    return ReportingCounts(
        expected=expected,
        on_time=on_time,
        late=late,
        missing=max(expected - on_time - late, 0),
        on_time_rate=percent_of(on_time, expected),
    )


def reporting_aggregates(*, period: ReportingPeriod) -> dict:
    """Return aggregates over Assignment rows: the ``expected``, ``on_time`` and ``late``
    submissions of ``period``.

    Each expected assignment probes the unique (task, period, department) index for its
    update, so a programme's few hundred assignments cost a few hundred index probes, and
    the counts come out of the same grouped query as the assignment counts. (The update is
    unique per assignment, so this equals counting the submitted updates.)
    """
    owed = owed_q(period=period)
    ids = [period.pk]
    return {
        "expected": Count("pk", filter=owed),
        "on_time": Count("pk", filter=owed & Q(submitted_exists(period_ids=ids, late=False))),
        "late": Count("pk", filter=owed & Q(submitted_exists(period_ids=ids, late=True))),
    }


def period_reporting(*, programme, period, department=None) -> ReportingCounts:
    """Return the ReportingCounts of ``period`` (of one department if given; one query)."""
    assignments = Assignment.all_periods.filter(task__programme=programme)
    if department is not None:
        assignments = assignments.filter(department=department)
    row = assignments.aggregate(**reporting_aggregates(period=period))
    return reporting_counts(row["expected"], row["on_time"], row["late"])


def returned_counts(
    *, programme: Programme, until: ReportingPeriod, department: Department | None = None
) -> dict:
    """Return {department id: returns} of ``programme`` up to the end of period ``until``.

    Counted from ``ProgressUpdate.return_count`` (the services add one per Review with action
    return, by the office or by a lead unit), over the updates of the periods up to
    ``until``: the same number as counting those Review rows, without scanning reviews.
    """
    updates = ProgressUpdate.objects.filter(
        period__programme=programme, period__starts_on__lte=until.starts_on, return_count__gt=0
    )
    if department is not None:
        updates = updates.filter(department=department)
    rows = updates.order_by().values("department_id").annotate(n=Sum("return_count"))
    return {row["department_id"]: row["n"] for row in rows}
