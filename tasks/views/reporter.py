"""The department reporter's pages: the department home, the update form, evidence files.

How several lead units combine (task 3 of the test plan has two): each lead unit files its
own update for the period, sees every supporting unit's input on the same panel, and
chooses on its own which inputs it drew on; the office reviews each lead's update
separately, and the task's status follows the rule in tasks/services/review.py (受阻 wins,
then 进度滞后; 已完成 only when every lead reports it; the percent is the leads' mean). A
supporting unit files one input per task and period, shared by all the leads: when one lead
returns it, it is returned for all of them until the unit submits again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pilot import clock, permissions
from tasks import selectors
from tasks.forms.update import ReturnInputForm, UpdateForm
from tasks.models import Evidence, ProgressUpdate, ReportingPeriod, Task
from tasks.services import reporting, review


@login_required
def update_form(request, task_id: int, period_id: int):
    """Show, save or submit the department's update for a task and period.

    A GET never writes: before the first save the form shows an unsaved draft (version 0),
    and the first POST creates it.
    """
    task = get_object_or_404(Task.all_periods, pk=task_id)
    period = get_object_or_404(ReportingPeriod, pk=period_id, programme_id=task.programme_id)
    department = permissions.reporter_department(request.user)
    if department is not None and permissions.out_of_plan(task, period):
        # A task retired or merged by the period, or split off after it, says why it takes
        # no filing (its units were released); the periods before take their reports.
        return _refusal_page(request, task, period, status=403 if request.method == "POST" else 200)
    if department is None:
        raise PermissionDenied(_("您的单位不承担该任务。"))
    update = selectors.department_update(department=department, task=task, period=period)
    # The plan in force in the period decides, not the plan as it stands now: a unit that
    # takes the task over from a later period is told why it may not file this one. (An
    # update the department has is shown whatever the plan says now.)
    if update is None and not selectors.department_assignment(
        department=department, task=task, period=period
    ):
        return _refusal_page(request, task, period, status=403)
    if update is None:
        refusal = permissions.filing_refusal(request.user, task, period)
        if refusal and request.method != "POST":
            return _refusal_page(request, task, period, refusal=refusal)
        update = reporting.new_update(task=task, period=period, actor=request.user)
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        return _withdraw(request, update)
    rows = selectors.supporting_rows(update=update) if update.is_lead else None
    inputs = [row.input for row in rows if row.input] if rows is not None else None
    if request.method == "POST":
        form = UpdateForm(request.POST, request.FILES, inputs=inputs)
        saved = _save_from_form(request, form, update)
        if saved is not None:
            return redirect(_form_url(update))
    else:
        form = UpdateForm(initial=_initial(update, rows), inputs=inputs)
    return render(
        request, "tasks/reporter/update_form.html", _form_context(request, form, update, rows)
    )


def _refusal_page(request, task, period, *, status: int = 200, refusal: str | None = None):
    """The update form's page saying why the unit may not file ``task`` for ``period``."""
    if refusal is None:
        refusal = permissions.filing_refusal(request.user, task, period)
    context = {"task": task, "period": period, "refusal": refusal}
    return render(request, "tasks/reporter/update_form.html", context, status=status)


def _withdraw(request, update: ProgressUpdate):
    """Take the submitted update back to a draft (the form's 撤回 button)."""
    try:
        version = int(request.POST.get("version", ""))
        reporting.withdraw_update(update=update, actor=request.user, expected_version=version)
    except ValueError:
        messages.error(request, _("撤回失败：页面已过期，请刷新后重试。"))
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
    else:
        messages.success(request, _("已撤回，报送已回到草稿状态，修改后可重新提交。"))
    return redirect(_form_url(update))


def _drawn_from(update: ProgressUpdate) -> list[ProgressUpdate]:
    # An unsaved draft has no relations yet (Django refuses to query them).
    return list(update.drawn_from.all()) if update.pk else []


def _initial(update: ProgressUpdate, rows) -> dict:
    initial = {field: getattr(update, field) for field in reporting.EDITABLE_FIELDS}
    initial["version"] = update.version
    if rows is not None:
        chosen = [r.input.pk for r in rows if r.state in ("received", "late")]
        initial["drawn_from"] = [item.pk for item in _drawn_from(update)] or chosen
    return initial


def _form_context(request, form: UpdateForm, update: ProgressUpdate, rows) -> dict:
    editable = _editable(request.user, update)
    chosen = {str(pk) for pk in (form["drawn_from"].value() or [])} if rows is not None else set()
    returns = getattr(update, "returns", None)
    return {
        "task": update.task,
        "period": update.period,
        "update": update,
        "saved": update.pk is not None,
        "evidence_files": list(update.evidence.all()) if update.pk else [],
        "form": form,
        "editable": editable,
        "withdrawable": update.pk is not None
        and permissions.can_withdraw_update(request.user, update),
        "show_form": editable or form.is_bound,
        "last_return": returns[0] if returns else None,
        "copy_warning": editable and reporting.is_copy_of_previous(update),
        "files_dropped": form.is_bound and bool(form.errors) and bool(request.FILES),
        "rows": rows,
        "chosen": chosen,
        "returnable": permissions.returnable_inputs(
            request.user, [row.input for row in rows or [] if row.input]
        ),
        "days_left": (update.period.due_on - clock.today()).days,
        "drawn_units": "、".join(str(item.department) for item in _drawn_from(update)),
        "previous": reporting.previous_accepted_update(update=update) if editable else None,
        "other_leads": reporting.other_leads_progress(update=update),
    }


