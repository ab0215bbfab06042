"""The 待办 (to-do) list on every home page: one selector per role.

Each selector returns ``TodoGroup`` rows, each with a link to the page where the work is
done, and runs a fixed number of queries whatever the size of the programme (groups show
their first ``SHOWN`` entries and a count). Drafts are private to their department: the
office's groups count submitted updates only, and a reporter's groups read their own
department's rows and the supporting units' *submitted* input.

The module lives in ``reports`` because the office's and the member's lists read report
runs and ``reports.figures`` (``tasks`` must not depend on ``reports`` for its models).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from departments.models import Department
from pilot import clock
from reports import figures, todo_supervision
from reports import selectors as report_selectors
from reports.models import ReportRun, RunState
from tasks import selectors
from tasks.models import (
    Assignment,
    AssignmentRole,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    Task,
    TaskStatus,
    UpdateState,
)
from tasks.periods import FilingWindow, filing_opens_on, filing_window, working_days_left
from tasks.plan_asof import in_force_q

# How many entries of a group the home shows; the group's link leads to the rest.
SHOWN = 5


@dataclass(frozen=True)
class TodoEntry:
    """One thing to do: what, where it is done, and an optional second line."""

    text: str
    url: str
    detail: str = ""
    tone: str = ""  # "", "warning" or "danger": the badge colour of ``due``
    due: str = ""


@dataclass
class TodoGroup:
    """A kind of work with its count, first entries and the page that lists all of it."""

    kind: str
    title: str
    count: int
    url: str = ""
    entries: list[TodoEntry] = field(default_factory=list)
    note: str = ""


# --- working days ------------------------------------------------------------------------


def due_text(days: int) -> tuple[str, str]:
    """Return the due line and its tone for ``working_days_left``'s result."""
    if days < 0:
        return _("已逾期%(n)d个工作日") % {"n": -days}, "danger"
    if days == 0:
        return _("已到截止日"), "danger"
    if days <= 3:
        return _("还剩%(n)d个工作日") % {"n": days}, "warning"
    return _("还剩%(n)d个工作日") % {"n": days}, ""


# --- reporter --------------------------------------------------------------------------


def reporter_todo(
    *, department: Department, period: ReportingPeriod | None, items: list | None = None
) -> list[TodoGroup]:
    """Return a department's to-do for ``period`` (the current one of its programme).

    ``items`` is the department's worklist of that period when the caller has it already
    (``tasks.selectors.department_worklist``), to save its queries.
    """
    supervision = todo_supervision.reporter_groups(
        department=department, group_class=TodoGroup, entry_class=TodoEntry, shown=SHOWN
    )
    if period is None:
        return supervision
    today = clock.today()
    window = filing_window(period, today)
    if window == FilingWindow.NOT_YET:
        return [_not_yet_open(period), *supervision]
    if window == FilingWindow.CLOSED:
        return supervision
    if items is None:
        items = selectors.department_worklist(department=department, period=period)
    groups = [_returned_group(items, period), _to_file_group(items, period, today)]
    groups.append(_inputs_group(department, period))
    return [group for group in groups if group.count] + supervision


def _not_yet_open(period: ReportingPeriod) -> TodoGroup:
    opens = filing_opens_on(period)
    note = _("%(period)s报送将于%(year)d年%(month)d月%(day)d日开放填报。") % {
        "period": period.label,
        "year": opens.year,
        "month": opens.month,
        "day": opens.day,
    }
    return TodoGroup(kind="not-open", title=_("尚未开放填报"), count=1, note=note)


def _form_url(task_id: int, period: ReportingPeriod) -> str:
    return reverse("update-form", args=[task_id, period.pk])


def _returned_group(items, period: ReportingPeriod) -> TodoGroup:
    returned = [item for item in items if item.state == UpdateState.RETURNED]
    entries = [
        TodoEntry(
            text=_task_text(item.task),
            url=_form_url(item.task.pk, period),
            detail=_return_reasons(item.last_return),
        )
        for item in returned[:SHOWN]
    ]
    title = _("被退回的报送（%(period)s）") % {"period": period.label}
    return TodoGroup(
        kind="returned", title=title, count=len(returned), url="#worklist", entries=entries
    )


