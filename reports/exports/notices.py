"""The late list (未按期报送名单) workbook and the 催报通知 sent to a late department.

The notice follows the rules of 催报: only a unit with reports still missing is asked to
补报, by a date N working days after the notice; a unit that filed late is reminded to
report on time, not asked for anything; the office's own department is never urged.
"""

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from departments.models import Department, DepartmentContact
from pilot import clock
from reports import selectors
from reports.exports import common, gbt9704
from reports.exports.monthly import LATE_WIDTHS, late_headers, late_values
from tasks.models import Programme, ReportingPeriod
from tasks.services.periods import add_working_days

# Working days a unit is given to 补报 after the notice.
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


def office_department(programme: Programme) -> Department | None:
    """Return the department that is the programme's issuing office (it urges, never urged)."""
    issuer = programme.issuer
    return Department.objects.filter(Q(name=issuer) | Q(aliases__name=issuer)).distinct().first()


def units_to_urge(*, programme: Programme, period: ReportingPeriod) -> list[selectors.LateUnit]:
    """Return the late units of ``period`` that receive a notice (the office excluded)."""
    office = office_department(programme)
    units = selectors.late_units(programme=programme, period=period)
    return [unit for unit in units if office is None or unit.department.pk != office.pk]


def working_days_after(day: datetime.date, count: int) -> datetime.date:
    """Return the ``count``-th working day after ``day`` (China's calendar, 调休 included)."""
    return add_working_days(day, count)


def build_urging_notice(
    *,
    programme: Programme,
    period: ReportingPeriod,
    department: Department,
    unit: selectors.LateUnit | None = None,
    today: datetime.date | None = None,
) -> bytes:
    """Return the 催报通知 to ``department`` for ``period`` as a Word document (.docx bytes).

    Raise ``ValueError`` for the office's own department, which is never urged.
    """
    office = office_department(programme)
    if office is not None and office.pk == department.pk:
        raise ValueError(_("联席会议办公室不向本单位发催报通知。"))
    today = today or clock.today()
    if unit is None:
        units = selectors.late_units(programme=programme, period=period)
        unit = next((u for u in units if u.department.pk == department.pk), None)
        unit = unit or selectors.LateUnit(department)
    document = common.new_document(office=programme.issuer)
    document.add_heading(notice_title(period, unit), level=0)
    # Names and contacts are office-edited text: cleaned as every Word writer does.
    document.add_paragraph(gbt9704.clean(_("%(unit)s：") % {"unit": department.name}))
    document.add_paragraph(gbt9704.clean(urging_sentence(programme, period, unit, today=today)))
    if unit.missing:
        common.add_table(document, [_("序号"), _("具体举措")], _task_rows(unit.missing))
        deadline = working_days_after(today, DAYS_TO_REPORT)
        document.add_paragraph(demand_sentence(deadline))
    if unit.late:
        document.add_paragraph(reminder_sentence(unit, also=bool(unit.missing)))
    document.add_paragraph(gbt9704.clean(contact_sentence(office)))
    common.add_signature(document, programme.issuer, today)
    return common.document_bytes(document)


def notice_title(period: ReportingPeriod, unit: selectors.LateUnit) -> str:
    if unit.missing:
        return _("关于补报%(period)s试点任务进展情况的通知") % {"period": period}
    return _("关于按期报送试点任务进展情况的通知")


def urging_sentence(
    programme: Programme, period: ReportingPeriod, unit, *, today: datetime.date | None = None
) -> str:
    """Return the opening paragraph: the rule, and what the unit has not done."""
    rule = _(
        "根据《%(programme)s》任务推进工作安排，各责任单位应于%(due)s前报送%(period)s"
        "试点任务进展情况。"
    ) % {
        "programme": programme.title,
        "period": period,
        "due": common.chinese_date(period.due_on),
    }
    as_of = _("截至%(day)s，") % {"day": common.chinese_date(today)} if today else ""
    if unit.missing:
        return (
            rule
            + as_of
            + _("贵单位尚有%(n)s项任务未报送进展情况，具体如下：") % {"n": len(unit.missing)}
        )
    return rule + as_of + _("贵单位各项任务均已报送。")


def demand_sentence(deadline: datetime.date) -> str:
    return _(
        "请于%(deadline)s前（%(days)s个工作日内）登录试点任务管理平台补报上述任务的进展情况。"
    ) % {"deadline": common.chinese_date(deadline), "days": DAYS_TO_REPORT}


def reminder_sentence(unit: selectors.LateUnit, *, also: bool = False) -> str:
    """Return the reminder to a unit that filed late (after a demand, it starts with 另)."""
    numbers = "、".join(str(task.number) for task in unit.late)
    sentence = _(
        "贵单位第%(numbers)s项任务（共%(n)s项）的进展情况晚于报送截止日报送，"
        "请在今后的报送期次中按期报送。"
    ) % {"numbers": numbers, "n": len(unit.late)}
    return _("另，") + sentence if also else sentence


def contact_sentence(office: Department | None) -> str:
    """Return the contact line: the office department's first contact, if it has one."""
    contact = None
    if office is not None:
        contact = DepartmentContact.objects.filter(department=office).order_by("pk").first()
    if contact is None:
        return _("如有疑问，请通过试点任务管理平台与联席会议办公室联系。")
    parts = [contact.name or _("联席会议办公室")]
    if contact.phone:
        parts.append(_("电话：%(phone)s") % {"phone": contact.phone})
    parts.append(_("电子邮箱：%(email)s") % {"email": contact.email})
    return _("联系人：%(contact)s。") % {"contact": "，".join(parts)}


def _task_rows(tasks) -> list[tuple]:
    return [(task.number, task.measure) for task in tasks]
