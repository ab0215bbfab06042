"""Chart specifications for ``static/js/charts.js``, built from ``reports.figures`` results.

A spec is plain JSON: ``kind`` (pie, bar, stacked-bar, area), ``labels``, ``series`` (name,
colour, data, optional links per point), ``columns`` / ``rows`` for the accessible table
rendered behind every chart, ``height`` (px) and ``option``: the whole ECharts option, built
here so that the settings that keep labels readable (pie labels that break instead of being
cut to 正…, plain legends instead of paged ones, axis labels that rotate or thin out instead
of overlapping) are plain data a Python test can check.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tasks.models import TaskStatus

# Every series colour has at least 3:1 contrast on the white chart background (WCAG 1.4.11);
# pilot/tests/test_accessibility.py checks it.
STATUS_COLOURS = {
    TaskStatus.NOT_STARTED: "#6b7280",
    TaskStatus.ON_TRACK: "#15803d",
    TaskStatus.BEHIND: "#b45309",
    TaskStatus.BLOCKED: "#dc2626",
    TaskStatus.COMPLETED: "#2563eb",
}
WARNING_COLOURS = {"green": "#15803d", "yellow": "#b45309", "red": "#dc2626"}
REPORTING_COLOURS = {"on_time": "#15803d", "late": "#b45309", "missing": "#dc2626"}


def task_list_url(programme, **filters) -> str:
    """Return the task list URL filtered by ``filters`` (the drill-down target)."""
    query = {"programme": programme.code, **{k: v for k, v in filters.items() if v != ""}}
    return f"{reverse('task-list')}?{urlencode(query)}"


class ChartSpec(dict):
    """A chart spec (plain JSON for ``json_script``) that also renders its table's rows."""

    @property
    def drawing(self) -> dict:
        """Return what ``static/js/charts.js`` draws from: the option and the height. The
        labels and figures are in the option already and in the table beside the chart, so
        the rest of the spec is not sent again."""
        return {"option": self["option"], "height": self["height"]}

    @property
    def body_html(self) -> str:
        """Return the accessible table's body rows (first cell a row header), escaped."""
        rows = []
        for label, *cells in self["rows"]:
            numbers = "".join(f'<td class="num">{escape(cell)}</td>' for cell in cells)
            rows.append(f'<tr><th scope="row">{escape(label)}</th>{numbers}</tr>')
        # Safe: every cell went through escape.
        return mark_safe("".join(rows))

    @property
    def accessible_name(self) -> str:
        """Return the chart's title and figures as one sentence, the drawing's accessible
        name (``role="img"``): "任务状态分布：正常推进 任务数 3、占比 50.0%；…"."""
        parts = []
        for label, *cells in self["rows"]:
            figures = "、".join(
                f"{column} {cell}" for column, cell in zip(self["columns"], cells, strict=True)
            )
            parts.append(f"{label} {figures}")
        return _("%(title)s：%(figures)s") % {"title": self["title"], "figures": "；".join(parts)}


CHART_HEIGHT = 320
# Room above the plot for a legend of up to two lines (five status names wrap on a phone).
LEGEND_ROOM = 56
# Horizontal bars: enough height per category for a label broken onto two lines.
BAR_ROW_HEIGHT = 44
CATEGORY_LABEL_WIDTH = 112


def _pie_option(spec) -> dict:
    """Return the option of a ring chart whose labels break onto lines rather than clip."""
    serie = spec["series"][0]
    links = serie.get("links") or [None] * len(spec["labels"])
    data = []
    for label, value, colour, link in zip(
        spec["labels"], serie["data"], serie["colours"], links, strict=True
    ):
        item = {"name": label, "value": value, "link": link, "itemStyle": {"color": colour}}
        if not value:
            # An empty slice has no room: its label would sit on its neighbour's.
            item["label"] = {"show": False}
            item["labelLine"] = {"show": False}
        data.append(item)
    return {
        "tooltip": {"trigger": "item"},
        "legend": {"type": "plain", "bottom": 0, "left": "center"},
        "series": [
            {
                "name": serie["name"],
                "type": "pie",
                # Small enough to leave the labels room on a 220 px card.
                "radius": ["28%", "50%"],
                "center": ["50%", "45%"],
                "avoidLabelOverlap": True,
                "label": {"formatter": "{b}\n{c}", "overflow": "break", "lineHeight": 16},
                "labelLine": {"length": 6, "length2": 6},
                "data": data,
            }
        ],
    }


