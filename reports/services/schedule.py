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
            done["monthly"] += _scheduled(ReportKind.MONTHLY, programme, period, members)
            if not _already_scheduled(ReportKind.LATE_LIST, programme, period):
                _tolerate_broker(send_late_list, programme=programme, period=period)
                done["late_list"] += 1
        done["reminders"] += len(send_reminders(programme=programme, on_date=on_date))
    return done


def _periods_reported_on(programme, on_date) -> list[ReportingPeriod]:
    periods = ReportingPeriod.objects.filter(
        programme=programme,
        due_on__lt=on_date,
        due_on__gte=on_date - datetime.timedelta(days=15),
    )
    return [period for period in periods if report_day(period) == on_date]


def _already_scheduled(kind, programme, period) -> bool:
    scope = run_scope(kind=kind, period=period)
    return (
        ReportRun.objects.filter(kind=kind, programme=programme, scope=scope, requested_by=None)
        .exclude(state=RunState.FAILED)
        .exists()
    )


def _scheduled(kind, programme, period, distribution_list) -> int:
    if _already_scheduled(kind, programme, period):
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
