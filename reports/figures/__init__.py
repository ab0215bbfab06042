"""The one place dashboard and report figures are computed.

The dashboards, the monthly report (Excel/Word) and the REST API all call these functions,
so a figure means the same thing everywhere. Every function runs a small, fixed number of
SQL queries whatever the size of the programme (aggregation happens in the database).

Definitions (also shown on the dashboard pages):

- **Task status as of a period** (``asof``): from the lead updates of periods up to it that
  were accepted by its cut-off (the end of its due date, or now if earlier), and the
  confirmations made by then; collectives are never leads. ``period_figures`` and
  ``status_trend`` count tasks by it, so a report on a past period never changes.
- **Task progress**: tasks completed and confirmed (办结确认, ``completion_confirmed_at`` set)
  divided by all tasks; and the mean of the tasks' ``percent`` (as of the period in
  ``period_figures``, the row's elsewhere).
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

Rules on a task row or a period that the tasks app needs too live beneath this package:
``tasks/warning.py`` (warning colour, overdue), ``tasks/obligations.py`` (who owes a
submission, the drill-down filters), ``tasks/status_rule.py`` (how leads combine) and
``tasks/periods.py`` (cut-off, interim, the current period).

Modules: ``results`` (the result types), ``reporting``
(who owes a submission, returns), ``programme`` (the overview), ``departments`` (one
department), ``asof`` (the one status rule, as of any period), ``trend`` (the status trend),
``overview`` (all programmes).
Import the names from this package: ``from reports import figures``.

Known approximation: "holds an active reporter account" is today's accounts, also for past
periods (account history is not kept).
"""

from reports.figures.asof import period_accepted_q, states_as_of
from reports.figures.departments import department_figures, department_record, department_tasks
from reports.figures.overview import current_periods, programmes_overview
from reports.figures.programme import (
    category_rows,
    department_rows,
    period_figures,
    summed_task_counts,
    task_counts,
    tasks_by_category,
)
from reports.figures.reporting import (
    expected_assignments,
    period_reporting,
    reporting_aggregates,
    returned_counts,
)
from reports.figures.results import (
    STATUSES,
    CategoryRow,
    DepartmentFigures,
    DepartmentRow,
    PeriodFigures,
    ProgrammeHeadline,
    RecordRow,
    ReportingCounts,
    TaskCounts,
    TrendPoint,
)
from reports.figures.trend import status_trend, status_trend_and_states

__all__ = [
    "STATUSES",
    "CategoryRow",
    "DepartmentFigures",
    "DepartmentRow",
    "PeriodFigures",
    "ProgrammeHeadline",
    "RecordRow",
    "ReportingCounts",
    "TaskCounts",
    "TrendPoint",
    "category_rows",
    "current_periods",
    "department_figures",
    "department_record",
    "department_rows",
    "department_tasks",
    "expected_assignments",
    "period_accepted_q",
    "period_figures",
    "period_reporting",
    "programmes_overview",
    "reporting_aggregates",
    "returned_counts",
    "states_as_of",
    "status_trend",
    "status_trend_and_states",
    "summed_task_counts",
    "task_counts",
    "tasks_by_category",
]
