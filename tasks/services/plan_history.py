"""Changes to a plan after it started, kept as history (the office's 方案调整).

A change is effective from a reporting period and has a reason. Assignments in force
before that period are ended, never rewritten or deleted, so the figures of earlier
periods (read through ``tasks.plan_asof``) stay what they were. Every change is a
``PlanChange`` row and a line in each affected task's history.

Writes here change dashboard figures from the effective period on.
"""

import datetime

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from departments.models import Department, DepartmentAlias, Profile
from pilot import clock, permissions
from tasks import data_version
from tasks.models import (
    Assignment,
    AssignmentRole,
    AuditVerb,
    PlanChange,
    PlanChangeKind,
    Programme,
    ReportingPeriod,
    Task,
    TaskRevision,
)
from tasks.services.audit import record_event

LEAD, SUPPORT = AssignmentRole.LEAD, AssignmentRole.SUPPORT


def check_change(actor, reason: str) -> str:
    if not permissions.can_manage_plan(actor):
        raise PermissionDenied(_("只有联席会议办公室可以调整方案。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写变更原因。"))
    return reason


def first_period(programme: Programme) -> ReportingPeriod | None:
    return programme.periods.order_by("starts_on").first()


def end_assignment(assignment: Assignment, effective: ReportingPeriod | None) -> None:
    """End ``assignment`` from ``effective``; one that never was in force goes."""
    never_in_force = effective is None or assignment.valid_from_id == effective.pk
    if never_in_force or effective == first_period(effective.programme):
        assignment.delete()
        return
    if assignment.valid_from and assignment.valid_from.starts_on > effective.starts_on:
        raise ValidationError(
            _("“%(unit)s”自%(period)s起才承担该任务，生效期次不能更早。")
            % {"unit": assignment.department, "period": assignment.valid_from}
        )
    assignment.valid_until = effective
    assignment.save(update_fields=["valid_until"])


def start_assignment(task, department, role, order, effective, on_behalf_of=None) -> Assignment:
    first = effective is None or effective == first_period(task.programme)
    return Assignment.objects.create(
        task=task,
        department=department,
        role=role,
        order=order,
        on_behalf_of=on_behalf_of,
        valid_from=None if first else effective,
    )


@transaction.atomic
def change_task_units(
    *,
    task: Task,
    leads: list[Department],
    supports: list[Department],
    effective: ReportingPeriod,
    reason: str,
    actor,
) -> PlanChange:
    """Make ``leads`` and ``supports`` the task's units from ``effective`` on."""
    reason = check_change(actor, reason)
    task = lock_current_task(task, effective)
    check_units(leads, supports)
    before = describe_units(task)
    set_units(task, leads, supports, effective)
    detail = _("%(before)s → %(after)s") % {"before": before, "after": describe_units(task)}
    return record_change(
        task.programme, task, PlanChangeKind.UNITS_CHANGED, effective, reason, detail, actor
    )


@transaction.atomic
def change_task_text(
    *,
    task: Task,
    measure: str,
    due_on: datetime.date,
    effective: ReportingPeriod,
    reason: str,
    actor,
) -> PlanChange:
    """Change the task's measure and/or due date from ``effective`` on; keep the old ones."""
    reason = check_change(actor, reason)
    task = lock_current_task(task, effective)
    measure = check_measure(measure, due_on)
    if measure == task.measure and due_on == task.due_on:
        raise ValidationError(_("没有任何修改。"))
    check_no_later_text(task, effective)
    parts = []
    if measure != task.measure:
        parts.append(_("具体举措"))
    if due_on != task.due_on:
        parts.append(_("完成期限 %(old)s → %(new)s") % {"old": task.due_on, "new": due_on})
    change = record_change(
        task.programme,
        task,
        PlanChangeKind.TEXT_CHANGED,
        effective,
        reason,
        "、".join(parts),
        actor,
    )
    set_text(task, measure, due_on, effective, change)
    return change


# --- shared with tasks.services.plan_lifecycle --------------------------------------------


