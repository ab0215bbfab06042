"""Dashboards: the programme overview, one department's view, all programmes at a glance.

Views only pick the programme and period from the query string, check access and hand the
figures of ``reports.figures`` (the same ones the monthly report and the API use) to the
templates; chart data is shaped by ``reports.views.charts``.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from departments.models import Department
from departments.ordering import order_units
from pilot import clock, permissions
from reports import figures
from reports.figures.due_dates import period_due_basis
from reports.views import charts
from tasks.models import Programme, ReportingPeriod
from tasks.periods import pick_current_period
from tasks.programme_choice import chosen_programme

DEPARTMENT_COLUMNS = (
    ("name", gettext_lazy("单位")),
    ("led", gettext_lazy("牵头任务")),
    ("supported", gettext_lazy("配合任务")),
    ("completed", gettext_lazy("已办结")),
    ("overdue", gettext_lazy("逾期任务")),
    ("expected", gettext_lazy("本期应报")),
    ("on_time", gettext_lazy("按时")),
    ("late", gettext_lazy("逾期报送")),
    ("missing", gettext_lazy("未报")),
    ("returned", gettext_lazy("累计退回")),
    ("on_time_rate", gettext_lazy("按时率")),
)
DEPARTMENT_SORTS = tuple(key for key, _label in DEPARTMENT_COLUMNS)


@require_GET
@login_required
def overview(request):
    """Show one programme's figures for the chosen period (default: the current one)."""
    if not permissions.can_view_dashboards(request.user):
        raise PermissionDenied
    programme, period, periods = _programme_and_period(request)
    result = figures.period_figures(programme=programme, period=period)
    sort = request.GET.get("sort", "name")
    context = {
        **_picker_context(programme, period, periods),
        "figures": result,
        "departments": department_table(
            sort_department_rows(result.departments, sort), programme=programme, period=period
        ),
        "sort": sort,
        "headers": sort_headers(sort),
        "charts": charts.overview_charts(result, trend=figures.status_trend(programme=programme)),
        "due_basis": period_due_basis(programme=programme, period=period),
    }
    return render(request, "reports/dashboard.html", context)


@require_GET
@login_required
def department(request, department_id: int):
    """Show the overview restricted to one department, with its reporting record."""
    unit = get_object_or_404(Department, pk=department_id)
    if not permissions.can_view_department_dashboard(request.user, unit):
        raise PermissionDenied
    programme, period, periods = _programme_and_period(request)
    result = figures.department_figures(programme=programme, period=period, department=unit)
    record = figures.department_record(programme=programme, department=unit)
    context = {
        **_picker_context(programme, period, periods),
        "figures": result,
        "record": record,
        "charts": charts.department_charts(result, record=record),
    }
    return render(request, "reports/dashboard_department.html", context)


@require_GET
@login_required
def programmes(request):
    """Show every programme's headline figures for its current period."""
    if not permissions.can_view_dashboards(request.user):
        raise PermissionDenied
    context = {"rows": figures.programmes_overview(), "today": clock.today()}
    return render(request, "reports/dashboard_programmes.html", context)


def _programme_and_period(request):
    """Return (programme, period, periods) chosen by ?programme=CODE&period=ID."""
    programme = chosen_programme(request)
    periods = list(ReportingPeriod.objects.filter(programme=programme).order_by("starts_on"))
    chosen = request.GET.get("period")
    if chosen:
        period = next((item for item in periods if str(item.pk) == chosen), None)
    else:
        period = _current(periods)
    if period is None:
        raise Http404(_("找不到该报送期次，请从下拉列表中选择。"))
    return programme, period, periods


def _current(periods):
    if not periods:
        return None
    return pick_current_period(periods, clock.today())


def _picker_context(programme, period, periods) -> dict:
    return {
        "programme": programme,
        "period": period,
        "periods": periods,
        "programmes": Programme.objects.only("code", "title"),
    }


def sort_department_rows(rows: list, sort: str) -> list:
    """Sort department rows by ?sort=KEY or -KEY (unknown keys sort by name).

    By name means by kind, then pinyin, collectives last (``departments.ordering``); -name
    is that order reversed.
    """
    key = sort.lstrip("-")
    if key not in DEPARTMENT_SORTS:
        key, sort = "name", "name"
    reverse = sort.startswith("-")
    if key == "name":
        ordered = order_units(rows, unit=lambda row: row.department)
        return ordered[::-1] if reverse else ordered
    # None (nothing expected) sorts last either way.
    present = [row for row in rows if getattr(row, key) is not None]
    absent = [row for row in rows if getattr(row, key) is None]
    return sorted(present, key=lambda row: getattr(row, key), reverse=reverse) + absent


def sort_headers(sort: str) -> list[dict]:
    """Return the department table's headers: label, the ?sort= of its link, its arrow."""
    headers = []
    for key, label in DEPARTMENT_COLUMNS:
        arrow = "▲" if sort == key else "▼" if sort == f"-{key}" else ""
        link = f"-{key}" if sort == key else key
        headers.append({"key": key, "label": label, "sort": link, "arrow": arrow})
    return headers


DEPARTMENT_ROW = (
    '<tr><th scope="row"><a href="{}">{}</a></th>{}'
    '<td class="num">{}</td><td class="num">{}</td></tr>'
)
LINKED_CELL = '<td class="num"><a href="{}">{}</a></td>'


def department_table(rows: list, *, programme, period) -> str:
    """Return the department table's body rows as HTML, each number linked to its tasks.

    Built in Python rather than with template tags: a 150-row table of linked numbers costs
    several times less this way. ``format_html_join`` escapes every value.
    """
    task_list = reverse("task-list")
    view = reverse("dashboard-department", args=[0]).removesuffix("0/")
    suffix = f"?programme={programme.code}&period={period.pk}"

    def row_values(row):
        unit = row.department.pk
        base = f"{task_list}?programme={programme.code}&department={unit}"
        reporting = f"{base}&period={period.pk}&reporting="
        linked = (
            (f"{base}&role=lead", row.led),
            (f"{base}&role=support", row.supported),
            (f"{base}&confirmed=1", row.completed),
            (f"{base}&overdue=1", row.overdue),
            (f"{reporting}expected", row.expected),
            (f"{reporting}on_time", row.on_time),
            (f"{reporting}late", row.late),
            (f"{reporting}missing", row.missing),
        )
        cells = format_html_join("", LINKED_CELL, ((url, int(n)) for url, n in linked))
        rate = "—" if row.on_time_rate is None else f"{row.on_time_rate}%"
        return (f"{view}{unit}/{suffix}", row.department.name, cells, int(row.returned), rate)

    return format_html_join("\n", DEPARTMENT_ROW, (row_values(row) for row in rows))
