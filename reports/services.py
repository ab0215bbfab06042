"""Writes of the reports app: request and compile runs, send reports and reminders.

Runs move queued → running → done | failed through conditional UPDATEs, so a job that is
delivered twice (``acks_late``) never compiles twice. A done run is never changed: asking
again makes a new version. E-mails are rows first (``EmailDelivery``, unique ``key``), then
sends: a delivery is claimed before the SMTP conversation and marked sent after it, so a
retried or repeated job never sends the same message twice.
"""

import datetime
import hashlib
import logging
import smtplib
from dataclasses import dataclass
from email.utils import make_msgid

import chinese_calendar
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from departments.models import Department
from pilot import clock, permissions
from reports import exports, selectors
from reports.exports.common import headline_items
from reports.exports.summary import summary_figures
from reports.figures import period_figures
from reports.models import (
    ACTIVE_STATES,
    DeliveryResult,
    DistributionList,
    DistributionListKind,
    EmailDelivery,
    EmailKind,
    FileKind,
    ReportFile,
    ReportKind,
    ReportRun,
    RunState,
)
from tasks.models import Programme, ReportingPeriod
from tasks.services.periods import next_working_day

logger = logging.getLogger(__name__)

# The compile task's hard time limit; a run "running" for longer is stale (worker killed).
COMPILE_TIME_LIMIT = 600
COMPILE_SOFT_TIME_LIMIT = 570
STALE_GRACE = datetime.timedelta(minutes=2)
# A queued run nobody picked up in this long lost its message (broker flushed, say).
QUEUED_TIMEOUT = datetime.timedelta(hours=12)
REMINDER_WORKING_DAYS = 5
TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, OSError)

BROKER_DOWN_MESSAGE = _(
    "后台任务服务（Redis）暂时不可用，报告未能开始生成。请稍后重试，或联系系统管理员。"
)
STALE_MESSAGE = _("生成超时或后台进程意外中断，请重新生成。")
LOST_MESSAGE = _("排队超时，后台任务服务未处理该申请，请重新生成。")


class BrokerUnavailable(ValidationError):
    """The task queue could not take the job; the run was marked failed."""


class TransientEmailError(Exception):
    """Sending failed in a way worth retrying (SMTP refusal, network)."""


# --- requesting and compiling runs ---------------------------------------------------


def run_scope(
    *,
    kind: str,
    period: ReportingPeriod | None,
    department: Department | None = None,
    as_of: datetime.date | None = None,
) -> str:
    """Name what a run covers; runs of one kind, programme and scope share versions."""
    if kind == ReportKind.SUMMARY:
        return f"as-of-{as_of.isoformat()}"
    if period is None:
        raise ValidationError(_("请选择报送期次。"))
    scope = f"{period.year}-{period.month:02d}"
    if kind == ReportKind.URGING:
        if department is None:
            raise ValidationError(_("请选择单位。"))
        scope += f"/dept-{department.pk}"
    return scope


def request_report(
    *,
    kind: str,
    programme: Programme,
    period: ReportingPeriod | None,
    actor,
    department: Department | None = None,
    as_of: datetime.date | None = None,
    distribution_list: DistributionList | None = None,
) -> ReportRun:
    """Queue a report run and return it; return the queued or running one if there is one.

    ``actor`` None means the scheduler. Raises ``BrokerUnavailable`` when the task queue is
    down (the run is then recorded as failed with that message).
    """
    if actor is not None and not permissions.can_request_report(actor):
        raise PermissionDenied(_("只有联席会议办公室可以生成报告。"))
    if kind not in ReportKind.values:
        raise ValidationError(_("未知的报告类型。"))
    if period is not None and period.programme_id != programme.pk:
        raise ValidationError(_("期次不属于该方案。"))
    as_of = as_of or clock.today()
    if kind == ReportKind.SUMMARY:
        period = None  # cumulative: the as-of date is its scope
    scope = run_scope(kind=kind, period=period, department=department, as_of=as_of)
    with transaction.atomic():
        run = _active_run(kind, programme, scope)
        if run is not None:
            return run
        try:
            with transaction.atomic():
                run = _create_run(
                    kind, programme, period, department, scope, as_of, actor, distribution_list
                )
        except IntegrityError:
            # Another request created the active run between our check and insert.
            run = _active_run(kind, programme, scope)
            if run is None:
                raise
            return run
        transaction.on_commit(lambda: enqueue_run(run_id=run.pk))
    run.refresh_from_db()
    if run.state == RunState.FAILED and run.error == str(BROKER_DOWN_MESSAGE):
        raise BrokerUnavailable(BROKER_DOWN_MESSAGE, code="broker")
    return run