def lock_current_task(task: Task, effective: ReportingPeriod) -> Task:
    """Lock ``task``'s row and return it; refuse a retired task or a period of another plan."""
    task = Task.all_periods.select_for_update().get(pk=task.pk)
    if effective.programme_id != task.programme_id:
        raise ValidationError(_("生效期次不属于该任务所在的方案。"))
    if task.valid_until_id is not None:
        if task.merged_into_id is not None:
            message = _("任务 %(number)s 已并入任务 %(into)s，不能再调整。")
        else:
            message = _("任务 %(number)s 已撤销（自%(period)s起），不能再调整。")
        raise ValidationError(
            message
            % {
                "number": task.number,
                "into": task.merged_into and task.merged_into.number,
                "period": task.valid_until,
            }
        )
    return task


def check_measure(measure: str, due_on) -> str:
    """Return the stripped measure; refuse an empty measure or a missing due date."""
    measure = (measure or "").strip()
    if not measure:
        raise ValidationError(_("具体举措不能为空。"))
    if due_on is None:
        raise ValidationError(_("请填写完成期限。"))
    return measure


def check_units(leads, supports) -> None:
    if not leads:
        raise ValidationError(_("请至少指定一个牵头单位。"))
    if set(leads) & set(supports):
        raise ValidationError(_("同一单位不能既是牵头单位又是配合单位。"))


def check_no_later_text(task: Task, effective: ReportingPeriod) -> None:
    later = task.revisions.filter(valid_until__starts_on__gt=effective.starts_on)
    if later.exists():
        raise ValidationError(_("该任务在更晚的期次已有调整，生效期次不能更早。"))


def set_units(task: Task, leads, supports, effective) -> None:
    """Make ``leads`` and ``supports`` the task's units from ``effective``; the assignments
    that stay as they are are kept, the others ended."""
    wanted = {department.pk: LEAD for department in leads}
    wanted.update({department.pk: SUPPORT for department in supports})
    kept = set()
    for assignment in task.assignments.select_related("valid_from"):
        if wanted.get(assignment.department_id) == assignment.role:
            kept.add(assignment.department_id)
        else:
            end_assignment(assignment, effective)
    for order, department in enumerate([*leads, *supports], start=1):
        if department.pk not in kept:
            start_assignment(task, department, wanted[department.pk], order, effective)


def set_text(task: Task, measure: str, due_on, effective, change: PlanChange) -> None:
    """Give ``task`` a new measure and due date from ``effective``, keeping the old ones
    (a ``TaskRevision``) unless the change goes back to the programme's start."""
    if measure == task.measure and due_on == task.due_on:
        return
    if effective != first_period(task.programme):
        TaskRevision.objects.create(
            task=task,
            measure=task.measure,
            due_on=task.due_on,
            valid_until=effective,
            change=change,
        )
    task.measure, task.due_on = measure, due_on
    task.save(update_fields=["measure", "due_on"])


@transaction.atomic
def merge_departments(
    *, source: Department, target: Department, effective_on: datetime.date, reason: str, actor
) -> list[PlanChange]:
    """Merge ``source`` into ``target`` from the month of ``effective_on`` (机构改革).

    In each programme the source's tasks pass to the target from that month's period (a
    lead stays a lead; where the target already held the task it keeps the stronger role);
    the earlier periods keep the source. Its reporter accounts and spellings move to the
    target, so its people see the tasks' earlier record under the target.
    """
    reason = check_change(actor, reason)
    if source.pk == target.pk:
        raise ValidationError(_("不能把单位并入它自己。"))
    if source.merged_into_id:
        raise ValidationError(_("“%(name)s”已并入其他单位。") % {"name": source})
    changes = []
    held = Assignment.objects.filter(department=source).select_related("task__programme")
    by_programme: dict[int, list[Assignment]] = {}
    for assignment in held:
        by_programme.setdefault(assignment.task.programme_id, []).append(assignment)
    for assignments in by_programme.values():
        programme = assignments[0].task.programme
        effective = _period_of(programme, effective_on)
        if effective is False:
            continue  # the programme ended before the merge: its record stays as it was
        for assignment in assignments:
            _pass_to(assignment, target, effective)
        detail = _("%(source)s并入%(target)s，涉及任务 %(tasks)s") % {
            "source": source,
            "target": target,
            "tasks": "、".join(str(a.task.number) for a in assignments),
        }
        changes.append(
            record_change(
                programme, None, PlanChangeKind.DEPARTMENTS_MERGED, effective, reason, detail, actor
            )
        )
        for assignment in assignments:
            record_event(task=assignment.task, verb=AuditVerb.CHANGED, actor=actor, detail=detail)
    # update() sends no signal: the data versions are bumped explicitly below.
    Profile.objects.filter(department=source).update(department=target)
    DepartmentAlias.objects.filter(department=source).update(department=target)
    if not DepartmentAlias.objects.filter(name=source.name).exists():
        DepartmentAlias.objects.create(department=target, name=source.name)
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    data_version.bump()  # reporter accounts and spellings moved: every dashboard
    for programme_id in by_programme:
        data_version.bump(programme_id=programme_id)
    return changes


