"""The cumulative pilot summary (试点总结) as of a date: a workbook and a Word document."""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from pilot.spreadsheet import Percent
from reports import selectors
from reports.exports import common
from reports.exports.common import chinese_date
from reports.exports.gbt9704 import TABLE_SIZE
from reports.exports.monthly import (
    add_category_table,
    coordination_texts,
    focus_items,
    highlight_items,
    keep_together,
    lagging_item,
    lagging_tasks,
    numbers_text,
    office_name,
    overall_paragraphs,
    sign_and_issue,
)
from reports.figures import PeriodFigures, ReportingCounts, period_figures
from tasks.models import Programme, ReportingPeriod, TaskStatus

SUMMARY_WIDTHS = (30, 12, 12, 12, 12, 12, 12, 12)
HISTORY_WIDTHS = (16, 18, 12, 12, 12, 12, 14)
UNFINISHED_WIDTHS = (6, 28, 60, 12, 10, 18)


@dataclass(frozen=True)
class SummaryFigures:
    """The latest period's figures, plus each past period's reporting (from reports.figures)."""

    latest: PeriodFigures
    as_of: datetime.date
    history: list[tuple[ReportingPeriod, ReportingCounts]]
    states: dict = field(default_factory=dict)  # {task id: TaskState} as of the latest period


def summary_figures(*, programme: Programme, as_of: datetime.date) -> SummaryFigures | None:
    """Return the figures of every period due by ``as_of`` (None when none is due yet)."""
    periods = selectors.periods_until(programme=programme, as_of=as_of)
    if not periods:
        return None
    history = []
    latest = None
    for period in periods:
        latest = period_figures(programme=programme, period=period)
        history.append((period, latest.reporting))
    return SummaryFigures(latest=latest, as_of=as_of, history=history, states=latest.states)


def summary_title(programme: Programme, as_of: datetime.date) -> str:
    return _("%(programme)s试点总结（截至%(day)s）") % {
        "programme": programme,
        "day": chinese_date(as_of),
    }


def history_headers() -> list[str]:
    return [
        _("期次"),
        _("报送截止日"),
        _("应报送"),
        _("按期"),
        _("逾期"),
        _("未报送"),
        _("按期报送率"),
    ]


def history_values(
    period: ReportingPeriod, counts: ReportingCounts, *, typed: bool = False
) -> list:
    """Return one period's reporting row: text for documents, or ``typed`` for workbooks."""
    return [
        str(period),
        period.due_on if typed else period.due_on.isoformat(),
        counts.expected,
        counts.on_time,
        counts.late,
        counts.missing,
        Percent(counts.on_time_rate) if typed else common.percent_text(counts.on_time_rate),
    ]


def _require(figures: SummaryFigures | None) -> SummaryFigures:
    if figures is None:
        raise ValueError(_("截至该日期尚无到期的报送期次，无法生成试点总结。"))
    return figures


def build_summary_workbook(
    *, programme: Programme, as_of: datetime.date, figures: SummaryFigures | None = None
) -> bytes:
    """Return the 试点总结 workbook (.xlsx bytes)."""
    figures = _require(figures or summary_figures(programme=programme, as_of=as_of))
    title = summary_title(programme, as_of)
    workbook = common.new_workbook()
    table = common.printable_sheet(
        workbook, _("汇总"), SUMMARY_WIDTHS, header_row=None, page_title=title
    )
    table.title(title)
    table.header([_("指标"), _("数值")])
    for label, value in common.headline_items(figures.latest, percent=Percent):
        table.row([label, value])
    table.blank()
    table.header(common.category_headers())
    for row in figures.latest.categories:
        table.row(common.category_values(row))
    table = _titled_sheet(workbook, _("各期报送情况"), HISTORY_WIDTHS, title)
    table.header(history_headers())
    for period, counts in figures.history:
        table.row(history_values(period, counts, typed=True))
    table.filter_table()
    table = _titled_sheet(workbook, _("未完成任务"), UNFINISHED_WIDTHS, title)
    table.header(unfinished_headers())
    for task in selectors.unfinished_tasks(
        programme=programme, states=figures.states, period=figures.latest.period
    ):
        table.row(unfinished_values(task))
    table.filter_table()
    return common.workbook_bytes(workbook)


def _titled_sheet(workbook, name: str, widths, title: str):
    table = common.printable_sheet(workbook, name, widths, page_title=title)
    table.title(_("%(title)s：%(sheet)s") % {"title": title, "sheet": name})
    return table


def unfinished_headers() -> list[str]:
    return [_("序号"), _("类别"), _("具体举措"), _("推进状态"), _("完成进度"), _("完成期限")]