def _axis_option(spec, axis_label: dict) -> dict:
    """Return the option of a bar or area chart; ``axis_label`` sets the category labels."""
    horizontal = spec.get("horizontal", False)
    legend = len(spec["series"]) > 1
    category_axis = {"type": "category", "data": spec["labels"], "axisLabel": axis_label}
    if horizontal:
        # Read top-down in the plan's order: (一) first.
        category_axis["inverse"] = True
    value_axis = {"type": "value", "minInterval": 1}
    stacked = spec["kind"] in ("stacked-bar", "area")
    series = []
    for serie in spec["series"]:
        links = serie.get("links") or [None] * len(serie["data"])
        data = [
            {"value": value, "link": link} for value, link in zip(serie["data"], links, strict=True)
        ]
        if "colours" in serie:
            for point, colour in zip(data, serie["colours"], strict=True):
                point["itemStyle"] = {"color": colour}
        series.append(
            {
                "name": serie["name"],
                "type": "line" if spec["kind"] == "area" else "bar",
                **({"stack": "total"} if stacked else {}),
                **({"areaStyle": {}} if spec["kind"] == "area" else {}),
                **({"color": serie["colour"]} if "colour" in serie else {}),
                "data": data,
            }
        )
    option = {
        "tooltip": {"trigger": "axis"},
        "grid": {
            "left": 8,
            "right": 24,
            "top": LEGEND_ROOM if legend else 16,
            "bottom": 8,
            "containLabel": True,
        },
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": series,
    }
    if legend:
        option["legend"] = {"type": "plain", "top": 0, "left": "center"}
    return option


# Category labels: every label shown, two-line labels on the horizontal bars; on a time axis
# ECharts thins the periods out ("auto") and hides any that would still overlap.
FEW_LABELS = {"interval": 0, "rotate": 30, "hideOverlap": False}
LONG_LABELS = {
    "interval": 0,
    "width": CATEGORY_LABEL_WIDTH,
    "overflow": "break",
    "lineHeight": 14,
}
PERIOD_LABELS = {"interval": "auto", "hideOverlap": True}


def _spec(chart_id, kind, title, labels, series, *, axis_label=None, **extra) -> dict:
    columns = [item["name"] for item in series]
    rows = [[label, *[item["data"][i] for item in series]] for i, label in enumerate(labels)]
    if kind == "pie":
        whole = sum(series[0]["data"])
        columns.append(_("占比"))
        for row in rows:
            row.append(f"{100 * row[1] / whole:.1f}%" if whole else "—")
        links = series[0].get("links") or [None] * len(rows)
        extra["items"] = [
            {"label": row[0], "value": row[1], "share": row[2], "link": link}
            for row, link in zip(rows, links, strict=True)
        ]
    spec = ChartSpec(
        {
            "id": chart_id,
            "data_id": f"{chart_id}-data",
            "kind": kind,
            "title": title,
            "labels": labels,
            "series": series,
            "columns": columns,
            "rows": rows,
            "height": CHART_HEIGHT,
            **extra,
        }
    )
    if kind == "pie":
        spec["option"] = _pie_option(spec)
    else:
        spec["option"] = _axis_option(spec, axis_label or PERIOD_LABELS)
    if spec.get("horizontal"):
        spec["height"] = max(CHART_HEIGHT, LEGEND_ROOM + BAR_ROW_HEIGHT * len(labels) + 32)
    return spec


def status_chart(programme, tasks, *, chart_id="chart-status", **filters) -> dict:
    labels = [str(label) for label in TaskStatus.labels]
    series = [
        {
            "name": _("任务数"),
            "data": [tasks.by_status[status] for status in TaskStatus.values],
            "colours": [STATUS_COLOURS[status] for status in TaskStatus.values],
            "links": [
                task_list_url(programme, status=status, **filters) for status in TaskStatus.values
            ],
        }
    ]
    return _spec(chart_id, "pie", _("任务状态分布"), labels, series)


