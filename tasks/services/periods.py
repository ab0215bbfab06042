"""Reporting periods: one per month of a programme, due on the 25th or the next working day."""

import datetime

import chinese_calendar
from django.db import transaction

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
