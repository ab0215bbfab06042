"""The task list: every filter the dashboards drill down to, search, paging, xlsx export.

Each dashboard figure links here with the filters that select exactly the tasks behind it
(``reports.figures`` defines them: warning colour, overdue, expected submissions, ...).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pilot import permissions
from pilot.text_input import query_value
from tasks import selectors
from tasks.exports import XLSX_CONTENT_TYPE
from tasks.exports.plan import unit_names
from tasks.exports.task_list import build_task_list_workbook
from tasks.forms_filters import TaskFilterForm
from tasks.models import AssignmentRole, Programme

PAGE_SIZE = 50


def _programme(request) -> Programme:
    code = query_value(request, "programme")
    programme = (
        Programme.objects.filter(code=code).first() if code else selectors.default_programme()
    )
    if programme is None:
        raise Http404(_("找不到试点方案。"))
    return programme


@require_GET
@login_required
def task_list(request):
    """List the programme's tasks by the chosen filters, 50 a page, or export them (xlsx)."""
    if not permissions.can_use_portal(request.user):
        raise PermissionDenied
    programme = _programme(request)
    form = TaskFilterForm(request.GET, programme=programme)
    if not form.is_valid():
        context = {"form": form, "programme": programme, "page": None}
        return render(request, "tasks/task_list.html", context, status=400)
    tasks = selectors.filter_tasks(programme=programme, filters=form.cleaned_data)
    if request.GET.get("format") == "xlsx":
        return FileResponse(
            build_task_list_workbook(tasks=tasks, programme=programme),
            as_attachment=True,
            filename=_("任务清单.xlsx"),
            content_type=XLSX_CONTENT_TYPE,
        )
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    for task in page:  # the template prints names, not loops (50 rows, prefetched)
        task.lead_units = unit_names(task.assignments.all(), AssignmentRole.LEAD)
        task.support_units = unit_names(task.assignments.all(), AssignmentRole.SUPPORT)
    context = {"form": form, "programme": programme, "page": page}
    return render(request, "tasks/task_list.html", context)
