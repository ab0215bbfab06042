"""Report runs: request, compile, fail, cancel, retry and reap.

Runs move queued → running → done | failed | cancelled through conditional UPDATEs, so a job
that is delivered twice (``acks_late``) never compiles twice. A done run is never changed:
asking again makes a new version. Every run ends: a queued run no worker picked up within
``PILOT_RUN_QUEUE_TIMEOUT_MINUTES`` (message lost) and a running run past the time limit
(worker killed) are failed by the reaper, or as soon as someone asks for the same report.
"""

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from departments import notifications
from departments.models import Department
from pilot import clock, permissions
from pilot.jobs import job
from reports import exports
from reports.exports.bulletin import build_bulletin, published_sheet
from reports.exports.common import headline_items
from reports.exports.summary import summary_figures
from reports.exports.templating import apply_office_template
from reports.figures import period_figures
from reports.models import (
    ACTIVE_STATES,
    RETRYABLE_STATES,
    DistributionList,
    FileKind,
    ReportFile,
    ReportKind,
    ReportRun,
    RunState,
)
from reports.services.broker import is_broker_error
from reports.services.mail import send_report
from tasks.models import Programme, ReportingPeriod
from tasks.periods import is_interim

logger = logging.getLogger(__name__)

# The compile task's hard time limit; a run "running" for longer is stale (worker killed).
COMPILE_TIME_LIMIT = 600
COMPILE_SOFT_TIME_LIMIT = 570
STALE_GRACE = datetime.timedelta(minutes=2)
# Kinds that describe one period's filing, hence interim when asked before its due date.
INTERIM_KINDS = (ReportKind.MONTHLY, ReportKind.URGING, ReportKind.LATE_LIST)

BROKER_DOWN_MESSAGE = _(
    "后台任务服务（Redis）暂时不可用，报告未能开始生成。请稍后重试，或联系系统管理员。"
)
STALE_MESSAGE = _("生成超时或后台进程意外中断，请重新生成。")
LOST_MESSAGE = _("排队超时，后台任务服务未处理该申请，请重新生成。")
CANCELLED_MESSAGE = _("已由%(user)s取消。")
SCHEDULE_BEFORE_CUTOFF_MESSAGE = _("定时任务只在本期报送截止后生成报告。")


def queued_timeout() -> datetime.timedelta:
    """How long a run may wait queued before it counts as lost (its message never came)."""
    return datetime.timedelta(minutes=getattr(settings, "PILOT_RUN_QUEUE_TIMEOUT_MINUTES", 10))


def _stale_before(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(seconds=COMPILE_TIME_LIMIT) - STALE_GRACE


class BrokerUnavailable(ValidationError):
    """The task queue could not take the job; the run was marked failed."""


class InterimNotConfirmed(ValidationError):
    """The period's filing is still open; the office must confirm an interim report."""


def interim_warning(period: ReportingPeriod) -> str:
    due = period.due_on
    return _(
        "本期报送尚未截止（截止日期%(year)s年%(month)s月%(day)s日），"
        "生成的报告将标注为中期/未截止，确定继续？"
    ) % {"year": due.year, "month": due.month, "day": due.day}


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
    confirm_interim: bool = False,
) -> ReportRun:
    """Queue a report run and return it; return the queued or running one if there is one.

    ``actor`` None means the scheduler. A queued or running run that is stuck (see the
    module docstring) is failed and a new one made. Asking for a period whose filing is
    still open raises ``InterimNotConfirmed`` unless ``confirm_interim``; the run is then
    marked interim (the scheduler never makes one). Raises ``BrokerUnavailable`` when the
    task queue is down (the run is then recorded as failed with that message).
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
    if kind == ReportKind.BULLETIN and published_sheet(period) is None:
        raise ValidationError(
            _("%(period)s的考核结果尚未发布，请先在单位考核页发布再生成通报。") % {"period": period}
        )
    interim = kind in INTERIM_KINDS and is_interim(period)
    if interim and actor is None:
        raise ValidationError(SCHEDULE_BEFORE_CUTOFF_MESSAGE, code="interim")
    if interim and not confirm_interim:
        raise InterimNotConfirmed(interim_warning(period), code="interim")
    with transaction.atomic():
        run = _active_run(kind, programme, scope)
        if run is not None:
            return run
        try:
            with transaction.atomic():
                run = _create_run(
                    kind,
                    programme,
                    period,
                    department,
                    scope,
                    as_of,
                    actor,
                    distribution_list,
                    is_interim=interim,
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
    """Return the scope's live run; a stuck one is failed (under the row lock) instead."""
    run = (
        ReportRun.objects.select_for_update()
        .filter(kind=kind, programme=programme, scope=scope, state__in=ACTIVE_STATES)
        .first()
    )
    message = run and stuck_message(run, now=clock.now())
    if message:
        fail_run(run_id=run.pk, error=str(message), states=(run.state,))
        return None
    return run


