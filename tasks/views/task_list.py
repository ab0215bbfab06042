"""The task list: every filter the dashboards drill down to, search, paging, xlsx export.

Each dashboard figure links here with the filters that select exactly the tasks behind it
(``reports.figures`` defines them: warning colour, overdue, expected submissions, ...).
"""

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pilot import permissions
from tasks import selectors
from tasks.exports import XLSX_CONTENT_TYPE
from tasks.exports.plan import unit_names
from tasks.exports.task_list import build_task_list_workbook
from tasks.forms.filters import TaskFilterForm
from tasks.models import AssignmentRole
from tasks.programme_choice import chosen_programme

PAGE_SIZE = 50


@require_GET
@login_required
def task_list(request):
    """List the programme's tasks by the chosen filters, 50 a page, or export them (xlsx)."""
    if not permissions.can_use_portal(request.user):
        raise PermissionDenied
    programme = chosen_programme(request)
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
    words = form.cleaned_data["q"]
    for task in page:  # the template prints names, not loops (50 rows, prefetched)
        _add_row_text(task, words)
    context = {"form": form, "programme": programme, "page": page, "words": words}
    return render(request, "tasks/task_list.html", context)


def _add_row_text(task, words: tuple[str, ...]) -> None:
    """Set the row's measure and unit names as HTML with the search words marked."""
    leads = unit_names(task.assignments.all(), AssignmentRole.LEAD)
    supports = unit_names(task.assignments.all(), AssignmentRole.SUPPORT)
    measure = Truncator(task.measure).chars(80)
    task.measure_html = highlight(measure, words)
    task.lead_units = highlight(leads, words)
    task.support_units = highlight(supports, words)
    # A word found elsewhere (an alias, an accepted update's text) leaves no mark in the row.
    shown = f"{task.measure} {leads} {supports}".casefold()
    task.matched_elsewhere = any(word.casefold() not in shown for word in words)


def highlight(text: str, words: tuple[str, ...]) -> SafeString:
    """Return ``text`` escaped, with each occurrence of the words wrapped in <mark>."""
    if not words:
        return escape(text)
    longest_first = sorted(words, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in longest_first), re.IGNORECASE)
    pieces, start = [], 0
    for match in pattern.finditer(text):
        pieces.append((text[start : match.start()], match.group()))
        start = match.end()
    # format_html_join escapes every piece of user text; only the <mark> tags are ours.
    return format_html_join("", "{}<mark>{}</mark>", pieces) + escape(text[start:])
