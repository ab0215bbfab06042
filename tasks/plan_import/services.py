"""Keep an uploaded plan as a draft, let the office settle it, and create the programme.

Every function here is a service in the portal's sense: keyword-only, the actor explicit,
permission asked of ``pilot.permissions``, one transaction, an entry in Django's change log
(a plan import belongs to no task, so the task audit trail cannot hold it; each task it
creates gets a 创建 line in its own history).
"""

import datetime
import hashlib
import re
from dataclasses import asdict

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from departments.models import Department, DepartmentAlias, DepartmentKind
from pilot import clock, permissions
from tasks.models import (
    Assignment,
    AssignmentRole,
    AuditEvent,
    AuditVerb,
    Category,
    PlanImport,
    PlanImportStatus,
    Programme,
    Task,
)
from tasks.plan_import.preview import Preview, build_preview
from tasks.plan_import.readers import MAX_FILE_BYTES, ImportRefused, read_upload
from tasks.plan_parser import RowProblem, join_rows
from tasks.services.periods import generate_periods

ROW_FIELDS = ("category", "number", "measure", "responsibility", "leads", "supports", "due")


def _require_office(actor) -> None:
    if not permissions.can_import_plan(actor):
        raise PermissionDenied(_("只有联席会议办公室可以导入试点方案。"))


@transaction.atomic
def start_plan_import(*, upload, actor) -> PlanImport:
    """Read an uploaded table and keep it as a draft; refuse it (saving nothing) if unusable."""
    _require_office(actor)
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(_("文件超过 10 MB，无法导入。"))
    data = upload.read()
    try:
        table = read_upload(upload.name, data)
    except ImportRefused as refusal:
        raise ValidationError(str(refusal)) from None
    problems: list[RowProblem] = []
    rows = join_rows(table.rows, problems)
    if problems:
        raise ValidationError(
            _("第 %(line)s 行是续行，但前面没有任务（“序号”为空）。") % {"line": problems[0].line}
        )
    sha256 = hashlib.sha256(data).hexdigest()
    plan_import = PlanImport(
        original_name=upload.name[:200],
        kind=table.kind,
        size=len(data),
        sha256=sha256,
        rows=[asdict(row) for row in rows],
        meta=_default_meta(upload.name),
        created_by=actor,
        created_at=clock.now(),
    )
    plan_import.file.save(sha256, ContentFile(data), save=False)
    plan_import.save()
    _log(plan_import, actor, ADDITION, _("上传 %(name)s") % {"name": plan_import.original_name})
    return plan_import


def _default_meta(filename: str) -> dict:
    stem = re.sub(r"\.[^.]*$", "", filename)[:200]
    return {"title": stem, "code": "", "doc_number": "", "issuer": ""}


