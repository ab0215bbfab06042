"""The monthly report (月报): a printable workbook and a Word document with the same figures."""

from django.utils import timezone
from django.utils.translation import gettext as _

from pilot import clock
from pilot.spreadsheet import Percent
from reports import selectors
from reports.exports import common
from reports.figures import PeriodFigures, period_figures, states_as_of
from reports.figures.due_dates import extension_sentence, period_due_basis
from reports.figures.reporting import open_in_period_q
from tasks.models import Programme, ReportingPeriod, TaskStatus
from tasks.periods import is_interim
from tasks.plan_asof import tasks_as_of

# Column widths in character units (a CJK glyph takes two). The detail sheet prints on A3.
SUMMARY_WIDTHS = (30, 12, 12, 12, 12, 12, 12, 12, 12)
DETAIL_WIDTHS = (6, 16, 40, 18, 22, 10, 9, 44, 30, 32, 28, 20)
LATE_WIDTHS = (30, 14, 14, 40, 40)
COORDINATION_WIDTHS = (6, 50, 22, 60)


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
    closed = tasks_as_of(period=period).exclude(open_tasks)
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


def document_title(programme: Programme, period: ReportingPeriod, *, interim: bool) -> str:
    title = _("%(programme)s %(period)s工作进展情况月报") % {
        "programme": programme,
        "period": period,
    }
    return title + (_("（中期·未截止）") if interim else "")


def build_monthly_document(
    *, programme: Programme, period: ReportingPeriod, figures: PeriodFigures | None = None
) -> bytes:
    """Return the 工作进展情况月报 (.docx bytes): the period as of its cut-off, with the
    workbook's figures, in seven sections, signed by the office on the cut-off date."""
    now = clock.now()
    figures = figures or period_figures(programme=programme, period=period)
    states = figures.states or states_as_of(programme=programme, period=period, now=now)
    tasks = selectors.report_tasks(programme=programme, period=period, states=states)
    interim = is_interim(period, now=now)
    office = office_name(programme)
    document = common.new_document(office=office)
    document.add_heading(document_title(programme, period, interim=interim), level=0)
    document.add_paragraph(cutoff_sentence(period, now=now, interim=interim))
    document.add_heading(_("一、总体进展"), level=1)
    for text in overall_paragraphs(figures):
        document.add_paragraph(text)
    extended = extension_sentence(period_due_basis(programme=programme, period=period, now=now))
    if extended:
        document.add_paragraph(extended)
    document.add_heading(_("二、分类推进情况"), level=1)
    add_category_table(document, figures)
    document.add_heading(_("三、本月主要进展"), level=1)
    common.add_items(document, highlight_items(tasks), empty=_("本期暂无已采纳的进展报送。"))
    document.add_heading(_("四、滞后和受阻任务"), level=1)
    lagging = lagging_tasks(tasks)
    common.add_items(
        document, [lagging_item(task) for task in lagging], empty=_("本期无滞后和受阻任务。")
    )
    document.add_heading(_("五、需协调解决的问题"), level=1)
    items = selectors.coordination_items(programme=programme, period=period)
    common.add_items(document, coordination_texts(items), empty=_("本期无需协调解决的问题。"))
    document.add_heading(_("六、报送情况"), level=1)
    units = selectors.reporting_by_unit(programme=programme, period=period)
    document.add_paragraph(units_sentence(units))
    table = common.add_table(
        document, unit_headers(), [unit_values(unit) for unit in units], widths=UNIT_WIDTHS
    )
    keep_together(table)
    document.add_heading(_("七、下月工作重点"), level=1)
    common.add_items(
        document, focus_items(lagging, figures), empty=_("按计划继续推进各项试点任务。")
    )
    sign_and_issue(document, office=office, day=figures.as_of)
    return common.document_bytes(document)


def office_name(programme: Programme) -> str:
    """Return the issuing office the documents name (落款, 印发, properties)."""
    return programme.issuer or _("联席会议办公室")


def sign_and_issue(document, *, office: str, day) -> None:
    """End a report: 落款 and 成文日期, then the 抄送/印发 block (版记)."""
    common.add_signature(document, office, day)
    common.add_issuance_block(document, office=office, day=day, copy_to=[_("联席会议各成员单位")])