def _return_reasons(review) -> str:
    if review is None:
        return ""
    parts = [reason.text for reason in review.reasons.all()]
    if review.comment:
        parts.append(review.comment)
    return _("退回原因：%(reasons)s") % {"reasons": "；".join(parts)}


def _to_file_group(items, period: ReportingPeriod, today: datetime.date) -> TodoGroup:
    waiting = [
        item
        for item in items
        if item.state in ("not_started", UpdateState.DRAFT)
        and item.task.completion_confirmed_at is None
    ]
    due, tone = due_text(working_days_left(today=today, due=period.due_on))
    entries = [
        TodoEntry(
            text=_task_text(item.task),
            url=_form_url(item.task.pk, period),
            detail=_("草稿未提交") if item.state == UpdateState.DRAFT else _("未填报"),
            due=due,
            tone=tone,
        )
        for item in waiting[:SHOWN]
    ]
    title = _("本期待报送（%(period)s，%(due)s截止）") % {
        "period": period.label,
        "due": period.due_on.strftime("%Y-%m-%d"),
    }
    return TodoGroup(
        kind="to-file", title=title, count=len(waiting), url="#worklist", entries=entries
    )


def _inputs_group(department: Department, period: ReportingPeriod) -> TodoGroup:
    """Supporting units' submitted input on tasks the department leads, not yet drawn on."""
    leads = Assignment.all_periods.filter(in_force_q(period=period)).filter(
        department=department, task_id=OuterRef("task_id"), role=AssignmentRole.LEAD
    )
    drawn = ProgressUpdate.objects.filter(
        drawn_from=OuterRef("pk"), department=department, period=period
    )
    inputs = list(
        ProgressUpdate.objects.filter(
            period=period, role=AssignmentRole.SUPPORT, state=UpdateState.SUBMITTED
        )
        .filter(Exists(leads))
        .exclude(Exists(drawn))
        .select_related("task", "department")
        .order_by("submitted_at", "pk")
    )
    entries = [
        TodoEntry(
            text=_task_text(update.task),
            url=_form_url(update.task_id, period),
            detail=_("%(unit)s已提交配合材料") % {"unit": update.department.name},
        )
        for update in inputs[:SHOWN]
    ]
    return TodoGroup(
        kind="inputs",
        title=_("配合单位报送待采用"),
        count=len(inputs),
        url=entries[0].url if entries else "",
        entries=entries,
    )


def _task_text(task: Task) -> str:
    measure = task.measure if len(task.measure) <= 40 else task.measure[:40] + "…"
    return f"{task.number}. {measure}"


# --- office ----------------------------------------------------------------------------


def office_todo(*, programme: Programme) -> list[TodoGroup]:
    """Return the office's to-do for ``programme``: reviews, late units, tasks, reports."""
    groups = [
        _review_group(programme),
        _late_units_group(programme),
        _uncoordinated_group(programme),
        _confirm_group(programme),
        _runs_group(programme),
    ]
    supervision = todo_supervision.office_groups(
        programme=programme, group_class=TodoGroup, entry_class=TodoEntry, shown=SHOWN
    )
    return [group for group in groups if group.count] + supervision


