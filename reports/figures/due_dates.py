"""Due dates counted two ways (按原定 / 按调整后) after approved extensions (延期申请).

A task's due date in force at a moment is the date of the last extension the office had
approved by then, else the plan's date (``Task.original_due_on``, or ``due_on`` when never
moved). ``Task.due_on`` is the date in force now, so every other figure counts 按调整后.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from pilot import clock
from tasks.models import Extension, ExtensionState
from tasks.periods import cutoff
from tasks.plan_asof import tasks_as_of


@dataclass(frozen=True)
class DueBasisCounts:
    """extended: tasks whose due date in force is later than the plan's.
    overdue_adjusted: not completed and confirmed by ``at`` and past the date in force.
    overdue_original: the same against the plan's date (按原定)."""

    extended: int
    overdue_adjusted: int
    overdue_original: int


def due_basis_counts(
    *, tasks: QuerySet, at: datetime.datetime, today: datetime.date
) -> DueBasisCounts:
    """Count ``tasks`` both ways as of the moment ``at`` and the day ``today`` (one query)."""
    approved = Extension.objects.filter(
        task=OuterRef("pk"), state=ExtensionState.APPROVED, decided_at__lte=at
    ).order_by("-decided_at", "-pk")
    rows = tasks.order_by().annotate(
        planned=Coalesce("original_due_on", "due_on"),
        in_force=Coalesce(
            Subquery(approved.values("approved_due_on")[:1]), "original_due_on", "due_on"
        ),
    )
    open_task = Q(completion_confirmed_at__isnull=True) | Q(completion_confirmed_at__gt=at)
    counts = rows.aggregate(
        extended=Count("pk", filter=Q(in_force__gt=F("planned"))),
        overdue_adjusted=Count("pk", filter=open_task & Q(in_force__lt=today)),
        overdue_original=Count("pk", filter=open_task & Q(planned__lt=today)),
    )
    return DueBasisCounts(**counts)


def period_due_basis(*, programme, period, now: datetime.datetime | None = None) -> DueBasisCounts:
    """``due_basis_counts`` for a programme as of a period, on ``period_figures``' terms:
    confirmations and approvals by the period's cut-off, overdue on the earlier of today
    and its due date."""
    now = now or clock.now()
    return due_basis_counts(
        tasks=tasks_as_of(period=period),
        at=cutoff(period, now=now),
        today=min(clock.today(), period.due_on),
    )


def extension_sentence(counts: DueBasisCounts) -> str:
    """The reports' line on extensions (empty when no task's due date was moved)."""
    if not counts.extended:
        return ""
    return _(
        "经批准延期的任务%(n)s项；按调整后的完成期限逾期未完成%(adjusted)s项，"
        "按原定完成期限逾期未完成%(original)s项。"
    ) % {
        "n": counts.extended,
        "adjusted": counts.overdue_adjusted,
        "original": counts.overdue_original,
    }
