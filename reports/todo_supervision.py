"""The 待办 groups of extension requests and supervision slips (added to reports.todo).

Each group runs one query whatever the data size: the rows it reads are bounded by the
programme's tasks (one open request per task, one outstanding slip per task and unit).
"""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from departments.models import Department
from pilot import clock
from tasks.models import (
    Extension,
    ExtensionState,
    Programme,
    SlipLevel,
    SlipStatus,
    SupervisionSlip,
)


def _task_text(task) -> str:
    measure = task.measure if len(task.measure) <= 40 else task.measure[:40] + "…"
    return f"{task.number}. {measure}"


def _slip_entry(slip, entry_class, detail: str):
    return entry_class(
        text=f"{slip.code} · {_task_text(slip.task)}",
        url=reverse("slip-detail", args=[slip.pk]),
        detail=detail,
        tone="danger" if slip.level == SlipLevel.RED else "warning",
    )


def reporter_groups(*, department: Department, group_class, entry_class, shown: int) -> list:
    """A unit's slips to answer and its extension requests the office asked more for."""
    slips = list(
        SupervisionSlip.objects.filter(department=department, status=SlipStatus.ISSUED)
        .select_related("task")
        .order_by("response_due", "pk")
    )
    slip_group = group_class(
        kind="slips",
        title=_("待反馈的督办单"),
        count=len(slips),
        url=reverse("slip-list") + "?" + urlencode({"status": SlipStatus.ISSUED}),
        entries=[
            _slip_entry(
                slip,
                entry_class,
                _("%(level)s督办，请于%(day)s前反馈整改措施和完成时限")
                % {"level": slip.get_level_display(), "day": slip.response_due.isoformat()},
            )
            for slip in slips[:shown]
        ],
    )
    asked = list(
        Extension.objects.filter(department=department, state=ExtensionState.MORE_INFO)
        .select_related("task")
        .order_by("decided_at", "pk")
    )
    extension_group = group_class(
        kind="extensions-more",
        title=_("需补充材料的延期申请"),
        count=len(asked),
        url=reverse("extension-list") + "?" + urlencode({"state": ExtensionState.MORE_INFO}),
        entries=[
            entry_class(
                text=_task_text(item.task),
                url=reverse("extension-detail", args=[item.pk]),
                detail=item.decision_comment[:100],
            )
            for item in asked[:shown]
        ],
    )
    return [group for group in (slip_group, extension_group) if group.count]


def office_groups(*, programme: Programme, group_class, entry_class, shown: int) -> list:
    """Requests to decide, slip answers to review, and slips past their response date."""
    pending = list(
        Extension.objects.filter(task__programme=programme, state=ExtensionState.PENDING)
        .select_related("task", "department")
        .order_by("requested_at", "pk")
    )
    extension_group = group_class(
        kind="extensions",
        title=_("待审批的延期申请"),
        count=len(pending),
        url=reverse("extension-list") + "?" + urlencode({"state": ExtensionState.PENDING}),
        entries=[
            entry_class(
                text=_task_text(item.task),
                url=reverse("extension-detail", args=[item.pk]),
                detail=_("%(unit)s申请延期至%(day)s")
                % {"unit": item.department.name, "day": item.requested_due_on.isoformat()},
            )
            for item in pending[:shown]
        ],
    )
    slips = SupervisionSlip.objects.filter(task__programme=programme).select_related(
        "task", "department"
    )
    answered = list(slips.filter(status=SlipStatus.ANSWERED).order_by("responded_at", "pk"))
    review_group = group_class(
        kind="slip-answers",
        title=_("待审核的督办反馈"),
        count=len(answered),
        url=reverse("slip-list") + "?" + urlencode({"status": SlipStatus.ANSWERED}),
        entries=[_slip_entry(slip, entry_class, slip.department.name) for slip in answered[:shown]],
    )
    # Blue and yellow slips escalate by themselves; a red one past its date waits for the
    # office (通报, a joint meeting, or closing it).
    overdue = list(
        slips.filter(
            status=SlipStatus.ISSUED, level=SlipLevel.RED, response_due__lt=clock.today()
        ).order_by("response_due", "pk")
    )
    overdue_group = group_class(
        kind="slips-overdue",
        title=_("逾期未反馈的红色督办单"),
        count=len(overdue),
        url=reverse("slip-list")
        + "?"
        + urlencode({"status": SlipStatus.ISSUED, "level": SlipLevel.RED}),
        entries=[
            _slip_entry(
                slip,
                entry_class,
                _("%(unit)s，反馈期限%(day)s")
                % {"unit": slip.department.name, "day": slip.response_due.isoformat()},
            )
            for slip in overdue[:shown]
        ],
    )
    groups = (extension_group, review_group, overdue_group)
    return [group for group in groups if group.count]
