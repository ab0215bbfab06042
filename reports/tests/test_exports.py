"""The monthly, summary and urging documents, read back with openpyxl and python-docx.

Expected figures are counted by hand from ``pilot/testing/february.py``.
"""

import datetime
from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook

from pilot.testing.factories import AssignmentFactory, TaskFactory
from reports import exports, selectors

pytestmark = pytest.mark.django_db


def _workbook(plan, period):
    return load_workbook(
        BytesIO(exports.build_monthly_workbook(programme=plan.programme, period=period))
    )


def _rows(sheet):
    return list(sheet.iter_rows(values_only=True))


def _table(sheet):
    """Return a sheet's rows from its header row on (row 1 is the sheet's title)."""
    return _rows(sheet)[1:]


def _pairs(sheet) -> dict:
    return {row[0]: row[1] for row in _rows(sheet) if row and row[0] is not None}


def _text(document) -> str:
    paragraphs = [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(paragraphs + cells)


def test_monthly_workbook_has_the_four_sheets(plan, february):
    workbook = _workbook(plan, february)

    assert workbook.sheetnames == ["汇总", "任务进展明细", "未按期报送", "需协调解决事项"]


def test_summary_sheet_shows_the_hand_counted_headline_figures(plan, february):
    pairs = _pairs(_workbook(plan, february)["汇总"])

    assert pairs["任务总数"] == 3
    assert pairs["平均完成进度"] == 0.2  # a number shown with a % format
    assert (pairs["未启动"], pairs["正常推进"], pairs["进度滞后"], pairs["受阻"]) == (1, 1, 1, 0)
    assert pairs["需协调解决的任务"] == 1
    assert (pairs["本期应报送"], pairs["按期报送"], pairs["逾期报送"], pairs["未报送"]) == (
        6,
        3,
        1,
        2,
    )
    assert pairs["按期报送率"] == 0.5


def test_summary_sheet_counts_statuses_by_category(plan, february):
    rows = _rows(_workbook(plan, february)["汇总"])

    by_category = {row[0]: row[1:8] for row in rows if row[0] and str(row[0]).startswith("（")}
    assert by_category["（一）完善管理体制"] == (2, 0, 1, 1, 0, 0, 0)
    assert by_category["（二）扩大对外开放"] == (1, 1, 0, 0, 0, 0, 0)


def test_summary_sheet_gives_each_departments_reporting_rate(plan, february):
    rows = _rows(_workbook(plan, february)["汇总"])

    by_unit = {row[0]: row[3:9] for row in rows if row[0] in ("海口海关", "省商务厅", "省财政厅")}
    assert by_unit["海口海关"] == (2, 1, 1, 0, 0, 0.5)
    # Its task-3 update was returned once (return_count 1 in the data set).
    assert by_unit["省商务厅"] == (3, 2, 0, 1, 1, pytest.approx(0.667))
    assert by_unit["省财政厅"] == (1, 0, 0, 1, 0, 0)


def test_detail_sheet_has_one_row_per_task_with_the_lead_units_text(plan, february):
    rows = _table(_workbook(plan, february)["任务进展明细"])

    assert rows[0][:3] == ("序号", "类别", "具体举措")
    assert [row[0] for row in rows[1:]] == [1, 2, 3]
    task2 = rows[2]
    assert task2[3:7] == ("海口海关", "省商务厅", "进度滞后", 0.2)
    assert task2[7:9] == ("完成通关流程梳理。", "需要协调查验场地。")
    assert task2[10] == "海口海关：已采纳；省商务厅：未填报"


def test_detail_sheet_marks_late_and_returned_reports(plan, february):
    rows = _table(_workbook(plan, february)["任务进展明细"])

    assert rows[1][11] == "海口海关逾期"
    assert rows[3][11] == "省商务厅退回1次"
    assert rows[3][7] is None  # a returned text is not quoted as the period's progress


def test_detail_sheet_is_set_up_for_a3_landscape_printing(plan, february):
    sheet = _workbook(plan, february)["任务进展明细"]

    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 8  # A3: twelve columns are too wide for A4
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.freeze_panes == "A3"


def test_late_sheet_lists_units_with_missing_or_late_tasks(plan, february):
    rows = _table(_workbook(plan, february)["未按期报送"])

    by_unit = {row[0]: row[1:] for row in rows[1:]}
    assert by_unit == {
        "海口海关": (0, 1, None, "1"),
        "省商务厅": (1, 0, "2", None),
        "省财政厅": (1, 0, "3", None),
    }


def test_coordination_sheet_lists_flagged_problems(plan, february):
    rows = _table(_workbook(plan, february)["需协调解决事项"])

    assert rows[1:] == [(2, "通关便利化。", "海口海关", "需要协调查验场地。")]


def test_monthly_document_states_the_same_figures(plan, february):
    content = exports.build_monthly_document(programme=plan.programme, period=february)

    text = _text(Document(BytesIO(content)))
    assert "试点任务共3项" in text
    assert "平均完成进度20.0%" in text
    assert "应报送6份，按期报送3份，逾期报送1份，未报送2份，按期报送率50.0%" in text
    assert "1.“通关便利化”（第2项，海口海关）：需要协调查验场地。" in text
    assert "本期有1项任务提出需协调解决的问题" in text
    units = {
        row.cells[0].text: [c.text for c in row.cells[1:]]
        for row in document_tables(content)[1].rows[1:]
    }
    assert units["省财政厅"] == ["1", "0", "0", "1", "—", "3"]
    assert units["海口海关"] == ["2", "1", "1", "0", "1", "—"]
    assert "督促未报送的单位补报2021年2月进展情况。" in text


def document_tables(content):
    return Document(BytesIO(content)).tables


def test_urging_notice_addresses_the_department_and_lists_its_tasks(plan, february):
    content = exports.build_urging_notice(
        programme=plan.programme, period=february, department=plan.commerce
    )

    document = Document(BytesIO(content))
    text = _text(document)
    assert (
        document.paragraphs[0].text.replace("\n", "") == "关于补报2021年2月试点任务进展情况的通知"
    )
    assert "省商务厅：" in text
    assert "贵单位尚有1项任务未报送进展情况" in text
    assert [c.text for c in document.tables[0].rows[1].cells] == ["2", "通关便利化。"]


def test_summary_workbook_lists_the_reporting_of_each_due_period(plan, february):
    content = exports.build_summary_workbook(
        programme=plan.programme, as_of=datetime.date(2021, 3, 10)
    )

    rows = _table(load_workbook(BytesIO(content))["各期报送情况"])
    assert rows[1:] == [
        ("2021年1月", datetime.datetime(2021, 1, 25), 6, 0, 0, 6, 0),
        ("2021年2月", datetime.datetime(2021, 2, 25), 6, 3, 1, 2, 0.5),
    ]


def test_summary_document_lists_unfinished_tasks(plan, february):
    content = exports.build_summary_document(
        programme=plan.programme, as_of=datetime.date(2021, 3, 10)
    )

    document = Document(BytesIO(content))
    assert "尚有3项任务未完成" in _text(document)
    unfinished = document.tables[2]
    # Task numbers are separated by 、 and a zero-width space (a line may break there).
    assert [[c.text.replace("\u200b", "") for c in row.cells] for row in unfinished.rows] == [
        ["类别", "项数", "任务序号"],
        ["（一）完善管理体制", "2", "1、2"],
        ["（二）扩大对外开放", "1", "3"],
    ]


def test_task_rows_take_the_same_number_of_queries_for_more_tasks(
    plan, february, django_assert_max_num_queries
):
    # The status rule as of the period (periods, tasks, lead units, accepted updates), then
    # the task rows with their two prefetches.
    with django_assert_max_num_queries(7):
        assert len(list(selectors.task_rows(programme=plan.programme, period=february))) == 3
    for number in range(4, 24):
        task = TaskFactory(programme=plan.programme, category=plan.categories[0], number=number)
        AssignmentFactory(task=task, department=plan.finance)

    with django_assert_max_num_queries(7):
        assert len(list(selectors.task_rows(programme=plan.programme, period=february))) == 23