def unfinished_values(task) -> list:
    return [
        task.number,
        str(task.category),
        task.measure,
        TaskStatus(task.status).label,
        Percent(task.percent, decimals=0),
        task.due_on,
    ]


def build_summary_document(
    *, programme: Programme, as_of: datetime.date, figures: SummaryFigures | None = None
) -> bytes:
    """Return the 试点总结 as a Word document (.docx bytes): 主要成效, 经验做法, 存在问题,
    下步打算, as of the latest period due by ``as_of``, signed by the office on ``as_of``."""
    figures = _require(figures or summary_figures(programme=programme, as_of=as_of))
    latest = figures.latest
    tasks = selectors.report_tasks(programme=programme, period=latest.period, states=figures.states)
    lagging = lagging_tasks(tasks)
    office = office_name(programme)
    document = common.new_document(office=office)
    document.add_heading(summary_title(programme, as_of), level=0)
    document.add_paragraph(
        _("统计截至%(period)s报送截止日（%(due)s），以截至该日已采纳的报送和办结确认为准。")
        % {"period": latest.period, "due": chinese_date(latest.period.due_on)}
    )
    document.add_heading(_("一、主要成效"), level=1)
    document.add_heading(_("（一）总体完成情况"), level=2)
    for text in overall_paragraphs(latest):
        document.add_paragraph(text)
    document.add_heading(_("（二）分类完成情况"), level=2)
    add_category_table(document, latest)
    document.add_heading(_("（三）各期报送情况"), level=2)
    table = common.add_table(
        document,
        period_headers(),
        [period_values(period, counts) for period, counts in figures.history],
        widths=PERIOD_WIDTHS,
    )
    keep_together(table)
    document.add_heading(_("二、经验做法"), level=1)
    common.add_items(document, highlight_items(tasks), empty=_("暂无已采纳的进展报送。"))
    document.add_heading(_("三、存在问题"), level=1)
    document.add_heading(_("（一）滞后和受阻任务"), level=2)
    common.add_items(
        document, [lagging_item(task) for task in lagging], empty=_("无滞后和受阻任务。")
    )
    document.add_heading(_("（二）尚未完成的任务"), level=2)
    add_unfinished(
        document,
        selectors.unfinished_tasks(
            programme=programme, states=figures.states, period=figures.latest.period
        ),
    )
    document.add_heading(_("（三）需协调解决的问题"), level=2)
    items = selectors.coordination_items(programme=programme, period=latest.period)
    common.add_items(document, coordination_texts(items), empty=_("目前无需协调解决的问题。"))
    document.add_heading(_("四、下步打算"), level=1)
    common.add_items(
        document, focus_items(lagging, latest), empty=_("巩固试点成果，做好总结评估。")
    )
    sign_and_issue(document, office=office, day=as_of)
    return common.document_bytes(document)


# The document's own columns for the periods' reporting: the workbook's (history_*) keep
# dates as cell values, the document writes them out (2022年12月25日).
# 期次 (2022年12月), 报送截止日 on one line, then the counts and the rate.
PERIOD_WIDTHS = (7, 9, 3, 3, 3, 3, 5)


def period_headers() -> list[str]:
    return [
        _("期次"),
        _("报送截止日"),
        _("应报送"),
        _("按期"),
        _("逾期"),
        _("未报送"),
        _("按期报送率"),
    ]


def period_values(period: ReportingPeriod, counts: ReportingCounts) -> list:
    return [
        str(period),
        chinese_date(period.due_on),
        counts.expected,
        counts.on_time,
        counts.late,
        counts.missing,
        common.percent_text(counts.on_time_rate),
    ]


# 类别 (up to 13 characters of 小四) on one line, the count, the task numbers.
CATEGORY_NUMBERS_WIDTHS = (14.5, 3, 18.5)


def add_unfinished(document, tasks) -> None:
    """Add the unfinished tasks by category: how many, and their numbers (the workbook's
    未完成任务 sheet has each task's text)."""
    if not tasks:
        document.add_paragraph(_("全部任务均已完成。"))
        return
    document.add_paragraph(
        _("尚有%(n)s项任务未完成（各项任务的推进状态和完成进度见工作簿“未完成任务”表），分类如下：")
        % {"n": len(tasks)}
    )
    by_category: dict = {}
    for task in tasks:
        by_category.setdefault(task.category, []).append(task.number)
    table = common.add_table(
        document,
        [_("类别"), _("项数"), _("任务序号")],
        [
            (str(category), len(numbers), numbers_text(numbers))
            for category, numbers in by_category.items()
        ],
        widths=CATEGORY_NUMBERS_WIDTHS,
        font_size=TABLE_SIZE,
    )
    keep_together(table)
