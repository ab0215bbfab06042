"""Pure period and date rules: working days, due dates, the current period, filing
windows and cut-offs. No writes and no queries: reads, services, figures and the rule book
(``pilot/permissions.py``) all use these functions.
"""

import datetime

import chinese_calendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from pilot import clock

DEFAULT_DUE_DAY = 25

# --- working days ------------------------------------------------------------------------


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


def month_starts(programme) -> list[datetime.date]:
    """Return the first day of each month that starts before the programme ends."""
    first = programme.starts_on.replace(day=1)
    months = []
    while first < programme.ends_on:
        months.append(first)
        first = (first + datetime.timedelta(days=32)).replace(day=1)
    return months


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """Return the ``count``-th working day after ``day`` (before it when ``count`` is
    negative), by China's official calendar (调休 included)."""
    step = datetime.timedelta(days=1 if count > 0 else -1)
    left = abs(count)
    while left > 0:
        day += step
        left -= is_workday(day)
    return day


def count_working_days(first: datetime.date, last: datetime.date) -> int:
    """Return the working days from ``first`` to ``last``, both counted (0 if reversed)."""
    days = (last - first).days + 1
    return sum(is_workday(first + datetime.timedelta(days=n)) for n in range(days))


# --- the current period ------------------------------------------------------------------


def working_days_left(*, today: datetime.date, due: datetime.date) -> int:
    """Return the working days from ``today`` to ``due`` (both counted), negative when late.

    Late by the working days after ``due`` up to ``today``: due on Thursday and read on the
    next Monday is -2 (Friday and Monday), by China's calendar (holidays and 调休 included).
    """
    if today <= due:
        return count_working_days(today, due)
    return -count_working_days(due + datetime.timedelta(days=1), today)


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


def filing_opens_on(period) -> datetime.date:
    """Return the first day reporters may file for ``period``.

    ``PILOT_FILING_OPENS_DAYS_BEFORE`` days before the period starts (default 5), so that
    a month's report can be prepared in the last days of the month before.
    """
    days = getattr(settings, "PILOT_FILING_OPENS_DAYS_BEFORE", DEFAULT_FILING_OPENS_DAYS_BEFORE)
    return period.starts_on - datetime.timedelta(days=days)


def filing_window(period, today: datetime.date) -> str:
    """Return NOT_YET before the period opens, CLOSED once the office closed it, else OPEN.

    There is no automatic end: after the due date filing stays possible (and is marked
    late) until the office closes the period.
    """
    if not period.is_open:
        return FilingWindow.CLOSED
    if today < filing_opens_on(period):
        return FilingWindow.NOT_YET
    return FilingWindow.OPEN


def filing_refusal(period, today: datetime.date) -> str | None:
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


# --- cut-offs ----------------------------------------------------------------------------


def due_end(period) -> datetime.datetime:
    """Return the end of ``period``'s due date (midnight after it, local time): the moment
    filing for it is due and a report on it stops being interim."""
    day = period.due_on + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def cutoff(period, *, now: datetime.datetime | None = None) -> datetime.datetime:
    """Return ``period``'s cut-off: the end of its due date, or now if that is earlier."""
    return min(due_end(period), now or clock.now())


def is_interim(period, *, now: datetime.datetime | None = None) -> bool:
    """True when ``period``'s due date has not ended yet (an interim report, 中期/未截止)."""
    return (now or clock.now()) < due_end(period)
