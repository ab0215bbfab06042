"""The office's plan changes (方案调整) in the browser: a task's units or text from a
period, a task's retirement, split or merge (撤销、拆分、合并任务), a department's merge
(机构改革, previewed before it is saved) or new name, and the log of every change
(方案变更记录), which the joint meeting's members read too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pilot import permissions
from tasks import plan_history as history
from tasks import selectors
from tasks.forms.plan_changes import (
    MergeForm,
    MergeTasksForm,
    PlanChangeFilterForm,
    RenameForm,
    RetireTaskForm,
    SplitTaskForm,
    TaskTextForm,
    TaskUnitsForm,
)
from tasks.programme_choice import chosen_programme
from tasks.services import plan_history as services
from tasks.services import plan_lifecycle

LOG_PAGE_SIZE = 30


def _office_only(request) -> None:
    if not permissions.can_manage_plan(request.user):
        raise PermissionDenied


def _task_for_change(request, task_id: int):
    _office_only(request)
    task = selectors.task_for_page(task_id=task_id)
    if task is None:
        raise Http404(_("找不到该任务。"))
    return task


def _perform(request, form, action) -> bool:
    """Run ``action`` (a service call that returns the success message) on a valid POSTed
    ``form``; a refusal goes onto the form with everything typed kept. True when done."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        message = action(form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    messages.success(request, message)
    return True


@require_http_methods(["GET", "POST"])
@login_required
def task_units(request, task_id: int):
    """调整责任单位: new lead and supporting units from a period."""
    task = _task_for_change(request, task_id)
    form = TaskUnitsForm(request.POST or None, task=task)

    def change(data):
        services.change_task_units(
            task=task,
            leads=form.ordered("leads"),
            supports=form.ordered("supports"),
            effective=data["effective"],
            reason=data["reason"],
            actor=request.user,
        )
        return _("已调整责任单位。")

    if _perform(request, form, change):
        return redirect("task-detail", task_id=task.pk)
    return _render_task_form(request, task, form, "tasks/plan_changes/units.html")


@require_http_methods(["GET", "POST"])
@login_required
def task_text(request, task_id: int):
    """调整举措或完成期限: the measure and due date from a period; the old text is kept."""
    task = _task_for_change(request, task_id)
    form = TaskTextForm(request.POST or None, task=task)

    def change(data):
        services.change_task_text(task=task, actor=request.user, **data)
        return _("已调整具体举措或完成期限。")

    if _perform(request, form, change):
        return redirect("task-detail", task_id=task.pk)
    return _render_task_form(request, task, form, "tasks/plan_changes/text.html")


def _render_task_form(request, task, form, template: str, **extra):
    status = 400 if form.is_bound else 200
    return render(request, template, {**_task_context(task, form), **extra}, status=status)


def _task_context(task, form) -> dict:
    return {"task": task, "form": form, "history": history.task_history(task=task)}


# --- 撤销、拆分、合并任务 ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def task_retire(request, task_id: int):
    """撤销任务: from a period the task is no longer counted or reported."""
    task = _task_for_change(request, task_id)
    form = RetireTaskForm(request.POST or None, task=task)

    def retire(data):
        plan_lifecycle.retire_task(task=task, actor=request.user, **data)
        return _("已撤销任务 %(number)s：自%(period)s起不再统计和报送。") % {
            "number": task.number,
            "period": data["effective"],
        }

    if _perform(request, form, retire):
        return redirect("task-detail", task_id=task.pk)
    return _render_task_form(request, task, form, "tasks/plan_changes/retire.html")