def _editable(user, update: ProgressUpdate) -> bool:
    if update.pk is None:
        return permissions.can_file_update(user, update.task, update.period)
    return permissions.can_edit_update(user, update)


def _save_from_form(request, form: UpdateForm, update: ProgressUpdate) -> ProgressUpdate | None:
    """Save (and submit) everything the form holds, or nothing at all; None on error."""
    if not form.is_valid():
        return None
    if update.pk is None:
        refusal = permissions.filing_refusal(request.user, update.task, update.period)
        if refusal:
            form.add_error(None, [refusal, _("您填写的内容尚未保存。")])
            return None
    elif not permissions.can_edit_update(request.user, update):
        form.add_error(None, _("该报送已提交或期次已关闭，当前不能修改；您填写的内容尚未保存。"))
        return None
    filing = {
        "actor": request.user,
        "data": form.update_values(),
        "uploads": form.cleaned_data["evidence"],
        "submit": form.submitting,
        "drawn_from": list(form.cleaned_data.get("drawn_from") or []),
    }
    try:
        if update.pk is None:
            saved = reporting.file_new_update(task=update.task, period=update.period, **filing)
        else:
            saved = reporting.file_update(
                update=update, expected_version=form.cleaned_data["version"], **filing
            )
    except ValidationError as error:
        _add_service_errors(form, error)
        return None
    except PermissionDenied as refused:
        form.add_error(None, [str(refused), _("您填写的内容尚未保存。")])
        return None
    _report_success(request, saved, submitted=form.submitting)
    for warning in reporting.consistency_warnings(
        {"status": saved.status, "percent": saved.percent}
    ):
        messages.warning(request, warning)
    return saved


def _add_service_errors(form: UpdateForm, error: ValidationError) -> None:
    if isinstance(error, reporting.StaleVersionError) or not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _report_success(request, update: ProgressUpdate, *, submitted: bool) -> None:
    for name in update.duplicate_uploads:
        messages.warning(
            request,
            _("该文件已上传：“%(name)s”与已有的佐证材料相同，未重复保存。") % {"name": name},
        )
    if not submitted:
        messages.success(request, _("草稿已保存。"))
        return
    to = _("联席会议办公室") if update.is_lead else _("牵头单位")
    messages.success(request, _("已提交%(to)s。") % {"to": to})
    if update.copied_from_previous:
        messages.warning(request, _("本期内容与上期报送相同，已标注“与上期内容相同”。"))


def _form_url(update: ProgressUpdate) -> str:
    return reverse("update-form", args=[update.task_id, update.period_id])


@require_POST
@login_required
def evidence_delete(request, evidence_id: int):
    """Remove a file from an editable update (the owner's reporters only)."""
    evidence = _visible_evidence(request.user, evidence_id)
    reporting.remove_evidence(evidence=evidence, actor=request.user)
    messages.success(request, _("已删除“%(name)s”。") % {"name": evidence.original_name})
    return redirect(_form_url(evidence.update))


@require_GET
@login_required
def evidence_download(request, evidence_id: int):
    """Stream a file to those who may see its update; 404 for everyone else."""
    evidence = _visible_evidence(request.user, evidence_id)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


def _visible_evidence(user, evidence_id: int) -> Evidence:
    # The same 404 whether the file is missing or hidden: never reveal that it exists.
    related = ("update__task", "update__period", "update__department")
    evidence = Evidence.objects.select_related(*related).filter(pk=evidence_id).first()
    if evidence is None or not permissions.can_download_evidence(user, evidence):
        raise Http404(_("找不到该文件。"))
    return evidence


@require_POST
@login_required
def return_input(request, update_id: int):
    """Let a lead unit send a supporting unit's input back with a comment."""
    related = ("task", "period", "department")
    update = ProgressUpdate.objects.select_related(*related).filter(pk=update_id).first()
    if update is None or not permissions.can_view_update(request.user, update):
        raise Http404(_("找不到该报送。"))
    lead = selectors.department_update(
        department=permissions.reporter_department(request.user),
        task=update.task,
        period=update.period,
    )
    form = ReturnInputForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["comment"])
        review.return_update(
            update=update, actor=request.user, reasons=[], comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已退回%(name)s的报送。") % {"name": update.department})
    return redirect(_form_url(lead) if lead else reverse("home"))
