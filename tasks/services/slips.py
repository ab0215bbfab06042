"""Supervision slips (督办单): issued by rule and by hand, answered, reviewed, escalated.

The rules, with the office's thresholds (``SlipRules``, one row per programme; defaults in
brackets), judged for each lead unit of each task not yet completed:
- red: the task is past its due date (the adjusted one, after an approved extension), or
  a lead unit's accepted update reported 受阻 in each of the last [2] periods whose due date
  has passed;
- yellow: the task's status is 进度滞后, or no lead unit raised its percent in any of the
  last [2] periods whose due date has passed (a period without an accepted update counts
  as no progress);
- blue: the due date is within [10] working days (today and the due date counted, China's
  calendar with holidays and 调休) and the percent is below [80] %.
The highest level that applies is issued. A unit holds at most one outstanding slip per
task: a higher level replaces the outstanding lower one (which is marked 已升级); the same
level is not issued again while one is outstanding, nor twice in one reporting period.
A slip is answered within [5 / 3 / 2] working days (blue / yellow / red); an unanswered
blue or yellow slip escalates to the next level on the day after its response date (or is
closed if the task has been confirmed complete meanwhile); a red one stays outstanding and
is listed for the office.

Slips change no dashboard figure; the scores count them (``tasks.supervision``).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from departments.models import DepartmentKind
from pilot import clock, permissions
from tasks.models import (
    OPEN_SLIP_STATUSES,
    SLIP_LEVELS,
    Assignment,
    AssignmentRole,
    AuditVerb,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    SlipLevel,
    SlipOrigin,
    SlipRules,
    SlipStatus,
    SupervisionSlip,
    Task,
    TaskStatus,
    UpdateState,
)
from tasks.periods import add_working_days, working_days_left
from tasks.services.audit import record_event
from tasks.signals import slip_issued


def rules_for(programme: Programme) -> SlipRules:
    """Return the programme's thresholds (the defaults, unsaved, until the office edits)."""
    rules = SlipRules.objects.filter(programme=programme).first()
    return rules or SlipRules(programme=programme)


