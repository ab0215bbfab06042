"""The joint meeting: build an agenda from the tasks that need coordination, record its
decisions (议定事项) as new tasks that report like any other, and follow them up.

Agenda sources: tasks whose current status is 受阻, tasks whose accepted lead updates ask
for coordination (需协调), and tasks with a red supervision slip (wired at merge).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch, Q
from django.utils.translation import gettext as _

from departments.models import Department, DepartmentKind
from pilot import clock, permissions
from tasks import supervision
from tasks.models import (
    AgendaItem,
    AgendaSource,
    Assignment,
    AssignmentRole,
    AuditVerb,
    Decision,
    Meeting,
    Programme,
    ProgressUpdate,
    Task,
    TaskStatus,
    UpdateState,
)
from tasks.services.audit import record_event

DECISION_PREFIX = "【联席会议议定】"


@dataclass(frozen=True)
class Candidate:
    """A task that may go on the agenda, with why (AgendaSource values, first is the main)."""

    task: Task
    sources: tuple

    @property
    def source(self) -> str:
        return self.sources[0]


def agenda_candidates(*, programme: Programme) -> list[Candidate]:
    """Return the unconfirmed tasks needing coordination (two queries, ordered by number)."""
    red = supervision.red_slip_task_ids(programme=programme)
    tasks = (
        Task.objects.filter(programme=programme, completion_confirmed_at__isnull=True)
        .filter(Q(status=TaskStatus.BLOCKED) | Q(needs_coordination=True) | Q(pk__in=red))
        .prefetch_related(_lead_prefetch())
        .order_by("number")
    )
    candidates = []
    for task in tasks:
        sources = []
        if task.pk in red:
            sources.append(AgendaSource.RED_SLIP)
        if task.status == TaskStatus.BLOCKED:
            sources.append(AgendaSource.BLOCKED)
        if task.needs_coordination:
            sources.append(AgendaSource.COORDINATION)
        candidates.append(Candidate(task, tuple(sources)))
    return candidates


def _lead_prefetch() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(role=AssignmentRole.LEAD).select_related("department"),
        to_attr="lead_assignments",
    )


@transaction.atomic
def create_meeting(
    *, programme: Programme, held_on: datetime.date, tasks: list[Task], actor
) -> Meeting:
    """Create the programme's next meeting with ``tasks`` on its agenda (in task order)."""
    if not permissions.can_manage_meetings(actor):
        raise PermissionDenied(_("只有联席会议办公室可以安排联席会议。"))
    if not tasks:
        raise ValidationError({"tasks": _("请至少选择一项议题。")})
    if any(task.programme_id != programme.pk for task in tasks):
        raise ValidationError({"tasks": _("所选任务不属于此方案。")})
    # The programme row serialises numbering: two offices creating at once get 1 and 2.
    Programme.objects.select_for_update().get(pk=programme.pk)
    number = (programme.meetings.aggregate(n=Max("number"))["n"] or 0) + 1
    meeting = Meeting.objects.create(
        programme=programme,
        number=number,
        held_on=held_on,
        created_at=clock.now(),
        created_by=actor,
    )
    sources = {item.task.pk: item.source for item in agenda_candidates(programme=programme)}
    AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=meeting,
            task=task,
            order=order,
            source=sources.get(task.pk, AgendaSource.OFFICE),
        )
        for order, task in enumerate(sorted(tasks, key=lambda task: task.number), start=1)
    )
    return meeting


