"""Writes of the reports app: request and compile runs, send reports and reminders.

``runs`` requests, compiles, fails and reaps report runs; ``mail`` records and sends e-mails
at most once; ``reminders`` decides when reminders and late lists go out; ``schedule`` runs
what the calendar says is due each day. The names below are the package's public surface:
``from reports import services; services.request_report(...)``. Patch a name in the module
that looks it up (e.g. ``reports.services.runs.build_files``), not here.
"""

from django.core.exceptions import PermissionDenied, ValidationError

from reports.services.broker import is_broker_error
from reports.services.mail import (
    NOT_QUEUED_MESSAGE,
    TRANSIENT_EMAIL_ERRORS,
    UNKNOWN_MESSAGE,
    TransientEmailError,
    count_not_queued,
    deliver_email,
    enqueue_delivery,
    give_up_delivery,
    mark_unknown_deliveries,
    requeue_pending_deliveries,
    resend_delivery,
    send_report,
    sending_timeout,
)
from reports.services.reminders import (
    REMINDER_WORKING_DAYS,
    reminder_periods,
    report_day,
    send_late_list,
    send_reminders,
    working_days_before,
)
from reports.services.runs import (
    BROKER_DOWN_MESSAGE,
    COMPILE_SOFT_TIME_LIMIT,
    COMPILE_TIME_LIMIT,
    LOST_MESSAGE,
    STALE_GRACE,
    STALE_MESSAGE,
    BrokerUnavailable,
    BuiltFile,
    BuiltReport,
    InterimNotConfirmed,
    build_files,
    cancel_run,
    compile_report,
    enqueue_run,
    fail_run,
    interim_warning,
    queued_timeout,
    reap_stale_runs,
    request_report,
    retry_run,
    run_scope,
    set_progress,
    stuck_message,
)
from reports.services.schedule import run_daily_schedule

__all__ = [
    "BROKER_DOWN_MESSAGE",
    "COMPILE_SOFT_TIME_LIMIT",
    "COMPILE_TIME_LIMIT",
    "LOST_MESSAGE",
    "NOT_QUEUED_MESSAGE",
    "REMINDER_WORKING_DAYS",
    "STALE_GRACE",
    "STALE_MESSAGE",
    "TRANSIENT_EMAIL_ERRORS",
    "UNKNOWN_MESSAGE",
    "BrokerUnavailable",
    "BuiltFile",
    "BuiltReport",
    "InterimNotConfirmed",
    "PermissionDenied",
    "TransientEmailError",
    "ValidationError",
    "build_files",
    "cancel_run",
    "compile_report",
    "count_not_queued",
    "deliver_email",
    "enqueue_delivery",
    "enqueue_run",
    "fail_run",
    "give_up_delivery",
    "interim_warning",
    "is_broker_error",
    "mark_unknown_deliveries",
    "queued_timeout",
    "reap_stale_runs",
    "reminder_periods",
    "report_day",
    "request_report",
    "requeue_pending_deliveries",
    "resend_delivery",
    "retry_run",
    "run_daily_schedule",
    "run_scope",
    "send_late_list",
    "send_reminders",
    "send_report",
    "sending_timeout",
    "set_progress",
    "stuck_message",
    "working_days_before",
]