def stuck_message(run: ReportRun, *, now: datetime.datetime) -> str | None:
    """Why ``run`` will never end by itself (message lost, worker killed), or None."""
    if run.state == RunState.QUEUED and run.created_at < now - queued_timeout():
        return LOST_MESSAGE
    if run.state == RunState.RUNNING and run.started_at and run.started_at < _stale_before(now):
        return STALE_MESSAGE
    return None


def _create_run(
    kind, programme, period, department, scope, as_of, actor, distribution_list, *, is_interim
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
        is_interim=is_interim,
        created_at=clock.now(),
        progress_text=_("排队等待生成"),
    )


def enqueue_run(*, run_id: int) -> None:
    """Hand the run to the task queue; if the broker is down, record the run as failed."""
    compile_report_task = job("reports.tasks.compile_report_task")
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


def fail_run(*, run_id: int, error: str, states=ACTIVE_STATES) -> bool:
    """Mark an active run failed with ``error``; return whether it was still active."""
    changed = ReportRun.objects.filter(pk=run_id, state__in=states).update(**_failed(error))
    return changed == 1


def _failed(error: str) -> dict:
    return {
        "state": RunState.FAILED,
        "error": error[:2000],
        "finished_at": clock.now(),
        "progress_text": _("生成失败"),
    }


def _claim_run(run_id: int) -> bool:
    """Move the run to running; a stale running run (worker killed) may be claimed again."""
    now = clock.now()
    stale_before = _stale_before(now)
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
        if fail_run(run_id=run_id, error=_("生成失败：%(error)s") % {"error": exc}):
            run.refresh_from_db()
            notifications.notify_run_finished(run=run)
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
    department: Department | None = None  # the unit a per-unit file is for


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
        ReportKind.BULLETIN: _build_bulletin,
    }[run.kind]
    return builder(run)


def _headline(figures) -> dict:
    return {
        "items": [[label, value] for label, value in headline_items(figures)],
        "period": str(figures.period),
    }


def _interim(run: ReportRun) -> str:
    return _("（中期/未截止）") if run.is_interim else ""


def _suffix(run: ReportRun) -> str:
    return _("（第%(v)s版）") % {"v": run.version} if run.version > 1 else ""


def _build_monthly(run: ReportRun) -> BuiltReport:
    programme, period = run.programme, run.period
    figures = period_figures(programme=programme, period=period)
    set_progress(run_id=run.pk, text=_("正在生成 Excel 工作簿"), percent=20)
    workbook = exports.build_monthly_workbook(programme=programme, period=period, figures=figures)
    set_progress(run_id=run.pk, text=_("正在生成 Word 文档"), percent=60)
    document = exports.build_monthly_document(programme=programme, period=period, figures=figures)
    stem = _("%(period)s工作月报") % {"period": period} + _interim(run) + _suffix(run)
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
    name += _interim(run)
    built = BuiltFile(FileKind.DOCX, f"{name}.docx", document, department=run.department)
    return BuiltReport(files=[built], headline={})


