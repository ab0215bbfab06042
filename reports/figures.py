"""The one place dashboard and report figures are computed.

The dashboards, the monthly report (Excel/Word) and the REST API all call these functions,
so a figure means the same thing everywhere. Every function runs a small, fixed number of
SQL queries whatever the size of the programme (aggregation happens in the database).

Definitions (also shown on the dashboard pages):

- **Task progress**: tasks completed and confirmed (办结确认, ``completion_confirmed_at`` set)
  divided by all tasks; and the mean of the tasks' current ``percent``.
- **Overdue task**: ``due_on`` is before ``clock.today()`` and the task is not completed and
  confirmed.
- **Expected submission** of a period: one per (task, department) assignment where the
  department is concrete (not kind ``collective``) and holds at least one active reporter
  account, for every task of the programme not confirmed complete before the period started
  (confirmation date, in local time, before the period's first day).
- **On time**: the department's update for (task, period) has ``first_submitted_at`` set and
  ``is_late`` false. **Late**: ``first_submitted_at`` set and ``is_late`` true.
  **Missing**: expected and no submitted update (no row, or a draft never submitted).
  Only expected submissions are counted, so on time + late + missing = expected.
- **On-time rate**: on time / expected, as a percentage with one decimal (never above 100);
  ``None`` when nothing is expected.
- **Returned**: returns (Review rows with action ``return``) of the department's updates of
  this programme's periods up to the chosen one (all time, not only this period); counted
  from the denormalised ``ProgressUpdate.return_count`` that ``return_update`` increments.
- **Warning colour** (see ``warning_colour``): red when overdue or blocked; yellow when
  behind, needing coordination or lagging the straight line by more than 25 points; else
  green. A task completed and confirmed is always green.

Known approximation: "holds an active reporter account" is today's accounts, also for past
periods (account history is not kept).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Department, DepartmentKind, Profile, Role
from pilot import clock
from tasks.models import (
    Assignment,
    AssignmentRole,
    Category,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    Task,
    TaskStatus,
    UpdateState,
)

#: Points a task's percent may trail the straight-line expectation before it is "at risk".
LAG_TOLERANCE = 25

STATUSES = tuple(TaskStatus.values)


class WarningColour:
    """The traffic-light values of ``warning_colour`` (plain strings, usable in URLs)."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    choices = (
        (GREEN, _("正常")),
        (YELLOW, _("预警")),
        (RED, _("告警")),
    )
    values = (GREEN, YELLOW, RED)


# --- result types --------------------------------------------------------------------


@dataclass(frozen=True)
class TaskCounts:
    """Figures over a set of tasks, from their current (denormalised) state.

    total: number of tasks.
    by_status: TaskStatus value -> number of tasks with that current status (every status
        present, zero when none).
    completed_confirmed: tasks with ``completion_confirmed_at`` set.
    progress_rate: completed_confirmed / total as a percentage (one decimal); None if no tasks.
    mean_percent: mean of the tasks' ``percent`` (one decimal); None if no tasks.
    overdue: tasks past ``due_on`` (before today) and not completed and confirmed.
    past_due: tasks whose ``due_on`` is before today, completed or not (so the tasks due and
        done are past_due - overdue).
    needs_coordination: tasks whose accepted lead updates ask for coordination.
    by_colour: WarningColour value -> number of tasks (every colour present).
    """

    total: int
    by_status: dict
    completed_confirmed: int
    progress_rate: float | None
    mean_percent: float | None
    overdue: int
    needs_coordination: int
    by_colour: dict
    past_due: int = 0


@dataclass(frozen=True)
class ReportingCounts:
    """The reporting of one period (see the module docstring for the definitions).

    expected, on_time, late, missing: numbers of submissions; on_time + late + missing ==
    expected. on_time_rate: on_time / expected as a percentage (one decimal), None when
    nothing is expected.
    """

    expected: int
    on_time: int
    late: int
    missing: int
    on_time_rate: float | None


@dataclass(frozen=True)
class CategoryRow:
    """Tasks of one category: category (a Category), total, by_status (status -> count),
    completed_confirmed."""

    category: Category
    total: int
    by_status: dict
    completed_confirmed: int


