"""The late list (未按期报送名单) workbook and the 催报通知 sent to a late department."""

import datetime

from django.utils.translation import gettext as _

from departments.models import Department
from reports import selectors
from reports.exports import common
from reports.exports.monthly import LATE_WIDTHS, late_headers, late_values
from tasks.models import Programme, ReportingPeriod

# Working days a late department is given to report after the notice.
DAYS_TO_REPORT = 3


def build_late_list_workbook(
    *, programme: Programme, period: ReportingPeriod, units: list | None = None
) -> bytes:
    """Return the late list of ``period`` as a workbook (.xlsx bytes)."""
    if units is None:
        units = selectors.late_units(programme=programme, period=period)
    title = _("%(period)s未按期报送名单（报送截止日 %(due)s）") % {
        "period": period,
        "due": common.day_text(period.due_on),
    }
    workbook = common.new_workbook()
    table = common.printable_sheet(workbook, _("未按期报送"), LATE_WIDTHS, page_title=title)
    table.title(title)
    table.header(late_headers())
    for unit in units:
        table.row(late_values(unit))
    table.filter_table()
    return common.workbook_bytes(workbook)


def build_urging_notice(
    *,
    programme: Programme,
    period: ReportingPeriod,
    department: Department,
    unit: selectors.LateUnit | None = None,
    today: datetime.date | None = None,
) -> bytes:
    """Return the 催报通知 to ``department`` for ``period`` as a Word document (.docx bytes)."""
    if unit is None:
        units = selectors.late_units(programme=programme, period=period)
        unit = next((u for u in units if u.department.pk == department.pk), None)
        unit = unit or selectors.LateUnit(department)
    document = common.new_document()
    document.add_heading(_("催报通知"), level=0)
    document.add_paragraph(_("%(unit)s：") % {"unit": department.name})
    document.add_paragraph(urging_sentence(programme, period, unit))
    rows = [(task.number, task.measure, _("未报送")) for task in unit.missing]
    rows += [(task.number, task.measure, _("逾期报送")) for task in unit.late]
    common.add_table(document, [_("序号"), _("具体举措"), _("报送情况")], rows)
    document.add_paragraph(
        _("请于收到本通知后%(days)s个工作日内登录试点任务管理平台补报，并做好今后按期报送工作。")
        % {"days": DAYS_TO_REPORT}
    )
    document.add_paragraph(_("联席会议办公室"))
    if today is not None:
        document.add_paragraph(today.strftime("%Y年%m月%d日"))
    return common.document_bytes(document)


def urging_sentence(programme: Programme, period: ReportingPeriod, unit) -> str:
    return _(
        "根据《%(programme)s》任务推进工作安排，%(period)s进展情况应于%(due)s前报送。截至目前，"
        "贵单位有%(missing)s项任务未报送、%(late)s项任务逾期报送，具体如下："
    ) % {
        "programme": programme.title,
        "period": period,
        "due": period.due_on.strftime("%Y年%m月%d日"),
        "missing": len(unit.missing),
        "late": len(unit.late),
    }
