"""Reads of the supervision slips (督办单) that figures and the meeting agenda need.

A slip is outstanding from its issue until it is accepted, escalated or closed (its
``closed_at``); asked about a past moment, the answer is the same whenever it is asked.
"""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from pilot import clock
from tasks.models import OPEN_SLIP_STATUSES, Programme, SlipLevel, SupervisionSlip


def _outstanding_at(programme: Programme, at: datetime.datetime):
    return SupervisionSlip.objects.filter(task__programme=programme, issued_at__lt=at).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=at)
    )


def outstanding_at(*, programme: Programme, at: datetime.datetime) -> dict[int, int]:
    """Return {department id: slips outstanding at the moment ``at``} (one query)."""
    rows = (
        _outstanding_at(programme, at)
        .order_by()
        .values("department_id")
        .annotate(count=Count("pk"))
    )
    return {row["department_id"]: row["count"] for row in rows}


def outstanding_by_department(programme: Programme, as_of_date: datetime.date) -> dict[int, int]:
    """Return {department id: slips outstanding at the end of ``as_of_date``} (local time)."""
    end = timezone.make_aware(
        datetime.datetime.combine(as_of_date + datetime.timedelta(days=1), datetime.time.min)
    )
    return outstanding_at(programme=programme, at=end)


def red_slip_task_ids(*, programme: Programme) -> set[int]:
    """Return the ids of the programme's tasks holding an outstanding red slip now."""
    slips = SupervisionSlip.objects.filter(
        task__programme=programme, level=SlipLevel.RED, status__in=OPEN_SLIP_STATUSES
    ).filter(issued_at__lte=clock.now())
    return set(slips.values_list("task_id", flat=True))
