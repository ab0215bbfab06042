"""The plan's 责任分工表 as a printable workbook, one row per task."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from tasks.models import Assignment, AssignmentRole, Programme, Task

UNIT_SEPARATOR = "、"

# Widths in characters; CJK glyphs are about two units wide, so these fit A4 landscape
# once the page is scaled to its width.
COLUMN_WIDTHS = (6, 16, 60, 20, 28, 36)

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGNMENT = Alignment(wrap_text=True, horizontal="center", vertical="center")
_CENTRED = Alignment(wrap_text=True, horizontal="center", vertical="top")


@dataclass(frozen=True)
class PlanRow:
    number: int
    category: str
    measure: str
    leads: str
    supports: str
    responsibility: str


def headers() -> tuple[str, ...]:
    return (
        _("序号"),
        _("类别"),
        _("具体举措"),
        _("牵头单位"),
        _("配合单位"),
        _("责任分工（原文）"),
    )


def plan_rows(*, programme: Programme) -> Iterator[PlanRow]:
    """Yield the programme's tasks in number order, in two queries whatever the size."""
    assignments = Assignment.objects.select_related("department").order_by("order", "pk")
    tasks = (
        Task.objects.filter(programme=programme)
        .select_related("category")
        .prefetch_related(Prefetch("assignments", queryset=assignments))
        .order_by("number")
    )
    for task in tasks:
        yield PlanRow(
            number=task.number,
            category=str(task.category),
            measure=task.measure,
            leads=unit_names(task.assignments.all(), AssignmentRole.LEAD),
            supports=unit_names(task.assignments.all(), AssignmentRole.SUPPORT),
            responsibility=task.responsibility,
        )


def unit_names(assignments, role: str) -> str:
    """Join the (prefetched) assignments' units of one role with 、, by canonical name."""
    return UNIT_SEPARATOR.join(a.department.name for a in assignments if a.role == role)


def build_plan_workbook(*, programme: Programme) -> Workbook:
    """Return the 责任分工表 workbook of ``programme``, set up for printing on A4."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("责任分工表")
    sheet.append(headers())
    for row in plan_rows(programme=programme):
        sheet.append(
            (row.number, row.category, row.measure, row.leads, row.supports, row.responsibility)
        )
    _style(sheet)
    _set_up_page(sheet, title=programme.title)
    return workbook


def _style(sheet) -> None:
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = _HEADER_ALIGNMENT
        cell.border = _BORDER
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _CENTRED if cell.column == 1 else _WRAP
            cell.border = _BORDER


def _set_up_page(sheet, *, title: str) -> None:
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    # Fit every column on the page width; as many pages down as the rows need.
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddHeader.center.text = title
    sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")
