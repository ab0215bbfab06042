"""The monthly report (月报): a printable workbook and a Word document with the same figures."""

from django.utils.translation import gettext as _

from pilot.spreadsheet import Percent
from reports import selectors
from reports.exports import common
from reports.figures import PeriodFigures, period_figures
from reports.figures.reporting import open_in_period_q
from tasks.models import Programme, ReportingPeriod, Task, TaskStatus

# Column widths in character units (a CJK glyph takes two). The detail sheet prints on A3.
SUMMARY_WIDTHS = (30, 12, 12, 12, 12, 12, 12, 12, 12)
DETAIL_WIDTHS = (6, 16, 40, 18, 22, 10, 9, 44, 30, 32, 28, 20)
LATE_WIDTHS = (30, 14, 14, 40, 40)
COORDINATION_WIDTHS = (6, 50, 22, 60)
FOCUS_LIMIT = 20


def detail_headers() -> list[str]:
    return [
        _("序号"),
        _("类别"),
        _("具体举措"),
        _("牵头单位"),
        _("配合单位"),
        _("推进状态"),
        _("完成进度"),
        _("本期工作进展"),
        _("存在问题"),
        _("下步工作计划"),
        _("各单位报送情况"),
        _("逾期/累计退回"),
    ]


def report_title(programme: Programme, period: ReportingPeriod) -> str:
    return _("%(programme)s %(period)s工作月报") % {"programme": programme, "period": period}


def build_monthly_workbook(
    *, programme: Programme, period: ReportingPeriod, figures: PeriodFigures | None = None
) -> bytes:
    """Return the 月报 workbook (.xlsx bytes): summary, task details, late units, problems."""
    figures = figures or period_figures(programme=programme, period=period)
    workbook = common.new_workbook()
    write_summary_sheet(workbook, figures, title=report_title(programme, period))
    write_detail_sheet(workbook, programme=programme, period=period)
    write_late_sheet(workbook, programme=programme, period=period)
    write_coordination_sheet(workbook, programme=programme, period=period)
    return common.workbook_bytes(workbook)


def write_summary_sheet(workbook, figures: PeriodFigures, *, title: str) -> None:
    table = common.printable_sheet(
        workbook, _("汇总"), SUMMARY_WIDTHS, header_row=None, page_title=title
    )
    table.title(title)
    table.note(_("统计截至：%(day)s") % {"day": common.day_text(figures.as_of)})
    table.blank()
    table.header([_("指标"), _("数值")])
    for label, value in common.headline_items(figures, percent=Percent):
        table.row([label, value])
    table.blank()
    table.note(_("分类任务进展"), bold=True)
    table.header(common.category_headers())
    for row in figures.categories:
        table.row(common.category_values(row))
    table.blank()
    table.note(_("各单位报送情况"), bold=True)
    table.header(common.department_headers())
    for row in figures.departments:
        table.row(common.department_values(row, percent=Percent))


def write_detail_sheet(workbook, *, programme: Programme, period: ReportingPeriod) -> None:
    title = _("%(title)s：任务进展明细") % {"title": report_title(programme, period)}
    table = common.printable_sheet(workbook, _("任务进展明细"), DETAIL_WIDTHS, page_title=title)
    table.title(title)
    table.header(detail_headers())
    closed = closed_task_numbers(programme=programme, period=period)
    for row in selectors.task_rows(programme=programme, period=period):
        states = _("无需报送（已办结确认）") if row.number in closed else row.report_states
        table.row(
            [
                row.number,
                row.category,
                row.measure,
                row.leads,
                row.supports,
                row.status,
                Percent(row.percent, decimals=0),
                row.work_done,
                row.problems,
                row.next_steps,
                states,
                row.marks,
            ]
        )
    table.filter_table()


def closed_task_numbers(*, programme: Programme, period: ReportingPeriod) -> set[int]:
    """Return the numbers of tasks confirmed complete before ``period``: nobody reports them."""
    open_tasks = open_in_period_q(start=period.starts_on)
    closed = Task.objects.filter(programme=programme).exclude(open_tasks)
    return set(closed.values_list("number", flat=True))


