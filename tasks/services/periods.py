"""Reporting periods: create a programme's periods, close and reopen them for filing (the
pure date rules are in ``tasks/periods.py``)."""

import datetime

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils.translation import gettext as _

from pilot import clock
from tasks import data_version
from tasks.models import Programme, ReportingPeriod
from tasks.periods import default_due_date, month_starts


@transaction.atomic
def generate_periods(*, programme: Programme) -> list[ReportingPeriod]:
    """Create the programme's monthly periods; existing ones (and edited due dates) stay."""
    periods = []
    for start in month_starts(programme):
        end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        period, _created = ReportingPeriod.objects.get_or_create(
            programme=programme,
            year=start.year,
            month=start.month,
            defaults={
                "starts_on": start,
                "ends_on": end,
                "due_on": default_due_date(start.year, start.month),
            },
        )
        periods.append(period)
    return periods


@transaction.atomic
def close_period(*, period: ReportingPeriod, actor) -> bool:
    """Close ``period`` for filing; return False when it was already closed."""
    now = clock.now()
    claimed = ReportingPeriod.objects.filter(pk=period.pk, is_open=True).update(
        is_open=False, closed_at=now, closed_by=actor
    )
    if claimed:
        _log_period_change(period=period, actor=actor, message=_("关闭填报"))
        data_version.bump(programme_id=period.programme_id)
    period.refresh_from_db()
    return bool(claimed)


@transaction.atomic
def reopen_period(*, period: ReportingPeriod, actor) -> bool:
    """Open a closed ``period`` for filing again; return False when it was open."""
    claimed = ReportingPeriod.objects.filter(pk=period.pk, is_open=False).update(
        is_open=True, closed_at=None, closed_by=None
    )
    if claimed:
        _log_period_change(period=period, actor=actor, message=_("重新开放填报"))
        data_version.bump(programme_id=period.programme_id)
    period.refresh_from_db()
    return bool(claimed)


def _log_period_change(*, period: ReportingPeriod, actor, message: str) -> None:
    # A period belongs to no task, so the task audit trail (AuditEvent) cannot hold it;
    # Django's own change log does, and shows it on the period's 历史 page in the admin.
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[period],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )
