"""The figures' result types (plain frozen dataclasses) and the status order."""

import datetime
from dataclasses import dataclass, field

from departments.models import Department
from tasks.models import Category, Programme, ReportingPeriod, TaskStatus

#: Every task status, in the order the figures list them.
STATUSES = tuple(TaskStatus.values)


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


class _ReportingOf:
    """Reads a row's ReportingCounts (``reporting``) as its own fields, so templates,
    builders and serializers say ``row.on_time`` while the counts live in one type."""

    reporting: ReportingCounts

    @property
    def expected(self) -> int:
        return self.reporting.expected

    @property
    def on_time(self) -> int:
        return self.reporting.on_time

    @property
    def late(self) -> int:
        return self.reporting.late

    @property
    def missing(self) -> int:
        return self.reporting.missing

    @property
    def on_time_rate(self) -> float | None:
        return self.reporting.on_time_rate


@dataclass(frozen=True)
class DepartmentRow(_ReportingOf):
    """One department's share of a programme in a period.

    department: the Department. led / supported: tasks it leads / supports.
    completed: of those tasks, the ones completed and confirmed. overdue: of those, overdue.
    reporting: its ReportingCounts of the period (zero expected for collectives and for
    departments without an active reporter account), also read as ``expected``,
    ``on_time``, ``late``, ``missing``, ``on_time_rate``.
    returned: returns of its updates on this programme up to the period's end (all time).
    """

    department: Department
    led: int
    supported: int
    completed: int
    overdue: int
    reporting: ReportingCounts
    returned: int

    @property
    def tasks(self) -> int:
        return self.led + self.supported


@dataclass(frozen=True)
class PeriodFigures:
    """Everything the programme overview shows for one period.

    programme, period: what the figures are about. as_of: the date "today" meant.
    tasks: TaskCounts over all tasks of the programme, as of the period (``asof``).
    reporting: ReportingCounts of the period. categories: one CategoryRow per category, in
    plan order. departments: one DepartmentRow per assigned department, in directory order.
    states: {task id: TaskState} as of the period, the tasks behind the counts.
    """

    programme: Programme
    period: ReportingPeriod
    as_of: datetime.date
    tasks: TaskCounts
    reporting: ReportingCounts
    categories: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    states: dict = field(default_factory=dict, repr=False, compare=False)


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
class RecordRow(_ReportingOf):
    """One period of a department's reporting record: period (a ReportingPeriod),
    reporting (its ReportingCounts, also read as ``expected``, ``on_time`` …), returned
    (returns of its updates of that period)."""

    period: ReportingPeriod
    reporting: ReportingCounts
    returned: int


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
