"""What every report document shares: headline figures as text, sheet and page styles.

Figures always come from ``reports.figures``; this module only words and lays them out.
"""

from io import BytesIO

from django.utils.translation import gettext as _
from docx import Document
from openpyxl import Workbook

from pilot import spreadsheet
from reports.exports import gbt9704, gbt9704_tables
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
# GB/T 9704-2012 layout (see reports.exports.gbt9704): builders use plain python-docx calls
# (add_heading level 0/1/2, add_paragraph) and these helpers; the styles do the rest.

chinese_date = gbt9704.chinese_date
add_signature = gbt9704.add_signature
add_issuance_block = gbt9704.add_issuance_block


def new_document(*, landscape: bool = False, office: str | None = None):
    """Return an A4 document in 公文 layout: styles, page numbers and properties set."""
    document = Document()
    gbt9704.set_up_page(document, landscape=landscape)
    gbt9704.set_up_styles(document)
    gbt9704.add_page_numbers(document)
    set_office(document, office or _("联席会议办公室"))
    return document


def set_office(document, office: str) -> None:
    """Name the issuing office in the document properties (author, company)."""
    properties = document.core_properties
    properties.author = properties.last_modified_by = office
    properties.language = "zh-CN"
    gbt9704.set_company(document, office)


def _set_font(style, name: str, size: int | None) -> None:
    """Set ``style``'s font (East Asian and Latin slots, no theme fonts) and size."""
    gbt9704.set_style_font(style, name, size)


def add_table(document, headers, rows, *, widths=None, font_size: float | None = None) -> None:
    """Add a bordered table whose columns fit their content and whose header repeats.

    ``widths`` are relative column weights; by default they follow the longest cell of
    each column. Text is 小四 (12 pt) 仿宋, 4号 (14 pt) for tables of up to four columns.
    """
    rows = [list(values) for values in rows]
    size = font_size or (gbt9704.SMALL_SIZE if len(headers) <= 4 else gbt9704.TABLE_SIZE)
    table = document.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        gbt9704_tables.fill_cell(cell, text, header=True, size=size)
    centred = gbt9704_tables.short_columns(headers, rows)
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, value, centre in zip(row.cells, values, centred, strict=True):
            gbt9704_tables.fill_cell(cell, value, header=False, size=size, centred=centre)
    gbt9704_tables.lay_out_table(
        table,
        gbt9704_tables.column_widths(
            headers, rows, widths, size=size, room=gbt9704.text_width(document)
        ),
    )
    return table


def add_items(document, items: list[str], *, empty: str) -> None:
    """Add numbered body paragraphs ("1." in the text: no Word list numbering)."""
    if not items:
        document.add_paragraph(gbt9704.clean(empty))
    for number, text in enumerate(items, start=1):
        document.add_paragraph(f"{number}.{gbt9704.clean(text)}")


def document_bytes(document) -> bytes:
    """Return the document as .docx bytes, each run naming its East Asian font."""
    if not document.core_properties.title:
        title = next((p.text for p in document.paragraphs if p.style.name == "Title"), "")
        document.core_properties.title = title
    gbt9704.balance_titles(document)
    gbt9704.stamp_run_fonts(document)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
