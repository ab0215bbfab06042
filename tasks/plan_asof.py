"""The plan as it stood in a period: which assignments were in force.

An assignment is in force in period P when it started at or before P (``valid_from``
empty means from the programme's start) and had not ended by P (``valid_until`` is the
first period it no longer holds). Figures of a past period read assignments through this
module, so a later plan change (a lead change, a department merge) leaves them as they were.
"""

from django.db.models import Q, QuerySet

from tasks.models import Assignment, ReportingPeriod, Task, TaskRevision


def in_force_q(*, period: ReportingPeriod | None = None, prefix: str = "", start=None) -> Q:
    """Return the filter of assignments in force in ``period`` (``prefix`` reaches them);
    ``start`` instead of ``period``: a period's start date or an expression giving it (an
    ``OuterRef`` to the period of the row a subquery is about)."""
    if period is not None:
        start = period.starts_on
    return (
        Q(**{f"{prefix}valid_from__isnull": True})
        | Q(**{f"{prefix}valid_from__starts_on__lte": start})
    ) & (
        Q(**{f"{prefix}valid_until__isnull": True})
        | Q(**{f"{prefix}valid_until__starts_on__gt": start})
    )


def assignments_as_of(*, period: ReportingPeriod) -> QuerySet[Assignment]:
    """Return the assignments of ``period``'s programme that were in force in ``period``."""
    return Assignment.all_periods.filter(task__programme_id=period.programme_id).filter(
        in_force_q(period=period)
    )


def units_as_of(*, task_ids, period: ReportingPeriod) -> dict[int, list[tuple[int, str]]]:
    """Return {task id: [(department id, role), ...]} in force in ``period`` (one query)."""
    rows = (
        assignments_as_of(period=period)
        .filter(task_id__in=task_ids)
        .order_by("task_id", "role", "order")
        .values_list("task_id", "department_id", "role")
    )
    units: dict[int, list[tuple[int, str]]] = {}
    for task_id, department_id, role in rows:
        units.setdefault(task_id, []).append((department_id, role))
    return units


def task_text_as_of(*, task: Task, period: ReportingPeriod) -> tuple[str, object]:
    """Return (measure, due date) of ``task`` as they stood in ``period``."""
    revision = (
        TaskRevision.objects.filter(task=task, valid_until__starts_on__gt=period.starts_on)
        .order_by("valid_until__starts_on")
        .first()
    )
    if revision is None:
        return task.measure, task.due_on
    return revision.measure, revision.due_on