@dataclass(frozen=True)
class DepartmentRow:
    """One department's share of a programme in a period.

    department: the Department. led / supported: tasks it leads / supports.
    completed: of those tasks, the ones completed and confirmed. overdue: of those, overdue.
    expected, on_time, late, missing, on_time_rate: its reporting of the period (zero
    expected for collectives and for departments without an active reporter account).
    returned: returns of its updates on this programme up to the period's end (all time).
    """

    department: Department
    led: int
    supported: int
    completed: int
    overdue: int
    expected: int
    on_time: int
    late: int
    missing: int
    returned: int
    on_time_rate: float | None

    @property
    def tasks(self) -> int:
        return self.led + self.supported


@dataclass(frozen=True)
class PeriodFigures:
    """Everything the programme overview shows for one period.

    programme, period: what the figures are about. as_of: the date "today" meant.
    tasks: TaskCounts over all tasks of the programme (current state, not as of the period).
    reporting: ReportingCounts of the period. categories: one CategoryRow per category, in
    plan order. departments: one DepartmentRow per assigned department, in directory order.
    """

    programme: Programme
    period: ReportingPeriod
    as_of: datetime.date
    tasks: TaskCounts
    reporting: ReportingCounts
    categories: list = field(default_factory=list)
    departments: list = field(default_factory=list)


@dataclass(frozen=True)
class DepartmentFigures:
    """The overview restricted to one department's tasks (those it leads or supports).

    department, programme, period, as_of: what the figures are about.
    tasks: TaskCounts over its tasks. led / supported: numbers of its tasks by role.
    reporting: its own ReportingCounts of the period. returned: its returns up to the end of
    the period. categories: CategoryRows over its tasks (categories without any omitted).
    """

    department: Department
    programme: Programme
    period: ReportingPeriod
    as_of: datetime.date
    tasks: TaskCounts
    led: int
    supported: int
    reporting: ReportingCounts
    returned: int
    categories: list = field(default_factory=list)


@dataclass(frozen=True)
class RecordRow:
    """One period of a department's reporting record: period (a ReportingPeriod), expected,
    on_time, late, missing, returned (returns of its updates of that period), on_time_rate."""

    period: ReportingPeriod
    expected: int
    on_time: int
    late: int
    missing: int
    returned: int
    on_time_rate: float | None


@dataclass(frozen=True)
class TrendPoint:
    """Task statuses at the end of one period: period, by_status (status -> count), total."""

    period: ReportingPeriod
    by_status: dict
    total: int


@dataclass(frozen=True)
class ProgrammeHeadline:
    """A programme's headline figures for the all-programmes overview.

    programme; period (its current period, None if it has none); tasks (TaskCounts);
    reporting (ReportingCounts of the current period; all zero without a period).
    """

    programme: Programme
    period: ReportingPeriod | None
    tasks: TaskCounts
    reporting: ReportingCounts


# --- SQL building blocks -------------------------------------------------------------


class DayNumber(Func):
    """A date as a whole number of days (only differences between two are meaningful)."""

    output_field = IntegerField()
    template = "(%(expressions)s - DATE '2000-01-01')"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)", **extra
        )


def warning_colour(*, prefix: str = "", today: datetime.date | None = None) -> Case:
    """Return a SQL expression giving a task's warning colour (a WarningColour value).

    Rule, first match wins:
    1. green  - completed and confirmed;
    2. red    - overdue (due_on before today) or status 受阻 (blocked);
    3. yellow - status 进度滞后 (behind), or needs coordination, or "at risk": the percent
                trails the straight-line expectation (0 % at the programme's start, 100 % on
                the task's due date) by more than 25 points;
    4. green  - everything else.
    ``prefix`` points at the task from another model (e.g. ``"task__"`` on Assignment), so
    lists filter and count by colour in SQL: ``.alias(colour=warning_colour()).filter(...)``.
    """
    today = today or clock.today()
    start = DayNumber(F(f"{prefix}programme__starts_on"))
    span = DayNumber(F(f"{prefix}due_on")) - start
    elapsed = DayNumber(Value(today)) - start
    # percent + 25 < 100 * elapsed / span, multiplied out to stay in integers.
    lagging = LessThan((F(f"{prefix}percent") + LAG_TOLERANCE) * span, elapsed * 100)
    return Case(
        When(
            **{f"{prefix}completion_confirmed_at__isnull": False},
            then=Value(WarningColour.GREEN),
        ),
        When(**{f"{prefix}due_on__lt": today}, then=Value(WarningColour.RED)),
        When(**{f"{prefix}status": TaskStatus.BLOCKED}, then=Value(WarningColour.RED)),
        When(**{f"{prefix}status": TaskStatus.BEHIND}, then=Value(WarningColour.YELLOW)),
        When(**{f"{prefix}needs_coordination": True}, then=Value(WarningColour.YELLOW)),
        When(lagging, then=Value(WarningColour.YELLOW)),
        default=Value(WarningColour.GREEN),
        output_field=CharField(),
    )