def write_late_sheet(workbook, *, programme: Programme, period: ReportingPeriod) -> None:
    title = _("%(title)s：未按期报送单位") % {"title": report_title(programme, period)}
    table = common.printable_sheet(workbook, _("未按期报送"), LATE_WIDTHS, page_title=title)
    table.title(title)
    table.header(late_headers())
    for unit in selectors.late_units(programme=programme, period=period):
        table.row(late_values(unit))
    table.filter_table()


def late_headers() -> list[str]:
    return [
        _("单位"),
        _("未报送任务数"),
        _("逾期报送任务数"),
        _("未报送任务（序号）"),
        _("逾期报送任务（序号）"),
    ]


def late_values(unit: selectors.LateUnit) -> list:
    return [
        unit.department.name,
        len(unit.missing),
        len(unit.late),
        "、".join(str(task.number) for task in unit.missing),
        "、".join(str(task.number) for task in unit.late),
    ]


def write_coordination_sheet(workbook, *, programme: Programme, period: ReportingPeriod) -> None:
    title = _("%(title)s：需协调解决事项") % {"title": report_title(programme, period)}
    table = common.printable_sheet(
        workbook, _("需协调解决事项"), COORDINATION_WIDTHS, page_title=title
    )
    table.title(title)
    table.header([_("序号"), _("具体举措"), _("牵头单位"), _("需协调解决的问题")])
    for item in selectors.coordination_items(programme=programme, period=period):
        table.row([item.number, item.measure, item.department, item.problems])
    table.filter_table()


def build_monthly_document(
    *, programme: Programme, period: ReportingPeriod, figures: PeriodFigures | None = None
) -> bytes:
    """Return the 月报 as a Word document (.docx bytes), with the workbook's figures."""
    figures = figures or period_figures(programme=programme, period=period)
    document = common.new_document()
    document.add_heading(report_title(programme, period), level=0)
    document.add_paragraph(
        _("报送期次：%(period)s（报送截止日 %(due)s）；统计截至 %(day)s。")
        % {"period": period, "due": period.due_on.isoformat(), "day": figures.as_of.isoformat()}
    )
    document.add_heading(_("一、总体进展"), level=1)
    document.add_paragraph(common.overview_sentence(figures))
    document.add_heading(_("二、分类推进情况"), level=1)
    common.add_table(
        document,
        common.category_headers(),
        [common.category_values(row) for row in figures.categories],
    )
    document.add_heading(_("三、需协调解决的问题"), level=1)
    common.add_items(
        document,
        [
            _("第%(n)s项（%(unit)s）：%(text)s")
            % {"n": item.number, "unit": item.department, "text": item.problems}
            for item in selectors.coordination_items(programme=programme, period=period)
        ],
        empty=_("本期无需协调解决的问题。"),
    )
    document.add_heading(_("四、未按期报送单位"), level=1)
    common.add_items(
        document,
        [late_sentence(unit) for unit in selectors.late_units(programme=programme, period=period)],
        empty=_("本期各单位均按期报送。"),
    )
    document.add_heading(_("五、下月工作重点"), level=1)
    common.add_items(document, focus_items(figures), empty=_("按计划继续推进各项试点任务。"))
    return common.document_bytes(document)


def late_sentence(unit: selectors.LateUnit) -> str:
    parts = []
    if unit.missing:
        parts.append(_("未报送%(n)s项") % {"n": len(unit.missing)})
    if unit.late:
        parts.append(_("逾期报送%(n)s项") % {"n": len(unit.late)})
    return f"{unit.department.name}：{'，'.join(parts)}"


def focus_items(figures: PeriodFigures) -> list[str]:
    """Return next month's focus: lagging and blocked tasks, overdue tasks, late reporting."""
    tasks, reporting = figures.tasks, figures.reporting
    items = []
    lagging = tasks.by_status[TaskStatus.BEHIND] + tasks.by_status[TaskStatus.BLOCKED]
    if lagging:
        items.append(_("推动%(n)s项进度滞后或受阻的任务加快推进。") % {"n": lagging})
    if tasks.overdue:
        items.append(_("督促%(n)s项逾期未完成的任务尽快完成。") % {"n": tasks.overdue})
    if tasks.needs_coordination:
        items.append(_("协调解决%(n)s项任务提出的困难和问题。") % {"n": tasks.needs_coordination})
    if reporting.missing or reporting.late:
        items.append(_("督促未按期报送的单位按时报送进展情况。"))
    return items
