"""Who owes a submission for a period, and how it was met: the rules as SQL filters, used
by the task list's drill-downs (``tasks.selectors``) and by every reporting figure
(``reports.figures.reporting``, whose docstring gives the definitions).
"""

import datetime

from django.db.models import Exists, F, OuterRef, Q

from departments.models import Department, DepartmentAlias, DepartmentKind, Profile, Role
from tasks.models import Assignment, ProgressUpdate, ReportingPeriod
from tasks.plan_asof import in_force_q


def open_in_period_q(*, start: datetime.date, prefix: str = "") -> Q:
    """Return the filter of tasks not confirmed complete before ``start`` (a local date)."""
    return Q(**{f"{prefix}completion_confirmed_at__isnull": True}) | Q(
        **{f"{prefix}completion_confirmed_at__date__gte": start}
    )


def reporting_departments() -> Q:
    """Return a filter of Assignment (or ProgressUpdate) rows: the department holds an
    active reporter and is not the programme's own office (the issuer, by name or alias),
    which receives the reports rather than owing them. A department merged into another
    (``Department.merged_into``) counts with the reporters of the one it merged into: its
    accounts moved there, and the periods before the merge still owe what they owed.

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
    reporting = Q(department_id__in=with_reporter) | Q(department__merged_into_id__in=with_reporter)
    return reporting & ~Q(department__name=issuer) & ~Q(Exists(aliases))


def submitted_exists(*, period_ids, late: bool) -> Exists:
    """Return an Exists over Assignment rows: the (task, department) has a submitted update
    in ``period_ids``, late or on time as ``late`` says."""
    return Exists(
        ProgressUpdate.objects.filter(
            task_id=OuterRef("task_id"),
            department_id=OuterRef("department_id"),
            period_id__in=period_ids,
            first_submitted_at__isnull=False,
            is_late=late,
        )
    )


def owed_q(*, period: ReportingPeriod) -> Q:
    """Return the Assignment filter of the expected submissions of ``period`` (over
    ``Assignment.all_periods``: the assignments in force in ``period``)."""
    return (
        in_force_q(period=period)
        & ~Q(department__kind=DepartmentKind.COLLECTIVE)
        & Q(reporting_departments())
        & open_in_period_q(start=period.starts_on, prefix="task__")
    )


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
        Assignment.all_periods.filter(task_id=OuterRef("pk"))
        .filter(in_force_q(period=period))
        .exclude(department__kind=DepartmentKind.COLLECTIVE)
        .filter(reporting_departments())
    )
    if department is not None:
        owed = owed.filter(department=department)
    ids = [period.pk]
    if outcome == "on_time":
        owed = owed.filter(submitted_exists(period_ids=ids, late=False))
    elif outcome == "late":
        owed = owed.filter(submitted_exists(period_ids=ids, late=True))
    elif outcome == "missing":
        owed = owed.exclude(submitted_exists(period_ids=ids, late=False)).exclude(
            submitted_exists(period_ids=ids, late=True)
        )
    return open_in_period_q(start=period.starts_on) & Q(Exists(owed))
