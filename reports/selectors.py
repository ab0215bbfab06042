"""Reads behind the periodic reports: detail rows, late units, outstanding tasks, runs.

Every function runs a fixed number of queries whatever the programme's size (the task rows
stream in chunks, with two prefetch queries per chunk); none queries per task.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from departments.models import Department, DepartmentContact, DepartmentKind
from pilot import permissions
from reports import figures
from reports.models import (
    DistributionList,
    DistributionListKind,
    DistributionListMember,
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


def task_rows(*, programme: Programme, period: ReportingPeriod) -> Iterator[TaskRow]:
    """Yield the 任务进展明细 rows in task order, streaming in chunks."""
    assignments = Assignment.objects.select_related("department").order_by("order", "pk")
    updates = (
        ProgressUpdate.objects.filter(period=period)
        .select_related("department")
        .order_by("role", "department__sort_order", "pk")
    )
    tasks = (
        Task.objects.filter(programme=programme)
        .select_related("category")
        .prefetch_related(
            Prefetch("assignments", queryset=assignments),
            Prefetch("updates", queryset=updates, to_attr="period_updates"),
        )
        .order_by("number")
    )
    for task in tasks.iterator(chunk_size=CHUNK_SIZE):
        yield _task_row(task)


def _task_row(task: Task) -> TaskRow:
    assignments = list(task.assignments.all())
    by_department = {u.department_id: u for u in task.period_updates}
    leads = [by_department.get(a.department_id) for a in assignments if a.role == "lead"]
    reported = [u for u in leads if u is not None and u.state in REPORTED_STATES]
    return TaskRow(
        number=task.number,
        category=str(task.category),
        measure=task.measure,
        leads=unit_names(assignments, AssignmentRole.LEAD),
        supports=unit_names(assignments, AssignmentRole.SUPPORT),
        status=TaskStatus(task.status).label,
        percent=task.percent,
        work_done=_joined(reported, "work_done"),
        problems=_joined(reported, "problems"),
        next_steps=_joined(reported, "next_steps"),
        report_states=_report_states(assignments, by_department),
        marks=_marks(task.period_updates),
    )


def _joined(updates: list[ProgressUpdate], attribute: str) -> str:
    texts = [(u, getattr(u, attribute).strip()) for u in updates]
    texts = [(u, text) for u, text in texts if text]
    if len(texts) <= 1:
        return texts[0][1] if texts else ""
    return "\n".join(f"【{u.department.name}】{text}" for u, text in texts)


def _report_states(assignments, by_department) -> str:
    parts = []
    for assignment in assignments:
        if assignment.department.kind == DepartmentKind.COLLECTIVE:
            continue
        update = by_department.get(assignment.department_id)
        state = update.get_state_display() if update else _("未填报")
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


def coordination_items(*, programme: Programme, period: ReportingPeriod) -> list[CoordinationItem]:
    """Return the problems lead units flagged for coordination in ``period`` (not drafts)."""
    updates = (
        ProgressUpdate.objects.filter(
            period=period, role=AssignmentRole.LEAD, needs_coordination=True
        )
        .exclude(state=UpdateState.DRAFT)
        .select_related("task", "department")
        .order_by("task__number", "department__sort_order")
    )
    return [
        CoordinationItem(u.task.number, u.task.measure, u.department.name, u.problems)
        for u in updates
    ]


def open_coordination_tasks(*, programme: Programme) -> list[Task]:
    """Return tasks whose current status still flags a problem needing coordination."""
    return list(
        Task.objects.filter(programme=programme, needs_coordination=True)
        .select_related("category")
        .order_by("number")
    )


def unfinished_tasks(*, programme: Programme) -> list[Task]:
    return list(
        Task.objects.filter(programme=programme)
        .exclude(status=TaskStatus.COMPLETED)
        .select_related("category")
        .order_by("number")
    )


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
    return ReportRun.objects.select_related(
        "programme", "period", "department", "requested_by"
    ).prefetch_related("files")
