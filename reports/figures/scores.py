"""The monthly unit score (考核), computed from the records as of the month's cut-off.

The formula, as the office reads it on the scores page (weights editable, versioned):

    得分 = 100 × (w按时 × 按时报送率 + w推进 × 按期推进率 + w办结 × 按期办结率)
                ÷ (参与计算的权重之和)
           − w退回 × 每份报送退回次数 − w督办 × 未办结督办单数 + w亮点 × 亮点条数

- **按时报送率**: the unit's on-time submissions of the month ÷ its expected submissions:
  the dashboard's and the monthly report's on-time rate (``department_rows``).
- **按期推进率**: of the tasks the unit leads that are open in the month (not confirmed
  complete before it began), the share whose status as of the month (``states_as_of``, the
  one status rule) is neither 受阻 nor 进度滞后 and which are not overdue (due before the
  month's due date and not confirmed complete by its cut-off).
- **按期办结率**: of the tasks the unit leads that are due by the month's end, the share the
  office confirmed complete (办结确认) by the cut-off, on or before their due date.
- A rate whose denominator is zero is left out, with its weight; a unit with no rate at all
  (nothing expected, no task led) has no score that month (本月无考核事项) and is not ranked.
- **每份报送退回次数**: returns of the unit's updates recorded in the month (after the
  previous month's cut-off, up to this one's; a return is counted in exactly one month)
  ÷ its expected submissions of the month (at least 1).
- **未办结督办单数**: supervision slips outstanding at the cut-off (zero until slips exist).
- **亮点条数**: the unit's updates of the month accepted by the cut-off and marked
  亮点/典型做法 by the office.
- The result is rounded half up to one decimal and never below 0.

The cut-off is ``asof.cutoff`` (the end of the month's due date, or now if earlier), so a
past month's score is the same whenever it is recomputed.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone

from departments.models import DepartmentKind
from departments.ordering import order_units
from reports.figures.asof import period_accepted_q, states_as_of
from reports.figures.programme import department_rows
from tasks import supervision
from tasks.models import (
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    Review,
    ReviewAction,
    TaskStatus,
)
from tasks.periods import cutoff
from tasks.plan_asof import due_on_as_of, tasks_as_of
from tasks.status_rule import lead_units

RATE_TERMS = ("on_time", "on_schedule", "completion")
DEFAULT_WEIGHTS = {
    "on_time": Decimal("40"),
    "on_schedule": Decimal("30"),
    "completion": Decimal("30"),
    "returns": Decimal("10"),
    "slips": Decimal("2"),
    "highlights": Decimal("2"),
}
ONE_DECIMAL = Decimal("0.1")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class UnitScore:
    """One unit's score of a month and every count behind it.

    expected, on_time: its reporting (as the dashboard counts it). led_open, on_schedule:
    tasks it leads open in the month, and of those on schedule. due, completed_on_time:
    tasks it leads due by the month's end, and of those confirmed complete on time.
    returns: returns recorded in the month. slips: supervision slips outstanding.
    highlights: updates marked 亮点. points: term -> points it contributes (Decimal, one
    decimal). score: None when the unit had nothing to be scored on.
    """

    department: object
    expected: int
    on_time: int
    led_open: int
    on_schedule: int
    due: int
    completed_on_time: int
    returns: int
    slips: int
    highlights: int
    points: dict = field(default_factory=dict)
    score: Decimal | None = None

    def breakdown(self) -> dict:
        """Return the counts and the score as JSON-ready values (what a published row keeps)."""
        return {
            "expected": self.expected,
            "on_time": self.on_time,
            "led_open": self.led_open,
            "on_schedule": self.on_schedule,
            "due": self.due,
            "completed_on_time": self.completed_on_time,
            "returns": self.returns,
            "slips": self.slips,
            "highlights": self.highlights,
            "points": {name: str(value) for name, value in self.points.items()},
            "score": None if self.score is None else str(self.score),
        }


def rate(part: int, whole: int) -> Decimal | None:
    """Return part / whole as a Decimal (None when whole is zero)."""
    return Decimal(part) / Decimal(whole) if whole else None


def score_of(counts: dict, weights: dict) -> tuple[Decimal | None, dict]:
    """Apply the formula to one unit's counts; return (score, points per term)."""
    rates = {
        "on_time": rate(counts["on_time"], counts["expected"]),
        "on_schedule": rate(counts["on_schedule"], counts["led_open"]),
        "completion": rate(counts["completed_on_time"], counts["due"]),
    }
    counted = {name: value for name, value in rates.items() if value is not None}
    total_weight = sum((weights[name] for name in counted), Decimal(0))
    if not counted or total_weight == 0:
        return None, {}
    points = {
        name: HUNDRED * weights[name] * value / total_weight for name, value in counted.items()
    }
    points["returns"] = (
        -weights["returns"] * Decimal(counts["returns"]) / max(counts["expected"], 1)
    )
    points["slips"] = -weights["slips"] * counts["slips"]
    points["highlights"] = weights["highlights"] * counts["highlights"]
    score = max(sum(points.values(), Decimal(0)), Decimal(0))
    rounded = {name: _round(value) for name, value in points.items()}
    return _round(score), rounded


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP) + 0  # + 0 turns -0.0 into 0.0


