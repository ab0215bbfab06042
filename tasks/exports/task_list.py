"""The task list as a workbook, with the list's filters applied."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from reports import figures
from tasks.exports.plan import unit_names
from tasks.models import AssignmentRole

COLOUR_LABELS = dict(figures.WarningColour.choices)


def build_task_list_workbook(*, tasks) -> BytesIO:
    """Return the filtered tasks as a write-only workbook (small: one programme at most)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("任务清单"))
    sheet.append(
        [
            _("序号"),
            _("类别"),
            _("具体举措"),
            _("牵头单位"),
            _("配合单位"),
            _("完成期限"),
            _("当前状态"),
            _("完成进度（%）"),
            _("预警灯"),
            _("需协调"),
            _("办结确认"),
        ]
    )
    for task in tasks.iterator(chunk_size=500):
        sheet.append(
            [
                task.number,
                str(task.category),
                task.measure,
                unit_names(task.assignments.all(), AssignmentRole.LEAD),
                unit_names(task.assignments.all(), AssignmentRole.SUPPORT),
                task.due_on,
                task.get_status_display(),
                task.percent,
                str(COLOUR_LABELS[task.colour]),
                _("是") if task.needs_coordination else "",
                _("是") if task.completion_confirmed_at else "",
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer
