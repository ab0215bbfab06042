"""Reads behind the periodic reports: detail rows, late units, outstanding tasks, runs.

A report on a period describes that period as of its cut-off (``reports.figures.asof``):
task statuses follow the status rule as of the period, and the texts quoted are the lead
updates of the period accepted by the cut-off, so regenerating a past report later gives
the same content. Every function runs a fixed number of queries whatever the programme's
size (the task rows stream in chunks, with two prefetch queries per chunk); none queries
per task.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from departments.models import Department, DepartmentContact, DepartmentKind
from pilot import clock, permissions
from reports import figures
from reports.models import (
    DistributionList,
    DistributionListKind,
    DistributionListMember,
    ReportFile,
    ReportRun,
)
from tasks.exports.plan import unit_names
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
from tasks.periods import cutoff
from tasks.plan_asof import in_force_q, tasks_as_of, text_as_of_annotations, with_text_as_of

CHUNK_SIZE = 2000
# States in which a department has not (yet, or any more) handed its report in.
OUTSTANDING_STATES = (UpdateState.DRAFT, UpdateState.RETURNED)
# Lead updates whose text the detail sheet quotes (a returned text was not accepted).
REPORTED_STATES = (UpdateState.SUBMITTED, UpdateState.ACCEPTED)


@dataclass(frozen=True)
class TaskRow:
    """One line of the 任务进展明细 sheet."""

    number: int
    category: str
    measure: str
    leads: str
    supports: str
    status: str
    percent: int
    work_done: str
    problems: str
    next_steps: str
    report_states: str
    marks: str


@dataclass
class LateUnit:
    """A department that had not reported, or reported late, for a period."""

    department: Department
    missing: list[Task] = field(default_factory=list)
    late: list[Task] = field(default_factory=list)

    @property
    def task_count(self) -> int:
        return len(self.missing) + len(self.late)


@dataclass(frozen=True)
class CoordinationItem:
    number: int
    measure: str
    department: str
    problems: str


@dataclass
class Outstanding:
    """A department's tasks still to be reported in a period (for reminders)."""

    department: Department
    items: list[tuple[Task, str, str]] = field(default_factory=list)  # task, role, state label


def expected_assignments(*, programme: Programme, period: ReportingPeriod) -> QuerySet[Assignment]:
    """The submissions owed in ``period``, as ``reports.figures`` defines them, in order."""
    return (
        figures.expected_assignments(programme=programme, period=period)
        .select_related("department", "task")
        .order_by("department__sort_order", "department__name", "task__number")
    )


def _period_updates(period: ReportingPeriod) -> dict[tuple[int, int], ProgressUpdate]:
    updates = ProgressUpdate.objects.filter(period=period).only(
        "task_id", "department_id", "state", "first_submitted_at", "is_late", "return_count"
    )
    return {(u.task_id, u.department_id): u for u in updates}


def late_units(*, programme: Programme, period: ReportingPeriod) -> list[LateUnit]:
    """Return departments with tasks not submitted, or first submitted after the due date."""
    updates = _period_updates(period)
    units: dict[int, LateUnit] = {}
    for assignment in expected_assignments(programme=programme, period=period):
        update = updates.get((assignment.task_id, assignment.department_id))
        unit = units.get(assignment.department_id) or LateUnit(assignment.department)
        if update is None or update.first_submitted_at is None:
            unit.missing.append(assignment.task)
        elif update.is_late:
            unit.late.append(assignment.task)
        else:
            continue
        units[assignment.department_id] = unit
    # The tasks as they read in the period (a later rewording is not what was owed then).
    with_text_as_of([task for unit in units.values() for task in unit.missing + unit.late], period)
    return list(units.values())


def outstanding_by_department(
    *, programme: Programme, period: ReportingPeriod
) -> list[Outstanding]:
    """Return, per department, the tasks it has not submitted (or must resubmit)."""
    updates = _period_updates(period)
    result: dict[int, Outstanding] = {}
    for assignment in expected_assignments(programme=programme, period=period):
        update = updates.get((assignment.task_id, assignment.department_id))
        if update is not None and update.state not in OUTSTANDING_STATES:
            continue
        state = update.get_state_display() if update else _("未填报")
        entry = result.setdefault(assignment.department_id, Outstanding(assignment.department))
        entry.items.append((assignment.task, assignment.get_role_display(), state))
    return list(result.values())


def contacts_of(*, department_ids: list[int]) -> dict[int, list[DepartmentContact]]:
    contacts = defaultdict(list)
    for contact in DepartmentContact.objects.filter(department_id__in=department_ids):
        contacts[contact.department_id].append(contact)
    return contacts


