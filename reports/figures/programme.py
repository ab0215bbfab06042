"""The programme overview: task counts, categories and departments of one period."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from django.db.models import Avg, BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Sum

from departments.models import Department
from pilot import clock
from reports.figures.asof import period_accepted_q, states_as_of
from reports.figures.reporting import (
    owed_q,
    percent_of,
    reporting_counts,
    returned_counts,
)
from reports.figures.results import (
    STATUSES,
    CategoryRow,
    DepartmentRow,
    PeriodFigures,
    TaskCounts,
)
from tasks.models import (
    Assignment,
    AssignmentRole,
    Category,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    TaskStatus,
)
from tasks.obligations import submitted_exists
from tasks.periods import cutoff
from tasks.plan_asof import due_on_as_of, in_force_q, tasks_as_of
from tasks.warning import LAG_TOLERANCE, WarningColour, overdue_q, warning_colour


def task_aggregates(today: datetime.date) -> dict:
    aggregates = {
        "total": Count("pk"),
        "completed_confirmed": Count("pk", filter=Q(completion_confirmed_at__isnull=False)),
        "mean_percent": Avg("percent"),
        "overdue": Count("pk", filter=overdue_q(today=today)),
        "past_due": Count("pk", filter=Q(due_on__lt=today)),
        "needs_coordination": Count("pk", filter=Q(needs_coordination=True)),
    }
    for status in STATUSES:
        aggregates[f"status_{status}"] = Count("pk", filter=Q(status=status))
    for colour in WarningColour.values:
        aggregates[f"colour_{colour}"] = Count("pk", filter=Q(colour=colour))
    return aggregates


def task_counts_of(row: dict) -> TaskCounts:
    total = row["total"] or 0
    mean = row["mean_percent"]
    return TaskCounts(
        total=total,
        by_status={status: row[f"status_{status}"] for status in STATUSES},
        completed_confirmed=row["completed_confirmed"],
        progress_rate=percent_of(row["completed_confirmed"], total),
        mean_percent=round(float(mean), 1) if mean is not None and total else None,
        overdue=row["overdue"],
        needs_coordination=row["needs_coordination"],
        by_colour={colour: row[f"colour_{colour}"] for colour in WarningColour.values},
        past_due=row["past_due"],
    )


def task_counts(*, tasks: QuerySet, today: datetime.date | None = None) -> TaskCounts:
    """Return TaskCounts over a Task queryset (one query)."""
    today = today or clock.today()
    row = tasks.alias(colour=warning_colour(today=today)).aggregate(**task_aggregates(today))
    return task_counts_of(row)


def tasks_by_category(*, tasks: QuerySet, today: datetime.date) -> dict:
    """Return {category id: the task aggregates of its tasks} over ``tasks`` (one query).

    The query groups the tasks by category and by every property a figure counts (status,
    colour, overdue, ...): a handful of groups per category, added up here. That is one
    simple GROUP BY instead of fifteen filtered counts, and the rows add up to the figures
    over all ``tasks`` (see ``summed_task_counts``), so one query feeds both the headline
    TaskCounts and the category rows.
    """
    rows = (
        tasks.order_by()
        .annotate(
            colour=warning_colour(today=today),
            is_overdue=_flag(overdue_q(today=today)),
            is_past_due=_flag(Q(due_on__lt=today)),
            is_confirmed=_flag(Q(completion_confirmed_at__isnull=False)),
        )
        .values(
            "category_id",
            "status",
            "colour",
            "needs_coordination",
            "is_overdue",
            "is_past_due",
            "is_confirmed",
        )
        .annotate(n=Count("pk"), percent_sum=Sum("percent"))
    )
    counts = {}
    for row in rows:
        total = counts.get(row["category_id"])
        if total is None:
            total = counts[row["category_id"]] = _empty_task_row()
        n = row["n"]
        total["total"] += n
        total["percent_sum"] += row["percent_sum"] or 0
        total[f"status_{row['status']}"] += n
        total[f"colour_{row['colour']}"] += n
        total["completed_confirmed"] += n if row["is_confirmed"] else 0
        total["overdue"] += n if row["is_overdue"] else 0
        total["past_due"] += n if row["is_past_due"] else 0
        total["needs_coordination"] += n if row["needs_coordination"] else 0
    for total in counts.values():
        total["mean_percent"] = total["percent_sum"] / total["total"]
    return counts


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _empty_task_row() -> dict:
    row = dict.fromkeys(("total", "percent_sum", "completed_confirmed", "overdue", "past_due"), 0)
    row["needs_coordination"] = 0
    row.update({f"status_{status}": 0 for status in STATUSES})
    row.update({f"colour_{colour}": 0 for colour in WarningColour.values})
    return row


def summed_task_counts(rows: Iterable[dict]) -> TaskCounts:
    """Return the TaskCounts of the union of per-category rows of ``tasks_by_category``."""
    total = defaultdict(int)
    for row in rows:
        for key, value in row.items():
            if key not in ("category_id", "mean_percent"):
                total[key] += value or 0
    total["mean_percent"] = total["percent_sum"] / total["total"] if total["total"] else None
    return task_counts_of(total)


# --- the programme overview ----------------------------------------------------------


def period_figures(
    *, programme: Programme, period: ReportingPeriod, states: dict | None = None
) -> PeriodFigures:
    """Return the programme overview's figures as of ``period`` (ten queries; five when
    ``states``, the result of ``states_as_of`` for the period, is given).

    The task figures follow the status rule as of the period (``reports.figures.asof``):
    a past period's figures stay what they were at its cut-off, however late they are
    asked for. ``as_of`` is the cut-off's date: the due date, or today if that is earlier.
    """
    now = clock.now()
    today = min(clock.today(), period.due_on)
    confirmed_by = cutoff(period, now=now)
    if states is None:
        states = states_as_of(programme=programme, period=period, now=now)
    counts = tasks_by_category_as_of(
        tasks=tasks_as_of(period=period), states=states, today=today, period=period
    )
    departments = department_rows(
        programme=programme, period=period, today=today, confirmed_by=confirmed_by
    )
    # "Needs coordination" in a report on the period: the tasks whose lead updates of the
    # period, accepted by its cut-off, ask for it (the items the report lists).
    coordination = (
        ProgressUpdate.objects.filter(period_accepted_q(period, now=now), needs_coordination=True)
        .values("task_id")
        .distinct()
        .count()
    )
    # Every expected submission belongs to exactly one assigned department, so the period's
    # reporting is the sum of the department rows (no second pass over the assignments).
    reporting = reporting_counts(
        sum(row.expected for row in departments),
        sum(row.on_time for row in departments),
        sum(row.late for row in departments),
    )
    return PeriodFigures(
        programme=programme,
        period=period,
        as_of=today,
        tasks=replace(summed_task_counts(counts.values()), needs_coordination=coordination),
        reporting=reporting,
        categories=category_rows_of(counts, programme=programme, keep_empty=True),
        departments=departments,
        states=states,
    )


def tasks_by_category_as_of(
    *, tasks: QuerySet, states: dict, today: datetime.date, period: ReportingPeriod | None = None
) -> dict:
    """Return ``tasks_by_category``'s result with each task's state taken from ``states``
    ({task id: TaskState}, e.g. ``states_as_of``) instead of its row; given ``period``,
    with the due dates in force in it (one query)."""
    due_on = due_on_as_of(period=period) if period is not None else F("due_on")
    rows = (
        tasks.order_by()
        .annotate(due_then=due_on)
        .values_list("pk", "category_id", "due_then", "programme__starts_on")
    )
    counts = {}
    for pk, category_id, due_on, starts_on in rows:
        state = states[pk]
        total = counts.get(category_id)
        if total is None:
            total = counts[category_id] = _empty_task_row()
        overdue = due_on < today and not state.confirmed
        total["total"] += 1
        total["percent_sum"] += state.percent
        total[f"status_{state.status}"] += 1
        total[f"colour_{colour_of(state, due_on=due_on, starts_on=starts_on, today=today)}"] += 1
        total["completed_confirmed"] += state.confirmed
        total["overdue"] += overdue
        total["past_due"] += due_on < today
        total["needs_coordination"] += state.needs_coordination
    for total in counts.values():
        total["mean_percent"] = total["percent_sum"] / total["total"]
    return counts


def colour_of(state, *, due_on: datetime.date, starts_on: datetime.date, today) -> str:
    """Return the warning colour of a TaskState: ``warning_colour``'s rule, in Python."""
    if state.confirmed:
        return WarningColour.GREEN
    if due_on < today or state.status == TaskStatus.BLOCKED:
        return WarningColour.RED
    if state.status == TaskStatus.BEHIND or state.needs_coordination:
        return WarningColour.YELLOW
    span, elapsed = (due_on - starts_on).days, (today - starts_on).days
    if (state.percent + LAG_TOLERANCE) * span < elapsed * 100:
        return WarningColour.YELLOW
    return WarningColour.GREEN


