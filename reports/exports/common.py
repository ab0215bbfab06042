"""What every report document shares: headline figures as text, sheet and page styles.

Figures always come from ``reports.figures``; this module only words and lays them out.
"""

from io import BytesIO

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook

from pilot import spreadsheet
from reports.figures import PeriodFigures
from tasks.models import TaskStatus

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"


def percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def headline_items(figures: PeriodFigures, *, percent=percent_text) -> list[tuple[str, object]]:
    """Return the headline figures as (label, value) pairs, in the order reports show them.

    ``percent`` formats the rates: text by default, ``spreadsheet.Percent`` in workbooks.
    """
    tasks, reporting = figures.tasks, figures.reporting
    return [
        (_("任务总数"), tasks.total),
        (_("已完成并办结确认"), tasks.completed_confirmed),
        (_("任务完成率"), percent(tasks.progress_rate)),
        (_("平均完成进度"), percent(tasks.mean_percent)),
        *[(str(TaskStatus(s).label), tasks.by_status[s]) for s in TaskStatus.values],
        (_("逾期未完成任务"), tasks.overdue),
        (_("需协调解决的任务"), tasks.needs_coordination),
        (_("本期应报送"), reporting.expected),
        (_("按期报送"), reporting.on_time),
        (_("逾期报送"), reporting.late),
        (_("未报送"), reporting.missing),
        (_("按期报送率"), percent(reporting.on_time_rate)),
    ]


def overview_sentence(figures: PeriodFigures) -> str:
    """Return the overall progress paragraph of the Word documents."""
    tasks, reporting = figures.tasks, figures.reporting
    statuses = "、".join(
        _("%(label)s%(n)s项") % {"label": TaskStatus(s).label, "n": tasks.by_status[s]}
        for s in TaskStatus.values
    )
    return _(
        "试点任务共%(total)s项，已完成并办结确认%(done)s项（完成率%(rate)s），平均完成进度"
        "%(mean)s；其中%(statuses)s。逾期未完成%(overdue)s项，需协调解决%(coord)s项。"
        "%(period)s应报送%(expected)s份，按期报送%(on_time)s份，逾期报送%(late)s份，"
        "未报送%(missing)s份，按期报送率%(on_time_rate)s。"
    ) % {
        "total": tasks.total,
        "done": tasks.completed_confirmed,
        "rate": percent_text(tasks.progress_rate),
        "mean": percent_text(tasks.mean_percent),
        "statuses": statuses,
        "overdue": tasks.overdue,
        "coord": tasks.needs_coordination,
        "period": figures.period,
        "expected": reporting.expected,
        "on_time": reporting.on_time,
        "late": reporting.late,
        "missing": reporting.missing,
        "on_time_rate": percent_text(reporting.on_time_rate),
    }


def category_headers() -> list[str]:
    return [
        _("类别"),
        _("任务数"),
        *[str(TaskStatus(s).label) for s in TaskStatus.values],
        _("已办结确认"),
    ]


def category_values(row) -> list:
    return [
        str(row.category),
        row.total,
        *[row.by_status[s] for s in TaskStatus.values],
        row.completed_confirmed,
    ]


def department_headers() -> list[str]:
    return [
        _("单位"),
        _("牵头任务"),
        _("配合任务"),
        _("应报送"),
        _("按期"),
        _("逾期"),
        _("未报送"),
        _("累计退回次数"),
        _("按期报送率"),
    ]


def department_values(row, *, percent=percent_text) -> list:
    return [
        row.department.name,
        row.led,
        row.supported,
        row.expected,
        row.on_time,
        row.late,
        row.missing,
        row.returned,
        percent(row.on_time_rate),
    ]


# --- workbooks -----------------------------------------------------------------------
# Every cell goes through pilot.spreadsheet, which keeps user text as data (never a formula,
# never refused by Excel) and writes figures as typed numbers, percentages and dates.


def day_text(day) -> str:
    """Return a date as workbook titles write it: 2022年6月15日."""
    return f"{day.year}年{day.month}月{day.day}日"


def new_workbook() -> Workbook:
    """Return a write-only workbook: rows stream to disk, so memory stays flat."""
    return Workbook(write_only=True)


def printable_sheet(
    workbook: Workbook, title: str, widths, *, header_row: int | None = 2, page_title: str = ""
) -> spreadsheet.SheetWriter:
    """Add a sheet that prints landscape (A3 when wide), fitted to the page width.

    ``header_row`` (the row under the title) repeats on every page and carries the filter;
    ``page_title`` names programme and period in every page's header.
    """
    sheet = workbook.create_sheet(title)
    spreadsheet.set_up_sheet(sheet, widths, header_row=header_row, page_title=page_title)
    return spreadsheet.SheetWriter(sheet, widths)


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Word documents ------------------------------------------------------------------


def new_document(*, landscape: bool = False):
    """Return an A4 document with Chinese official-document fonts."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Cm(2.5))
    _set_font(document.styles["Normal"], BODY_FONT, 12)
    for name in ("Title", "Heading 1", "Heading 2"):
        _set_font(document.styles[name], HEADING_FONT, None)
    return document


def _set_font(style, name: str, size: int | None) -> None:
    style.font.name = name
    if size:
        style.font.size = Pt(size)
    # East Asian text uses the eastAsia font slot, which python-docx does not set.
    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def add_table(document, headers, rows) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for item, text in zip(table.rows[0].cells, headers, strict=True):
        item.text = str(text)
        for run in item.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for item, value in zip(cells, values, strict=True):
            item.text = spreadsheet.clean_for_word(value)


def add_items(document, items: list[str], *, empty: str) -> None:
    if not items:
        document.add_paragraph(empty)
    for text in items:
        document.add_paragraph(spreadsheet.clean_for_word(text), style="List Number")


def document_bytes(document) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
