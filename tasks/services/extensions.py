"""Extension requests (延期申请): a lead unit asks, the office decides.

Rules (README, "Extensions"):
- a lead unit's reporter asks before the task's due date passes (on the due date itself
  is still in time); after it the request is refused with a message;
- one open request (待审批 or 待补充材料) per task at a time, whichever lead unit asks;
- the new date must be after the task's current due date;
- the office approves with a date it chooses (by default the one asked for), rejects with a
  reason, or asks for more; the unit then adds a note (and files) and the request is
  pending again;
- an approved date becomes the task's due date from then on; the plan's date is kept in
  ``Task.original_due_on``.

Writes that change dashboard figures: ``approve_extension`` (the task's ``due_on``).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pilot import clock, permissions
from tasks.evidence import check_evidence_file
from tasks.models import (
    AuditVerb,
    Extension,
    ExtensionEvidence,
    ExtensionState,
    Task,
)
from tasks.services.audit import record_event

#: At most this many files per request (a request is a few pages of justification).
MAX_FILES_PER_EXTENSION = 10


def refusal(*, task: Task, actor, today: datetime.date | None = None) -> str | None:
    """Return why ``actor`` may not ask to extend ``task`` today, or None when they may."""
    today = today or clock.today()
    if task.valid_until_id is not None:
        return _("该任务已撤销或并入其他任务，不能申请延期。")
    if not permissions.can_request_extension(actor, task):
        if task.completion_confirmed_at is not None:
            return _("该任务已办结确认，无需申请延期。")
        return _("只有该任务的牵头单位可以申请延期。")
    if today > task.due_on:
        return _(
            "该任务的完成期限（%(day)s）已过，不能再申请延期；如需调整请与联席会议办公室联系。"
        ) % {"day": task.due_on.isoformat()}
    if task.extensions.filter(
        state__in=(ExtensionState.PENDING, ExtensionState.MORE_INFO)
    ).exists():
        return _("该任务已有一份延期申请正在办理，办结前不能再次申请。")
    return None


@transaction.atomic
def request_extension(
    *, task: Task, actor, requested_due_on: datetime.date, reason: str, files=()
) -> Extension:
    """Record a lead unit's request for ``requested_due_on``, with its files."""
    # Lock the task: its due date is read, and a decision may be moving it.
    task = Task.all_periods.select_for_update().get(pk=task.pk)
    message = refusal(task=task, actor=actor)
    if message:
        raise ValidationError(message)
    if requested_due_on <= task.due_on:
        raise ValidationError(
            _("申请延期至的日期应晚于当前完成期限（%(day)s）。") % {"day": task.due_on.isoformat()}
        )
    checked = _check_files(files)
    department = permissions.reporter_department(actor)
    try:
        with transaction.atomic():
            extension = Extension.objects.create(
                task=task,
                department=department,
                current_due_on=task.due_on,
                requested_due_on=requested_due_on,
                reason=reason,
                requested_at=clock.now(),
                requested_by=actor,
            )
    except IntegrityError as error:
        # Another lead unit's request won the race for the one open request.
        raise ValidationError(_("该任务已有一份延期申请正在办理，办结前不能再次申请。")) from error
    _store_files(extension, checked, actor)
    record_event(
        task=task,
        verb=AuditVerb.EXTENSION_REQUESTED,
        actor=actor,
        detail=_("%(unit)s申请延期至%(day)s")
        % {"unit": department.name, "day": requested_due_on.isoformat()},
    )
    return extension


@transaction.atomic
def approve_extension(
    *, extension: Extension, actor, approved_due_on: datetime.date, comment: str = ""
) -> Extension:
    """Approve with the office's date: it becomes the task's due date from now on."""
    extension = _claim(extension, actor)
    task = Task.all_periods.select_for_update().get(pk=extension.task_id)
    if task.valid_until_id is not None:
        raise ValidationError(_("该任务已撤销或并入其他任务，不能批准延期。"))
    if approved_due_on <= task.due_on:
        raise ValidationError(
            _("批准延期至的日期应晚于当前完成期限（%(day)s）。") % {"day": task.due_on.isoformat()}
        )
    _decide(extension, actor, ExtensionState.APPROVED, comment, approved_due_on=approved_due_on)
    if task.original_due_on is None:
        task.original_due_on = task.due_on
    task.due_on = approved_due_on
    task.save(update_fields=["due_on", "original_due_on"])
    record_event(
        task=task,
        verb=AuditVerb.EXTENSION_APPROVED,
        actor=actor,
        detail=_("完成期限由%(old)s调整为%(new)s")
        % {"old": extension.current_due_on.isoformat(), "new": approved_due_on.isoformat()},
    )
    return extension


