"""Supervision slip pages (督办单): issuing by hand from a task, one slip with its answer
and review, and the list (the office's all, a unit's own). The .docx is served by
reports.views.slips (the document builder lives in reports)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pilot import permissions
from tasks.forms.supervision import SlipIssueForm, SlipResponseForm, SlipReviewForm
from tasks.models import SlipLevel, SlipStatus, SupervisionSlip, Task
from tasks.services import slips

PAGE_SIZE = 30


@require_POST
@login_required
def slip_issue(request, task_id: int):
    if not permissions.can_issue_slip(request.user):
        raise PermissionDenied
    task = get_object_or_404(Task, pk=task_id)
    form = SlipIssueForm(request.POST, task=task)
    if form.is_valid():
        try:
            slip = slips.issue_slip(
                task=task,
                department_id=form.cleaned_data["department"].pk,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已签发督办单 %(code)s。") % {"code": slip.code})
            return redirect("slip-detail", slip_id=slip.pk)
    context = {"task": task, "form": form}
    return render(request, "tasks/slips/issue.html", context, status=400)


@require_GET
@login_required
def slip_detail(request, slip_id: int):
    return _render_detail(request, _visible(request.user, slip_id))


@require_POST
@login_required
def slip_respond(request, slip_id: int):
    slip = _visible(request.user, slip_id)
    if not permissions.can_respond_slip(request.user, slip):
        raise PermissionDenied
    form = SlipResponseForm(request.POST)
    if form.is_valid():
        try:
            slips.respond_slip(slip=slip, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("已反馈，等待联席会议办公室审核。"))
            return redirect("slip-detail", slip_id=slip.pk)
    return _render_detail(request, slip, response_form=form, status=400)


@require_POST
@login_required
def slip_review(request, slip_id: int):
    slip = _visible(request.user, slip_id)
    if not permissions.is_office(request.user):
        raise PermissionDenied
    form = SlipReviewForm(request.POST, answered=slip.status == SlipStatus.ANSWERED)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "close":
                slips.close_slip(
                    slip=slip, actor=request.user, comment=data["comment"], version=data["version"]
                )
                done = _("督办单已关闭。")
            else:
                accept = data["decision"] == "accept"
                slips.review_slip(
                    slip=slip,
                    actor=request.user,
                    accept=accept,
                    comment=data["comment"],
                    version=data["version"],
                )
                done = _("已认可反馈，督办单办结。") if accept else _("已退回，请该单位重新反馈。")
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, done)
            return redirect("slip-detail", slip_id=slip.pk)
    return _render_detail(request, slip, review_form=form, status=400)


@require_GET
@login_required
def slip_list(request):
    """The office and members: every slip; a reporter: the slips to their unit."""
    if not permissions.can_use_portal(request.user):
        raise PermissionDenied
    rows = permissions.visible_slips(
        request.user, SupervisionSlip.objects.select_related("task", "department")
    )
    status, level = request.GET.get("status", ""), request.GET.get("level", "")
    if status in SlipStatus.values:
        rows = rows.filter(status=status)
    if level in SlipLevel.values:
        rows = rows.filter(level=level)
    page = Paginator(rows.order_by("-issued_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "status": status,
        "level": level,
        "statuses": SlipStatus.choices,
        "levels": SlipLevel.choices,
    }
    return render(request, "tasks/slips/list.html", context)


def _visible(user, slip_id: int) -> SupervisionSlip:
    related = ("task", "department", "issued_by", "responded_by", "reviewed_by", "escalated_from")
    slip = SupervisionSlip.objects.select_related(*related).filter(pk=slip_id).first()
    if slip is None or not permissions.can_view_slip(user, slip):
        raise Http404(_("找不到该督办单。"))
    return slip


def _render_detail(request, slip, response_form=None, review_form=None, status=200):
    # A form sent back with errors is shown again so that nothing typed is lost.
    user = request.user
    if response_form is None and permissions.can_respond_slip(user, slip):
        response_form = SlipResponseForm(initial={"version": slip.version})
    if review_form is None and (
        permissions.can_review_slip(user, slip) or permissions.can_close_slip(user, slip)
    ):
        decision = "accept" if slip.status == SlipStatus.ANSWERED else "close"
        review_form = SlipReviewForm(
            initial={"version": slip.version, "decision": decision},
            answered=slip.status == SlipStatus.ANSWERED,
        )
    context = {
        "slip": slip,
        "task": slip.task,
        "escalated_to": SupervisionSlip.objects.filter(escalated_from=slip).first(),
        "response_form": response_form,
        "review_form": review_form,
    }
    return render(request, "tasks/slips/detail.html", context, status=status)


def task_panel(*, task: Task, user) -> dict:
    """The task page's 延期与督办 panel: requests and slips the user may see (2 queries)."""
    extension_rows = permissions.visible_extensions(
        user, task.extensions.select_related("department")
    ).order_by("-requested_at", "-pk")
    slip_rows = permissions.visible_slips(user, task.slips.select_related("department")).order_by(
        "-issued_at", "-pk"
    )
    return {
        "extensions": list(extension_rows[:PAGE_SIZE]),
        "slips": list(slip_rows[:PAGE_SIZE]),
        "can_request_extension": permissions.can_request_extension(user, task),
        "slip_form": SlipIssueForm(task=task) if permissions.can_issue_slip(user) else None,
    }