def colour_chart(programme, tasks, *, chart_id="chart-colour", **filters) -> dict:
    values = ("green", "yellow", "red")
    labels = [_("正常"), _("预警"), _("告警")]
    series = [
        {
            "name": _("任务数"),
            "data": [tasks.by_colour[colour] for colour in values],
            "colours": [WARNING_COLOURS[colour] for colour in values],
            "links": [task_list_url(programme, colour=colour, **filters) for colour in values],
        }
    ]
    return _spec(chart_id, "pie", _("预警灯分布"), labels, series)


def reporting_chart(programme, period, reporting, *, chart_id="chart-reporting", **filters):
    values = ("on_time", "late", "missing")
    labels = [_("按时报送"), _("逾期报送"), _("未报送")]
    series = [
        {
            "name": _("应报数"),
            "data": [getattr(reporting, value) for value in values],
            "colours": [REPORTING_COLOURS[value] for value in values],
            "links": [
                task_list_url(programme, reporting=value, period=period.pk, **filters)
                for value in values
            ],
        }
    ]
    return _spec(chart_id, "pie", _("本期报送情况"), labels, series)


def due_chart(programme, tasks, *, chart_id="chart-due", **filters) -> dict:
    labels = [_("全部任务"), _("已办结"), _("已到期"), _("到期已办结"), _("逾期未办结")]
    data = [
        tasks.total,
        tasks.completed_confirmed,
        tasks.past_due,
        tasks.past_due - tasks.overdue,
        tasks.overdue,
    ]
    links = [
        task_list_url(programme, **filters),
        task_list_url(programme, confirmed="1", **filters),
        task_list_url(programme, past_due="1", **filters),
        task_list_url(programme, past_due="1", confirmed="1", **filters),
        task_list_url(programme, overdue="1", **filters),
    ]
    colours = ["#64748b", "#2563eb", "#a16207", "#16a34a", "#dc2626"]
    series = [{"name": _("任务数"), "data": data, "colours": colours, "links": links}]
    return _spec(chart_id, "bar", _("完成与到期"), labels, series, axis_label=FEW_LABELS)


def category_chart(programme, categories, *, chart_id="chart-category", **filters) -> dict:
    labels = [f"{row.category.label}{row.category.title}" for row in categories]
    series = [
        {
            "name": str(label),
            "colour": STATUS_COLOURS[status],
            "data": [row.by_status[status] for row in categories],
            "links": [
                task_list_url(programme, category=row.category.pk, status=status, **filters)
                for row in categories
            ],
        }
        for status, label in TaskStatus.choices
    ]
    return _spec(
        chart_id,
        "stacked-bar",
        _("各类别任务进展"),
        labels,
        series,
        axis_label=LONG_LABELS,
        horizontal=True,
    )


def trend_chart(trend) -> dict:
    labels = [str(point.period) for point in trend]
    series = [
        {
            "name": str(label),
            "colour": STATUS_COLOURS[status],
            "data": [point.by_status[status] for point in trend],
        }
        for status, label in TaskStatus.choices
    ]
    return _spec("chart-trend", "area", _("各期任务状态走势"), labels, series)


def record_chart(record) -> dict:
    labels = [str(row.period) for row in record]
    names = {"on_time": _("按时报送"), "late": _("逾期报送"), "missing": _("未报送")}
    series = [
        {
            "name": names[value],
            "colour": REPORTING_COLOURS[value],
            "data": [getattr(row, value) for row in record],
        }
        for value in ("on_time", "late", "missing")
    ]
    return _spec("chart-record", "stacked-bar", _("各期报送记录"), labels, series)


def overview_charts(result, *, trend) -> dict:
    programme = result.programme
    return {
        "status": status_chart(programme, result.tasks),
        "colour": colour_chart(programme, result.tasks),
        "due": due_chart(programme, result.tasks),
        "reporting": reporting_chart(programme, result.period, result.reporting),
        "category": category_chart(programme, result.categories),
        "trend": trend_chart(trend),
    }


def department_charts(result, *, record) -> dict:
    programme, department = result.programme, result.department.pk
    return {
        "status": status_chart(programme, result.tasks, department=department),
        "colour": colour_chart(programme, result.tasks, department=department),
        "due": due_chart(programme, result.tasks, department=department),
        "reporting": reporting_chart(
            programme, result.period, result.reporting, department=department
        ),
        "category": category_chart(programme, result.categories, department=department),
        "record": record_chart(record),
    }
