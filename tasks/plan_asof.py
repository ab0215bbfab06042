"""The plan as it stood in a period: which tasks and assignments were in force.

A task or an assignment is in force in period P when it started at or before P (``valid_from``
empty means from the programme's start) and had not ended by P (``valid_until`` is the
first period it no longer holds). Figures of a past period read assignments through this
module, so a later plan change (a lead change, a department merge, a task retired, split or
merged) leaves them as they were.
"""

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

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


def held_by_q(*, department, prefix: str = "") -> Q:
    """Return the filter of assignments ``department`` answers for: its own, and those of a
    department merged into it (``Department.merged_into``: its reporters moved there, and
    the periods before the merge are still theirs to file)."""
    return Q(**{f"{prefix}department_id": department.pk}) | Q(
        **{f"{prefix}department__merged_into_id": department.pk}
    )


def held_as_of(*, department, period: ReportingPeriod) -> QuerySet[Assignment]:
    """Return the assignments through which ``department`` files for ``period``: those in
    force in ``period`` (of tasks in force in it) that it answers for (``held_by_q``),
    leads before supports, so that the first row per task gives its role in ``period``."""
    return (
        Assignment.all_periods.filter(held_by_q(department=department))
        .filter(in_force_q(period=period))
        .filter(task_in_force_q(period=period, prefix="task__"))
        .order_by("task_id", "role", "order", "pk")
    )


def task_in_force_q(*, period: ReportingPeriod | None = None, prefix: str = "", start=None) -> Q:
    """Return the filter of tasks in force in ``period`` (``prefix`` reaches them, e.g.
    ``"task__"`` from an update); ``start`` as in ``in_force_q``. Tasks have the same
    validity fields as assignments."""
    return in_force_q(period=period, prefix=prefix, start=start)


def tasks_as_of(*, period: ReportingPeriod) -> QuerySet[Task]:
    """Return the tasks of ``period``'s programme that were in force in ``period``."""
    return Task.all_periods.filter(programme_id=period.programme_id).filter(
        task_in_force_q(period=period)
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
    return texts_as_of(tasks=[task], period=period)[task.pk]


def texts_as_of(*, tasks, period: ReportingPeriod) -> dict[int, tuple[str, object]]:
    """Return {task id: (measure, due date)} as they stood in ``period`` for ``tasks``
    (task rows; one query)."""
    tasks = list(tasks)
    texts = {task.pk: (task.measure, task.due_on) for task in tasks}
    if texts:
        texts.update(revised_texts(period=period, task_ids=list(texts)))
    return texts


def revised_texts(*, period: ReportingPeriod, task_ids=None) -> dict[int, tuple[str, object]]:
    """Return {task id: (measure, due date)} in force in ``period`` for the tasks of its
    programme (of ``task_ids`` if given) whose text changed after ``period``; a task not
    in the dict had, in ``period``, the text its row holds. One query.

    A revision holds the text up to, not including, its ``valid_until``: the earliest
    revision ending after ``period`` is the text in force then."""
    revisions = TaskRevision.objects.filter(valid_until__starts_on__gt=period.starts_on)
    if task_ids is None:
        revisions = revisions.filter(task__programme_id=period.programme_id)
    else:
        revisions = revisions.filter(task_id__in=task_ids)
    texts = {}
    rows = revisions.order_by("task_id", "-valid_until__starts_on", "-pk").values_list(
        "task_id", "measure", "due_on"
    )
    for task_id, measure, due_on in rows:  # the earliest ending revision comes last
        texts[task_id] = (measure, due_on)
    return texts


def with_text_as_of(tasks, period: ReportingPeriod) -> list[Task]:
    """Return ``tasks`` (rows, not saved afterwards) with ``measure`` and ``due_on`` set to
    the text in force in ``period`` (one query)."""
    tasks = list(tasks)
    revised = revised_texts(period=period, task_ids=[task.pk for task in tasks])
    for task in tasks:
        task.measure, task.due_on = revised.get(task.pk, (task.measure, task.due_on))
    return tasks


def due_on_as_of(*, period: ReportingPeriod | None = None, prefix: str = "", start=None):
    """Return an expression of the due date in force in ``period`` of the task ``prefix``
    reaches (``start`` as in ``in_force_q``): a later change's kept date, else the row's."""
    return _kept(period, prefix, start, "due_on")


def measure_as_of(*, period: ReportingPeriod | None = None, prefix: str = "", start=None):
    """Return an expression of the measure in force in ``period`` (as ``due_on_as_of``)."""
    return _kept(period, prefix, start, "measure")


def text_as_of_annotations(*, period: ReportingPeriod) -> dict:
    """Return ``annotate()`` arguments giving a task queryset ``measure_then`` and
    ``due_on_then``, its text in force in ``period``, in the same query."""
    return {
        "measure_then": measure_as_of(period=period),
        "due_on_then": due_on_as_of(period=period),
    }


def _kept(period, prefix, start, field):
    if period is not None:
        start = period.starts_on
    kept = TaskRevision.objects.filter(
        task_id=OuterRef(f"{prefix}pk"), valid_until__starts_on__gt=start
    ).order_by("valid_until__starts_on", "pk")
    return Coalesce(Subquery(kept.values(field)[:1]), F(f"{prefix}{field}"))