def add_category_table(document, figures: PeriodFigures) -> None:
    """Add the categories' table, its last rows kept together."""
    table = common.add_table(
        document,
        common.category_headers(),
        [common.category_values(row) for row in figures.categories],
    )
    keep_together(table)


def keep_together(table, *, last: int = 3) -> None:
    """Keep a table's ``last`` rows on one page: a page never ends a table with one row."""
    for row in table.rows[-last:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def cutoff_sentence(period: ReportingPeriod, *, now, interim: bool) -> str:
    """State the report's cut-off: the due date, or the moment of generation if earlier."""
    if interim:
        local = timezone.localtime(now)
        return _(
            "本报告生成于%(day)s%(hour)s时%(minute)02d分，早于%(period)s报送截止日（%(due)s），"
            "为中期统计：数据以生成时已采纳的报送为准，截止后将有变化。"
        ) % {
            "day": common.chinese_date(local.date()),
            "hour": local.hour,
            "minute": local.minute,
            "period": period,
            "due": common.chinese_date(period.due_on),
        }
    return _(
        "统计截至%(due)s（%(period)s报送截止日），以截至该日已采纳的牵头单位报送和办结确认为准。"
    ) % {"due": common.chinese_date(period.due_on), "period": period}


def share(part: int, whole: int) -> str:
    return common.percent_text(100 * part / whole if whole else None)


def overall_paragraphs(figures: PeriodFigures) -> list[str]:
    """Return 一、总体进展: counts and shares of the statuses, then the reporting."""
    tasks = figures.tasks
    completed = tasks.by_status[TaskStatus.COMPLETED]
    others = "；".join(
        _status_share(s, tasks.by_status[s], tasks.total)
        for s in (
            TaskStatus.ON_TRACK,
            TaskStatus.BEHIND,
            TaskStatus.BLOCKED,
            TaskStatus.NOT_STARTED,
        )
    )
    first = _(
        "试点任务共%(total)s项。截至%(day)s，已完成%(completed)s项，占%(share)s（其中已办结确认"
        "%(confirmed)s项）；%(others)s。平均完成进度%(mean)s，逾期未完成%(overdue)s项，"
        "本期有%(coord)s项任务提出需协调解决的问题。"
    ) % {
        "total": tasks.total,
        "day": common.chinese_date(figures.as_of),
        "completed": completed,
        "share": share(completed, tasks.total),
        "confirmed": tasks.completed_confirmed,
        "others": others,
        "mean": common.percent_text(tasks.mean_percent),
        "overdue": tasks.overdue,
        "coord": tasks.needs_coordination,
    }
    return [first, reporting_sentence(figures)]


def _status_share(status: str, count: int, total: int) -> str:
    label = TaskStatus(status).label
    if not count:
        return _("%(label)s0项") % {"label": label}
    return _("%(label)s%(n)s项，占%(share)s") % {
        "label": label,
        "n": count,
        "share": share(count, total),
    }


def reporting_sentence(figures: PeriodFigures) -> str:
    reporting = figures.reporting
    return _(
        "%(period)s应报送%(expected)s份，按期报送%(on_time)s份，逾期报送%(late)s份，"
        "未报送%(missing)s份，按期报送率%(rate)s。"
    ) % {
        "period": figures.period,
        "expected": reporting.expected,
        "on_time": reporting.on_time,
        "late": reporting.late,
        "missing": reporting.missing,
        "rate": common.percent_text(reporting.on_time_rate),
    }


HIGHLIGHT_FALLBACK = 5


def highlight_items(tasks: list[selectors.ReportTask]) -> list[str]:
    """Return 三、本月主要进展: the updates the office marked as highlights, else the
    accepted progress of the most advanced tasks still under way."""
    chosen = [task for task in tasks if task.highlight and task.work_done]
    if not chosen:
        reported = [task for task in tasks if task.work_done]
        reported.sort(key=lambda task: (-task.percent, task.number))
        chosen = sorted(reported[:HIGHLIGHT_FALLBACK], key=lambda task: task.number)
    return [
        _("%(measure)s（第%(n)s项，%(leads)s）：%(text)s")
        % {
            "n": task.number,
            "measure": _short(task.measure),
            "leads": task.leads,
            "text": inline(task.work_done),
        }
        for task in chosen
    ]


def _short(text: str, limit: int = 30) -> str:
    text = text.strip().rstrip("。；;")
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def inline(text: str) -> str:
    """Join a multi-line text (one line per lead unit) into one paragraph's sentences."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    joined = ""
    for line in lines:
        if joined and joined[-1] not in "。；！？":
            joined += "；"
        joined += line
    return joined


def lagging_tasks(tasks: list[selectors.ReportTask]) -> list[selectors.ReportTask]:
    return [task for task in tasks if task.status in (TaskStatus.BLOCKED, TaskStatus.BEHIND)]


def lagging_item(task: selectors.ReportTask) -> str:
    return _(
        "%(measure)s（第%(n)s项，牵头单位：%(leads)s）：%(status)s，完成进度%(percent)s%%。"
        "存在问题：%(problems)s"
    ) % {
        "n": task.number,
        "measure": _short(task.measure),
        "leads": task.leads,
        "status": TaskStatus(task.status).label,
        "percent": task.percent,
        "problems": inline(task.problems) or _("本期未说明。"),
    }


def coordination_texts(items: list[selectors.CoordinationItem]) -> list[str]:
    """Return 五、需协调解决的问题: one item per lead unit's accepted request."""
    return [
        _("%(measure)s（第%(n)s项，%(unit)s）：%(text)s")
        % {
            "measure": _short(item.measure),
            "n": item.number,
            "unit": item.department,
            "text": inline(item.problems) or _("未说明。"),
        }
        for item in items
    ]


# 单位 (up to 11 characters), four counts, then the two lists of task numbers.
UNIT_WIDTHS = (10, 3, 3, 3, 3, 7, 7)


def unit_headers() -> list[str]:
    return [
        _("单位"),
        _("应报送"),
        _("按期"),
        _("逾期"),
        _("未报送"),
        _("逾期报送任务（序号）"),
        _("未报送任务（序号）"),
    ]


def unit_values(unit: selectors.UnitReporting) -> list:
    return [
        unit.department.name,
        len(unit.on_time) + len(unit.late) + len(unit.missing),
        len(unit.on_time),
        len(unit.late),
        len(unit.missing),
        numbers_text(unit.late),
        numbers_text(unit.missing),
    ]


def numbers_text(numbers: list[int]) -> str:
    """Return task numbers as 13、26、110 ("—" for none) for a table cell."""
    # LibreOffice breaks a run of digits and 、 anywhere (even "1" / "3、26"): a zero-width
    # space after each 、 lets a long list wrap between the numbers, never inside one.
    return "、\u200b".join(str(number) for number in numbers) or "—"


def units_sentence(units: list[selectors.UnitReporting]) -> str:
    """Return the 六、报送情况 lead-in: how many units filed all on time, late, or not."""
    missing = sum(1 for unit in units if unit.missing)
    late = sum(1 for unit in units if unit.late and not unit.missing)
    return _(
        "本期共%(units)s个单位应报送，其中%(on_time)s个单位全部按期报送，%(late)s个单位已全部"
        "报送但有逾期，%(missing)s个单位尚有未报送的任务。各单位报送情况如下："
    ) % {
        "units": len(units),
        "on_time": len(units) - late - missing,
        "late": late,
        "missing": missing,
    }


def focus_items(lagging: list[selectors.ReportTask], figures: PeriodFigures) -> list[str]:
    """Return 七、下月工作重点: the lagging tasks' next steps, then the reporting to chase."""
    items = [
        _("%(measure)s（第%(n)s项，%(leads)s）：%(steps)s")
        % {
            "measure": _short(task.measure),
            "n": task.number,
            "leads": task.leads,
            "steps": inline(task.next_steps) or _("加快推进，尽快解决存在问题。"),
        }
        for task in lagging
    ]
    if figures.reporting.missing:
        items.append(_("督促未报送的单位补报%(period)s进展情况。") % {"period": figures.period})
    return items