def category_rows(*, tasks: QuerySet, programme: Programme, keep_empty: bool = True) -> list:
    """Return a CategoryRow per category of ``programme`` over ``tasks`` (two queries)."""
    counts = tasks_by_category(tasks=tasks, today=clock.today())
    return category_rows_of(counts, programme=programme, keep_empty=keep_empty)


def category_rows_of(counts: dict, *, programme: Programme, keep_empty: bool) -> list:
    rows = []
    for category in Category.objects.filter(programme=programme):
        row = counts.get(category.pk)
        if row is None and not keep_empty:
            continue
        row = row or defaultdict(int)
        rows.append(
            CategoryRow(
                category=category,
                total=row["total"],
                by_status={status: row[f"status_{status}"] for status in STATUSES},
                completed_confirmed=row["completed_confirmed"],
            )
        )
    return rows


def department_rows(
    *,
    programme: Programme,
    period: ReportingPeriod,
    today: datetime.date | None = None,
    confirmed_by: datetime.datetime | None = None,
) -> list:
    """Return a DepartmentRow per department assigned in ``programme`` (three queries).

    As ``tasks_by_category``, one GROUP BY on the properties counted, added up here.
    ``confirmed_by``: count only the confirmations made before it (a report's cut-off).
    """
    today = today or clock.today()
    ids = [period.pk]
    owed = owed_q(period=period)
    confirmed = Q(task__completion_confirmed_at__isnull=False)
    if confirmed_by is not None:
        confirmed = Q(task__completion_confirmed_at__lt=confirmed_by)
    groups = (
        Assignment.all_periods.filter(task__programme=programme)
        .filter(in_force_q(period=period))
        .order_by()
        .alias(task_due_on=due_on_as_of(period=period, prefix="task__"))
        .annotate(
            is_completed=_flag(confirmed),
            is_overdue=_flag(Q(task_due_on__lt=today) & ~confirmed),
            is_on_time=_flag(owed & Q(submitted_exists(period_ids=ids, late=False))),
            is_late=_flag(owed & Q(submitted_exists(period_ids=ids, late=True))),
            is_owed=_flag(owed),
        )
        .values("department_id", "role", "is_completed", "is_overdue", "is_owed")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(is_on_time=True)),
            late=Count("pk", filter=Q(is_late=True)),
        )
    )
    rows = {}
    for group in groups:
        row = rows.get(group["department_id"])
        if row is None:
            row = rows[group["department_id"]] = dict.fromkeys(_DEPARTMENT_KEYS, 0)
        n = group["n"]
        row["led" if group["role"] == AssignmentRole.LEAD else "supported"] += n
        row["completed"] += n if group["is_completed"] else 0
        row["overdue"] += n if group["is_overdue"] else 0
        row["expected"] += n if group["is_owed"] else 0
        row["on_time"] += group["on_time"]
        row["late"] += group["late"]
    returned = returned_counts(programme=programme, until=period)
    departments = Department.objects.filter(pk__in=rows).order_by("sort_order", "name")
    return [_department_row(item, rows[item.pk], returned) for item in departments]


_DEPARTMENT_KEYS = ("led", "supported", "completed", "overdue", "expected", "on_time", "late")


def _department_row(department, row, returned) -> DepartmentRow:
    reporting = reporting_counts(row["expected"], row["on_time"], row["late"])
    return DepartmentRow(
        department=department,
        led=row["led"],
        supported=row["supported"],
        completed=row["completed"],
        overdue=row["overdue"],
        reporting=reporting,
        returned=returned.get(department.pk, 0),
    )