def overdue_q(*, prefix: str = "", today: datetime.date | None = None) -> Q:
    """Return the filter of overdue tasks (past due, not completed and confirmed)."""
    today = today or clock.today()
    return Q(**{f"{prefix}due_on__lt": today, f"{prefix}completion_confirmed_at__isnull": True})


def open_in_period_q(*, start: datetime.date, prefix: str = "") -> Q:
    """Return the filter of tasks not confirmed complete before ``start`` (a local date)."""
    return Q(**{f"{prefix}completion_confirmed_at__isnull": True}) | Q(
        **{f"{prefix}completion_confirmed_at__date__gte": start}
    )


def reporting_departments() -> Exists:
    """Return an Exists over Assignment rows: the department holds an active reporter."""
    return Exists(
        Profile.objects.filter(
            department_id=OuterRef("department_id"), role=Role.REPORTER, user__is_active=True
        )
    )


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


def _period_reporting(*, programme, period, department=None) -> ReportingCounts:
    expected = expected_assignments(programme=programme, period=period)
    submitted = submitted_updates(periods=[period])
    if department is not None:
        expected = expected.filter(department=department)
        submitted = submitted.filter(department=department)
    counts = submitted.aggregate(**SUBMISSION_AGGREGATES)
    return _reporting(expected.count(), counts["on_time"], counts["late"])


def _task_aggregates(today: datetime.date) -> dict:
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


def _task_counts(row: dict) -> TaskCounts:
    total = row["total"] or 0
    mean = row["mean_percent"]
    return TaskCounts(
        total=total,
        by_status={status: row[f"status_{status}"] for status in STATUSES},
        completed_confirmed=row["completed_confirmed"],
        progress_rate=_rate(row["completed_confirmed"], total),
        mean_percent=round(float(mean), 1) if mean is not None and total else None,
        overdue=row["overdue"],
        needs_coordination=row["needs_coordination"],
        by_colour={colour: row[f"colour_{colour}"] for colour in WarningColour.values},
        past_due=row["past_due"],
    )


def task_counts(*, tasks: QuerySet, today: datetime.date | None = None) -> TaskCounts:
    """Return TaskCounts over a Task queryset (one query)."""
    today = today or clock.today()
    row = tasks.alias(colour=warning_colour(today=today)).aggregate(**_task_aggregates(today))
    return _task_counts(row)


# --- the programme overview ----------------------------------------------------------


def period_figures(*, programme: Programme, period: ReportingPeriod) -> PeriodFigures:
    """Return the programme overview's figures for ``period`` (nine queries)."""
    today = clock.today()
    tasks = Task.objects.filter(programme=programme)
    return PeriodFigures(
        programme=programme,
        period=period,
        as_of=today,
        tasks=task_counts(tasks=tasks, today=today),
        reporting=_period_reporting(programme=programme, period=period),
        categories=category_rows(tasks=tasks, programme=programme),
        departments=department_rows(programme=programme, period=period, today=today),
    )