def _active_run(kind, programme, scope) -> ReportRun | None:
    return (
        ReportRun.objects.select_for_update()
        .filter(kind=kind, programme=programme, scope=scope, state__in=ACTIVE_STATES)
        .first()
    )


def _create_run(
    kind, programme, period, department, scope, as_of, actor, distribution_list
) -> ReportRun:
    last = ReportRun.objects.filter(kind=kind, programme=programme, scope=scope).aggregate(
        n=Max("version")
    )["n"]
    return ReportRun.objects.create(
        kind=kind,
        programme=programme,
        period=period,
        department=department,
        scope=scope,
        as_of=as_of,
        version=(last or 0) + 1,
        requested_by=actor,
        distribution_list=distribution_list,
        created_at=clock.now(),
        progress_text=_("排队等待生成"),
    )


def enqueue_run(*, run_id: int) -> None:
    """Hand the run to the task queue; if the broker is down, record the run as failed."""
    from reports.tasks import compile_report_task

    try:
        result = compile_report_task.apply_async(
            args=[run_id],
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        )
    except Exception as exc:  # kombu and redis raise several types; all mean "not queued"
        if not is_broker_error(exc):
            raise
        logger.warning("Report run %s not queued: %s", run_id, exc)
        fail_run(run_id=run_id, error=str(BROKER_DOWN_MESSAGE), states=(RunState.QUEUED,))
        return
    ReportRun.objects.filter(pk=run_id, celery_task_id="").exclude(state=RunState.DONE).update(
        celery_task_id=result.id or ""
    )


def is_broker_error(exc: Exception) -> bool:
    return isinstance(exc, KombuOperationalError | RedisConnectionError | OSError)


def fail_run(*, run_id: int, error: str, states=ACTIVE_STATES) -> bool:
    """Mark an active run failed with ``error``; return whether it was still active."""
    changed = ReportRun.objects.filter(pk=run_id, state__in=states).update(
        state=RunState.FAILED,
        error=error[:2000],
        finished_at=clock.now(),
        progress_text=_("生成失败"),
    )
    return changed == 1


def _claim_run(run_id: int) -> bool:
    """Move the run to running; a stale running run (worker killed) may be claimed again."""
    now = clock.now()
    stale_before = now - datetime.timedelta(seconds=COMPILE_TIME_LIMIT) - STALE_GRACE
    claimable = Q(state=RunState.QUEUED) | Q(state=RunState.RUNNING, started_at__lt=stale_before)
    claimed = ReportRun.objects.filter(claimable, pk=run_id).update(
        state=RunState.RUNNING,
        started_at=now,
        progress_text=_("正在统计数据"),
        progress_percent=5,
    )
    return claimed == 1


def set_progress(*, run_id: int, text: str, percent: int) -> None:
    ReportRun.objects.filter(pk=run_id, state=RunState.RUNNING).update(
        progress_text=text, progress_percent=percent
    )