@transaction.atomic
def record_decision(
    *, item: AgendaItem, text: str, owner: Department, due_on: datetime.date, actor
) -> Decision:
    """Record a decision on ``item`` and open the task that tracks it, led by ``owner``.

    The new task is numbered after the programme's last one, in the item's category, due on
    ``due_on``; the owner's reporters file on it monthly, the office reviews and confirms it.
    """
    if not permissions.can_manage_meetings(actor):
        raise PermissionDenied(_("只有联席会议办公室可以记录议定事项。"))
    text = text.strip()
    errors = {}
    if not text:
        errors["text"] = _("请填写议定事项。")
    if owner.kind == DepartmentKind.COLLECTIVE:
        errors["owner"] = _("责任单位须是具体单位（不能是“各市县”“有关部门”等集合单位）。")
    if due_on < item.meeting.held_on:
        errors["due_on"] = _("完成时限不能早于会议日期。")
    if errors:
        raise ValidationError(errors)
    source = item.task
    programme = Programme.objects.select_for_update().get(pk=source.programme_id)
    # Numbers of retired tasks stay taken (their record keeps them).
    number = (Task.all_periods.filter(programme=programme).aggregate(n=Max("number"))["n"] or 0) + 1
    tracking = Task.objects.create(
        programme=programme,
        category_id=source.category_id,
        number=number,
        measure=f"{DECISION_PREFIX}{text}",
        responsibility=_("%(owner)s牵头（%(meeting)s议定，涉及第%(task)d项任务）")
        % {"owner": owner.name, "meeting": item.meeting, "task": source.number},
        due_on=due_on,
    )
    Assignment.objects.create(task=tracking, department=owner, role=AssignmentRole.LEAD)
    decision = Decision.objects.create(
        item=item,
        text=text,
        owner=owner,
        due_on=due_on,
        tracking_task=tracking,
        created_at=clock.now(),
        created_by=actor,
    )
    detail = _("%(meeting)s议定：%(text)s（%(owner)s，%(due)s前，跟踪任务第%(number)d项）") % {
        "meeting": item.meeting,
        "text": text[:300],
        "owner": owner.name,
        "due": due_on.isoformat(),
        "number": number,
    }
    record_event(task=source, verb=AuditVerb.DECISION_RECORDED, actor=actor, detail=detail[:500])
    record_event(task=tracking, verb=AuditVerb.DECISION_RECORDED, actor=actor, detail=detail[:500])
    return decision


# --- reads -----------------------------------------------------------------------------


def meeting_items(*, meeting: Meeting) -> list[AgendaItem]:
    """Return the agenda with tasks, lead units and decisions (with their tasks) prefetched."""
    return list(
        meeting.items.select_related("task")
        .prefetch_related(
            Prefetch(
                "task__assignments", queryset=_lead_prefetch().queryset, to_attr="lead_assignments"
            ),
            Prefetch(
                "decisions", queryset=Decision.objects.select_related("owner", "tracking_task")
            ),
        )
        .order_by("order")
    )


def previous_meeting(*, meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(programme_id=meeting.programme_id, number__lt=meeting.number)
        .order_by("-number")
        .first()
    )


@dataclass(frozen=True)
class FollowUp:
    """What became of a decision: its tracking task's state today."""

    decision: Decision

    @property
    def task(self) -> Task:
        return self.decision.tracking_task

    @property
    def done(self) -> bool:
        return self.task.completion_confirmed_at is not None

    @property
    def overdue(self) -> bool:
        return not self.done and self.decision.due_on < clock.today()

    @property
    def outcome(self) -> str:
        if self.done:
            return _("已办结")
        if self.overdue:
            return _("已逾期（%(status)s，%(percent)d%%）") % {
                "status": self.task.get_status_display(),
                "percent": self.task.percent,
            }
        return _("推进中（%(status)s，%(percent)d%%）") % {
            "status": self.task.get_status_display(),
            "percent": self.task.percent,
        }


def follow_ups(*, meeting: Meeting | None) -> list[FollowUp]:
    """Return the decisions of ``meeting`` with their state (one query)."""
    if meeting is None:
        return []
    decisions = Decision.objects.filter(item__meeting=meeting).select_related(
        "owner", "tracking_task", "item__task"
    )
    return [
        FollowUp(decision) for decision in decisions.order_by("item__order", "created_at", "id")
    ]


def latest_problems(*, tasks: list[Task]) -> dict[int, list]:
    """Return {task id: [(lead unit name, problems text)]} from each lead unit's latest
    accepted update that names a problem (accepted text only: never a draft or unreviewed)."""
    updates = (
        ProgressUpdate.objects.filter(
            task__in=tasks, role=AssignmentRole.LEAD, state=UpdateState.ACCEPTED
        )
        .exclude(problems="")
        .select_related("department")
        .order_by("task_id", "department_id", "-period__starts_on")
    )
    found: dict[int, list] = {}
    seen = set()
    for update in updates:
        if (update.task_id, update.department_id) in seen:
            continue
        seen.add((update.task_id, update.department_id))
        found.setdefault(update.task_id, []).append((update.department.name, update.problems))
    return found