def _locked_draft(plan_import: PlanImport, actor) -> PlanImport:
    _require_office(actor)
    locked = PlanImport.objects.select_for_update().get(pk=plan_import.pk)
    if not locked.is_draft:
        raise ValidationError(
            _("该导入已%(status)s，不能再修改。") % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def fix_import_row(*, plan_import: PlanImport, index: int, values: dict, actor) -> PlanImport:
    """Replace the cells of row ``index`` with the office's corrections."""
    locked = _locked_draft(plan_import, actor)
    if not 0 <= index < len(locked.rows):
        raise ValidationError(_("没有这一行。"))
    row = locked.rows[index]
    before = {key: row.get(key, "") for key in ROW_FIELDS}
    row.update({key: values[key] for key in ROW_FIELDS if key in values})
    locked.save(update_fields=["rows"])
    changed = [key for key in ROW_FIELDS if before[key] != row.get(key, "")]
    _log(
        locked,
        actor,
        CHANGE,
        _("修改第 %(line)s 行：%(fields)s")
        % {"line": row["line"], "fields": "、".join(changed) or "—"},
    )
    return locked


@transaction.atomic
def remove_import_row(*, plan_import: PlanImport, index: int, actor) -> PlanImport:
    """Drop row ``index`` (a row that is no task, such as a note under the table)."""
    locked = _locked_draft(plan_import, actor)
    if not 0 <= index < len(locked.rows):
        raise ValidationError(_("没有这一行。"))
    removed = locked.rows.pop(index)
    locked.save(update_fields=["rows"])
    _log(locked, actor, CHANGE, _("删除第 %(line)s 行") % {"line": removed["line"]})
    return locked


@transaction.atomic
def decide_import_unit(
    *,
    plan_import: PlanImport,
    name: str,
    actor,
    department: Department | None = None,
    kind: str = "",
    short_name: str = "",
) -> PlanImport:
    """Settle a unit: it is ``department``, or a new department of ``kind``."""
    locked = _locked_draft(plan_import, actor)
    if department is not None:
        decision = {"department": department.pk}
        message = _("“%(name)s”即“%(department)s”") % {"name": name, "department": department}
    else:
        if kind not in DepartmentKind.values:
            raise ValidationError(_("请选择新单位的类型。"))
        if Department.objects.filter(name=name).exists():
            raise ValidationError(_("已有名为“%(name)s”的单位，请直接选择它。") % {"name": name})
        decision = {"create": {"kind": kind, "short_name": (short_name or name)[:50]}}
        message = _("新建单位“%(name)s”") % {"name": name}
    locked.units[name] = decision
    locked.save(update_fields=["units"])
    _log(locked, actor, CHANGE, message)
    return locked


@transaction.atomic
def update_import_meta(*, plan_import: PlanImport, meta: dict, actor) -> PlanImport:
    """Set the programme's title, code, document number, issuer and dates."""
    locked = _locked_draft(plan_import, actor)
    locked.meta = {key: _json(value) for key, value in meta.items()}
    locked.save(update_fields=["meta"])
    _log(locked, actor, CHANGE, _("修改方案信息"))
    return locked


@transaction.atomic
def discard_plan_import(*, plan_import: PlanImport, actor) -> PlanImport:
    locked = _locked_draft(plan_import, actor)
    locked.status = PlanImportStatus.DISCARDED
    locked.finished_by, locked.finished_at = actor, clock.now()
    locked.save(update_fields=["status", "finished_by", "finished_at"])
    _log(locked, actor, CHANGE, _("放弃导入"))
    return locked


@transaction.atomic
def confirm_plan_import(*, plan_import: PlanImport, actor) -> Programme:
    """Create the programme, its categories, tasks, assignments and periods, all or nothing."""
    locked = _locked_draft(plan_import, actor)
    preview = build_preview(locked)
    if preview.blockers:
        raise ValidationError(preview.blockers)
    departments = _departments_for(preview, actor)
    programme = Programme.objects.create(**_programme_fields(preview.meta))
    categories = {
        parsed.number: Category.objects.create(
            programme=programme, number=parsed.number, label=parsed.label, title=parsed.title
        )
        for parsed in preview.plan.categories
    }
    tasks = _create_tasks(preview, programme, categories)
    _create_assignments(preview, tasks, departments)
    generate_periods(programme=programme)
    now = clock.now()
    detail = _("由方案导入创建（%(name)s）") % {"name": locked.original_name}
    AuditEvent.objects.bulk_create(
        AuditEvent(task=task, verb=AuditVerb.CREATED, actor=actor, at=now, detail=detail[:500])
        for task in tasks.values()
    )
    locked.status = PlanImportStatus.CONFIRMED
    locked.programme = programme
    locked.finished_by, locked.finished_at = actor, now
    locked.save(update_fields=["status", "programme", "finished_by", "finished_at"])
    _log(
        locked,
        actor,
        CHANGE,
        _("确认导入：%(title)s，%(count)s 项任务")
        % {"title": programme.title, "count": len(tasks)},
    )
    return programme


def _departments_for(preview: Preview, actor) -> dict[str, Department]:
    """Return the department of every unit name, creating the new ones and their aliases."""
    next_order = (Department.objects.aggregate(top=Max("sort_order"))["top"] or 0) + 1
    result: dict[str, Department] = {}
    for match in preview.units:
        if match.target is not None:
            result[match.name] = match.target
            spellings = [match.name, *match.spellings]
        else:
            create = match.decision["create"]
            result[match.name] = Department.objects.create(
                name=match.name,
                short_name=create["short_name"],
                kind=create["kind"],
                sort_order=next_order,
            )
            next_order += 1
            spellings = [match.name, *match.spellings]
        _add_aliases(result[match.name], spellings)
    return result


def _add_aliases(department: Department, spellings: list[str]) -> None:
    """Keep every spelling the plan used, so the next import matches it exactly."""
    taken = set(DepartmentAlias.objects.filter(name__in=spellings).values_list("name", flat=True))
    DepartmentAlias.objects.bulk_create(
        DepartmentAlias(department=department, name=spelling)
        for spelling in dict.fromkeys(spellings)
        if spelling not in taken
    )


def _programme_fields(meta: dict) -> dict:
    dates = (
        "issued_on",
        "starts_on",
        "ends_on",
        "tasks_due_on",
        "summary_starts_on",
        "summary_ends_on",
    )
    fields = {key: meta.get(key) or "" for key in ("code", "title", "doc_number", "issuer")}
    fields.update({key: _date(meta.get(key)) for key in dates})
    return fields


def _create_tasks(preview: Preview, programme: Programme, categories) -> dict[int, Task]:
    default_due = _date(preview.meta["tasks_due_on"])
    created = Task.objects.bulk_create(
        Task(
            programme=programme,
            category=categories[parsed.category],
            number=parsed.number,
            measure=parsed.measure,
            responsibility=parsed.responsibility,
            due_on=parsed.due_on or default_due,
        )
        for parsed in preview.plan.tasks
    )
    if not all(task.pk for task in created):  # backends that return no keys
        created = list(Task.objects.filter(programme=programme))
    return {task.number: task for task in created}


def _create_assignments(preview: Preview, tasks: dict[int, Task], departments) -> None:
    rows = []
    for parsed in preview.plan.tasks:
        named = [(name, AssignmentRole.LEAD) for name in parsed.leads]
        named += [(name, AssignmentRole.SUPPORT) for name in parsed.supports]
        seen: set[int] = set()
        for order, (name, role) in enumerate(named, start=1):
            department = departments[name]
            if department.pk in seen:  # two spellings of one body on one task
                continue
            seen.add(department.pk)
            rows.append(
                Assignment(task=tasks[parsed.number], department=department, role=role, order=order)
            )
    Assignment.objects.bulk_create(rows)


def _date(value) -> datetime.date | None:
    if not value:
        return None
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _json(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _log(plan_import: PlanImport, actor, flag: int, message: str) -> None:
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[plan_import],
        action_flag=flag,
        change_message=message[:1000],
        single_object=True,
    )
