"""One task's page: plan text, responsible units, status, update timeline, audit history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pilot import permissions
from tasks import plan_history, selectors
from tasks.forms.review import NameBodyForm
from tasks.models import AssignmentRole, Task
from tasks.services import plan, review
from tasks.views.slips import task_panel

TIMELINE_PAGE_SIZE = 20  # updates, newest period first
AUDIT_PAGE_SIZE = 50  # audit events, oldest first


@require_GET
@login_required
def task_detail(request, task_id: int):
    task = _task_for_viewer(request, task_id)
    return _render_task(request, task)


@require_POST
@login_required
def name_body(request, task_id: int):
    """Name a concrete body for a collective unit on the task (office only)."""
    task = _task_for_viewer(request, task_id)
    if not permissions.can_manage_plan(request.user):
        raise PermissionDenied
    form = NameBodyForm(request.POST, task=task)
    if form.is_valid():
        try:
            plan.name_body_for_collective(task=task, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已指定具体单位。"))
            return redirect("task-detail", task_id=task.pk)
    return _render_task(request, task, name_form=form, status=400)


@require_POST
@login_required
def confirm_completion(request, task_id: int):
    """Record 办结确认; back to the page the button was on."""
    if not permissions.can_use_review_queue(request.user):
        raise PermissionDenied
    task = get_object_or_404(Task, pk=task_id)
    try:
        review.confirm_completion(task=task, actor=request.user)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("已办结确认。"))
    return redirect(_next_url(request) or reverse("task-detail", args=[task.pk]))


def _task_for_viewer(request, task_id: int) -> Task:
    if not permissions.can_use_portal(request.user):
        raise PermissionDenied
    task = selectors.task_for_page(task_id=task_id)
    if task is None:
        raise Http404(_("找不到该任务。"))
    return task


def _render_task(request, task: Task, name_form: NameBodyForm | None = None, status: int = 200):
    assignments = list(task.assignments.all())
    has_collective = any(item.department.is_collective for item in assignments)
    if name_form is None and has_collective and permissions.can_manage_plan(request.user):
        name_form = NameBodyForm(task=task)
    timeline = Paginator(
        selectors.task_timeline(task=task, user=request.user), TIMELINE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "task": task,
        "leads": [item for item in assignments if item.role == AssignmentRole.LEAD],
        "supports": [item for item in assignments if item.role == AssignmentRole.SUPPORT],
        # Both histories grow with the programme: one page of each per request.
        "timeline": timeline,
        # The review page's door, asked of the rule book for each update shown.
        "reviewable": {
            update.pk for update in timeline if permissions.can_open_review(request.user, update)
        },
        "audit_events": Paginator(
            selectors.task_audit_events(task=task, user=request.user), AUDIT_PAGE_SIZE
        ).get_page(request.GET.get("history")),
        "can_confirm": permissions.can_confirm_completion(request.user, task),
        "name_form": name_form,
        "supervision": task_panel(task=task, user=request.user),
        # 方案调整 (office) and the 沿革 panel (everyone who sees the task).
        "can_change_plan": permissions.can_manage_plan(request.user),
        "can_view_changes": permissions.can_view_plan_changes(request.user),
        "history": plan_history.task_history(task=task),
    }
    return render(request, "tasks/task_detail.html", context, status=status)


def _next_url(request) -> str | None:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if target and allowed else None