def compile_report(*, run_id: int) -> ReportRun | None:
    """Build the run's files and mark it done (or failed); a no-op if already claimed."""
    if not _claim_run(run_id):
        return ReportRun.objects.filter(pk=run_id).first()
    run = ReportRun.objects.select_related("programme", "period", "department").get(pk=run_id)
    try:
        built = build_files(run=run)
        _store_files(run=run, built=built)
    except Exception as exc:
        logger.exception("Report run %s failed", run_id)
        fail_run(run_id=run_id, error=_("生成失败：%(error)s") % {"error": exc})
        run.refresh_from_db()
        return run
    run.refresh_from_db()
    if run.state == RunState.DONE and run.distribution_list_id:
        send_report(run=run, distribution_list=run.distribution_list)
    return run


@dataclass(frozen=True)
class BuiltFile:
    kind: str
    name: str
    content: bytes


@dataclass(frozen=True)
class BuiltReport:
    files: list[BuiltFile]
    headline: dict


def build_files(*, run: ReportRun) -> BuiltReport:
    """Build the documents of ``run`` (no database writes apart from progress)."""
    builder = {
        ReportKind.MONTHLY: _build_monthly,
        ReportKind.SUMMARY: _build_summary,
        ReportKind.URGING: _build_urging,
        ReportKind.LATE_LIST: _build_late_list,
    }[run.kind]
    return builder(run)


def _headline(figures) -> dict:
    return {
        "items": [[label, value] for label, value in headline_items(figures)],
        "period": str(figures.period),
    }


def _suffix(run: ReportRun) -> str:
    return _("（第%(v)s版）") % {"v": run.version} if run.version > 1 else ""


def _build_monthly(run: ReportRun) -> BuiltReport:
    programme, period = run.programme, run.period
    figures = period_figures(programme=programme, period=period)
    set_progress(run_id=run.pk, text=_("正在生成 Excel 工作簿"), percent=20)
    workbook = exports.build_monthly_workbook(programme=programme, period=period, figures=figures)
    set_progress(run_id=run.pk, text=_("正在生成 Word 文档"), percent=60)
    document = exports.build_monthly_document(programme=programme, period=period, figures=figures)
    stem = _("%(period)s工作月报") % {"period": period} + _suffix(run)
    return BuiltReport(
        files=[
            BuiltFile(FileKind.XLSX, f"{stem}.xlsx", workbook),
            BuiltFile(FileKind.DOCX, f"{stem}.docx", document),
        ],
        headline=_headline(figures),
    )


def _build_summary(run: ReportRun) -> BuiltReport:
    figures = summary_figures(programme=run.programme, as_of=run.as_of)
    if figures is None:
        raise ValueError(_("截至该日期尚无到期的报送期次，无法生成试点总结。"))
    set_progress(run_id=run.pk, text=_("正在生成 Excel 工作簿"), percent=40)
    kwargs = {"programme": run.programme, "as_of": run.as_of, "figures": figures}
    workbook = exports.build_summary_workbook(**kwargs)
    set_progress(run_id=run.pk, text=_("正在生成 Word 文档"), percent=70)
    document = exports.build_summary_document(**kwargs)
    stem = _("试点总结（截至%(day)s）") % {"day": run.as_of.isoformat()} + _suffix(run)
    return BuiltReport(
        files=[
            BuiltFile(FileKind.XLSX, f"{stem}.xlsx", workbook),
            BuiltFile(FileKind.DOCX, f"{stem}.docx", document),
        ],
        headline=_headline(figures.latest),
    )


def _build_urging(run: ReportRun) -> BuiltReport:
    document = exports.build_urging_notice(
        programme=run.programme, period=run.period, department=run.department, today=run.as_of
    )
    name = _("催报通知（%(unit)s，%(period)s）") % {"unit": run.department, "period": run.period}
    return BuiltReport(files=[BuiltFile(FileKind.DOCX, f"{name}.docx", document)], headline={})


