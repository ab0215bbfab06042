"""The warning colour (traffic light) of a task and the overdue filter, as SQL: rules on
the task row, used by the task list and by every figure (``reports.figures``)."""

import datetime

from django.db.models import Case, CharField, F, Func, IntegerField, Q, Value, When
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _

from pilot import clock
from tasks.models import TaskStatus

#: Points a task's percent may trail the straight-line expectation before it is "at risk".
LAG_TOLERANCE = 25


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