def category_rows(*, tasks: QuerySet, programme: Programme, keep_empty: bool = True) -> list:
    """Return a CategoryRow per category of ``programme`` over ``tasks`` (two queries)."""
    aggregates = {
        "total": Count("pk"),
        "completed_confirmed": Count("pk", filter=Q(completion_confirmed_at__isnull=False)),
    }
    for status in STATUSES:
        aggregates[f"status_{status}"] = Count("pk", filter=Q(status=status))
    counts = {
        row["category_id"]: row
        for row in tasks.order_by().values("category_id").annotate(**aggregates)
    }
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
    *, programme: Programme, period: ReportingPeriod, today: datetime.date | None = None
) -> list:
    """Return a DepartmentRow per department assigned in ``programme`` (four queries)."""
    today = today or clock.today()
    expected_q = (
        ~Q(department__kind=DepartmentKind.COLLECTIVE)
        & Q(reporting_departments())
        & open_in_period_q(start=period.starts_on, prefix="task__")
    )
    rows = (
        Assignment.objects.filter(task__programme=programme)
        .order_by()
        .values("department_id")
        .annotate(
            led=Count("pk", filter=Q(role=AssignmentRole.LEAD)),
            supported=Count("pk", filter=Q(role=AssignmentRole.SUPPORT)),
            completed=Count("pk", filter=Q(task__completion_confirmed_at__isnull=False)),
            overdue=Count("pk", filter=overdue_q(prefix="task__", today=today)),
            expected=Count("pk", filter=expected_q),
        )
    )
    rows = {row["department_id"]: row for row in rows}
    submitted = {
        row["department_id"]: row
        for row in submitted_updates(periods=[period])
        .order_by()
        .values("department_id")
        .annotate(**SUBMISSION_AGGREGATES)
    }
    for department_id, row in rows.items():
        counts = submitted.get(department_id, {"on_time": 0, "late": 0})
        row.update(on_time=counts["on_time"], late=counts["late"])
    returned = returned_counts(programme=programme, until=period)
    departments = Department.objects.filter(pk__in=rows).order_by("sort_order", "name")
    return [_department_row(item, rows[item.pk], returned) for item in departments]


def _department_row(department, row, returned) -> DepartmentRow:
    reporting = _reporting(row["expected"], row["on_time"], row["late"])
    return DepartmentRow(
        department=department,
        led=row["led"],
        supported=row["supported"],
        completed=row["completed"],
        overdue=row["overdue"],
        expected=reporting.expected,
        on_time=reporting.on_time,
        late=reporting.late,
        missing=reporting.missing,
        returned=returned.get(department.pk, 0),
        on_time_rate=reporting.on_time_rate,
    )


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


# --- one department ------------------------------------------------------------------


def department_tasks(*, programme: Programme, department: Department) -> QuerySet:
    """Return the tasks of ``programme`` that ``department`` leads or supports."""
    held = Assignment.objects.filter(department=department, task_id=OuterRef("pk"))
    return Task.objects.filter(programme=programme).filter(Exists(held))


