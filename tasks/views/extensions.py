"""Extension request pages (延期申请): a lead unit asks, the office decides, the unit adds
what is asked for; the list of requests; the files, through a checked download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pilot import permissions
from tasks import selectors
from tasks.forms.supervision import (
    ExtensionDecisionForm,
    ExtensionRequestForm,
    ExtensionSupplementForm,
)
from tasks.models import Extension, ExtensionEvidence, ExtensionState
from tasks.services import extensions

PAGE_SIZE = 30


@require_http_methods(["GET", "POST"])
@login_required
def extension_new(request, task_id: int):
    """The lead unit's request form; a refusal (past due, one open) is shown, not a 500."""
    task = selectors.task_for_page(task_id=task_id)
    if task is None or not permissions.can_use_portal(request.user):
        raise Http404(_("找不到该任务。"))
    if not permissions.can_request_extension(request.user, task):
        raise PermissionDenied
    refusal = extensions.refusal(task=task, actor=request.user)
    form = ExtensionRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            extension = extensions.request_extension(
                task=task,
                actor=request.user,
                requested_due_on=form.cleaned_data["requested_due_on"],
                reason=form.cleaned_data["reason"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("延期申请已提交，等待联席会议办公室审批。"))
            return redirect("extension-detail", extension_id=extension.pk)
    status = 400 if request.method == "POST" else 200
    context = {"task": task, "form": form, "refusal": refusal}
    return render(request, "tasks/extensions/new.html", context, status=status)


@require_GET
@login_required
def extension_detail(request, extension_id: int):
    extension = _visible(request.user, extension_id)
    return _render_detail(request, extension)


@require_POST
@login_required
def extension_decide(request, extension_id: int):
    extension = _visible(request.user, extension_id)
    if not permissions.is_office(request.user):
        raise PermissionDenied
    form = ExtensionDecisionForm(request.POST)
    if form.is_valid():
        extension.version = form.cleaned_data["version"]
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                extensions.approve_extension(
                    extension=extension,
                    actor=request.user,
                    approved_due_on=data["approved_due_on"],
                    comment=data["comment"],
                )
                messages.success(request, _("已批准延期，任务完成期限已调整。"))
            elif data["decision"] == "reject":
                extensions.reject_extension(
                    extension=extension, actor=request.user, comment=data["comment"]
                )
                messages.success(request, _("已不予批准。"))
            else:
                extensions.ask_for_more(
                    extension=extension, actor=request.user, comment=data["comment"]
                )
                messages.success(request, _("已要求申请单位补充材料。"))
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            return redirect("extension-detail", extension_id=extension.pk)
    extension.refresh_from_db()
    return _render_detail(request, extension, decision_form=form, status=400)


@require_POST
@login_required
def extension_supplement(request, extension_id: int):
    extension = _visible(request.user, extension_id)
    if not permissions.can_supplement_extension(request.user, extension):
        raise PermissionDenied
    form = ExtensionSupplementForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            extensions.supplement_extension(
                extension=extension,
                actor=request.user,
                supplement=form.cleaned_data["supplement"],
                files=form.cleaned_data["files"],
                version=form.cleaned_data["version"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("已补充，等待联席会议办公室审批。"))
            return redirect("extension-detail", extension_id=extension.pk)
    return _render_detail(request, extension, supplement_form=form, status=400)


@require_GET
@login_required
def extension_list(request):
    """The office: every request, open ones first; a reporter: their unit's and approved."""
    if not permissions.can_use_portal(request.user):
        raise PermissionDenied
    rows = permissions.visible_extensions(
        request.user, Extension.objects.select_related("task", "department")
    )
    state = request.GET.get("state", "")
    if state in ExtensionState.values:
        rows = rows.filter(state=state)
    rows = rows.order_by("-requested_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "states": ExtensionState.choices}
    return render(request, "tasks/extensions/list.html", context)


@require_GET
@login_required
def extension_file(request, file_id: int):
    """Stream a request's file to those who may see the request; 404 for everyone else."""
    item = ExtensionEvidence.objects.select_related("extension").filter(pk=file_id).first()
    if item is None or not permissions.can_view_extension(request.user, item.extension):
        raise Http404(_("找不到该文件。"))
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )


def _visible(user, extension_id: int) -> Extension:
    related = ("task", "department", "requested_by", "decided_by")
    extension = Extension.objects.select_related(*related).filter(pk=extension_id).first()
    if extension is None or not permissions.can_view_extension(user, extension):
        raise Http404(_("找不到该延期申请。"))
    return extension


def _render_detail(request, extension, decision_form=None, supplement_form=None, status=200):
    # A form sent back with errors is shown again even if the request was decided meanwhile,
    # so that the text typed is not lost; a fresh one only to those who may act now.
    user = request.user
    if decision_form is None and permissions.can_decide_extension(user, extension):
        decision_form = ExtensionDecisionForm(
            initial={
                "version": extension.version,
                "decision": "approve",
                "approved_due_on": extension.requested_due_on,
            }
        )
    if supplement_form is None and permissions.can_supplement_extension(user, extension):
        supplement_form = ExtensionSupplementForm(initial={"version": extension.version})
    context = {
        "extension": extension,
        "task": extension.task,
        "files": list(extension.evidence.all()),
        "decision_form": decision_form,
        "supplement_form": supplement_form,
    }
    return render(request, "tasks/extensions/detail.html", context, status=status)
