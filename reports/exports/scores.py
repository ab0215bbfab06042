"""The monthly scores workbook for the 考核 office, and the formula as the office reads it."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from pilot.spreadsheet import Percent
from reports.exports import common
from reports.figures import score_table
from tasks.models import Programme, ReportingPeriod

WIDTHS = (6, 28, 8, 8, 8, 10, 10, 10, 10, 10, 8, 8, 8, 9, 9, 9, 9, 9, 9)


def weight_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def formula_lines(weights: dict) -> list[str]:
    """Return the formula with ``weights`` filled in, as shown on the page and in the workbook."""
    w = {name: weight_text(value) for name, value in weights.items()}
    return [
        _(
            "得分 = 100 ×（%(on_time)s × 按时报送率 + %(on_schedule)s × 按期推进率 + "
            "%(completion)s × 按期办结率）÷ 参与计算的权重之和 − %(returns)s × 每份报送退回次数 "
            "− %(slips)s × 未办结督办单数 + %(highlights)s × 亮点条数；不低于 0，保留一位小数。"
        )
        % w,
        _("按时报送率：本月按时报送数 ÷ 本月应报数（与数据看板、月报的按时率相同）。"),
        _(
            "按期推进率：本单位牵头、本月未办结的任务中，截至本月截止日状态不是“受阻”“进度滞后”"
            "且未逾期的任务所占比例。"
        ),
        _("按期办结率：本单位牵头、完成期限在本月底前的任务中，在完成期限前办结确认的比例。"),
        _(
            "某一比率无分母（如本月无应报、无牵头任务）时不参与计算；三项都无时本月无考核事项，不排名。"
        ),
        _(
            "每份报送退回次数：上月截止后至本月截止日退回本单位报送的次数 ÷ "
            "本月应报数（至少按 1 计）。"
        ),
        _(
            "未办结督办单数：截至本月截止日尚未办结的督办单；亮点条数：本月被办公室标为亮点/典型做法的报送。"
        ),
    ]


def headers() -> list[str]:
    return [
        _("排名"),
        _("单位"),
        _("得分"),
        _("上月得分"),
        _("变化"),
        _("应报"),
        _("按时报送"),
        _("按时报送率"),
        _("牵头未办结任务"),
        _("按期推进"),
        _("到期任务"),
        _("按期办结"),
        _("退回次数"),
        _("督办单"),
        _("亮点"),
        _("按时报送得分"),
        _("按期推进得分"),
        _("按期办结得分"),
        _("扣分与加分"),
    ]


def line_values(line) -> list:
    item = line.item
    points = item.points
    adjust = sum(
        (points.get(name, Decimal(0)) for name in ("returns", "slips", "highlights")), Decimal(0)
    )
    on_time_rate = None if not item.expected else 100 * item.on_time / item.expected
    return [
        line.rank if line.rank is not None else "—",
        item.department.name,
        item.score if item.score is not None else _("本月无考核事项"),
        line.previous if line.previous is not None else "—",
        line.change if line.change is not None else "—",
        item.expected,
        item.on_time,
        Percent(on_time_rate),
        item.led_open,
        item.on_schedule,
        item.due,
        item.completed_on_time,
        item.returns,
        item.slips,
        item.highlights,
        points.get("on_time", "—"),
        points.get("on_schedule", "—"),
        points.get("completion", "—"),
        adjust if points else "—",
    ]


def build_scores_workbook(*, programme: Programme, period: ReportingPeriod) -> bytes:
    """Return the month's scores (published, else trial) as .xlsx bytes."""
    month, _last, lines = score_table.score_table(programme=programme, period=period)
    title = _("%(programme)s %(period)s单位考核得分") % {
        "programme": programme.title,
        "period": period,
    }
    workbook = common.new_workbook()
    table = common.printable_sheet(workbook, _("考核得分"), WIDTHS, header_row=3, page_title=title)
    table.title(title)
    state = _("已发布") if month.published else _("试算（未发布）")
    table.note(
        _("%(state)s · 计分公式第 %(version)d 版 · 数据截至 %(cutoff)s")
        % {
            "state": state,
            "version": month.formula.version,
            "cutoff": timezone.localtime(month.cutoff).strftime("%Y-%m-%d %H:%M"),
        }
    )
    table.header(headers())
    for line in lines:
        table.row(line_values(line))
    table.filter_table()
    notes = common.printable_sheet(workbook, _("计分公式"), (100,), header_row=None)
    notes.title(_("计分公式（第 %(version)d 版）") % {"version": month.formula.version})
    for text in formula_lines(month.formula.weights()):
        notes.note(text)
    return common.workbook_bytes(workbook)