def _build_late_list(run: ReportRun) -> BuiltReport:
    programme, period = run.programme, run.period
    units = selectors.late_units(programme=programme, period=period)
    files = [
        BuiltFile(
            FileKind.XLSX,
            _("%(period)s未按期报送名单.xlsx") % {"period": period},
            exports.build_late_list_workbook(programme=programme, period=period, units=units),
        )
    ]
    for unit in units:
        notice = exports.build_urging_notice(
            programme=programme,
            period=period,
            department=unit.department,
            unit=unit,
            today=run.as_of,
        )
        name = _("催报通知（%(unit)s）.docx") % {"unit": unit.department.name}
        files.append(BuiltFile(FileKind.DOCX, name, notice))
    headline = {
        "items": [[u.department.name, _late_note(u)] for u in units],
        "period": str(period),
    }
    return BuiltReport(files=files, headline=headline)


def _late_note(unit) -> str:
    return _("未报送%(missing)s项，逾期报送%(late)s项") % {
        "missing": len(unit.missing),
        "late": len(unit.late),
    }


def _store_files(*, run: ReportRun, built: BuiltReport) -> None:
    set_progress(run_id=run.pk, text=_("正在保存文件"), percent=90)
    with transaction.atomic():
        for item in built.files:
            digest = hashlib.sha256(item.content).hexdigest()
            record = ReportFile(
                run=run, kind=item.kind, name=item.name, size=len(item.content), sha256=digest
            )
            record.file.save(item.name, ContentFile(item.content), save=False)
            record.save()
        finished = ReportRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
            state=RunState.DONE,
            finished_at=clock.now(),
            headline=built.headline,
            progress_text=_("已完成"),
            progress_percent=100,
            error="",
        )
        if finished != 1:
            # Reaped or finished by another worker meanwhile: keep the record as it is.
            transaction.set_rollback(True)


def reap_stale_runs() -> int:
    """Fail runs stuck running past the time limit, or queued and never picked up."""
    now = clock.now()
    stale_before = now - datetime.timedelta(seconds=COMPILE_TIME_LIMIT) - STALE_GRACE
    stale = ReportRun.objects.filter(state=RunState.RUNNING, started_at__lt=stale_before)
    lost = ReportRun.objects.filter(state=RunState.QUEUED, created_at__lt=now - QUEUED_TIMEOUT)
    count = 0
    for queryset, message in ((stale, STALE_MESSAGE), (lost, LOST_MESSAGE)):
        for run_id in queryset.values_list("pk", flat=True):
            count += fail_run(run_id=run_id, error=str(message))
    return count


# --- e-mail --------------------------------------------------------------------------


def _create_delivery(*, key: str, **values) -> EmailDelivery | None:
    """Record a message to send once; return None when ``key`` was already recorded."""
    delivery, created = EmailDelivery.objects.get_or_create(
        key=key, defaults={**values, "created_at": clock.now()}
    )
    if not created:
        return None
    transaction.on_commit(lambda: enqueue_delivery(delivery_id=delivery.pk))
    return delivery


def enqueue_delivery(*, delivery_id: int) -> None:
    from reports.tasks import send_email_task

    try:
        send_email_task.apply_async(args=[delivery_id], retry=True, retry_policy={"max_retries": 2})
    except Exception as exc:
        if not is_broker_error(exc):
            raise
        # The row stays pending; the periodic reaper enqueues it again.
        logger.warning("E-mail %s not queued: %s", delivery_id, exc)


def _render(template: str, context: dict) -> tuple[str, str]:
    text = render_to_string(f"reports/email/{template}.txt", context)
    html = render_to_string(f"reports/email/{template}.html", context)
    return text, html


def _portal_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