@transaction.atomic
def rename_department(*, department: Department, name: str, reason: str, actor) -> Department:
    """Give ``department`` a new name; the old one stays a spelling of it (an alias), so
    plan imports and the parser still read it as this department."""
    reason = check_change(actor, reason)
    name = (name or "").strip()
    department = Department.objects.select_for_update().get(pk=department.pk)
    old = department.name
    if not name:
        raise ValidationError(_("请填写新名称。"))
    if name == old:
        raise ValidationError(_("新名称与现名称相同。"))
    if Department.objects.filter(name=name).exclude(pk=department.pk).exists():
        raise ValidationError(_("已有名为“%(name)s”的单位。") % {"name": name})
    alias = DepartmentAlias.objects.filter(name=name).exclude(department=department).first()
    if alias is not None:
        raise ValidationError(
            _("“%(name)s”是“%(other)s”的写法，不能用作新名称。")
            % {"name": name, "other": alias.department}
        )
    department.name = name
    fields = ["name"]
    if department.short_name == old:
        department.short_name = ""  # the label falls back to the new name
        fields.append("short_name")
    department.save(update_fields=fields)
    DepartmentAlias.objects.get_or_create(name=old, defaults={"department": department})
    detail = _("单位更名：%(old)s → %(new)s。原因：%(reason)s") % {
        "old": old,
        "new": name,
        "reason": reason,
    }
    # A department belongs to no task: Django's change log holds the rename (its 历史 page
    # in the admin), and each task the department holds records it in its history.
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[department],
        action_flag=CHANGE,
        change_message=detail,
        single_object=True,
    )
    held = Task.objects.filter(assignments__department=department).distinct()
    for task in held:
        record_event(task=task, verb=AuditVerb.CHANGED, actor=actor, detail=detail)
    data_version.bump()  # its name is in every programme's dashboards and documents
    return department


def _period_of(programme: Programme, day: datetime.date):
    """The programme's period of ``day``'s month; None before it starts, False after it ends."""
    if day < programme.starts_on.replace(day=1):
        return None
    period = programme.periods.filter(year=day.year, month=day.month).first()
    return period if period is not None else False


def _pass_to(assignment: Assignment, target: Department, effective) -> None:
    task = assignment.task
    existing = task.assignments.filter(department=target).select_related("valid_from").first()
    role = LEAD if LEAD in (assignment.role, existing and existing.role) else SUPPORT
    end_assignment(assignment, effective)
    if existing is not None and existing.role == role:
        return
    if existing is not None:
        end_assignment(existing, effective)
    start_assignment(task, target, role, assignment.order, effective, assignment.on_behalf_of)


def describe_units(task: Task) -> str:
    assignments = list(task.assignments.select_related("department").order_by("role", "order"))
    leads = "、".join(a.department.name for a in assignments if a.role == LEAD) or "—"
    supports = "、".join(a.department.name for a in assignments if a.role == SUPPORT) or "—"
    return _("牵头：%(leads)s；配合：%(supports)s") % {"leads": leads, "supports": supports}


def record_change(programme, task, kind, effective, reason, detail, actor) -> PlanChange:
    when = effective or _("方案开始")
    change = PlanChange.objects.create(
        programme=programme,
        task=task,
        kind=kind,
        effective=effective,
        reason=reason,
        detail=detail[:1000],
        actor=actor,
        at=clock.now(),
    )
    data_version.bump(programme_id=programme.pk)  # the figures change from ``effective`` on
    if task is not None:
        text = _("%(detail)s，自%(when)s起。原因：%(reason)s") % {
            "detail": detail,
            "when": when,
            "reason": reason,
        }
        record_event(task=task, verb=AuditVerb.CHANGED, actor=actor, detail=text)
    return change
