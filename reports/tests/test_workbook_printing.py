"""Workbooks that print and sort: paper, titles, filters, formats, heights, fonts, labels.

Uses the hand-counted February 2021 of ``pilot/testing/february.py``.
"""

import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from pilot.spreadsheet import DATE_FORMAT, FONT_NAME
from pilot.testing.factories import stamp
from reports import exports
from tasks.exports.plan import build_plan_workbook
from tasks.models import Task

pytestmark = pytest.mark.django_db

A3, A4 = 8, 9


@pytest.fixture
def monthly(plan, february):
    content = exports.build_monthly_workbook(programme=plan.programme, period=february)
    return load_workbook(BytesIO(content))


@pytest.fixture
def summary(plan, february):
    content = exports.build_summary_workbook(
        programme=plan.programme, as_of=datetime.date(2021, 3, 10)
    )
    return load_workbook(BytesIO(content))


def test_the_detail_sheet_prints_on_a3_landscape_fitted_to_the_width(monthly):
    sheet = monthly["任务进展明细"]

    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize)) == ("landscape", A3)
    assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage


def test_narrow_sheets_stay_on_a4(monthly):
    for name in ("汇总", "未按期报送", "需协调解决事项"):
        assert int(monthly[name].page_setup.paperSize) == A4, name


def test_the_detail_sheet_has_a_title_naming_programme_and_period(monthly):
    sheet = monthly["任务进展明细"]

    assert sheet["A1"].value == "测试试点方案 2021年2月工作月报：任务进展明细"
    assert sheet["A1"].font.b
    assert "2021年2月" in sheet.HeaderFooter.oddHeader.center.text


def test_the_header_row_repeats_on_every_page_and_carries_the_filter(monthly):
    sheet = monthly["任务进展明细"]

    assert sheet.print_title_rows == "$2:$2"
    assert sheet.auto_filter.ref == "A2:L5"  # header and the three tasks
    assert sheet.freeze_panes == "A3"


def test_every_page_footer_numbers_the_pages(monthly):
    for sheet in monthly:
        footer = sheet.HeaderFooter.oddFooter.center.text
        assert "&P" in footer and "&N" in footer, sheet.title


def test_percentages_are_numbers_with_a_percent_format(monthly, summary):
    detail = monthly["任务进展明细"]
    task2 = detail["G4"]  # 完成进度 of task 2
    rate = next(row[1] for row in monthly["汇总"].iter_rows() if row[0].value == "按期报送率")

    assert (task2.value, task2.number_format) == (0.2, "0%")
    assert (rate.value, rate.number_format) == (0.5, "0.0%")
    history_rate = summary["各期报送情况"]["G4"]
    assert (history_rate.value, history_rate.number_format) == (0.5, "0.0%")


def test_dates_are_real_dates_with_a_chinese_format(summary):
    due = summary["各期报送情况"]["B4"]  # February's due date
    task_due = summary["未完成任务"]["F3"]

    assert (due.value, due.number_format) == (datetime.datetime(2021, 2, 25), DATE_FORMAT)
    assert isinstance(task_due.value, datetime.datetime)
    assert task_due.number_format == DATE_FORMAT


def test_every_written_row_has_a_height_and_long_text_gets_more(plan, february):
    Task.objects.filter(pk=plan.tasks[0].pk).update(measure="建设单一窗口。" * 30)
    content = exports.build_monthly_workbook(programme=plan.programme, period=february)
    sheet = load_workbook(BytesIO(content))["任务进展明细"]

    heights = [sheet.row_dimensions[row].height for row in range(1, 6)]
    assert all(heights)
    assert heights[2] > 4 * heights[3]  # task 1's long measure wraps to many lines


def test_cells_use_a_font_a_chinese_pc_has(monthly):
    sheet = monthly["任务进展明细"]

    assert {sheet["A2"].font.name, sheet["C3"].font.name, sheet["H4"].font.name} == {FONT_NAME}


def test_cumulative_return_counts_are_labelled_as_such(monthly):
    headers = [c.value for row in monthly["汇总"].iter_rows() for c in row]
    detail_headers = [c.value for c in monthly["任务进展明细"][2]]

    assert "累计退回次数" in headers
    assert "逾期/累计退回" in detail_headers


def test_a_task_confirmed_before_the_period_is_marked_as_not_reporting(plan, february):
    Task.objects.filter(pk=plan.tasks[2].pk).update(completion_confirmed_at=stamp(2021, 1, 20))

    content = exports.build_monthly_workbook(programme=plan.programme, period=february)

    sheet = load_workbook(BytesIO(content))["任务进展明细"]
    assert sheet["K5"].value == "无需报送（已办结确认）"  # task 3
    assert sheet["K4"].value == "海口海关：已采纳；省商务厅：未填报"  # task 2, still open


def test_the_summary_workbook_sheets_have_titles_and_filters(summary):
    assert summary["汇总"]["A1"].value.startswith("测试试点方案试点总结")
    assert summary["各期报送情况"].auto_filter.ref == "A2:G4"
    assert summary["未完成任务"].print_title_rows == "$2:$2"


def test_the_late_list_workbook_has_a_title_and_a_filter(plan, february):
    content = exports.build_late_list_workbook(programme=plan.programme, period=february)

    sheet = load_workbook(BytesIO(content)).active
    assert sheet["A1"].value == "2021年2月未按期报送名单（报送截止日 2021年2月25日）"
    assert sheet.auto_filter.ref == "A2:E5"


def test_the_plan_workbook_has_a_title_a_filter_and_row_heights(plan):
    workbook = BytesIO()
    build_plan_workbook(programme=plan.programme).save(workbook)

    sheet = load_workbook(workbook).active
    assert sheet["A1"].value == "测试试点方案责任分工表"
    assert sheet.auto_filter.ref == "A2:F5"
    assert sheet.row_dimensions[3].height


def test_the_task_list_export_types_its_dates_and_percentages(clients, plan, clock):
    Task.objects.filter(pk=plan.tasks[0].pk).update(completion_confirmed_at=stamp(2021, 3, 1))

    response = clients.office.get("/tasks/", {"format": "xlsx"})

    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value == "测试试点方案任务清单（2021年3月10日导出）"
    assert sheet["F3"].number_format == DATE_FORMAT
    assert isinstance(sheet["F3"].value, datetime.datetime)
    assert sheet["H3"].number_format == "0%"
    assert sheet["K3"].value == datetime.datetime(2021, 3, 1)  # 办结确认日期 of task 1
    assert sheet["K4"].value is None
    assert sheet.auto_filter.ref == "A2:K5"
    assert sheet.print_title_rows == "$2:$2"
