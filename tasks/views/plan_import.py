"""The office's plan import: upload a table, preview and settle it, confirm (office only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from departments.models import Department
from pilot import permissions
from tasks.forms.plan_import import ImportMetaForm, ImportRowForm, PlanUploadForm, UnitDecisionForm
from tasks.models import PlanImport
from tasks.plan_import import services
from tasks.plan_import.preview import build_preview
from tasks.plan_import.tables import XLSX_HEADER, table_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _office_only(request) -> None:
    if not permissions.can_import_plan(request.user):
        raise PermissionDenied


def _messages_of(error: ValidationError) -> list[str]:
    return list(getattr(error, "messages", [str(error)]))


@require_http_methods(["GET", "POST"])
@login_required
def import_list(request):
    """Past imports, and the upload form."""
    _office_only(request)
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan_import = services.start_plan_import(
                upload=form.cleaned_data["file"], actor=request.user
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("已读取文件，请核对预览后确认导入。"))
            return redirect("plan-import-preview", import_id=plan_import.pk)
    imports = PlanImport.objects.select_related("created_by", "programme")[:50]
    status = 400 if form.errors else 200
    return render(
        request, "tasks/plan_import/list.html", {"form": form, "imports": imports}, status=status
    )


@require_GET
@login_required
def import_preview(request, import_id: int):
    _office_only(request)
    plan_import = get_object_or_404(PlanImport, pk=import_id)
    return _render_preview(request, plan_import)


def _render_preview(request, plan_import, *, status=200, **forms):
    preview = build_preview(plan_import)
    row_form, index = forms.get("row_form"), forms.get("row_index")
    if row_form is not None and index is not None and 0 <= index < len(preview.rows):
        # The office's typed text comes back in the row's form, not the stored cells.
        typed = {key: row_form.data.get(key, "") for key in row_form.fields}
        preview.rows[index].source = {**preview.rows[index].source, **typed}
    meta_form = forms.pop("meta_form", None) or ImportMetaForm(initial=preview.meta)
    context = {
        "plan_import": plan_import,
        "preview": preview,
        "meta_form": meta_form,
        "departments": Department.objects.order_by("sort_order", "name"),
        "kinds": UnitDecisionForm.base_fields["kind"].choices,
        "error_form": forms.get("unit_form") or forms.get("row_form"),
        "row_index": forms.get("row_index"),
    }
    return render(request, "tasks/plan_import/preview.html", context, status=status)


def _draft_for_post(request, import_id: int) -> PlanImport:
    _office_only(request)
    return get_object_or_404(PlanImport, pk=import_id)


@require_POST
@login_required
def import_row(request, import_id: int, index: int):
    plan_import = _draft_for_post(request, import_id)
    form = ImportRowForm(request.POST)
    if form.is_valid():
        try:
            services.fix_import_row(
                plan_import=plan_import, index=index, values=form.cleaned_data, actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已修改该行。"))
            return redirect("plan-import-preview", import_id=plan_import.pk)
    return _render_preview(request, plan_import, status=400, row_form=form, row_index=index)


@require_POST
@login_required
def import_row_remove(request, import_id: int, index: int):
    plan_import = _draft_for_post(request, import_id)
    try:
        services.remove_import_row(plan_import=plan_import, index=index, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(_messages_of(error)))
    else:
        messages.success(request, _("已删除该行。"))
    return redirect("plan-import-preview", import_id=plan_import.pk)


@require_POST
@login_required
def import_unit(request, import_id: int):
    plan_import = _draft_for_post(request, import_id)
    form = UnitDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        existing = data["action"] == UnitDecisionForm.EXISTING
        try:
            services.decide_import_unit(
                plan_import=plan_import,
                name=data["name"],
                actor=request.user,
                department=data["department"] if existing else None,
                kind="" if existing else data["kind"],
                short_name=data["short_name"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已确认单位“%(name)s”。") % {"name": data["name"]})
            return redirect("plan-import-preview", import_id=plan_import.pk)
    return _render_preview(request, plan_import, status=400, unit_form=form)


@require_POST
@login_required
def import_meta(request, import_id: int):
    plan_import = _draft_for_post(request, import_id)
    form = ImportMetaForm(request.POST)
    if form.is_valid():
        try:
            services.update_import_meta(
                plan_import=plan_import, meta=form.cleaned_data, actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存方案信息。"))
            return redirect("plan-import-preview", import_id=plan_import.pk)
    return _render_preview(request, plan_import, status=400, meta_form=form)


@require_POST
@login_required
def import_confirm(request, import_id: int):
    plan_import = _draft_for_post(request, import_id)
    try:
        programme = services.confirm_plan_import(plan_import=plan_import, actor=request.user)
    except ValidationError as error:
        for message in _messages_of(error)[:20]:
            messages.error(request, message)
        return redirect("plan-import-preview", import_id=plan_import.pk)
    messages.success(
        request,
        _("已导入《%(title)s》：%(count)s 项任务，报送期次已生成。")
        % {"title": programme.title, "count": programme.tasks.count()},
    )
    return redirect("plan-import-preview", import_id=plan_import.pk)


@require_POST
@login_required
def import_discard(request, import_id: int):
    plan_import = _draft_for_post(request, import_id)
    try:
        services.discard_plan_import(plan_import=plan_import, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(_messages_of(error)))
    else:
        messages.success(request, _("已放弃该导入，未创建任何方案。"))
    return redirect("plan-import-list")


@require_GET
@login_required
def import_file(request, import_id: int):
    """The original uploaded file, as the office sent it."""
    _office_only(request)
    plan_import = get_object_or_404(PlanImport, pk=import_id)
    return FileResponse(
        plan_import.file.open("rb"), as_attachment=True, filename=plan_import.original_name
    )


@require_GET
@login_required
def import_template(request):
    """A blank workbook with the columns the importer reads."""
    _office_only(request)
    example = (
        1,
        "（一）示例类别",
        "示例：完善工作机制。",
        "省商务厅牵头，有关部门配合。",
        "",
        "",
        "2025年12月底",
    )
    response = HttpResponse(table_xlsx([example], header=XLSX_HEADER), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "责任分工表模板.xlsx")
    return response
