"""The dashboard's ECharts options keep every label readable (issue 11, item 3).

The options are built in Python (reports/views/charts.py) and drawn as they are by
static/js/charts.js; these tests read them from the page's context.
"""

import json

import pytest

pytestmark = pytest.mark.usefixtures("clock")


def _charts(client, url="/dashboard/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["charts"]


def _walk(value):
    """Yield every dict inside ``value`` (an option), depth first."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def test_no_chart_pages_its_legend(clients):
    for spec in _charts(clients.office).values():
        legends = [spec["option"]["legend"]] if "legend" in spec["option"] else []
        assert all(legend["type"] == "plain" for legend in legends), spec["id"]
        assert not any(part.get("type") == "scroll" for part in _walk(spec["option"]))


def test_pie_labels_break_onto_lines_instead_of_being_cut(clients):
    charts = _charts(clients.office)

    for key in ("status", "colour", "reporting"):
        serie = charts[key]["option"]["series"][0]
        assert serie["type"] == "pie"
        assert serie["avoidLabelOverlap"] is True
        assert serie["label"]["overflow"] == "break"
        assert serie["label"]["formatter"] == "{b}\n{c}"
        # The ring leaves the outer half of the card to the labels.
        assert serie["radius"] == ["28%", "50%"]


def test_an_empty_slice_has_no_label_to_collide_with_its_neighbours(clients):
    data = _charts(clients.office)["status"]["option"]["series"][0]["data"]

    shown = {item["name"]: item.get("label", {}).get("show", True) for item in data}
    # Nobody has filed: the three tasks are all 未启动, every other slice is empty.
    assert shown == {
        "未启动": True,
        "正常推进": False,
        "进度滞后": False,
        "受阻": False,
        "已完成": False,
    }
    assert [item["value"] for item in data] == [3, 0, 0, 0, 0]


def test_the_due_chart_shows_every_label_rotated(clients):
    option = _charts(clients.office)["due"]["option"]

    assert option["xAxis"]["data"] == ["全部任务", "已办结", "已到期", "到期已办结", "逾期未办结"]
    assert option["xAxis"]["axisLabel"] == {"interval": 0, "rotate": 30, "hideOverlap": False}
    assert option["grid"]["containLabel"] is True


def test_the_trend_thins_out_its_periods_and_hides_overlaps(clients):
    option = _charts(clients.office)["trend"]["option"]

    assert option["xAxis"]["axisLabel"] == {"interval": "auto", "hideOverlap": True}
    assert option["legend"] == {"type": "plain", "top": 0, "left": "center"}
    # Two legend lines fit above the plot.
    assert option["grid"]["top"] == 56


def test_category_labels_break_and_the_chart_grows_with_the_categories(clients):
    spec = _charts(clients.office)["category"]

    axis = spec["option"]["yAxis"]
    assert axis["data"] == ["（一）完善管理体制", "（二）扩大对外开放"]
    assert axis["axisLabel"]["overflow"] == "break"
    assert axis["axisLabel"]["width"] == 112
    assert axis["inverse"] is True
    assert spec["height"] == 320  # two categories fit the standard height


def test_the_department_view_uses_the_same_settings(clients, plan):
    charts = _charts(clients.lead, f"/dashboard/departments/{plan.commerce.pk}/")

    assert charts["record"]["option"]["xAxis"]["axisLabel"]["hideOverlap"] is True
    assert charts["status"]["option"]["series"][0]["label"]["overflow"] == "break"


def test_the_page_ships_the_option_to_the_browser(clients):
    content = clients.office.get("/dashboard/").content.decode()

    start = content.index('<script id="chart-due-data" type="application/json">')
    text = content[content.index(">", start) + 1 : content.index("</script>", start)]
    assert json.loads(text)["option"]["xAxis"]["axisLabel"]["rotate"] == 30


def test_the_department_table_lists_units_by_kind_then_pinyin_collectives_last(clients):
    table = str(clients.office.get("/dashboard/").context["departments"])

    # 省财政厅 (provincial, cai) < 省商务厅 (provincial, shang) < 海口海关 (central)
    # < 各市县 (collective), though code points would put 各 and 海 before 省.
    positions = [table.index(name) for name in ("省财政厅", "省商务厅", "海口海关", "各市县")]
    assert positions == sorted(positions)


def test_sorting_by_name_descending_reverses_that_order(clients):
    table = str(clients.office.get("/dashboard/", {"sort": "-name"}).context["departments"])

    assert table.index("各市县") < table.index("海口海关") < table.index("省财政厅")
