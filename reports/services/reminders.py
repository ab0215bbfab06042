"""Reminders and late lists: which days they go out, and the digests to each contact."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from reports import selectors
from reports.models import (
    DistributionListKind,
    EmailDelivery,
    EmailKind,
    ReportKind,
    ReportRun,
)
from reports.services.mail import create_delivery, portal_url, render_mail
from reports.services.runs import request_report
from tasks.models import Programme, ReportingPeriod
from tasks.periods import add_working_days, next_working_day

REMINDER_WORKING_DAYS = 5


def working_days_before(day: datetime.date, count: int) -> datetime.date:
    """Return the date ``count`` working days before ``day`` (China's official calendar)."""
    return add_working_days(day, -count)


def report_day(period: ReportingPeriod) -> datetime.date:
    """The day the monthly report and late list go out: the working day after the due date."""
    return next_working_day(period.due_on + datetime.timedelta(days=1))


def reminder_periods(*, programme: Programme, on_date: datetime.date) -> list[ReportingPeriod]:
    """Return the periods whose reminders go out on ``on_date`` (5 working days before, and
    on, the due date)."""
    periods = ReportingPeriod.objects.filter(
        programme=programme,
        is_open=True,
        due_on__gte=on_date,
        due_on__lte=on_date + datetime.timedelta(30),
    )
    return [
        period
        for period in periods
        if on_date in (period.due_on, working_days_before(period.due_on, REMINDER_WORKING_DAYS))
    ]


@transaction.atomic
def send_reminders(*, programme: Programme, on_date: datetime.date) -> list[EmailDelivery]:
    """E-mail each contact of a department with tasks outstanding one digest for the day."""
    digests: dict[int, list] = {}
    for period in reminder_periods(programme=programme, on_date=on_date):
        for entry in selectors.outstanding_by_department(programme=programme, period=period):
            digests.setdefault(entry.department.pk, []).append((period, entry))
    contacts = selectors.contacts_of(department_ids=list(digests))
    deliveries = []
    for department_id, sections in digests.items():
        department = sections[0][1].department
        for contact in contacts.get(department_id, []):
            delivery = _reminder(programme, department, contact, sections, on_date)
            if delivery is not None:
                deliveries.append(delivery)
    return deliveries


def _reminder(programme, department, contact, sections, on_date) -> EmailDelivery | None:
    context = {
        "programme": programme,
        "department": department,
        "contact": contact,
        "sections": [
            {"period": period, "due_on": period.due_on, "items": entry.items}
            for period, entry in sections
        ],
        "count": sum(len(entry.items) for _period, entry in sections),
        "url": portal_url("/"),
    }
    text, html = render_mail("reminder", context)
    subject = _("【报送提醒】%(unit)s有%(n)s项任务进展待报送") % {
        "unit": department.name,
        "n": context["count"],
    }
    return create_delivery(
        key=f"reminder/{on_date.isoformat()}/contact-{contact.pk}",
        kind=EmailKind.REMINDER,
        department=department,
        to=contact.email,
        subject=subject[:200],
        body_text=text,
        body_html=html,
    )


def send_late_list(*, programme: Programme, period: ReportingPeriod) -> ReportRun | None:
    """Compile the late list with a 催报通知 per late unit and send it to the office."""
    office = selectors.default_list(kind=DistributionListKind.OFFICE)
    return request_report(
        kind=ReportKind.LATE_LIST,
        programme=programme,
        period=period,
        actor=None,
        distribution_list=office,
    )
