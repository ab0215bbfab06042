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


def reporting_units(programmes) -> dict[int, frozenset[int]]:
    """Return {programme id: ids of the departments that owe its submissions}: concrete (not
    a collective) and the set ``reporting_departments()`` selects, read once (two small
    queries) for the pages that count many programmes at a time.

    Filtering on these ids (``reporting_units_q``) spares every counted row its joins to
    the department, the task, the programme and the aliases (on the all-programmes page
    over 100 current periods, 36 of the expected count's 49 ms). A test holds the two forms
    to the same rows.
    """
    reporter = Profile.objects.filter(
        role=Role.REPORTER, user__is_active=True, department_id=OuterRef("pk")
    )
    rows = list(
        Department.objects.annotate(reports=Exists(reporter)).values_list(
            "pk", "name", "kind", "merged_into_id", "reports"
        )
    )
    reporters = {pk for pk, _name, _kind, _merged_into, reports in rows if reports}
    units = [
        (pk, name, merged_into)
        for pk, name, kind, merged_into, _reports in rows
        if kind != DepartmentKind.COLLECTIVE
    ]
    names: dict[str, set[int]] = {}
    for pk, name, _merged_into in units:
        names.setdefault(name, set()).add(pk)
    for pk, name in DepartmentAlias.objects.values_list("department_id", "name"):
        names.setdefault(name, set()).add(pk)
    reporting = frozenset(
        pk for pk, _name, merged_into in units if pk in reporters or merged_into in reporters
    )
    return {
        programme.pk: reporting - names.get(programme.issuer, set()) for programme in programmes
    }


def reporting_units_q(units: dict[int, frozenset[int]], *, field: str, programme_of: dict) -> Q:
    """Return the filter of rows whose department owes its programme's submissions.

    ``units``: ``reporting_units()``; ``field``: the row's lookup that tells its programme
    (``"task__programme_id"``, ``"period_id"``), ``programme_of``: {value of ``field``:
    programme id}; the rows must be restricted to those programmes already. Programmes
    owing to the same units share one term, so the SQL stays small however many
    programmes there are.
    """
    groups: dict[frozenset[int], list] = {}
    for value, programme_id in programme_of.items():
        groups.setdefault(units.get(programme_id, frozenset()), []).append(value)
    if len(groups) == 1:
        # The rows are those of these programmes already: naming them again would make
        # PostgreSQL count the same condition twice and misjudge the rows by 100 times.
        ((unit_ids, _values),) = groups.items()
        return Q(department_id__in=sorted(unit_ids))
    owed = Q(pk__in=[])
    for unit_ids, values in groups.items():
        owed |= Q(**{f"{field}__in": values, "department_id__in": sorted(unit_ids)})
    return owed


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
