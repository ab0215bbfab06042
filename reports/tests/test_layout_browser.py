"""Readable at 1366 px and 390 px: no sideways scroll, wide task columns, unclipped charts.

Issue 11, item 3. The chart settings are read back from the drawn ECharts instances, so
what is checked is what the browser drew, not only what the server sent.
"""

import datetime

import pytest

from conftest import browser_login
from pilot.testing.factories import UpdateFactory
from tasks.models import Task, UpdateState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
LONG_MEASURE = "推进国际贸易单一窗口与口岸通关便利化，建立跨部门数据共享与联合监管机制。"

SCROLLS = "() => document.documentElement.scrollWidth <= window.innerWidth"
# The rendered width of each row's task cell, in multiples of its font size.
TASK_COLUMN = """(selector) => Array.from(document.querySelectorAll(selector)).map((cell) =>
  cell.getBoundingClientRect().width / parseFloat(getComputedStyle(cell).fontSize))"""
OPTIONS = """() => Object.fromEntries(Array.from(document.querySelectorAll('.chart')).map(
  (el) => [el.id, echarts.getInstanceByDom(el).getOption()]))"""
ELLIPSES = """() => Array.from(document.querySelectorAll('.chart svg text'))
  .map((text) => text.textContent).filter((text) => text.includes('…'))"""


@pytest.fixture
def filed(plan):
    """A long measure, and task 1's update submitted in every period, for the queue."""
    Task.objects.filter(pk=plan.tasks[0].pk).update(measure=LONG_MEASURE)
    for period in plan.periods.values():
        UpdateFactory(
            task=plan.tasks[0],
            period=period,
            department=plan.commerce,
            state=UpdateState.SUBMITTED,
            submitted_at=datetime.datetime(2021, 3, 9, tzinfo=datetime.UTC),
        )
    return plan


def _open(page, url, viewport):
    page.set_viewport_size(viewport)
    page.goto(url)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_dashboard_fits_the_screen_and_its_charts_keep_their_labels(
    page, plan, personas, viewport
):
    browser_login(page, "office")
    _open(page, "/dashboard/", viewport)
    page.wait_for_selector("#chart-category[data-drawn=true] svg")

    assert page.evaluate(SCROLLS)
    options = page.evaluate(OPTIONS)
    assert len(options) == 6
    for key in ("chart-status", "chart-colour", "chart-reporting"):
        serie = options[key]["series"][0]
        assert serie["label"]["overflow"] == "break"
        assert serie["avoidLabelOverlap"] is True
        assert [legend["type"] for legend in options[key]["legend"]] == ["plain"]
    assert options["chart-due"]["xAxis"][0]["axisLabel"]["rotate"] == 30
    assert options["chart-trend"]["xAxis"][0]["axisLabel"]["hideOverlap"] is True
    assert options["chart-category"]["yAxis"][0]["axisLabel"]["overflow"] == "break"
    # ECharts marks a label it had to cut with an ellipsis (the 正…, 未… of the issue).
    assert page.evaluate(ELLIPSES) == []


def test_the_status_cards_take_two_columns_on_a_phone(page, plan, personas):
    browser_login(page, "office")
    _open(page, "/dashboard/", PHONE)

    cards = page.locator(".stat-grid > .card")
    lefts = {round(box["x"]) for box in (cards.nth(i).bounding_box() for i in range(8))}
    assert len(lefts) == 2
    grid = page.locator(".stat-grid").bounding_box()
    assert grid["height"] < 400  # one card per row took about 650 px


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_task_list_fits_and_its_task_column_is_readable(page, filed, personas, viewport):
    browser_login(page, "office")
    _open(page, "/tasks/", viewport)

    assert page.evaluate(SCROLLS)
    widths = page.evaluate(TASK_COLUMN, ".task-table td.task-cell")
    assert len(widths) == 3
    assert min(widths) >= 12


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_review_queue_fits_and_its_task_column_is_readable(page, filed, personas, viewport):
    browser_login(page, "office")
    _open(page, "/review/", viewport)

    assert page.evaluate(SCROLLS)
    widths = page.evaluate(TASK_COLUMN, ".review-queue td.task-cell")
    assert len(widths) >= 1
    assert min(widths) >= 12


def test_phone_rows_are_cards_headed_by_their_column_names(page, filed, personas):
    browser_login(page, "office")
    _open(page, "/tasks/", PHONE)

    cell = page.locator(".task-table td[data-label='完成期限']").first
    label = cell.evaluate("(el) => getComputedStyle(el, '::before').content")
    assert label == '"完成期限"'
    assert page.locator(".task-table thead").bounding_box()["height"] <= 1
