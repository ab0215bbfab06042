"""The task list as a workbook, with the list's filters applied."""

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from pilot import clock, spreadsheet
from pilot.spreadsheet import Percent
from tasks.exports.plan import unit_names
from tasks.models import AssignmentRole
from tasks.warning import WarningColour

COLOUR_LABELS = dict(WarningColour.choices)
COLUMN_WIDTHS = (6, 16, 50, 20, 24, 16, 10, 10, 8, 8, 16)
HEADER_ROW = 2  # under the title row


def headers() -> list[str]:
    return [
        _("序号"),
        _("类别"),
        _("具体举措"),
        _("牵头单位"),
        _("配合单位"),
        _("完成期限"),
        _("当前状态"),
        _("完成进度"),
        _("预警灯"),
        _("需协调"),
        _("办结确认日期"),
    ]


def _confirmed_on(task):
    # The date of 办结确认 (a real date the office can sort by), or nothing.
    confirmed = task.completion_confirmed_at
    return timezone.localdate(confirmed) if confirmed else None


def list_title(programme=None) -> str:
    day = clock.today()
    return _("%(programme)s任务清单（%(year)s年%(month)s月%(day)s日导出）") % {
        "programme": programme.title if programme is not None else _("试点"),
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def build_task_list_workbook(*, tasks, programme=None) -> BytesIO:
    """Return the filtered tasks as a write-only workbook (small: one programme at most)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("任务清单"))
    title = list_title(programme)
    spreadsheet.set_up_sheet(sheet, COLUMN_WIDTHS, header_row=HEADER_ROW, page_title=title)
    table = spreadsheet.SheetWriter(sheet, COLUMN_WIDTHS)
    table.title(title)
    table.header(headers())
    for task in tasks.iterator(chunk_size=500):
        table.row(
            [
                task.number,
                str(task.category),
                task.measure,
                unit_names(task.assignments.all(), AssignmentRole.LEAD),
                unit_names(task.assignments.all(), AssignmentRole.SUPPORT),
                task.due_on,
                task.get_status_display(),
                Percent(task.percent, decimals=0),
                str(COLOUR_LABELS[task.colour]),
                _("是") if task.needs_coordination else "",
                _confirmed_on(task),
            ]
        )
    table.filter_table()
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer
