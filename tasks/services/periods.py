"""Reporting periods: one per month of a programme, due on the 25th or the next working day."""

import datetime

import chinese_calendar
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils.translation import gettext as _

from pilot import clock
from tasks import data_version
from tasks.models import Programme, ReportingPeriod

DEFAULT_DUE_DAY = 25


def next_working_day(day: datetime.date) -> datetime.date:
    """Return ``day`` or the first working day after it, by China's official calendar.

    ``chinese_calendar`` knows public holidays and the weekend days swapped into working
    days (调休), so a Saturday that is a working day stays a due date.
    """
    while not is_workday(day):
        day += datetime.timedelta(days=1)
    return day


def is_workday(day: datetime.date) -> bool:
    """Tell whether ``day`` is a working day by China's official calendar (调休 included)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # Years the package does not cover yet: fall back to Monday-Friday.
        return day.weekday() < 5


def default_due_date(year: int, month: int) -> datetime.date:
    return next_working_day(datetime.date(year, month, DEFAULT_DUE_DAY))


def month_starts(programme: Programme) -> list[datetime.date]:
    """Return the first day of each month that starts before the programme ends."""
    first = programme.starts_on.replace(day=1)
    months = []
    while first < programme.ends_on:
        months.append(first)
        first = (first + datetime.timedelta(days=32)).replace(day=1)
    return months


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


def pick_current_period(periods: list, today: datetime.date):
    """Return the current one of a programme's periods sorted by start: the one holding
    ``today``, else the last that has ended, else (before the programme) the first."""
    for period in periods:
        if period.starts_on <= today <= period.ends_on:
            return period
    ended = [period for period in periods if period.ends_on < today]
    return ended[-1] if ended else periods[0]


# --- filing windows ----------------------------------------------------------------------

DEFAULT_FILING_OPENS_DAYS_BEFORE = 5


class FilingWindow:
    """Where a period stands for filing on a given day."""

    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"


def filing_opens_on(period: ReportingPeriod) -> datetime.date:
    """Return the first day reporters may file for ``period``.

    ``PILOT_FILING_OPENS_DAYS_BEFORE`` days before the period starts (default 5), so that
    a month's report can be prepared in the last days of the month before.
    """
    days = getattr(settings, "PILOT_FILING_OPENS_DAYS_BEFORE", DEFAULT_FILING_OPENS_DAYS_BEFORE)
    return period.starts_on - datetime.timedelta(days=days)


def filing_window(period: ReportingPeriod, today: datetime.date) -> str:
    """Return NOT_YET before the period opens, CLOSED once the office closed it, else OPEN.

    There is no automatic end: after the due date filing stays possible (and is marked
    late) until the office closes the period.
    """
    if not period.is_open:
        return FilingWindow.CLOSED
    if today < filing_opens_on(period):
        return FilingWindow.NOT_YET
    return FilingWindow.OPEN


def filing_refusal(period: ReportingPeriod, today: datetime.date) -> str | None:
    """Return why nobody may file for ``period`` today, or None while it is open."""
    window = filing_window(period, today)
    if window == FilingWindow.NOT_YET:
        opens = filing_opens_on(period)
        return _("该报送期将于%(year)d年%(month)d月%(day)d日开放填报。") % {
            "year": opens.year,
            "month": opens.month,
            "day": opens.day,
        }
    if window == FilingWindow.CLOSED:
        return _("该报送期已由联席会议办公室关闭填报，不能再填报或修改。")
    return None


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