@require_http_methods(["GET", "POST"])
@login_required
def task_split(request, task_id: int):
    """拆分任务: the task keeps part 1, each further part becomes a new task.

    增加一项 posts the form back and gets it again with one more (empty) part.
    """
    task = _task_for_change(request, task_id)
    form = SplitTaskForm(request.POST or None, task=task)
    if request.method == "POST" and "add_part" in request.POST:
        return render(
            request, "tasks/plan_changes/split.html", _task_context(task, form.with_another_part())
        )

    def split(data):
        change = plan_lifecycle.split_task(
            task=task,
            parts=form.cleaned_parts(),
            effective=data["effective"],
            reason=data["reason"],
            actor=request.user,
        )
        return _("已拆分：%(detail)s。") % {"detail": change.detail}

    if _perform(request, form, split):
        return redirect("task-detail", task_id=task.pk)
    return _render_task_form(request, task, form, "tasks/plan_changes/split.html")


@require_http_methods(["GET", "POST"])
@login_required
def task_merge(request, task_id: int):
    """合并任务: the chosen tasks are merged into this one, which takes the merged text."""
    task = _task_for_change(request, task_id)
    form = MergeTasksForm(request.POST or None, task=task)

    def merge(data):
        change = plan_lifecycle.merge_tasks(
            tasks=data["numbers"],
            into=task,
            measure=data["measure"],
            due_on=data["due_on"],
            effective=data["effective"],
            reason=data["reason"],
            actor=request.user,
        )
        return _("已合并：%(detail)s。") % {"detail": change.detail}

    if _perform(request, form, merge):
        return redirect("task-detail", task_id=task.pk)
    current = selectors.current_task_numbers(programme=task.programme)
    template = "tasks/plan_changes/merge_tasks.html"
    return _render_task_form(request, task, form, template, current_tasks=current)


@require_GET
@login_required
def change_log(request):
    """方案变更记录 of the chosen programme, newest first, by kind and task number."""
    if not permissions.can_view_plan_changes(request.user):
        raise PermissionDenied
    programme = chosen_programme(request)
    form = PlanChangeFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    changes = history.plan_changes(
        programme=programme, kind=filters.get("kind") or "", number=filters.get("task")
    )
    page = Paginator(changes, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "programme": programme,
        "form": form,
        "page": page,
        "can_manage": permissions.can_manage_plan(request.user),
    }
    return render(request, "tasks/plan_changes/log.html", context)


# --- 机构改革: merge and rename ------------------------------------------------------------


@require_GET
@login_required
def departments(request):
    """The 机构改革 page: the merge form (previewed first) and the rename form."""
    _office_only(request)
    # 返回修改 on the preview comes back here with the merge's fields in the query.
    typed = {name: request.GET[name] for name in MergeForm.base_fields if name in request.GET}
    return _render_departments(request, MergeForm(initial=typed), RenameForm())


def _render_departments(request, merge_form, rename_form, status=200):
    context = {"merge_form": merge_form, "rename_form": rename_form}
    return render(request, "tasks/plan_changes/departments.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def department_merge(request):
    """GET: what the merge would move (reads only); POST: the merge itself."""
    _office_only(request)
    if request.method == "GET" and not request.GET:
        return redirect("plan-departments")
    form = MergeForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return _render_departments(request, form, RenameForm(), status=400)
    data = form.cleaned_data

    def merge(data):
        services.merge_departments(actor=request.user, **data)
        return _("已将“%(source)s”并入“%(target)s”。") % {
            "source": data["source"],
            "target": data["target"],
        }

    if _perform(request, form, merge):
        return redirect(reverse("plan-change-log"))
    preview = history.merge_preview(
        source=data["source"], target=data["target"], effective_on=data["effective_on"]
    )
    status = 400 if form.errors else 200
    context = {"form": form, "preview": preview, "month": history.month_label(data["effective_on"])}
    return render(request, "tasks/plan_changes/merge_preview.html", context, status=status)


@require_POST
@login_required
def department_rename(request):
    _office_only(request)
    form = RenameForm(request.POST)

    def rename(data):
        old = data["department"].name
        services.rename_department(actor=request.user, **data)
        return _("已将“%(old)s”更名为“%(new)s”，原名称保留为别名。") % {
            "old": old,
            "new": data["name"],
        }

    if _perform(request, form, rename):
        return redirect("plan-departments")
    return _render_departments(request, MergeForm(), form, status=400)
