"""Changes to a programme's plan made by the office."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from departments.models import Department, DepartmentKind
from pilot import permissions
from tasks.models import Assignment, AuditVerb, Task
from tasks.services.audit import record_event


@transaction.atomic
def name_body_for_collective(
    *, task: Task, collective: Department, department: Department, actor
) -> Assignment:
    """Name a concrete body for a collective (各市县, 有关部门) on a task.

    The body then reports like any unit with the collective's role on that task.
    """
    if not permissions.can_manage_plan(actor):
        raise PermissionDenied(_("只有联席会议办公室可以调整责任分工。"))
    if collective.kind != DepartmentKind.COLLECTIVE:
        raise ValidationError(_("“%(name)s”不是集合单位。") % {"name": collective})
    if department.kind == DepartmentKind.COLLECTIVE:
        raise ValidationError(_("请指定具体单位，而不是集合单位。"))
    held = task.assignments.filter(department=collective).first()
    if held is None:
        raise ValidationError(_("该任务的责任分工中没有“%(name)s”。") % {"name": collective})
    if task.assignments.filter(department=department).exists():
        raise ValidationError(_("“%(name)s”已是该任务的责任单位。") % {"name": department})
    assignment = Assignment.objects.create(
        task=task, department=department, role=held.role, on_behalf_of=collective, order=held.order
    )
    record_event(
        task=task,
        verb=AuditVerb.ASSIGNMENT_ADDED,
        actor=actor,
        detail=_("为“%(collective)s”指定%(department)s")
        % {"collective": collective, "department": department},
    )
    return assignment