@transaction.atomic
def reject_extension(*, extension: Extension, actor, comment: str) -> Extension:
    """Refuse the request with the office's reason (required)."""
    if not comment.strip():
        raise ValidationError(_("请填写不予延期的理由。"))
    extension = _claim(extension, actor)
    _decide(extension, actor, ExtensionState.REJECTED, comment)
    record_event(
        task=extension.task, verb=AuditVerb.EXTENSION_REJECTED, actor=actor, detail=comment
    )
    return extension


@transaction.atomic
def ask_for_more(*, extension: Extension, actor, comment: str) -> Extension:
    """Send the request back to the unit for more (what is missing, required)."""
    if not comment.strip():
        raise ValidationError(_("请说明需要补充的材料或说明。"))
    extension = _claim(extension, actor)
    _decide(extension, actor, ExtensionState.MORE_INFO, comment)
    record_event(
        task=extension.task, verb=AuditVerb.EXTENSION_MORE_INFO, actor=actor, detail=comment
    )
    return extension


@transaction.atomic
def supplement_extension(
    *, extension: Extension, actor, supplement: str, files=(), version: int
) -> Extension:
    """The unit adds what the office asked for; the request is pending again."""
    if not supplement.strip() and not files:
        raise ValidationError(_("请填写补充说明或上传补充材料。"))
    current = Extension.objects.select_for_update().get(pk=extension.pk)
    if current.version != version:
        raise ValidationError(_("该申请已被他人处理，请刷新页面后再操作。"))
    if not permissions.can_supplement_extension(actor, current):
        raise PermissionDenied(_("该延期申请当前不能由您补充。"))
    checked = _check_files(files, already=current.evidence.count())
    current.supplement = (current.supplement + "\n\n" + supplement).strip()
    current.state = ExtensionState.PENDING
    current.version += 1
    current.save(update_fields=["supplement", "state", "version"])
    _store_files(current, checked, actor)
    record_event(
        task=current.task, verb=AuditVerb.EXTENSION_SUPPLEMENTED, actor=actor, detail=supplement
    )
    return current


def _claim(extension: Extension, actor) -> Extension:
    current = Extension.objects.select_for_update().select_related("task").get(pk=extension.pk)
    if current.version != extension.version:
        raise ValidationError(_("该申请已被他人处理，请刷新页面后再操作。"))
    if not permissions.can_decide_extension(actor, current):
        raise PermissionDenied(_("该延期申请当前不能审批。"))
    return current


def _decide(extension, actor, state, comment, approved_due_on=None) -> None:
    extension.state = state
    extension.decision_comment = comment
    extension.decided_at = clock.now()
    extension.decided_by = actor
    extension.approved_due_on = approved_due_on
    extension.version += 1
    extension.save(
        update_fields=[
            "state",
            "decision_comment",
            "decided_at",
            "decided_by",
            "approved_due_on",
            "version",
        ]
    )


def _check_files(files, already: int = 0) -> list:
    files = list(files)
    if already + len(files) > MAX_FILES_PER_EXTENSION:
        raise ValidationError(
            _("每份延期申请最多上传 %(max)s 个材料。") % {"max": MAX_FILES_PER_EXTENSION}
        )
    return [(upload, check_evidence_file(upload)) for upload in files]


def _store_files(extension: Extension, checked: list, actor) -> None:
    seen = set(extension.evidence.values_list("sha256", flat=True))
    for upload, facts in checked:
        if facts.sha256 in seen:
            continue
        seen.add(facts.sha256)
        row = ExtensionEvidence(
            extension=extension,
            original_name=facts.name,
            content_type=facts.content_type,
            size=facts.size,
            sha256=facts.sha256,
            uploaded_at=clock.now(),
            uploaded_by=actor,
        )
        row.file.save(facts.sha256, upload, save=False)
        row.save()