def task_rows(
    *, programme: Programme, period: ReportingPeriod, states: dict | None = None
) -> Iterator[TaskRow]:
    """Yield the 任务进展明细 rows in task order, as of ``period`` (streaming in chunks).

    ``states``: {task id: TaskState} as of the period, computed here when not given.
    """
    now = clock.now()
    states = (
        states
        if states is not None
        else figures.states_as_of(programme=programme, period=period, now=now)
    )
    cut = cutoff(period, now=now)
    assignments = (
        Assignment.all_periods.filter(in_force_q(period=period))
        .select_related("department")
        .order_by("order", "pk")
    )
    updates = (
        ProgressUpdate.objects.filter(period=period)
        .select_related("department")
        .order_by("role", "department__sort_order", "pk")
    )
    tasks = (
        tasks_as_of(period=period)
        .annotate(**text_as_of_annotations(period=period))
        .select_related("category")
        .prefetch_related(
            Prefetch("assignments", queryset=assignments),
            Prefetch("updates", queryset=updates, to_attr="period_updates"),
        )
        .order_by("number")
    )
    for task in tasks.iterator(chunk_size=CHUNK_SIZE):
        _text_then(task)
        yield _task_row(task, states[task.pk], cut)


def _task_row(task: Task, state, cut) -> TaskRow:
    assignments = list(task.assignments.all())
    by_department = {u.department_id: u for u in task.period_updates}
    leads = [by_department.get(a.department_id) for a in assignments if a.role == "lead"]
    quoted = [u for u in leads if u is not None and _accepted_by(u, cut)]
    return TaskRow(
        number=task.number,
        category=str(task.category),
        measure=task.measure,
        leads=unit_names(assignments, AssignmentRole.LEAD),
        supports=unit_names(assignments, AssignmentRole.SUPPORT),
        status=TaskStatus(state.status).label,
        percent=state.percent,
        work_done=_joined(quoted, "work_done"),
        problems=_joined(quoted, "problems"),
        next_steps=_joined(quoted, "next_steps"),
        report_states=_report_states(assignments, by_department, cut),
        marks=_marks(task.period_updates),
    )


def _accepted_by(update: ProgressUpdate, cut) -> bool:
    accepted = update.state == UpdateState.ACCEPTED
    return accepted and (update.reviewed_at is None or update.reviewed_at <= cut)


def _state_at(update: ProgressUpdate | None, cut) -> str:
    """Return the update's state as the report names it: accepted only if accepted by the
    cut-off; a late filing counts as filed, as the reporting figures count it."""
    if update is None or update.first_submitted_at is None:
        return _("未填报")
    if _accepted_by(update, cut):
        return UpdateState.ACCEPTED.label
    return _("已报送（待审核）")


def _joined(updates: list[ProgressUpdate], attribute: str) -> str:
    texts = [(u, getattr(u, attribute).strip()) for u in updates]
    texts = [(u, text) for u, text in texts if text]
    if len(texts) <= 1:
        return texts[0][1] if texts else ""
    return "\n".join(f"【{u.department.name}】{text}" for u, text in texts)


def _report_states(assignments, by_department, cut) -> str:
    parts = []
    for assignment in assignments:
        if assignment.department.kind == DepartmentKind.COLLECTIVE:
            continue
        state = _state_at(by_department.get(assignment.department_id), cut)
        parts.append(f"{assignment.department.name}：{state}")
    return "；".join(parts)


def _marks(updates: list[ProgressUpdate]) -> str:
    marks = []
    for update in updates:
        if update.is_late:
            marks.append(_("%(unit)s逾期") % {"unit": update.department.name})
        if update.return_count:
            marks.append(
                _("%(unit)s退回%(n)s次")
                % {"unit": update.department.name, "n": update.return_count}
            )
    return "；".join(marks)


def accepted_lead_updates(*, period: ReportingPeriod) -> QuerySet[ProgressUpdate]:
    """Return ``period``'s lead updates accepted by its cut-off, in task order."""
    return (
        ProgressUpdate.objects.filter(figures.period_accepted_q(period))
        .select_related("task", "department")
        .order_by("task__number", "department__sort_order", "department__name")
    )


def coordination_items(*, programme: Programme, period: ReportingPeriod) -> list[CoordinationItem]:
    """Return the problems lead units flagged for coordination in ``period``: their updates
    accepted by the cut-off only (a returned or unreviewed text is not the office's word)."""
    updates = list(accepted_lead_updates(period=period).filter(needs_coordination=True))
    with_text_as_of([u.task for u in updates], period)
    return [
        CoordinationItem(u.task.number, u.task.measure, u.department.name, u.problems)
        for u in updates
    ]


@dataclass(frozen=True)
class ReportTask:
    """A task as a report on a period names it: its state as of the period, its lead units,
    and what its lead updates of the period (accepted by the cut-off) said."""

    number: int
    measure: str
    leads: str
    status: str
    percent: int
    work_done: str
    problems: str
    next_steps: str
    highlight: bool


@dataclass
class UnitReporting:
    """One unit's expected submissions of a period, by outcome (task numbers)."""

    department: Department
    on_time: list[int] = field(default_factory=list)
    late: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)