def _build_late_list(run: ReportRun) -> BuiltReport:
    programme, period = run.programme, run.period
    units = exports.notices.units_to_urge(programme=programme, period=period)
    files = [
        BuiltFile(
            FileKind.XLSX,
            _("%(period)s未按期报送名单%(interim)s.xlsx")
            % {"period": period, "interim": _interim(run)},
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
        files.append(BuiltFile(FileKind.DOCX, name, notice, department=unit.department))
    headline = {
        "items": [[u.department.name, _late_note(u)] for u in units],
        "period": str(period),
    }
    return BuiltReport(files=files, headline=headline)


def _build_bulletin(run: ReportRun) -> BuiltReport:
    document = build_bulletin(programme=run.programme, period=run.period, today=run.as_of)
    name = _("%(period)s考核通报") % {"period": run.period} + _suffix(run)
    return BuiltReport(files=[BuiltFile(FileKind.DOCX, f"{name}.docx", document)], headline={})


def _late_note(unit) -> str:
    return _("未报送%(missing)s项，逾期报送%(late)s项") % {
        "missing": len(unit.missing),
        "late": len(unit.late),
    }


def _store_files(*, run: ReportRun, built: BuiltReport) -> None:
    set_progress(run_id=run.pk, text=_("正在保存文件"), percent=90)
    contents = [
        apply_office_template(item.content, day=run.as_of)
        if item.kind == FileKind.DOCX
        else item.content
        for item in built.files
    ]
    with transaction.atomic():
        for item, content in zip(built.files, contents, strict=True):
            digest = hashlib.sha256(content).hexdigest()
            record = ReportFile(
                run=run,
                department=item.department,
                kind=item.kind,
                name=item.name,
                size=len(content),
                sha256=digest,
            )
            record.file.save(item.name, ContentFile(content), save=False)
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
            return
        run.state = RunState.DONE
        notifications.notify_run_finished(run=run)


def reap_stale_runs() -> int:
    """Fail runs stuck running past the time limit, or queued and never picked up."""
    now = clock.now()
    stale = ReportRun.objects.filter(state=RunState.RUNNING, started_at__lt=_stale_before(now))
    lost = ReportRun.objects.filter(state=RunState.QUEUED, created_at__lt=now - queued_timeout())
    # One conditional UPDATE each: a run a worker claims meanwhile no longer matches.
    return sum(
        queryset.update(**_failed(str(message)))
        for queryset, message in ((stale, STALE_MESSAGE), (lost, LOST_MESSAGE))
    )


def cancel_run(*, run: ReportRun, actor) -> ReportRun:
    """Stop a queued or running run; a worker still building it then stores nothing."""
    if not run.is_active:
        raise ValidationError(_("该报告已结束，不能取消。"))
    if not permissions.can_cancel_run(actor, run):
        raise PermissionDenied(_("只有联席会议办公室可以取消报告生成。"))
    cancelled = ReportRun.objects.filter(pk=run.pk, state__in=ACTIVE_STATES).update(
        state=RunState.CANCELLED,
        finished_at=clock.now(),
        cancelled_by=actor,
        error=CANCELLED_MESSAGE % {"user": actor},
        progress_text=_("已取消"),
    )
    if cancelled != 1:
        raise ValidationError(_("该报告已结束，不能取消。"))
    logger.info("Report run %s cancelled by %s", run.pk, actor.pk)
    run.refresh_from_db()
    return run


def retry_run(*, run: ReportRun, actor) -> ReportRun:
    """Ask again for what a failed or cancelled run covered; return the new (or live) run."""
    if run.state not in RETRYABLE_STATES:
        raise ValidationError(_("只有失败或已取消的报告可以重试。"))
    if not permissions.can_retry_run(actor, run):
        raise PermissionDenied(_("只有联席会议办公室可以重试报告生成。"))
    return request_report(
        kind=run.kind,
        programme=run.programme,
        period=run.period,
        department=run.department,
        as_of=run.as_of if run.kind == ReportKind.SUMMARY else None,
        distribution_list=run.distribution_list,
        actor=actor,
        # The first request was confirmed if interim; later is never less final.
        confirm_interim=True,
    )