@transaction.atomic
def send_report(*, run: ReportRun, distribution_list: DistributionList) -> list[EmailDelivery]:
    """Record (and queue) one e-mail per recipient of the list, with the run's files."""
    if run.state != RunState.DONE:
        raise ValidationError(_("报告尚未生成完成，不能发送。"))
    from django.urls import reverse

    kind = EmailKind.LATE_LIST if run.kind == ReportKind.LATE_LIST else EmailKind.REPORT
    subject = _("【%(kind)s】%(programme)s %(scope)s") % {
        "kind": run.get_kind_display(),
        "programme": run.programme,
        "scope": run.period or run.as_of.isoformat(),
    }
    context = {
        "run": run,
        "items": run.headline.get("items", []),
        "files": list(run.files.all()),
        "url": _portal_url(reverse("report-run", args=[run.pk])),
    }
    text, html = _render("report", context)
    deliveries = []
    for email in selectors.recipients(distribution_list=distribution_list):
        delivery = _create_delivery(
            key=f"run-{run.pk}/list-{distribution_list.pk}/{email.lower()}",
            run=run,
            kind=kind,
            to=email,
            subject=subject[:200],
            body_text=text,
            body_html=html,
        )
        if delivery is not None:
            deliveries.append(delivery)
    return deliveries


def working_days_before(day: datetime.date, count: int) -> datetime.date:
    """Return the date ``count`` working days before ``day`` (China's official calendar)."""
    while count > 0:
        day -= datetime.timedelta(days=1)
        if _is_workday(day):
            count -= 1
    return day


def _is_workday(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


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
        "url": _portal_url("/"),
    }
    text, html = _render("reminder", context)
    subject = _("【报送提醒】%(unit)s有%(n)s项任务进展待报送") % {
        "unit": department.name,
        "n": context["count"],
    }
    return _create_delivery(
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


def deliver_email(*, delivery_id: int) -> EmailDelivery | None:
    """Send one recorded e-mail at most once; raise TransientEmailError to be retried."""
    claimed = EmailDelivery.objects.filter(
        pk=delivery_id, result__in=(DeliveryResult.PENDING, DeliveryResult.RETRYING)
    ).update(result=DeliveryResult.SENDING, attempts=F("attempts") + 1)
    if claimed != 1:
        return EmailDelivery.objects.filter(pk=delivery_id).first()
    delivery = EmailDelivery.objects.select_related("run").get(pk=delivery_id)
    message = _message(delivery)
    try:
        message.send(fail_silently=False)
    except TRANSIENT_EMAIL_ERRORS as exc:
        EmailDelivery.objects.filter(pk=delivery_id).update(
            result=DeliveryResult.RETRYING, error=repr(exc)[:2000]
        )
        raise TransientEmailError(repr(exc)) from exc
    except Exception as exc:
        give_up_delivery(delivery_id=delivery_id, error=repr(exc))
        raise
    EmailDelivery.objects.filter(pk=delivery_id).update(
        result=DeliveryResult.SENT, sent_at=clock.now(), error=""
    )
    delivery.refresh_from_db()
    return delivery


def _message(delivery: EmailDelivery) -> EmailMultiAlternatives:
    message_id = delivery.message_id or make_msgid(domain="pilot-portal")
    EmailDelivery.objects.filter(pk=delivery.pk).update(message_id=message_id)
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.body_text,
        to=[delivery.to],
        headers={"Message-ID": message_id},
    )
    if delivery.body_html:
        message.attach_alternative(delivery.body_html, "text/html")
    if delivery.run_id:
        for item in delivery.run.files.all():
            with item.file.open("rb") as handle:
                message.attach(item.name, handle.read(), _content_type(item.kind))
    return message


def _content_type(kind: str) -> str:
    return {
        FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }[kind]


def give_up_delivery(*, delivery_id: int, error: str) -> None:
    EmailDelivery.objects.filter(pk=delivery_id).exclude(result=DeliveryResult.SENT).update(
        result=DeliveryResult.FAILED, error=error[:2000]
    )


def requeue_pending_deliveries(*, older_than: datetime.timedelta) -> int:
    """Queue again the deliveries never handed to the queue (broker was down)."""
    ids = list(
        EmailDelivery.objects.filter(
            result=DeliveryResult.PENDING, created_at__lt=clock.now() - older_than
        ).values_list("pk", flat=True)
    )
    for delivery_id in ids:
        enqueue_delivery(delivery_id=delivery_id)
    return len(ids)


# --- the daily schedule ----------------------------------------------------------------


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
