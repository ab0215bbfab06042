"""Dashboards: the programme overview, one department's view, all programmes at a glance.

Views only pick the programme and period from the query string, check access and hand the
figures of ``reports.figures`` (the same ones the monthly report and the API use) to the
templates; chart data is shaped by ``reports.views.charts``. The pages' content comes from
the versioned page cache (``reports.views.cache``); the page around it is per request.

The dashboards are sent gzip-compressed (``gzip_page``; ~200 KB of HTML becomes ~20 KB).
Only they are: BREACH needs a secret in a compressed page that also reflects the
attacker's input. A dashboard holds figures every reader of it may see, its CSRF tokens
(in the header's forms) are masked afresh on each response, and Django's gzip adds random
padding to each response (its BREACH mitigation); pages holding drafts and personal data
stay uncompressed unless the reverse proxy is told otherwise (README, "Running in
production").
"""

import functools
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from departments.models import Department
from departments.ordering import order_units
from pilot import clock, permissions
from reports import figures
from reports.figures.due_dates import period_due_basis
from reports.views import charts
from reports.views.cache import cached_content, page_key
from tasks import data_version
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
@gzip_page
def overview(request):
    """Show one programme's figures for the chosen period (default: the current one)."""
    if not permissions.can_view_dashboards(request.user):
        raise PermissionDenied
    programme, period, periods = _programme_and_period(request)
    sort = clean_sort(request.GET.get("sort", "name"))
    version = data_version.current(programme_id=programme.pk)
    key = page_key("overview", user=request.user, version=version, period=period.pk, sort=sort)
    values = functools.cache(lambda: _overview_values(programme, period, periods, sort))
    body, _hit = cached_content(
        key, lambda: render_to_string("reports/dashboard_overview_body.html", values())
    )
    page = {"programme": programme, "period": period, "body": body}
    return render(request, "reports/dashboard.html", {**_lazy(values), **page})


def _overview_values(programme, period, periods, sort) -> dict:
    trend, states = figures.status_trend_and_states(programme=programme, period=period)
    result = figures.period_figures(programme=programme, period=period, states=states)
    return {
        **_picker_context(programme, period, periods),
        "figures": result,
        "departments": department_table(
            sort_department_rows(result.departments, sort), programme=programme, period=period
        ),
        "sort": sort,
        "headers": sort_headers(sort, programme=programme, period=period),
        "charts": charts.overview_charts(result, trend=trend),
        "due_basis": period_due_basis(programme=programme, period=period),
    }


@require_GET
@login_required
@gzip_page
def department(request, department_id: int):
    """Show the overview restricted to one department, with its reporting record."""
    unit = get_object_or_404(Department, pk=department_id)
    if not permissions.can_view_department_dashboard(request.user, unit):
        raise PermissionDenied
    programme, period, periods = _programme_and_period(request)
    version = data_version.current(programme_id=programme.pk)
    key = page_key(
        "department", user=request.user, version=version, period=period.pk, department=unit.pk
    )
    dashboards = permissions.can_view_dashboards(request.user)
    values = functools.cache(
        lambda: _department_values(programme, period, periods, unit, dashboards=dashboards)
    )
    body, _hit = cached_content(
        key, lambda: render_to_string("reports/dashboard_department_body.html", values())
    )
    page = {"programme": programme, "period": period, "unit": unit, "body": body}
    return render(request, "reports/dashboard_department.html", {**_lazy(values), **page})


def _department_values(programme, period, periods, unit, *, dashboards: bool) -> dict:
    result = figures.department_figures(programme=programme, period=period, department=unit)
    record = figures.department_record(programme=programme, department=unit)
    return {
        **_picker_context(programme, period, periods),
        "figures": result,
        "record": record,
        "charts": charts.department_charts(result, record=record),
        "can_view_dashboards": dashboards,
    }


@require_GET
@login_required
@gzip_page
def programmes(request):
    """Show every programme's headline figures for its current period."""
    if not permissions.can_view_dashboards(request.user):
        raise PermissionDenied
    tokens = data_version.all_tokens()
    key = page_key("programmes", user=request.user, version=data_version.joined(tokens))
    values = functools.cache(lambda: _programmes_values(tokens))
    body, _hit = cached_content(
        key, lambda: render_to_string("reports/dashboard_programmes_body.html", values())
    )
    return render(request, "reports/dashboard_programmes.html", {**_lazy(values), "body": body})


def _programmes_values(tokens) -> dict:
    rows = figures.programmes_overview(tokens=tokens)
    return {"rows": rows, "table": programme_table(rows), "today": clock.today()}