def _review_group(programme: Programme) -> TodoGroup:
    # Only submitted lead updates: drafts are their department's own business.
    waiting = ProgressUpdate.objects.filter(
        task__programme=programme, role=AssignmentRole.LEAD, state=UpdateState.SUBMITTED
    )
    oldest = waiting.select_related("task", "department", "period").order_by(
        "submitted_at", "task__number", "pk"
    )[:SHOWN]
    entries = [
        TodoEntry(
            text=_task_text(update.task),
            url=reverse("review-update", args=[update.pk]),
            detail=_("%(unit)s · %(period)s · %(at)s提交")
            % {
                "unit": update.department.name,
                "period": update.period.label,
                "at": timezone.localtime(update.submitted_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
        for update in oldest
    ]
    url = reverse("review-queue") + "?" + urlencode({"period": "", "state": UpdateState.SUBMITTED})
    return TodoGroup(
        kind="review", title=_("待审核的报送"), count=waiting.count(), url=url, entries=entries
    )


def _late_units_group(programme: Programme) -> TodoGroup:
    """Units with submissions still missing once the current period's due date has passed."""
    period = selectors.current_period(programme=programme)
    empty = TodoGroup(kind="late-units", title=_("本期逾期未报的单位"), count=0)
    if period is None or clock.today() <= period.due_on:
        return empty
    late = [
        unit
        for unit in report_selectors.late_units(programme=programme, period=period)
        if unit.missing
    ]
    query = {"programme": programme.code, "period": period.pk, "reporting": "missing"}
    entries = [
        TodoEntry(
            text=unit.department.name,
            url=reverse("task-list") + "?" + urlencode({**query, "department": unit.department.pk}),
            detail=_("%(n)d项任务未报送") % {"n": len(unit.missing)},
        )
        for unit in late[:SHOWN]
    ]
    empty.title = _("%(period)s逾期未报的单位") % {"period": period.label}
    empty.count = len(late)
    empty.url = reverse("report-runs")
    empty.entries = entries
    empty.note = _("可在“定期报告”页生成催报通知或未按期报送名单。")
    return empty


def _uncoordinated_group(programme: Programme) -> TodoGroup:
    tasks = Task.objects.filter(
        programme=programme,
        status__in=(TaskStatus.BLOCKED, TaskStatus.BEHIND),
        needs_coordination=False,
        completion_confirmed_at__isnull=True,
    ).order_by("number")
    entries = [
        TodoEntry(
            text=_task_text(task),
            url=reverse("task-detail", args=[task.pk]),
            detail=task.get_status_display(),
            tone="danger" if task.status == TaskStatus.BLOCKED else "warning",
        )
        for task in tasks[:SHOWN]
    ]
    # The task list has no "blocked or behind" filter: each entry links to its task.
    return TodoGroup(
        kind="uncoordinated",
        title=_("受阻或进度滞后、尚无协调事项的任务"),
        count=tasks.count(),
        entries=entries,
    )


def _confirm_group(programme: Programme) -> TodoGroup:
    tasks = Task.objects.filter(
        programme=programme, status=TaskStatus.COMPLETED, completion_confirmed_at__isnull=True
    ).order_by("number")
    entries = [
        TodoEntry(text=_task_text(task), url=reverse("task-detail", args=[task.pk]))
        for task in tasks[:SHOWN]
    ]
    query = {"programme": programme.code, "status": TaskStatus.COMPLETED}
    return TodoGroup(
        kind="confirm",
        title=_("待办结确认的任务"),
        count=tasks.count(),
        url=reverse("task-list") + "?" + urlencode(query),
        entries=entries,
    )


def _runs_group(programme: Programme) -> TodoGroup:
    """Report runs that finished or failed since the start of yesterday (local time)."""
    yesterday = clock.today() - datetime.timedelta(days=1)
    since = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time.min))
    runs = ReportRun.objects.filter(
        programme=programme,
        state__in=(RunState.DONE, RunState.FAILED),
        finished_at__gte=since,
    ).select_related("period")
    recent = list(runs.order_by("-finished_at", "-pk")[:SHOWN])
    entries = [
        TodoEntry(
            text=f"{run.get_kind_display()} {run.period.label if run.period else run.scope}",
            url=reverse("report-run", args=[run.pk]),
            detail=run.get_state_display(),
            tone="danger" if run.state == RunState.FAILED else "",
        )
        for run in recent
    ]
    return TodoGroup(
        kind="runs",
        title=_("昨天以来完成或失败的报告"),
        count=runs.count(),
        url=reverse("report-runs"),
        entries=entries,
    )


# --- member ----------------------------------------------------------------------------


@dataclass
class MemberHome:
    """What a read-only member sees first: the latest report and the headline figures."""

    latest_run: ReportRun | None
    figures: object | None  # reports.figures.PeriodFigures of the current period


def member_home(*, programme: Programme) -> MemberHome:
    """Return the latest finished report run and the current period's figures."""
    latest = (
        ReportRun.objects.filter(programme=programme, state=RunState.DONE)
        .select_related("period")
        .prefetch_related("files")
        .order_by("-finished_at", "-pk")
        .first()
    )
    period = selectors.current_period(programme=programme)
    result = figures.period_figures(programme=programme, period=period) if period else None
    return MemberHome(latest_run=latest, figures=result)
