"""The plan's 责任分工表 as a printable workbook, one row per task."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from openpyxl import Workbook

from pilot import spreadsheet
from tasks.models import Assignment, AssignmentRole, Programme, Task

UNIT_SEPARATOR = "、"

# Widths in characters; CJK glyphs are about two units wide, so these fit A4 landscape
# once the page is scaled to its width.
COLUMN_WIDTHS = (6, 16, 60, 20, 28, 36)
HEADER_ROW = 2  # under the title row


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
    """Return the 责任分工表 workbook of ``programme``, set up for printing."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("责任分工表")
    title = _("%(programme)s责任分工表") % {"programme": programme.title}
    spreadsheet.set_up_sheet(sheet, COLUMN_WIDTHS, header_row=HEADER_ROW, page_title=title)
    table = spreadsheet.SheetWriter(sheet, COLUMN_WIDTHS)
    table.title(title)
    table.header(headers())
    for row in plan_rows(programme=programme):
        table.row(
            (row.number, row.category, row.measure, row.leads, row.supports, row.responsibility)
        )
    table.filter_table()
    return workbook
