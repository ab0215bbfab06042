"""Reads of a plan's history: a task's units and texts period by period, the change log,
and what a department merge would move (the office's 方案调整 pages).

Reads only: the writes are ``tasks.services.plan_history``.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from departments.models import Department, DepartmentAlias, Profile
from tasks.models import (
    Assignment,
    AssignmentRole,
    PlanChange,
    Programme,
    ReportingPeriod,
    Task,
    TaskRevision,
)


def month_label(day: datetime.date) -> str:
    """The label of ``day``'s month, as a period is labelled (2021年4月)."""
    return _("%(year)d年%(month)d月") % {"year": day.year, "month": day.month}


# --- a task's units and texts over time (the task page's 沿革 panel) ----------------------


@dataclass
class UnitsSpan:
    """The units in force from ``starts_on`` until the next span."""

    starts_on: datetime.date
    leads: list[str]
    supports: list[str]

    @property
    def label(self) -> str:
        return month_label(self.starts_on)


@dataclass
class TextSpan:
    """A task's measure and due date in force from ``first`` to ``last`` (months)."""

    first: datetime.date
    last: datetime.date | None  # None: in force now
    measure: str
    due_on: datetime.date

    @property
    def label(self) -> str:
        if self.last is None:
            return _("%(first)s起（现行）") % {"first": month_label(self.first)}
        if (self.first.year, self.first.month) == (self.last.year, self.last.month):
            return month_label(self.first)
        return _("%(first)s至%(last)s") % {
            "first": month_label(self.first),
            "last": month_label(self.last),
        }


@dataclass
class TaskHistory:
    units: list[UnitsSpan] = field(default_factory=list)
    texts: list[TextSpan] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the plan of the task changed after it started (else nothing to show)."""
        return len(self.units) > 1 or len(self.texts) > 1


def task_history(*, task: Task) -> TaskHistory:
    """Return ``task``'s units per period range and its earlier texts (two queries)."""
    start = task.programme.starts_on.replace(day=1)
    assignments = list(
        Assignment.all_periods.filter(task=task)
        .select_related("department", "valid_from", "valid_until")
        .order_by("role", "order", "pk")
    )
    revisions = list(
        TaskRevision.objects.filter(task=task)
        .select_related("valid_until")
        .order_by("valid_until__starts_on", "pk")
    )
    return TaskHistory(
        units=_unit_spans(assignments, start), texts=_text_spans(task, revisions, start)
    )


def _starts(assignment: Assignment, start: datetime.date) -> datetime.date:
    return assignment.valid_from.starts_on if assignment.valid_from else start


def _unit_spans(assignments: list[Assignment], start: datetime.date) -> list[UnitsSpan]:
    breaks = {start}
    for assignment in assignments:
        breaks.add(_starts(assignment, start))
        if assignment.valid_until:
            breaks.add(assignment.valid_until.starts_on)
    spans = []
    for day in sorted(breaks):
        held = [
            assignment
            for assignment in assignments
            if _starts(assignment, start) <= day
            and (assignment.valid_until is None or assignment.valid_until.starts_on > day)
        ]
        span = UnitsSpan(
            starts_on=day,
            leads=[a.department.name for a in held if a.role == AssignmentRole.LEAD],
            supports=[a.department.name for a in held if a.role == AssignmentRole.SUPPORT],
        )
        if spans and (spans[-1].leads, spans[-1].supports) == (span.leads, span.supports):
            continue
        spans.append(span)
    return spans


def _month_before(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _text_spans(task: Task, revisions: list[TaskRevision], start) -> list[TextSpan]:
    spans, first = [], start
    for revision in revisions:
        until = revision.valid_until.starts_on
        spans.append(TextSpan(first, _month_before(until), revision.measure, revision.due_on))
        first = until
    spans.append(TextSpan(first, None, task.measure, task.due_on))
    return spans


# --- the change log (方案变更记录) ---------------------------------------------------------


def plan_changes(*, programme: Programme, kind: str = "", number: int | None = None) -> QuerySet:
    """Return ``programme``'s plan changes, newest first, with what the log shows joined."""
    changes = PlanChange.objects.filter(programme=programme)
    if kind:
        changes = changes.filter(kind=kind)
    if number is not None:
        changes = changes.filter(task__number=number)
    return changes.select_related("task", "effective", "actor").order_by("-at", "-pk")


# --- what a merge would move (机构改革's confirmation step) ------------------------------


@dataclass
class MergeProgramme:
    programme: Programme
    task_numbers: list[int]
    effective: ReportingPeriod | None  # None: from the programme's start
    ended: bool  # the programme ended before the merge: nothing of it moves


@dataclass
class MergePreview:
    programmes: list[MergeProgramme]
    accounts: list[str]  # usernames of the source's accounts (its reporters)
    aliases: list[str]  # spellings that will name the target

    @property
    def task_count(self) -> int:
        return sum(len(item.task_numbers) for item in self.programmes if not item.ended)


def merge_preview(
    *, source: Department, target: Department, effective_on: datetime.date
) -> MergePreview:
    """Return what ``merge_departments`` would move, reading only (a few queries)."""
    held = (
        Assignment.objects.filter(department=source)
        .select_related("task__programme")
        .order_by("task__programme__starts_on", "task__number")
    )
    by_programme: dict[int, MergeProgramme] = {}
    for assignment in held:
        programme = assignment.task.programme
        item = by_programme.get(programme.pk)
        if item is None:
            item = MergeProgramme(programme, [], None, False)
            by_programme[programme.pk] = item
        item.task_numbers.append(assignment.task.number)
    periods = ReportingPeriod.objects.filter(
        programme_id__in=by_programme, year=effective_on.year, month=effective_on.month
    )
    found = {period.programme_id: period for period in periods}
    for item in by_programme.values():
        item.effective = found.get(item.programme.pk)
        before = effective_on < item.programme.starts_on.replace(day=1)
        item.ended = item.effective is None and not before
    accounts = Profile.objects.filter(department=source).order_by("user__username")
    aliases = DepartmentAlias.objects.filter(department=source).values_list("name", flat=True)
    return MergePreview(
        programmes=list(by_programme.values()),
        accounts=list(accounts.values_list("user__username", flat=True)),
        aliases=sorted({source.name, *aliases}),
    )
