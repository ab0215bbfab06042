"""Filing progress: drafts, evidence, submission, and the lead unit's consolidation.

A supporting unit's update is its input to the task's lead unit; a lead unit's update is
the one the office reviews (tasks.services.review). Saves use optimistic locking: the
caller passes the ``version`` it read, and a save against a newer version is refused.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from pilot import clock, permissions
from tasks import data_version
from tasks.evidence import check_evidence_file, check_evidence_quota
from tasks.models import (
    Assignment,
    AssignmentRole,
    AuditVerb,
    Evidence,
    ProgressUpdate,
    ReportingPeriod,
    Task,
    TaskStatus,
    UpdateRevision,
    UpdateState,
)
from tasks.plan_asof import held_as_of, in_force_q
from tasks.services.audit import record_event

TEXT_FIELDS = ("work_done", "next_steps", "problems")
EDITABLE_FIELDS = ("status", "percent", *TEXT_FIELDS, "needs_coordination")


class StaleVersionError(ValidationError):
    """Someone else saved the update after the caller read it."""


class UpdateExistsError(ValidationError):
    """The department's update for the task and period exists already (another writer
    created it first); ``update`` is that update, whose version the caller must edit."""

    def __init__(self, update: ProgressUpdate):
        self.update = update
        super().__init__(
            _(
                "本单位已有该任务本期的报送（编号 %(id)s，版本 %(version)s，%(who)s 于 %(when)s "
                "保存），您的内容尚未保存。请刷新页面，在该报送上修改。"
            )
            % {
                "id": update.pk,
                "version": update.version,
                "who": update.updated_by or _("他人"),
                "when": timezone.localtime(update.updated_at).strftime("%Y-%m-%d %H:%M"),
            },
            code="exists",
        )


def new_update(*, task: Task, period: ReportingPeriod, actor) -> ProgressUpdate:
    """Return an unsaved draft for the actor's department, as the form first shows it.

    Nothing is written: a draft exists only once the reporter saves it (``create_draft``).
    Its ``version`` is 0, the version of "nothing was there when I read". The caller has
    checked that the department holds the task in ``period``; its role is the one it held
    then (a lead change from a later period leaves it the lead of this one).
    """
    department = permissions.reporter_department(actor)
    assignment = held_as_of(department=department, period=period).filter(task=task).first()
    if assignment is None:
        raise PermissionDenied(_("您的单位不承担该任务。"))
    return ProgressUpdate(
        task=task,
        period=period,
        department=department,
        role=assignment.role,
        version=0,
        **_carry_over(task=task, period=period, department=department),
    )


@transaction.atomic
def create_draft(*, task: Task, period: ReportingPeriod, actor) -> ProgressUpdate:
    """Create the actor's department's draft for (task, period).

    Raise ``UpdateExistsError`` when the update exists, also when another writer creates
    it at the same moment: the unique constraint decides, inside a savepoint, so that two
    simultaneous creates never both succeed.
    """
    refusal = permissions.filing_refusal(actor, task, period)
    if refusal:
        raise PermissionDenied(refusal)
    draft = new_update(task=task, period=period, actor=actor)
    now = clock.now()
    draft.version = 1
    draft.created_at = draft.updated_at = now
    draft.created_by = draft.updated_by = actor
    try:
        with transaction.atomic():
            draft.save(force_insert=True)
    except IntegrityError:
        existing = (
            ProgressUpdate.objects.select_related("updated_by")
            .filter(task=task, period=period, department=draft.department)
            .first()
        )
        if existing is None:  # another constraint failed: not a second writer
            raise
        raise UpdateExistsError(existing) from None
    record_event(task=task, update=draft, verb=AuditVerb.CREATED, actor=actor)
    return draft


def start_update(*, task: Task, period: ReportingPeriod, actor) -> ProgressUpdate:
    """Return the actor's department's update for (task, period), creating a draft.

    For scripts and tests that need a draft to work on; the form and the API call
    ``create_draft`` and refuse to overwrite an update someone else created.
    """
    try:
        return create_draft(task=task, period=period, actor=actor)
    except UpdateExistsError as exists:
        return exists.update


def _carry_over(*, task, period, department) -> dict:
    # Status and percent start from the department's previous report; text starts empty so
    # that copying last month's words is a deliberate act (and is flagged).
    previous = _previous_update(task=task, period=period, department=department)
    if previous is None:
        return {"status": TaskStatus.NOT_STARTED, "percent": 0}
    return {"status": previous.status, "percent": previous.percent}


def _previous_update(*, task, period, department) -> ProgressUpdate | None:
    return (
        ProgressUpdate.objects.filter(
            task=task, department=department, period__starts_on__lt=period.starts_on
        )
        .order_by("-period__starts_on")
        .first()
    )


def previous_accepted_update(*, update: ProgressUpdate) -> ProgressUpdate | None:
    """Return the department's latest report on the task before ``update``'s period that
    was taken in: accepted by the office (a lead unit's), or received by the lead (a
    supporting unit's input, which the office never reviews). One query."""
    taken_in = (
        (UpdateState.ACCEPTED,)
        if update.role == AssignmentRole.LEAD
        else (UpdateState.SUBMITTED, UpdateState.ACCEPTED)
    )
    return (
        ProgressUpdate.objects.filter(
            task_id=update.task_id,
            department_id=update.department_id,
            period__starts_on__lt=update.period.starts_on,
            state__in=taken_in,
        )
        .select_related("period")
        .only(*TEXT_FIELDS, "period__year", "period__month", "period__starts_on")
        .order_by("-period__starts_on")
        .first()
    )


def other_leads_progress(*, update: ProgressUpdate) -> list[dict]:
    """Return, for a lead unit's update, each other lead unit of the task in the update's
    period with its latest accepted status, percent and acceptance date up to this period
    (None when it has none).

    Empty for supporting units and single-lead tasks. Two queries at most, whatever the
    number of periods.
    """
    if update.role != AssignmentRole.LEAD:
        return []
    others = list(
        Assignment.all_periods.filter(task_id=update.task_id, role=AssignmentRole.LEAD)
        .filter(in_force_q(period=update.period))
        .exclude(department_id=update.department_id)
        .select_related("department")
        .order_by("order", "pk")
    )
    if not others:
        return []
    latest = {}
    accepted = (
        ProgressUpdate.objects.filter(
            task_id=update.task_id,
            role=AssignmentRole.LEAD,
            state=UpdateState.ACCEPTED,
            department_id__in=[assignment.department_id for assignment in others],
            period__starts_on__lte=update.period.starts_on,
        )
        .select_related("period")
        .order_by("period__starts_on")
    )
    for report in accepted:  # ordered by period: the latest one stays
        latest[report.department_id] = report
    return [{"department": a.department, "report": latest.get(a.department_id)} for a in others]


def consistency_warnings(data: dict) -> list[str]:
    """Return the warnings (not errors) a status/percent pair deserves.

    已完成 below 100 % is an error (``validate_fields``); 未启动 with progress is only
    suspicious (work may have started before the status was changed), so a draft and even
    a submission go through with a warning.
    """
    if data.get("status") == TaskStatus.NOT_STARTED and (data.get("percent") or 0) > 0:
        return [
            _("推进状态为“未启动”，但完成进度为 %(percent)s%%，请核对推进状态或完成进度。")
            % {"percent": data["percent"]}
        ]
    return []


def validate_fields(data: dict, *, for_submit: bool) -> None:
    """Raise a field-keyed ValidationError for values the office would not accept."""
    errors = {}
    percent = data.get("percent")
    if percent is None or not 0 <= percent <= 100:
        errors["percent"] = _("完成进度应为 0 到 100 之间的整数。")
    if data.get("status") not in TaskStatus.values:
        errors["status"] = _("请选择推进状态。")
    if data.get("status") == TaskStatus.COMPLETED and percent != 100:
        errors.setdefault("percent", _("推进状态为“已完成”时，完成进度应为 100%。"))
    if for_submit:
        if not data.get("work_done", "").strip():
            errors["work_done"] = _("提交前请填写本期工作进展。")
        if not data.get("next_steps", "").strip() and data.get("status") != TaskStatus.COMPLETED:
            errors["next_steps"] = _("提交前请填写下步工作计划。")
        if data.get("needs_coordination") and not data.get("problems", "").strip():
            errors["problems"] = _("勾选了“需协调解决”，请写明需要协调的问题。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_update(
    *, update: ProgressUpdate, actor, data: dict, expected_version: int
) -> ProgressUpdate:
    """Save the editable fields of a draft or returned update (no state change)."""
    if not permissions.can_edit_update(actor, update):
        raise PermissionDenied(_("该报送当前不能由您修改。"))
    validate_fields(data, for_submit=False)
    values = {field: data[field] for field in EDITABLE_FIELDS if field in data}
    claimed = ProgressUpdate.objects.filter(
        pk=update.pk, version=expected_version, state__in=permissions.EDITABLE_STATES
    ).update(**values, version=F("version") + 1, updated_at=clock.now(), updated_by=actor)
    if claimed != 1:
        _raise_stale(update)
    update.refresh_from_db()
    record_event(task=update.task, update=update, verb=AuditVerb.CHANGED, actor=actor)
    return update


def _raise_stale(update: ProgressUpdate):
    current = ProgressUpdate.objects.get(pk=update.pk)
    raise StaleVersionError(
        _(
            "保存失败：%(who)s 已在 %(when)s 修改了这份报送（或已提交），您的内容尚未保存。"
            "请先复制您填写的内容，刷新页面查看最新版本后再修改。"
        )
        % {
            "who": current.updated_by or _("他人"),
            "when": current.updated_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        },
        code="stale",
    )


@transaction.atomic
def add_evidence(*, update: ProgressUpdate, actor, upload) -> Evidence:
    """Attach a checked file to an editable update, within the update's quota.

    A file identical (SHA-256) to one the update holds is not stored twice: the existing
    row is returned with ``duplicate`` set, so that the caller can say 该文件已上传.
    """
    if not permissions.can_edit_update(actor, update):
        raise PermissionDenied(_("该报送当前不能由您修改。"))
    checked = check_evidence_file(upload)
    # Lock the update so that two uploads at once cannot both pass the quota.
    ProgressUpdate.objects.select_for_update().only("pk").get(pk=update.pk)
    existing = update.evidence.filter(sha256=checked.sha256).first()
    if existing is not None:
        existing.duplicate = True
        return existing
    check_evidence_quota(update=update, name=checked.name, size=checked.size)
    evidence = Evidence(
        update=update,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_at=clock.now(),
        uploaded_by=actor,
    )
    evidence.file.save(checked.sha256, upload, save=False)
    evidence.save()
    evidence.duplicate = False
    record_event(
        task=update.task,
        update=update,
        verb=AuditVerb.EVIDENCE_ADDED,
        actor=actor,
        detail=checked.name,
    )
    return evidence


@transaction.atomic
def remove_evidence(*, evidence: Evidence, actor) -> None:
    """Detach a file; the file itself leaves the disk with purge_evidence_files."""
    update = evidence.update
    if not permissions.can_edit_update(actor, update):
        raise PermissionDenied(_("该报送当前不能由您修改。"))
    name = evidence.original_name
    evidence.delete()
    record_event(
        task=update.task, update=update, verb=AuditVerb.EVIDENCE_REMOVED, actor=actor, detail=name
    )


@transaction.atomic
@data_version.routine_write()
def submit_update(
    *,
    update: ProgressUpdate,
    actor,
    expected_version: int,
    drawn_from: list[ProgressUpdate] | None = None,
) -> ProgressUpdate:
    """Submit a saved update: to the office for a lead unit, to the lead for a supporter.

    Lateness is judged once, by the server clock at the first submission. A lead unit's
    update records which supporting inputs it drew on and names the supporting units from
    which nothing was received.
    """
    if not permissions.can_edit_update(actor, update):
        raise PermissionDenied(_("该报送当前不能由您提交。"))
    update.refresh_from_db()
    validate_fields(_field_values(update), for_submit=True)
    now = clock.now()
    first = update.first_submitted_at or now
    values = {
        "state": UpdateState.SUBMITTED,
        "submitted_at": now,
        "first_submitted_at": first,
        "is_late": timezone.localdate(first) > update.period.due_on,
        "copied_from_previous": is_copy_of_previous(update),
    }
    if update.is_lead:
        inputs = _usable_inputs(update, drawn_from or [])
        update.drawn_from.set(inputs)
        values["missing_inputs"] = missing_inputs_note(update)
    claimed = ProgressUpdate.objects.filter(
        pk=update.pk, version=expected_version, state__in=permissions.EDITABLE_STATES
    ).update(**values, version=F("version") + 1, updated_at=now, updated_by=actor)
    if claimed != 1:
        _raise_stale(update)
    update.refresh_from_db()
    data_version.bump(programme_id=update.period.programme_id)
    revision = UpdateRevision.objects.create(
        update=update,
        number=update.revisions.count() + 1,
        snapshot=_field_values(update),
        created_at=now,
        created_by=actor,
    )
    detail = _("第 %(n)s 版") % {"n": revision.number}
    if update.is_late:
        detail += _("（逾期）")
    if update.copied_from_previous:
        detail += _("；内容与上期相同")
    record_event(
        task=update.task, update=update, verb=AuditVerb.SUBMITTED, actor=actor, detail=detail
    )
    return update


@transaction.atomic
@data_version.routine_write()
def withdraw_update(*, update: ProgressUpdate, actor, expected_version: int) -> ProgressUpdate:
    """Take a submitted update back to a draft (撤回) before anyone reviews it.

    A conditional UPDATE decides a race with the reviewer: the withdrawal and an
    acceptance (or return) both claim the row only while it is still submitted, so exactly
    one of them wins. The revision the submission made stays in the history; lateness
    stays judged by the first submission.
    """
    if not permissions.can_withdraw_update(actor, update):
        raise PermissionDenied(_("该报送当前不能撤回（已审核、未提交或期次已关闭）。"))
    claimed = ProgressUpdate.objects.filter(
        pk=update.pk, version=expected_version, state=UpdateState.SUBMITTED
    ).update(
        state=UpdateState.DRAFT,
        version=F("version") + 1,
        updated_at=clock.now(),
        updated_by=actor,
    )
    if claimed != 1:
        _raise_not_withdrawn(update)
    update.refresh_from_db()
    data_version.bump(programme_id=update.period.programme_id)
    record_event(task=update.task, update=update, verb=AuditVerb.WITHDRAWN, actor=actor)
    return update


def _raise_not_withdrawn(update: ProgressUpdate):
    current = ProgressUpdate.objects.get(pk=update.pk)
    if current.state == UpdateState.SUBMITTED:
        _raise_stale(update)
    raise ValidationError(
        _("撤回失败：该报送当前为“%(state)s”，不能撤回。请刷新页面查看。")
        % {"state": current.get_state_display()},
        code="stale",
    )


def _field_values(update: ProgressUpdate) -> dict:
    return {field: getattr(update, field) for field in EDITABLE_FIELDS}


def is_copy_of_previous(update: ProgressUpdate) -> bool:
    """Tell whether the narrative is word for word the department's previous report."""
    previous = _previous_update(
        task=update.task, period=update.period, department=update.department
    )
    if previous is None or not update.work_done.strip():
        return False
    return all(
        getattr(update, field).strip() == getattr(previous, field).strip()
        for field in ("work_done", "next_steps")
    )


def supporting_inputs(update: ProgressUpdate):
    """Return the supporting units' updates of the same task and period (not drafts)."""
    return ProgressUpdate.objects.filter(
        task_id=update.task_id, period_id=update.period_id, role=AssignmentRole.SUPPORT
    ).exclude(state=UpdateState.DRAFT)


def _usable_inputs(update, drawn_from):
    allowed = set(supporting_inputs(update).values_list("pk", flat=True))
    return [item for item in drawn_from if item.pk in allowed]


def missing_inputs_note(update: ProgressUpdate) -> str:
    """Name the supporting units (holding accounts) of the update's period that sent
    nothing for it."""
    received = supporting_inputs(update).values("department_id")
    missing = (
        Assignment.all_periods.filter(task_id=update.task_id, role=AssignmentRole.SUPPORT)
        .filter(in_force_q(period=update.period))
        .exclude(department__kind="collective")
        .exclude(department_id__in=received)
        .select_related("department")
        .order_by("order", "pk")
    )
    names = "、".join(assignment.department.name for assignment in missing)
    return _("未收到%(names)s的报送。") % {"names": names} if names else ""


def file_update(
    *,
    update: ProgressUpdate,
    actor,
    data: dict,
    expected_version: int,
    uploads=(),
    submit: bool = False,
    drawn_from: list[ProgressUpdate] | None = None,
) -> ProgressUpdate:
    """Save the fields, attach the files and (optionally) submit, all or nothing.

    An incomplete submission is refused before anything is written; when any step fails
    the rows roll back and the files already stored are deleted. The names of uploads
    identical to a file already attached are left in ``update.duplicate_uploads``.
    """
    if submit:
        validate_fields(data, for_submit=True)
    stored, duplicates = [], []
    try:
        with transaction.atomic():
            update = save_update(
                update=update, actor=actor, data=data, expected_version=expected_version
            )
            for upload in uploads:
                evidence = add_evidence(update=update, actor=actor, upload=upload)
                if evidence.duplicate:
                    # Its file belongs to the row that was already there: never delete it.
                    duplicates.append(upload.name)
                else:
                    stored.append(evidence.file)
            if submit:
                update = submit_update(
                    update=update,
                    actor=actor,
                    expected_version=update.version,
                    drawn_from=drawn_from,
                )
    except (ValidationError, PermissionDenied):
        for stored_file in stored:
            stored_file.storage.delete(stored_file.name)
        raise
    update.duplicate_uploads = duplicates
    return update


@transaction.atomic
def file_new_update(
    *,
    task: Task,
    period: ReportingPeriod,
    actor,
    data: dict,
    uploads=(),
    submit: bool = False,
    drawn_from: list[ProgressUpdate] | None = None,
) -> ProgressUpdate:
    """Create the draft and file the form into it (``file_update``), all or nothing.

    The first save of a form opened on an update that did not exist yet; when someone
    created the update meanwhile, ``UpdateExistsError`` refuses this save.
    """
    if submit:
        validate_fields(data, for_submit=True)
    update = create_draft(task=task, period=period, actor=actor)
    return file_update(
        update=update,
        actor=actor,
        data=data,
        expected_version=update.version,
        uploads=uploads,
        submit=submit,
        drawn_from=drawn_from,
    )