def chinese_day(day: datetime.date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


# --- the rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """What the rules say about one lead unit of one task: the level and why."""

    task: Task
    department_id: int
    level: str
    reason: str


def evaluate(*, programme: Programme, today: datetime.date, rules=None) -> list[Finding]:
    """Return the slip each lead unit of each unfinished task should hold today (4 queries)."""
    rules = rules or rules_for(programme)
    tasks = list(
        Task.objects.filter(programme=programme, completion_confirmed_at__isnull=True)
        .exclude(status=TaskStatus.COMPLETED)
        .order_by("number")
    )
    leads = defaultdict(list)
    for task_id, department_id in (
        Assignment.objects.filter(task__in=tasks, role=AssignmentRole.LEAD)
        .exclude(department__kind=DepartmentKind.COLLECTIVE)
        .order_by("order", "pk")
        .values_list("task_id", "department_id")
    ):
        leads[task_id].append(department_id)
    window = _due_periods(programme, today, rules.stalled_periods)
    history = _lead_history(programme, window)
    findings = []
    for task in tasks:
        level, reason = _judge(task, today, rules, window, history.get(task.pk, {}))
        if level is None:
            continue
        findings.extend(
            Finding(task=task, department_id=department_id, level=level, reason=reason)
            for department_id in leads[task.pk]
        )
    return findings


def _due_periods(programme, today, count) -> list[ReportingPeriod]:
    """The last ``count`` periods whose due date has passed, oldest first ([] if fewer)."""
    periods = list(
        ReportingPeriod.objects.filter(programme=programme, due_on__lt=today).order_by(
            "-starts_on"
        )[:count]
    )
    return list(reversed(periods)) if count and len(periods) == count else []


def _lead_history(programme, window) -> dict:
    """{task id: {department id: [(period start, percent, status)], oldest first}} of the
    accepted lead updates up to the window's last period."""
    if not window:
        return {}
    rows = (
        ProgressUpdate.objects.filter(
            task__programme=programme,
            role=AssignmentRole.LEAD,
            state=UpdateState.ACCEPTED,
            period__starts_on__lte=window[-1].starts_on,
        )
        .order_by("period__starts_on")
        .values_list("task_id", "department_id", "period__starts_on", "percent", "status")
    )
    history = defaultdict(lambda: defaultdict(list))
    for task_id, department_id, starts_on, percent, status in rows:
        history[task_id][department_id].append((starts_on, percent, status))
    return history


def _judge(task, today, rules, window, history) -> tuple[str | None, str]:
    if today > task.due_on:
        return SlipLevel.RED, _("该任务完成期限为%(due)s，已逾期，尚未完成。") % {
            "due": chinese_day(task.due_on)
        }
    labels = "、".join(str(period) for period in window)
    if window and all(_reported(history, period, TaskStatus.BLOCKED) for period in window):
        return SlipLevel.RED, _("该任务连续%(n)d个报送期（%(periods)s）报告“受阻”。") % {
            "n": len(window),
            "periods": labels,
        }
    if task.status == TaskStatus.BEHIND:
        return SlipLevel.YELLOW, _("该任务当前推进状态为“进度滞后”，完成进度%(percent)d%%。") % {
            "percent": task.percent
        }
    if window and not any(_progressed(history, period) for period in window):
        return SlipLevel.YELLOW, _("该任务连续%(n)d个报送期（%(periods)s）无进展。") % {
            "n": len(window),
            "periods": labels,
        }
    left = working_days_left(today=today, due=task.due_on)
    if left <= rules.blue_working_days and task.percent < rules.blue_percent:
        return SlipLevel.BLUE, _(
            "该任务完成期限为%(due)s，距完成期限还剩%(left)d个工作日，"
            "当前完成进度%(percent)d%%，低于%(limit)d%%。"
        ) % {
            "due": chinese_day(task.due_on),
            "left": left,
            "percent": task.percent,
            "limit": rules.blue_percent,
        }
    return None, ""


def _reported(history, period, status) -> bool:
    return any(
        starts_on == period.starts_on and reported == status
        for rows in history.values()
        for starts_on, _percent, reported in rows
    )


def _progressed(history, period) -> bool:
    """Did any lead unit's accepted update of ``period`` raise its percent?"""
    for rows in history.values():
        before = 0
        for starts_on, percent, _status in rows:
            if starts_on == period.starts_on and percent > before:
                return True
            if starts_on < period.starts_on:
                before = percent
    return False


# --- issuing ---------------------------------------------------------------------------


def _rank(level: str) -> int:
    return SLIP_LEVELS.index(level)


def _period_start(programme: Programme, today: datetime.date) -> datetime.date:
    period = ReportingPeriod.objects.filter(
        programme=programme, starts_on__lte=today, ends_on__gte=today
    ).first()
    return period.starts_on if period else today.replace(day=1)


@transaction.atomic
def run_slip_rules(*, programme: Programme, today: datetime.date | None = None) -> list:
    """Issue the slips the rules call for today; return the new slips. Safe to run twice."""
    today = today or clock.today()
    rules = rules_for(programme)
    if not rules.enabled:
        return []
    since = _period_start(programme, today)
    issued = []
    for finding in evaluate(programme=programme, today=today, rules=rules):
        slips = SupervisionSlip.objects.select_for_update().filter(
            task=finding.task, department_id=finding.department_id
        )
        open_slip = slips.filter(status__in=OPEN_SLIP_STATUSES).first()
        if open_slip is not None and _rank(open_slip.level) >= _rank(finding.level):
            continue
        recent = slips.filter(issued_on__gte=since, level__in=_at_least(finding.level))
        if open_slip is None and recent.exists():
            continue
        issued.append(
            _issue(
                task=finding.task,
                department_id=finding.department_id,
                level=finding.level,
                reason=finding.reason,
                origin=SlipOrigin.RULE,
                actor=None,
                today=today,
                replaces=open_slip,
                rules=rules,
            )
        )
    return issued


def _at_least(level: str) -> list[str]:
    return [item for item in SLIP_LEVELS if _rank(item) >= _rank(level)]


@transaction.atomic
def issue_slip(
    *, task: Task, department_id: int, level: str, reason: str, actor
) -> SupervisionSlip:
    """Issue a slip by hand (the office) to a lead unit of ``task``."""
    if not permissions.can_issue_slip(actor):
        raise PermissionDenied(_("只有联席会议办公室可以签发督办单。"))
    if not reason.strip():
        raise ValidationError(_("请填写督办事由。"))
    is_lead = Assignment.objects.filter(
        task=task, department_id=department_id, role=AssignmentRole.LEAD
    ).exclude(department__kind=DepartmentKind.COLLECTIVE)
    if not is_lead.exists():
        raise ValidationError(_("督办单只能签发给该任务的牵头单位。"))
    open_slip = (
        SupervisionSlip.objects.select_for_update()
        .filter(task=task, department_id=department_id, status__in=OPEN_SLIP_STATUSES)
        .first()
    )
    if open_slip is not None and _rank(open_slip.level) >= _rank(level):
        raise ValidationError(
            _("该单位已有一份%(level)s督办单（%(code)s）尚未办结，请先处理或关闭。")
            % {"level": open_slip.get_level_display(), "code": open_slip.code}
        )
    return _issue(
        task=task,
        department_id=department_id,
        level=level,
        reason=reason,
        origin=SlipOrigin.HAND,
        actor=actor,
        today=clock.today(),
        replaces=open_slip,
    )


def _issue(
    *, task, department_id, level, reason, origin, actor, today, replaces=None, rules=None
) -> SupervisionSlip:
    rules = rules or rules_for(task.programme)
    now = clock.now()
    if replaces is not None:
        _close(replaces, SlipStatus.ESCALATED, now)
        record_event(
            task=task,
            verb=AuditVerb.SLIP_ESCALATED,
            actor=actor,
            detail=_("%(code)s升级为%(level)s督办单")
            % {"code": replaces.code, "level": SlipLevel(level).label},
        )
    slip = None
    for _attempt in range(5):
        number = (
            SupervisionSlip.objects.filter(year=today.year).aggregate(top=Max("number"))["top"] or 0
        ) + 1
        try:
            with transaction.atomic():
                slip = SupervisionSlip.objects.create(
                    task=task,
                    department_id=department_id,
                    level=level,
                    year=today.year,
                    number=number,
                    origin=origin,
                    reason=reason,
                    issued_on=today,
                    issued_at=now,
                    issued_by=actor,
                    response_due=add_working_days(today, rules.response_days(level)),
                    escalated_from=replaces,
                )
            break
        except IntegrityError:
            continue  # another slip took this number at the same moment
    if slip is None:
        raise ValidationError(_("督办单编号分配冲突，请稍后重试。"))
    record_event(
        task=task,
        verb=AuditVerb.SLIP_ISSUED,
        actor=actor,
        detail=_("%(code)s（%(level)s）：%(reason)s")
        % {"code": slip.code, "level": slip.get_level_display(), "reason": reason},
    )
    slip_id = slip.pk
    transaction.on_commit(lambda: slip_issued.send(sender=SupervisionSlip, slip_id=slip_id))
    return slip


def _close(slip: SupervisionSlip, status: str, now) -> None:
    slip.status = status
    slip.closed_at = now
    slip.version += 1
    slip.save(update_fields=["status", "closed_at", "version"])


@transaction.atomic
def escalate_overdue_slips(*, today: datetime.date | None = None) -> list[SupervisionSlip]:
    """Escalate every blue or yellow slip still unanswered after its response date; return
    the new slips. Safe to run twice (an escalated slip is no longer outstanding)."""
    today = today or clock.today()
    overdue = (
        SupervisionSlip.objects.select_for_update()
        .filter(status=SlipStatus.ISSUED, response_due__lt=today)
        .exclude(level=SlipLevel.RED)
        .select_related("task__programme")
        .order_by("pk")
    )
    issued = []
    for slip in overdue:
        if slip.task.completion_confirmed_at is not None:
            # Done meanwhile (办结确认): nothing left to supervise.
            _close(slip, SlipStatus.CLOSED, clock.now())
            continue
        level = SLIP_LEVELS[_rank(slip.level) + 1]
        reason = _("%(code)s未在反馈期限（%(due)s）前反馈，升级督办。%(reason)s") % {
            "code": slip.code,
            "due": chinese_day(slip.response_due),
            "reason": slip.reason,
        }
        issued.append(
            _issue(
                task=slip.task,
                department_id=slip.department_id,
                level=level,
                reason=reason,
                origin=SlipOrigin.ESCALATION,
                actor=None,
                today=today,
                replaces=slip,
            )
        )
    return issued


# --- answering and reviewing -------------------------------------------------------------


def _current(slip: SupervisionSlip, version: int) -> SupervisionSlip:
    current = SupervisionSlip.objects.select_for_update().select_related("task").get(pk=slip.pk)
    if current.version != version:
        raise ValidationError(_("该督办单已被他人处理，请刷新页面后再操作。"))
    return current


@transaction.atomic
def respond_slip(
    *, slip: SupervisionSlip, actor, measures: str, fix_by: datetime.date, version: int
) -> SupervisionSlip:
    """The unit's written answer: 整改措施 and 完成时限 (both required)."""
    current = _current(slip, version)
    if not permissions.can_respond_slip(actor, current):
        raise PermissionDenied(_("该督办单当前不能由您反馈。"))
    if not measures.strip():
        raise ValidationError(_("请填写整改措施。"))
    if fix_by < clock.today():
        raise ValidationError(_("完成时限不能早于今天。"))
    current.measures, current.fix_by = measures, fix_by
    current.status = SlipStatus.ANSWERED
    current.responded_at, current.responded_by = clock.now(), actor
    current.version += 1
    current.save(
        update_fields=["measures", "fix_by", "status", "responded_at", "responded_by", "version"]
    )
    record_event(
        task=current.task,
        verb=AuditVerb.SLIP_ANSWERED,
        actor=actor,
        detail=_("%(code)s：完成时限%(day)s") % {"code": current.code, "day": fix_by.isoformat()},
    )
    return current


@transaction.atomic
def review_slip(
    *, slip: SupervisionSlip, actor, accept: bool, comment: str, version: int
) -> SupervisionSlip:
    """The office accepts the answer (the slip is done) or returns it with a comment and a
    new response date (the slip's level's working days from today)."""
    current = _current(slip, version)
    if not permissions.can_review_slip(actor, current):
        raise PermissionDenied(_("该督办单当前不能审核。"))
    if not accept and not comment.strip():
        raise ValidationError(_("退回反馈时请填写审核意见。"))
    now = clock.now()
    current.review_comment, current.reviewed_at, current.reviewed_by = comment, now, actor
    fields = ["review_comment", "reviewed_at", "reviewed_by", "status", "version"]
    if accept:
        current.status = SlipStatus.ACCEPTED
        current.closed_at = now
        fields.append("closed_at")
    else:
        current.status = SlipStatus.ISSUED
        days = rules_for(current.task.programme).response_days(current.level)
        current.response_due = add_working_days(clock.today(), days)
        fields.append("response_due")
    current.version += 1
    current.save(update_fields=fields)
    verb = AuditVerb.SLIP_ACCEPTED if accept else AuditVerb.SLIP_RETURNED
    record_event(task=current.task, verb=verb, actor=actor, detail=f"{current.code} {comment}")
    return current


@transaction.atomic
def close_slip(*, slip: SupervisionSlip, actor, comment: str, version: int) -> SupervisionSlip:
    """The office closes an outstanding slip (issued in error, or overtaken by events)."""
    current = _current(slip, version)
    if not permissions.can_close_slip(actor, current):
        raise PermissionDenied(_("该督办单当前不能关闭。"))
    if not comment.strip():
        raise ValidationError(_("请填写关闭理由。"))
    current.review_comment = comment
    current.save(update_fields=["review_comment"])
    _close(current, SlipStatus.CLOSED, clock.now())
    record_event(
        task=current.task,
        verb=AuditVerb.SLIP_CLOSED,
        actor=actor,
        detail=f"{current.code} {comment}",
    )
    return current
