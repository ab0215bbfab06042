"""Who owes a submission for a period, and how it was met (see the package docstring)."""

import datetime
from collections import defaultdict

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)

from departments.models import Department, DepartmentAlias, DepartmentKind, Profile, Role
from reports.figures.results import ReportingCounts
from tasks.models import (
    Assignment,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    Task,
)


def open_in_period_q(*, start: datetime.date, prefix: str = "") -> Q:
    """Return the filter of tasks not confirmed complete before ``start`` (a local date)."""
    return Q(**{f"{prefix}completion_confirmed_at__isnull": True}) | Q(
        **{f"{prefix}completion_confirmed_at__date__gte": start}
    )


def reporting_departments() -> Q:
    """Return a filter of Assignment (or ProgressUpdate) rows: the department holds an
    active reporter and is not the programme's own office (the issuer, by name or alias),
    which receives the reports rather than owing them.

    The reporter test is one uncorrelated subquery (the database computes the set of
    departments once per query, not once per row: at 1.5 M updates that is the difference
    between a few ms and hundreds); the issuer test compares names on the joined rows.
    """
    issuer = F("task__programme__issuer")
    with_reporter = Profile.objects.filter(role=Role.REPORTER, user__is_active=True).values(
        "department_id"
    )
    aliases = DepartmentAlias.objects.filter(
        department_id=OuterRef("department_id"), name=OuterRef("task__programme__issuer")
    )
    return Q(department_id__in=with_reporter) & ~Q(department__name=issuer) & ~Q(Exists(aliases))


def expected_assignments(*, programme: Programme, period: ReportingPeriod) -> QuerySet:
    """Return the assignments that owe a submission for ``period`` (one row each)."""
    return (
        Assignment.objects.filter(task__programme=programme)
        .exclude(department__kind=DepartmentKind.COLLECTIVE)
        .filter(reporting_departments())
        .filter(open_in_period_q(start=period.starts_on, prefix="task__"))
    )


def _submitted(*, period_ids, late: bool) -> Exists:
    return Exists(
        ProgressUpdate.objects.filter(
            task_id=OuterRef("task_id"),
            department_id=OuterRef("department_id"),
            period_id__in=period_ids,
            first_submitted_at__isnull=False,
            is_late=late,
        )
    )


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _reporting(expected: int, on_time: int, late: int) -> ReportingCounts:
    return ReportingCounts(
        expected=expected,
        on_time=on_time,
        late=late,
        missing=max(expected - on_time - late, 0),
        on_time_rate=_rate(on_time, expected),
    )


def submitted_updates(*, periods: list) -> QuerySet:
    """Return the submitted updates of ``periods`` that count against an expectation.

    Counting from the updates (found through the period index) rather than probing one
    update per assignment keeps this fast at any size. An update counts when its department
    is concrete with an active reporter, its assignment still exists, and its task was not
    confirmed complete before its period started. Group by ``period_id`` (no join needed).
    """
    held = Assignment.objects.filter(
        task_id=OuterRef("task_id"), department_id=OuterRef("department_id")
    )
    return (
        ProgressUpdate.objects.filter(
            period_id__in=[period.pk for period in periods], first_submitted_at__isnull=False
        )
        .exclude(department__kind=DepartmentKind.COLLECTIVE)
        .exclude(task_id__in=_confirmed_before(periods))
        .filter(reporting_departments())
        .filter(Exists(held))
    )


def _confirmed_before(periods: list) -> QuerySet:
    """Return the ids of tasks confirmed complete before their period of ``periods`` began."""
    by_start = defaultdict(list)
    for period in periods:
        by_start[period.starts_on].append(period.programme_id)
    confirmed = Q(pk__in=[])
    for start, programme_ids in by_start.items():
        confirmed |= Q(programme_id__in=programme_ids, completion_confirmed_at__date__lt=start)
    return Task.objects.filter(completion_confirmed_at__isnull=False).filter(confirmed).values("pk")


SUBMISSION_AGGREGATES = {
    "on_time": Count("pk", filter=Q(is_late=False)),
    "late": Count("pk", filter=Q(is_late=True)),
}


def owed_q(*, period: ReportingPeriod) -> Q:
    """Return the Assignment filter of the expected submissions of ``period``."""
    return (
        ~Q(department__kind=DepartmentKind.COLLECTIVE)
        & Q(reporting_departments())
        & open_in_period_q(start=period.starts_on, prefix="task__")
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
        "on_time": Count("pk", filter=owed & Q(_submitted(period_ids=ids, late=False))),
        "late": Count("pk", filter=owed & Q(_submitted(period_ids=ids, late=True))),
    }


def period_reporting(*, programme, period, department=None) -> ReportingCounts:
    """Return the ReportingCounts of ``period`` (of one department if given; one query)."""
    assignments = Assignment.objects.filter(task__programme=programme)
    if department is not None:
        assignments = assignments.filter(department=department)
    row = assignments.aggregate(**reporting_aggregates(period=period))
    return _reporting(row["expected"], row["on_time"], row["late"])


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


# --- drill-down filters --------------------------------------------------------------

REPORTING_OUTCOMES = ("expected", "on_time", "late", "missing")


def reporting_outcome_q(
    *, period: ReportingPeriod, outcome: str, department: Department | None = None
) -> Q:
    """Return a Task filter: tasks with an expected submission of ``period`` in ``outcome``.

    ``outcome`` is one of REPORTING_OUTCOMES; with ``department`` only that department's
    submissions count. The definitions are those of the module docstring, so the task list
    a dashboard figure links to holds exactly the tasks behind that figure.
    """
    owed = (
        Assignment.objects.filter(task_id=OuterRef("pk"))
        .exclude(department__kind=DepartmentKind.COLLECTIVE)
        .filter(reporting_departments())
    )
    if department is not None:
        owed = owed.filter(department=department)
    ids = [period.pk]
    if outcome == "on_time":
        owed = owed.filter(_submitted(period_ids=ids, late=False))
    elif outcome == "late":
        owed = owed.filter(_submitted(period_ids=ids, late=True))
    elif outcome == "missing":
        owed = owed.exclude(_submitted(period_ids=ids, late=False)).exclude(
            _submitted(period_ids=ids, late=True)
        )
    return open_in_period_q(start=period.starts_on) & Q(Exists(owed))