# What the templates of the cached content use, also offered to the page's context (the
# tests read it), computed only if asked for: a page served from the cache never computes
# them.
LAZY_NAMES = ("figures", "departments", "charts", "record", "rows", "headers", "sort")


def _lazy(values) -> dict:
    return {name: SimpleLazyObject(lambda name=name: values().get(name)) for name in LAZY_NAMES}


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


def clean_sort(sort: str) -> str:
    """Return ``sort`` if it names a column (KEY or -KEY), else "name"."""
    return sort if sort.lstrip("-") in DEPARTMENT_SORTS else "name"


def sort_headers(sort: str, *, programme, period) -> list[dict]:
    """Return the department table's headers: label, the URL of its link, its arrow.

    The link names the programme and period it was shown for (not the request's query
    string: the content is cached, and shared by every request for that page).
    """
    headers = []
    for key, label in DEPARTMENT_COLUMNS:
        arrow = "▲" if sort == key else "▼" if sort == f"-{key}" else ""
        link = f"-{key}" if sort == key else key
        query = urlencode({"programme": programme.code, "period": period.pk, "sort": link})
        headers.append({"key": key, "label": label, "url": f"?{query}", "arrow": arrow})
    return headers


# A constant (no value in it): safe as written.
ZERO_CELL = '<td class="num">0</td>'


def department_table(rows: list, *, programme, period) -> str:
    """Return the department table's body rows as HTML, each number linked to its tasks.

    Built in Python rather than with template tags: a 150-row table of linked numbers costs
    several times less this way, and plain f-strings with ``escape`` on every value that is
    not an ``int`` a few times less than ``format_html`` (2,000 cells a page). A zero links
    to an empty list: it stays plain text (a third of the page's bytes).
    """
    task_list = reverse("task-list")
    view = reverse("dashboard-department", args=[0]).removesuffix("0/")
    suffix = escape(f"?programme={programme.code}&period={period.pk}")

    def cell(url, n):
        return f'<td class="num"><a href="{escape(url)}">{int(n)}</a></td>' if n else ZERO_CELL

    def row_html(row):
        unit = int(row.department.pk)
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
        cells = "".join(cell(url, n) for url, n in linked)
        rate = "—" if row.on_time_rate is None else escape(f"{row.on_time_rate}%")
        return (
            f'<tr><th scope="row"><a href="{escape(view)}{unit}/{suffix}">'
            f"{escape(row.department.name)}</a></th>{cells}"
            f'<td class="num">{int(row.returned)}</td><td class="num">{rate}</td></tr>'
        )

    # Safe: every value above is an int or went through escape().
    return mark_safe("\n".join(row_html(row) for row in rows))


def programme_table(rows: list) -> list[str]:
    """Return the all-programmes table's body rows as HTML, one per programme.

    Built like ``department_table`` (f-strings, ``escape`` on every value that is not a
    number): 100 programmes' 1,200 cells cost a template several times more.
    """
    task_list = reverse("task-list")
    dashboard = reverse("dashboard")

    def link(url, n):
        return f'<a href="{escape(url)}">{int(n)}</a>'

    def row_html(row):
        tasks, reporting, period = row.tasks, row.reporting, row.period
        code = row.programme.code
        base = f"{task_list}?{urlencode({'programme': code})}"
        mean = "—" if tasks.mean_percent is None else escape(f"{tasks.mean_percent}")
        rate = "—" if reporting.on_time_rate is None else escape(f"{reporting.on_time_rate}%")
        missing = (
            link(f"{base}&reporting=missing&period={int(period.pk)}", reporting.missing)
            if period
            else "0"
        )
        cells = (
            link(base, tasks.total),
            link(f"{base}&confirmed=1", tasks.completed_confirmed),
            f"{mean}%",
            link(f"{base}&overdue=1", tasks.overdue),
            link(f"{base}&status=blocked", tasks.by_status["blocked"]),
            link(f"{base}&coordination=1", tasks.needs_coordination),
            f"{link(f'{base}&colour=red', tasks.by_colour['red'])} / "
            f"{link(f'{base}&colour=yellow', tasks.by_colour['yellow'])}",
            f"{int(reporting.expected)}",
            missing,
            rate,
        )
        query = escape(urlencode({"programme": code}))
        return (
            f'<tr><th scope="row"><a href="{escape(dashboard)}?{query}">'
            f"{escape(row.programme.title)}</a></th>"
            f"<td>{escape(period) if period else '—'}</td>"
            + "".join(f'<td class="num">{cell}</td>' for cell in cells)
            + "</tr>"
        )

    # Safe: every value above is an int or went through escape().
    return [mark_safe(row_html(row)) for row in rows]
