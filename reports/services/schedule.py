"""The daily schedule: monthly reports, late lists and reminders the calendar says are due."""

import datetime
import logging

from reports import selectors
from reports.models import DistributionListKind, ReportKind, ReportRun, RunState
from reports.services.reminders import report_day, send_late_list, send_reminders
from reports.services.runs import BrokerUnavailable, request_report, run_scope
from tasks.models import Programme, ReportingPeriod

logger = logging.getLogger(__name__)


def run_daily_schedule(*, on_date: datetime.date) -> dict:
    """Do what the calendar says is due on ``on_date``: reports, late lists, reminders.

    Safe to run twice a day: a scheduled run already made for a scope is not made again,
    and reminders are keyed per contact and day.
    """
    done = {"monthly": 0, "late_list": 0, "reminders": 0}
    members = selectors.default_list(kind=DistributionListKind.MEMBERS)
    for programme in Programme.objects.all():
        for period in _periods_reported_on(programme, on_date):
            done["monthly"] += _scheduled(ReportKind.MONTHLY, programme, period, members, on_date)
            if not _already_scheduled(ReportKind.LATE_LIST, programme, period, on_date):
                _tolerate_broker(send_late_list, programme=programme, period=period)
                done["late_list"] += 1
        done["reminders"] += len(send_reminders(programme=programme, on_date=on_date))
    return done


# A report day the schedule missed (worker down) is caught up within this many days.
CATCH_UP_DAYS = 15


def _periods_reported_on(programme, on_date) -> list[ReportingPeriod]:
    """Return the last period whose cut-off has passed by ``on_date``, once its report day
    has come (a missed day is caught up later; a period still open is never reported)."""
    period = (
        ReportingPeriod.objects.filter(
            programme=programme,
            due_on__lt=on_date,
            due_on__gte=on_date - datetime.timedelta(days=CATCH_UP_DAYS),
        )
        .order_by("-due_on")
        .first()
    )
    if period is None or report_day(period) > on_date:
        return []
    return [period]


def _already_scheduled(kind, programme, period, on_date) -> bool:
    """Whether the scheduler made this run already: on the report day a failed run is made
    again (a second pass that day); on a catch-up day any earlier run counts (the office
    retries failed ones), so a broken build is not repeated every day."""
    scope = run_scope(kind=kind, period=period)
    runs = ReportRun.objects.filter(kind=kind, programme=programme, scope=scope, requested_by=None)
    if on_date == report_day(period):
        runs = runs.exclude(state=RunState.FAILED)
    return runs.exists()


def _scheduled(kind, programme, period, distribution_list, on_date) -> int:
    if _already_scheduled(kind, programme, period, on_date):
        return 0
    _tolerate_broker(
        request_report,
        kind=kind,
        programme=programme,
        period=period,
        actor=None,
        distribution_list=distribution_list,
    )
    return 1


def _tolerate_broker(function, **kwargs):
    # The failed run is on record; the rest of the day's schedule still runs.
    try:
        return function(**kwargs)
    except BrokerUnavailable:
        logger.warning("Scheduled %s not queued: broker unavailable", function.__name__)
        return None