def report_tasks(
    *, programme: Programme, period: ReportingPeriod, states: dict
) -> list[ReportTask]:
    """Return every task of ``programme`` as a report on ``period`` names it (three queries).

    ``states``: {task id: TaskState} as of the period (``figures.states_as_of``).
    """
    leads: dict[int, list] = defaultdict(list)
    for assignment in (
        Assignment.all_periods.filter(task__programme=programme, role=AssignmentRole.LEAD)
        .filter(in_force_q(period=period))
        .select_related("department")
        .order_by("order", "pk")
    ):
        leads[assignment.task_id].append(assignment)
    quoted: dict[int, list[ProgressUpdate]] = defaultdict(list)
    for update in accepted_lead_updates(period=period):
        quoted[update.task_id].append(update)
    rows = []
    tasks = tasks_as_of(period=period).annotate(**text_as_of_annotations(period=period))
    for task in tasks.order_by("number"):
        _text_then(task)
        state, updates = states[task.pk], quoted.get(task.pk, [])
        rows.append(
            ReportTask(
                number=task.number,
                measure=task.measure,
                leads=unit_names(leads.get(task.pk, []), AssignmentRole.LEAD),
                status=state.status,
                percent=state.percent,
                work_done=_joined(updates, "work_done"),
                problems=_joined(updates, "problems"),
                next_steps=_joined(updates, "next_steps"),
                highlight=any(update.is_highlight for update in updates),
            )
        )
    return rows


def reporting_by_unit(*, programme: Programme, period: ReportingPeriod) -> list[UnitReporting]:
    """Return each unit's expected submissions of ``period`` as on time / late / missing, by
    the figures' definitions (so the units add up to ``figures.period_reporting``)."""
    updates = _period_updates(period)
    units: dict[int, UnitReporting] = {}
    for assignment in expected_assignments(programme=programme, period=period):
        update = updates.get((assignment.task_id, assignment.department_id))
        unit = units.setdefault(assignment.department_id, UnitReporting(assignment.department))
        if update is None or update.first_submitted_at is None:
            unit.missing.append(assignment.task.number)
        elif update.is_late:
            unit.late.append(assignment.task.number)
        else:
            unit.on_time.append(assignment.task.number)
    return list(units.values())


def unfinished_tasks(
    *, programme: Programme, states: dict | None = None, period: ReportingPeriod | None = None
) -> list[Task]:
    """Return the tasks not completed, by their row or, given ``states`` ({task id:
    TaskState} as of ``period``), as of that period (the tasks in force then, with their
    text then, status and percent set from the states)."""
    tasks = Task.objects.filter(programme=programme).select_related("category").order_by("number")
    if states is None:
        return list(tasks.exclude(status=TaskStatus.COMPLETED))
    if period is not None:
        tasks = (
            tasks_as_of(period=period)
            .annotate(**text_as_of_annotations(period=period))
            .select_related("category")
            .order_by("number")
        )
    unfinished = []
    for task in tasks:
        if period is not None:
            _text_then(task)
        state = states[task.pk]
        if not state.completed:
            task.status, task.percent = state.status, state.percent
            unfinished.append(task)
    return unfinished


def periods_until(*, programme: Programme, as_of: datetime.date) -> list[ReportingPeriod]:
    """Return the periods whose due date has passed by ``as_of``, oldest first."""
    return list(
        ReportingPeriod.objects.filter(programme=programme, due_on__lte=as_of).order_by("starts_on")
    )


def period_due_after(*, day: datetime.date) -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.filter(due_on__gte=day).select_related("programme")


def recipients(*, distribution_list: DistributionList) -> list[str]:
    """Return the list's e-mail addresses, without duplicates, in a stable order."""
    if distribution_list.kind == DistributionListKind.DEPARTMENT:
        emails = DepartmentContact.objects.filter(
            department_id=distribution_list.department_id
        ).values_list("email", flat=True)
    else:
        emails = DistributionListMember.objects.filter(
            distribution_list=distribution_list
        ).values_list("email", flat=True)
    return sorted(set(emails))


def default_list(*, kind: str) -> DistributionList | None:
    return DistributionList.objects.filter(kind=kind, is_active=True).order_by("pk").first()


def visible_runs(*, user) -> QuerySet[ReportRun]:
    """Return the runs ``user`` may see, newest first, with what the list shows joined in."""
    if not permissions.can_view_reports(user):
        return ReportRun.objects.none()
    files = ReportFile.objects.select_related("department")
    return ReportRun.objects.select_related(
        "programme", "period", "department", "requested_by"
    ).prefetch_related(Prefetch("files", queryset=files))


def _text_then(task) -> None:
    """Show ``task`` with the measure and due date in force in the report's period (the
    ``text_as_of_annotations`` its query added)."""
    task.measure, task.due_on = task.measure_then, task.due_on_then