def slips_outstanding(*, programme: Programme, at: datetime.datetime) -> dict[int, int]:
    """Return {department id: supervision slips outstanding at ``at``}."""
    return supervision.outstanding_at(programme=programme, at=at)


def unit_scores(
    *, programme: Programme, period: ReportingPeriod, weights: dict, now=None
) -> list[UnitScore]:
    """Return a UnitScore per concrete unit assigned in ``programme``, for ``period``.

    Units are listed in the portal's unit order; rank them with ``ranked``.
    """
    cut = cutoff(period, now=now)
    rows = {
        row.department.pk: row
        for row in department_rows(programme=programme, period=period, confirmed_by=cut)
        if row.department.kind != DepartmentKind.COLLECTIVE
    }
    led = _led_counts(programme=programme, period=period, cut=cut, now=now)
    returns = _returns(programme=programme, period=period, cut=cut, now=now)
    highlights = _highlights(period=period, now=now)
    slips = slips_outstanding(programme=programme, at=cut)
    scores = []
    for department in order_units([row.department for row in rows.values()]):
        row = rows[department.pk]
        counts = {
            "expected": row.expected,
            "on_time": row.on_time,
            **led.get(department.pk, dict.fromkeys(_LED_KEYS, 0)),
            "returns": returns.get(department.pk, 0),
            "slips": slips.get(department.pk, 0),
            "highlights": highlights.get(department.pk, 0),
        }
        score, points = score_of(counts, weights)
        scores.append(UnitScore(department=department, points=points, score=score, **counts))
    return scores


_LED_KEYS = ("led_open", "on_schedule", "due", "completed_on_time")


def _led_counts(*, programme, period, cut, now) -> dict[int, dict]:
    """Count each lead unit's open, on-schedule, due and completed-on-time tasks."""
    states = states_as_of(programme=programme, period=period, now=now)
    tasks = tasks_as_of(period=period)
    leads = lead_units(tasks=tasks, period=period)
    counts: dict[int, dict] = {}
    rows = (
        tasks.order_by()
        .annotate(due_then=due_on_as_of(period=period))  # the due date in force in the period
        .values_list("pk", "due_then", "completion_confirmed_at")
    )
    for pk, due_on, confirmed_at in rows:
        state = states[pk]
        confirmed_day = timezone.localtime(confirmed_at).date() if confirmed_at else None
        confirmed_by_cut = confirmed_at is not None and confirmed_at <= cut
        open_in_month = confirmed_day is None or confirmed_day >= period.starts_on
        on_schedule = state.status not in (TaskStatus.BLOCKED, TaskStatus.BEHIND) and not (
            due_on < period.due_on and not confirmed_by_cut
        )
        for department_id in leads.get(pk, ()):
            total = counts.setdefault(department_id, dict.fromkeys(_LED_KEYS, 0))
            if open_in_month:
                total["led_open"] += 1
                total["on_schedule"] += on_schedule
            if due_on <= period.ends_on:
                total["due"] += 1
                total["completed_on_time"] += confirmed_by_cut and confirmed_day <= due_on
    return counts


def _returns(*, programme, period, cut, now) -> dict[int, int]:
    """Count the returns recorded after the previous month's cut-off, up to this one's."""
    reviews = Review.objects.filter(
        action=ReviewAction.RETURN, update__task__programme=programme, created_at__lte=cut
    )
    previous = (
        ReportingPeriod.objects.filter(programme=programme, starts_on__lt=period.starts_on)
        .order_by("-starts_on")
        .first()
    )
    if previous is not None:
        reviews = reviews.filter(created_at__gt=cutoff(previous, now=now))
    rows = reviews.order_by().values("department_id").annotate(n=Count("pk"))
    return {row["department_id"]: row["n"] for row in rows}


def _highlights(*, period, now) -> dict[int, int]:
    rows = (
        ProgressUpdate.objects.filter(period_accepted_q(period, now=now) & Q(is_highlight=True))
        .order_by()
        .values("department_id")
        .annotate(n=Count("pk"))
    )
    return {row["department_id"]: row["n"] for row in rows}


def ranked(scores: list) -> list[tuple[int | None, object]]:
    """Return [(rank, score)] best first; equal scores share a rank; unscored units last."""
    scored = sorted((s for s in scores if s.score is not None), key=lambda s: -s.score)
    result, rank, previous = [], 0, None
    for position, item in enumerate(scored, start=1):
        if item.score != previous:
            rank, previous = position, item.score
        result.append((rank, item))
    result.extend((None, item) for item in scores if item.score is None)
    return result
