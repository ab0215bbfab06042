"""Supervision slips leave the portal: the .docx e-mailed to the unit's contacts, and the
daily job that runs the rules and the escalations (tasks.services.slips owns both)."""

import datetime
import logging

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from departments.models import DepartmentContact
from pilot import clock
from reports.exports.slip import slip_file_name
from reports.models import EmailDelivery, EmailKind
from reports.services.mail import create_delivery, portal_url, render_mail
from tasks.models import Programme, SupervisionSlip
from tasks.services import slips

logger = logging.getLogger(__name__)


@transaction.atomic
def mail_slip(*, slip_id: int) -> list[EmailDelivery]:
    """Record (and queue) one e-mail with the slip's document to each contact of its unit.

    Idempotent: each (slip, address) is recorded once however often this runs.
    """
    slip = SupervisionSlip.objects.select_related("task", "department").get(pk=slip_id)
    context = {
        "slip": slip,
        "file_name": slip_file_name(slip),
        "url": portal_url(reverse("slip-detail", args=[slip.pk])),
    }
    text, html = render_mail("slip", context)
    subject = _("【督办单】%(code)s %(level)s督办：第%(number)s项任务") % {
        "code": slip.code,
        "level": slip.get_level_display(),
        "number": slip.task.number,
    }
    deliveries = []
    contacts = DepartmentContact.objects.filter(department=slip.department_id).order_by("email")
    for email in contacts.values_list("email", flat=True):
        delivery = create_delivery(
            key=f"slip-{slip.pk}/{email.lower()}",
            kind=EmailKind.SLIP,
            slip=slip,
            department_id=slip.department_id,
            to=email,
            subject=subject[:200],
            body_text=text,
            body_html=html,
        )
        if delivery is not None:
            deliveries.append(delivery)
    if not deliveries and not contacts.exists():
        logger.warning("Slip %s: unit %s has no contact address", slip.pk, slip.department_id)
    return deliveries


def on_slip_issued(sender, *, slip_id: int, **kwargs) -> None:
    """Receiver of tasks.signals.slip_issued (connected in reports.apps)."""
    mail_slip(slip_id=slip_id)


def run_slip_schedule(*, on_date: datetime.date | None = None) -> dict:
    """Escalate overdue slips, then issue what the rules call for, in every programme."""
    on_date = on_date or clock.today()
    escalated = slips.escalate_overdue_slips(today=on_date)
    issued = []
    for programme in Programme.objects.order_by("pk"):
        issued += slips.run_slip_rules(programme=programme, today=on_date)
    return {"escalated": len(escalated), "issued": len(issued)}
