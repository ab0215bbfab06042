"""Tasks that end or begin while a plan runs: retire, split and merge (方案调整).

Like the other plan changes (``tasks.services.plan_history``) each is effective from a
reporting period and has a reason. A task that ends is never deleted: it gets
``valid_until`` (the first period it no longer counts), its assignments end the same
period, and ``Task.objects`` (the current plan) no longer lists it; the figures of earlier
periods still count it (``tasks.plan_asof.task_in_force_q``). A part split off is a new
task from the effective period (``valid_from``). Every change is a ``PlanChange`` and a
line in each affected task's history.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from departments.models import Department
from tasks.models import (
    AssignmentRole,
    AuditVerb,
    PlanChange,
    PlanChangeKind,
    Programme,
    ReportingPeriod,
    Task,
)
from tasks.services.audit import record_event
from tasks.services.plan_history import (
    check_change,
    check_measure,
    check_no_later_text,
    check_units,
    describe_units,
    end_assignment,
    first_period,
    lock_current_task,
    record_change,
    set_text,
    set_units,
    start_assignment,
)

LEAD, SUPPORT = AssignmentRole.LEAD, AssignmentRole.SUPPORT


@transaction.atomic
def retire_task(*, task: Task, effective: ReportingPeriod, reason: str, actor) -> PlanChange:
    """Retire ``task`` (撤销) from ``effective``: it and its units count up to the period
    before; its record stays."""
    reason = check_change(actor, reason)
    task = _lock_open_task(task, effective)
    _end_task(task, effective)
    detail = _("撤销任务 %(number)s") % {"number": task.number}
    return record_change(
        task.programme, task, PlanChangeKind.TASK_RETIRED, effective, reason, detail, actor
    )


@transaction.atomic
def split_task(
    *, task: Task, parts: list[dict], effective: ReportingPeriod, reason: str, actor
) -> PlanChange:
    """Split ``task`` from ``effective`` into ``parts`` (each {measure, due_on, leads,
    supports}). The task keeps its number and takes the first part (its old text and units
    stay the earlier periods'); each further part is a new task, numbered after the
    programme's highest number, in the same category, from ``effective`` on."""
    reason = check_change(actor, reason)
    if len(parts) < 2:
        raise ValidationError(_("拆分至少需要两个部分。"))
    cleaned = [_check_part(number, part) for number, part in enumerate(parts, start=1)]
    # The programme's row first (as meetings do when they add tasks): it serialises the
    # numbering, so two splits at once never take the same next free number.
    Programme.objects.select_for_update().get(pk=task.programme_id)
    task = _lock_open_task(task, effective)
    check_no_later_text(task, effective)
    start = None if effective == first_period(task.programme) else effective
    first = cleaned[0]
    set_units(task, first["leads"], first["supports"], effective)
    next_number = _highest_number(task.programme_id) + 1
    created = []
    for offset, part in enumerate(cleaned[1:]):
        new = Task.all_periods.create(
            programme=task.programme,
            category=task.category,
            number=next_number + offset,
            measure=part["measure"],
            due_on=part["due_on"],
            responsibility="",
            valid_from=start,
            split_from=task,
        )
        for order, department in enumerate([*part["leads"], *part["supports"]], start=1):
            role = LEAD if department in part["leads"] else SUPPORT
            start_assignment(new, department, role, order, effective)
        new.responsibility = describe_units(new)
        new.save(update_fields=["responsibility"])
        created.append(new)
    detail = _("任务 %(number)s 拆分为任务 %(parts)s") % {
        "number": task.number,
        "parts": "、".join(str(t.number) for t in [task, *created]),
    }
    change = record_change(
        task.programme, task, PlanChangeKind.TASK_SPLIT, effective, reason, detail, actor
    )
    set_text(task, first["measure"], first["due_on"], effective, change)
    for new in created:
        _note(new, detail, effective, reason, actor)
    return change


@transaction.atomic
def merge_tasks(
    *,
    tasks: list[Task],
    into: Task,
    measure: str,
    due_on: datetime.date,
    effective: ReportingPeriod,
    reason: str,
    actor,
) -> PlanChange:
    """Merge ``tasks`` into ``into`` from ``effective``: they retire (``merged_into``),
    ``into`` takes the new measure and due date and gains their units (a unit already on
    ``into`` keeps the stronger role: lead beats support)."""
    reason = check_change(actor, reason)
    if not tasks:
        raise ValidationError(_("请选择要并入的任务。"))
    if any(t.pk == into.pk for t in tasks):
        raise ValidationError(_("不能把任务并入它自己。"))
    measure = check_measure(measure, due_on)
    # Lock in one order (by id) so that two merges over the same tasks never deadlock.
    locked = {
        t.pk: t
        for t in Task.all_periods.select_for_update()
        .filter(pk__in=[into.pk, *(t.pk for t in tasks)])
        .order_by("pk")
    }
    into = _lock_open_task(locked[into.pk], effective)
    merged = [_lock_open_task(locked[t.pk], effective) for t in tasks]
    merged = sorted({t.pk: t for t in merged}.values(), key=lambda t: t.number)
    check_no_later_text(into, effective)
    before = describe_units(into)
    current = {a.department_id: a for a in into.assignments.select_related("valid_from")}
    order = max((a.order for a in current.values()), default=0)
    for task in merged:
        for assignment in task.assignments.select_related("department", "on_behalf_of"):
            existing = current.get(assignment.department_id)
            if existing is not None and (existing.role == LEAD or assignment.role == SUPPORT):
                continue  # already there with a role at least as strong
            if existing is not None:
                end_assignment(existing, effective)  # a supporting unit that now leads
            order += 1
            current[assignment.department_id] = start_assignment(
                into,
                assignment.department,
                assignment.role,
                order,
                effective,
                assignment.on_behalf_of,
            )
        _end_task(task, effective, merged_into=into)
    detail = _("任务 %(tasks)s 并入任务 %(into)s（%(before)s → %(after)s）") % {
        "tasks": "、".join(str(t.number) for t in merged),
        "into": into.number,
        "before": before,
        "after": describe_units(into),
    }
    change = record_change(
        into.programme, into, PlanChangeKind.TASKS_MERGED, effective, reason, detail, actor
    )
    set_text(into, measure, due_on, effective, change)
    for task in merged:
        _note(task, detail, effective, reason, actor)
    return change


def _lock_open_task(task: Task, effective: ReportingPeriod) -> Task:
    task = lock_current_task(task, effective)
    if task.completion_confirmed_at is not None:
        raise ValidationError(
            _("任务 %(number)s 已办结确认，不能撤销、拆分或合并。") % {"number": task.number}
        )
    if task.valid_from is not None and task.valid_from.starts_on > effective.starts_on:
        raise ValidationError(
            _("任务 %(number)s 自%(period)s起才生效，生效期次不能更早。")
            % {"number": task.number, "period": task.valid_from}
        )
    return task


def _check_part(number: int, part: dict) -> dict:
    leads, supports = list(part.get("leads") or []), list(part.get("supports") or [])
    try:
        measure = check_measure(part.get("measure"), part.get("due_on"))
        check_units(leads, supports)
    except ValidationError as error:
        raise ValidationError(
            _("第%(number)s部分：%(error)s") % {"number": number, "error": error.messages[0]}
        ) from None
    for department in [*leads, *supports]:
        if not isinstance(department, Department):
            raise TypeError("leads and supports are Department rows")
    return {"measure": measure, "due_on": part["due_on"], "leads": leads, "supports": supports}


def _highest_number(programme_id: int) -> int:
    numbers = Task.all_periods.filter(programme_id=programme_id).aggregate(n=Max("number"))
    return numbers["n"] or 0


def _end_task(task: Task, effective: ReportingPeriod, merged_into: Task | None = None) -> None:
    for assignment in task.assignments.select_related("valid_from"):
        end_assignment(assignment, effective)
    task.valid_until = effective
    task.merged_into = merged_into
    task.save(update_fields=["valid_until", "merged_into"])


def _note(task: Task, detail: str, effective, reason: str, actor) -> None:
    """A line in the history of a task the change concerns besides its own ``task``."""
    text = _("%(detail)s，自%(when)s起。原因：%(reason)s") % {
        "detail": detail,
        "when": effective,
        "reason": reason,
    }
    record_event(task=task, verb=AuditVerb.CHANGED, actor=actor, detail=text)