def department_figures(
    *, programme: Programme, period: ReportingPeriod, department: Department
) -> DepartmentFigures:
    """Return the overview's figures restricted to ``department``'s tasks (seven queries)."""
    today = clock.today()
    tasks = department_tasks(programme=programme, department=department)
    assignments = Assignment.objects.filter(task__programme=programme, department=department)
    roles = assignments.aggregate(
        led=Count("pk", filter=Q(role=AssignmentRole.LEAD)),
        supported=Count("pk", filter=Q(role=AssignmentRole.SUPPORT)),
    )
    returned = returned_counts(programme=programme, until=period, department=department)
    return DepartmentFigures(
        department=department,
        programme=programme,
        period=period,
        as_of=today,
        tasks=task_counts(tasks=tasks, today=today),
        led=roles["led"],
        supported=roles["supported"],
        reporting=_period_reporting(programme=programme, period=period, department=department),
        returned=returned.get(department.pk, 0),
        categories=category_rows(tasks=tasks, programme=programme, keep_empty=False),
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
        expected = sum(
            1 for confirmed in owing if confirmed is None or confirmed >= period.starts_on
        )
        on_time, late = submitted.get(period.pk, (0, 0))
        reporting = _reporting(expected, on_time, late)
        rows.append(
            RecordRow(
                period=period,
                expected=reporting.expected,
                on_time=reporting.on_time,
                late=reporting.late,
                missing=reporting.missing,
                returned=returned.get(period.pk, 0),
                on_time_rate=reporting.on_time_rate,
            )
        )
    return rows


def _owing_confirmations(*, programme, department) -> list:
    """Return the local confirmation date (or None) of each task the department owes."""
    if department.kind == DepartmentKind.COLLECTIVE:
        return []
    assignments = (
        Assignment.objects.filter(task__programme=programme, department=department)
        .filter(reporting_departments())
        .values_list("task__completion_confirmed_at", flat=True)
    )
    return [timezone.localdate(at) if at else None for at in assignments]


def _submitted_by_period(*, department, period_ids) -> dict:
    """Return {period id: (on time, late)} of the department's submissions owed."""
    held = Assignment.objects.filter(task_id=OuterRef("task_id"), department=department)
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


# --- the trend -----------------------------------------------------------------------


def status_trend(*, programme: Programme) -> list[TrendPoint]:
    """Return task status counts at the end of each period that has started (four queries).

    Approximation: for each (task, period) the accepted LEAD updates of that period are
    combined as ``tasks.services.review.combine_statuses`` does (blocked > behind > all
    completed > all not started > on track), where a lead unit that sent no accepted update
    in that period counts as not completed. A task with no accepted lead update in a period
    keeps its status of the previous period (未启动 before its first). Leads are not carried
    forward one by one, so a period where only one of two lead units reported uses that
    unit's report alone (apart from the "all completed" test). Periods after today are left
    out. SQL groups the updates per (period, task); Python only carries values forward over
    at most tasks x periods small tuples.
    """
    today = clock.today()
    periods = list(
        ReportingPeriod.objects.filter(programme=programme, starts_on__lte=today).order_by(
            "starts_on"
        )
    )
    leads = dict(
        Assignment.objects.filter(task__programme=programme, role=AssignmentRole.LEAD)
        .order_by()
        .values("task_id")
        .annotate(n=Count("pk"))
        .values_list("task_id", "n")
    )
    total = Task.objects.filter(programme=programme).count()
    combined = _combined_statuses(
        programme=programme, leads=leads, period_ids=[period.pk for period in periods]
    )
    current = {}
    points = []
    for period in periods:
        current.update(combined.get(period.pk, {}))
        by_status = dict.fromkeys(STATUSES, 0)
        for status in current.values():
            by_status[status] += 1
        by_status[TaskStatus.NOT_STARTED] += total - len(current)
        points.append(TrendPoint(period=period, by_status=by_status, total=total))
    return points


def _combined_statuses(*, programme, leads: dict, period_ids: list) -> dict:
    """Return {period id: {task id: combined status}} from accepted lead updates."""
    # Filtering on the period ids lets the database use the (period, state) index.
    rows = (
        ProgressUpdate.objects.filter(
            period_id__in=period_ids,
            task__programme=programme,
            role=AssignmentRole.LEAD,
            state=UpdateState.ACCEPTED,
        )
        .order_by()
        .values("period_id", "task_id")
        .annotate(
            blocked=Count("pk", filter=Q(status=TaskStatus.BLOCKED)),
            behind=Count("pk", filter=Q(status=TaskStatus.BEHIND)),
            completed=Count("pk", filter=Q(status=TaskStatus.COMPLETED)),
            not_started=Count("pk", filter=Q(status=TaskStatus.NOT_STARTED)),
            n=Count("pk"),
        )
        .values_list("period_id", "task_id", "blocked", "behind", "completed", "not_started", "n")
    )
    combined = defaultdict(dict)
    for period_id, task_id, blocked, behind, completed, not_started, n in rows:
        if blocked:
            status = TaskStatus.BLOCKED
        elif behind:
            status = TaskStatus.BEHIND
        elif completed >= leads.get(task_id, 1):
            status = TaskStatus.COMPLETED
        elif not_started == n:
            status = TaskStatus.NOT_STARTED
        else:
            status = TaskStatus.ON_TRACK
        combined[period_id][task_id] = status
    return combined


# --- all programmes ------------------------------------------------------------------


def current_periods(*, programmes=None) -> dict:
    """Return {programme id: its current period} in two queries (as tasks.selectors does)."""
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


def pick_current_period(periods: list, today: datetime.date) -> ReportingPeriod:
    """Return the current one of a programme's periods (sorted), as tasks.selectors does."""
    for period in periods:
        if period.starts_on <= today <= period.ends_on:
            return period
    started = [period for period in periods if period.ends_on < today]
    return started[-1] if started else periods[0]


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
        .annotate(**_task_aggregates(today))
    }
    reporting = _reporting_by_programme(current)
    empty_tasks = defaultdict(int, mean_percent=None)
    return [
        ProgrammeHeadline(
            programme=programme,
            period=current.get(programme.pk),
            tasks=_task_counts(tasks.get(programme.pk, empty_tasks)),
            reporting=_reporting(*reporting.get(programme.pk, (0, 0, 0))),
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
