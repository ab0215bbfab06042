"""The monthly 考核通报 (Word, 公文 layout), built from a month's published scores.

Who is named, by rule (the office can take a unit off either list before generating):
- **表扬**: every expected report of the month filed on time (full and on time, at least one
  expected) and each of those reports carried evidence (佐证材料) uploaded by the cut-off.
- **通报**: a report of the month not filed on time (late or missing), or returned
  ``REPEATED_RETURNS`` times or more in the month.
Figures are those of the published month (``ScoreSheet``), so the 通报 agrees with the
scores page and the 考核 workbook.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _

from reports.exports import common, gbt9704
from reports.figures.reporting import percent_of
from reports.figures.scores import ranked
from reports.models_scores import BulletinDraft, ScoreSheet
from tasks.models import Evidence, ProgressUpdate, ReportingPeriod

REPEATED_RETURNS = 2


@dataclass(frozen=True)
class BulletinUnit:
    """A unit's line in the 通报: its published figures and why it is named."""

    department: object
    score: Decimal | None
    expected: int
    on_time: int
    returns: int
    evidenced: int
    reasons: list = field(default_factory=list)

    @property
    def not_on_time(self) -> int:
        return self.expected - self.on_time


@dataclass(frozen=True)
class BulletinLists:
    sheet: ScoreSheet
    units: list
    praised: list
    criticised: list


def published_sheet(period: ReportingPeriod) -> ScoreSheet | None:
    return ScoreSheet.objects.filter(period=period).select_related("formula").first()


def bulletin_lists(*, period: ReportingPeriod) -> BulletinLists:
    """Return the units the rules praise and name for ``period`` (its scores must be published)."""
    sheet = published_sheet(period)
    if sheet is None:
        raise ValueError(
            _("%(period)s的考核结果尚未发布，请先发布再生成通报。") % {"period": period}
        )
    rows = list(sheet.rows.select_related("department"))
    evidenced = _evidenced(period, sheet.cutoff)
    units = []
    for row in rows:
        data = row.breakdown
        units.append(
            BulletinUnit(
                department=row.department,
                score=row.score,
                expected=data["expected"],
                on_time=data["on_time"],
                returns=data["returns"],
                evidenced=evidenced.get(row.department_id, 0),
            )
        )
    units = [unit for _rank, unit in ranked(units)]
    praised = [
        u for u in units if u.expected and u.on_time == u.expected and u.evidenced >= u.on_time
    ]
    criticised = [
        BulletinUnit(**{**u.__dict__, "reasons": _reasons(u)}) for u in units if _reasons(u)
    ]
    return BulletinLists(sheet, units, praised, criticised)


def _reasons(unit: BulletinUnit) -> list[str]:
    reasons = []
    if unit.not_on_time:
        reasons.append(_("%(n)d项进展未按时报送（逾期或未报）") % {"n": unit.not_on_time})
    if unit.returns >= REPEATED_RETURNS:
        reasons.append(_("报送被退回%(n)d次") % {"n": unit.returns})
    return reasons


def _evidenced(period: ReportingPeriod, cut: datetime.datetime) -> dict[int, int]:
    """Count each unit's on-time reports of ``period`` with evidence uploaded by ``cut``."""
    files = Evidence.objects.filter(update_id=OuterRef("pk"), uploaded_at__lte=cut)
    rows = (
        ProgressUpdate.objects.filter(
            period=period, first_submitted_at__isnull=False, is_late=False
        )
        .filter(Exists(files))
        .order_by()
        .values("department_id")
        .annotate(n=Count("pk"))
    )
    return {row["department_id"]: row["n"] for row in rows}


def default_opening(programme, period) -> str:
    return _(
        "为压实试点任务推进责任，根据《%(programme)s》工作安排和考核计分办法，现将%(period)s"
        "各责任单位试点任务进展报送考核情况通报如下。"
    ) % {"programme": programme.title, "period": period}


def default_closing() -> str:
    return _(
        "受到通报的单位要认真分析原因，明确专人负责，按时、完整、如实报送进展情况并附佐证材料；"
        "各单位要对照受表扬单位的做法，加强协调配合，确保试点任务按期完成。"
    )


def chosen(lists: BulletinLists, draft: BulletinDraft | None) -> tuple[list, list]:
    """Return the praised and named units, less those the office took off in its draft."""
    if draft is None:
        return lists.praised, lists.criticised
    praised = [u for u in lists.praised if u.department.pk in set(draft.praised)]
    criticised = [u for u in lists.criticised if u.department.pk in set(draft.criticised)]
    return praised, criticised


def bulletin_title(period: ReportingPeriod) -> str:
    return _("关于%(period)s试点任务推进考核情况的通报") % {"period": period}


def build_bulletin(*, programme, period: ReportingPeriod, today: datetime.date) -> bytes:
    """Return the 通报 of ``period`` as .docx bytes (the office's draft text if saved)."""
    lists = bulletin_lists(period=period)
    draft = BulletinDraft.objects.filter(period=period).first()
    praised, criticised = chosen(lists, draft)
    document = common.new_document(office=programme.issuer)
    document.add_heading(bulletin_title(period), level=0)
    gbt9704.plain_paragraph(document, _("各责任单位："))
    document.add_paragraph(
        gbt9704.clean(draft.opening if draft else default_opening(programme, period))
    )
    document.add_heading(_("一、总体情况"), level=1)
    document.add_paragraph(_overview(lists, praised, criticised))
    document.add_heading(_("二、表扬单位"), level=1)
    if praised:
        document.add_paragraph(
            _("以下%(n)d个单位本月进展全部按时报送并附佐证材料，予以表扬：%(names)s。")
            % {
                "n": len(praised),
                "names": "、".join(gbt9704.clean(u.department.name) for u in praised),
            }
        )
    else:
        document.add_paragraph(_("本月无。"))
    document.add_heading(_("三、通报单位"), level=1)
    if criticised:
        document.add_paragraph(
            _("以下%(n)d个单位报送不及时或多次被退回，予以通报：") % {"n": len(criticised)}
        )
        common.add_table(
            document,
            [_("单位"), _("得分"), _("存在问题")],
            [(u.department.name, _score(u.score), "；".join(u.reasons)) for u in criticised],
            widths=(3, 1, 5),
        )
    else:
        document.add_paragraph(_("本月无。"))
    document.add_heading(_("四、各单位得分"), level=1)
    common.add_table(
        document,
        [_("排名"), _("单位"), _("得分")],
        [(rank or "—", u.department.name, _score(u.score)) for rank, u in ranked(lists.units)],
        widths=(1, 5, 2),
    )
    document.add_heading(_("五、工作要求"), level=1)
    document.add_paragraph(gbt9704.clean(draft.closing if draft else default_closing()))
    common.add_signature(document, programme.issuer, today)
    return common.document_bytes(document)


def _score(score) -> str:
    return _("无考核事项") if score is None else f"{score}"


def _overview(lists: BulletinLists, praised: list, criticised: list) -> str:
    scored = [u.score for u in lists.units if u.score is not None]
    expected = sum(u.expected for u in lists.units)
    on_time = sum(u.on_time for u in lists.units)
    mean = (sum(scored) / len(scored)).quantize(Decimal("0.1"), ROUND_HALF_UP) if scored else None
    percent = percent_of(on_time, expected)  # the dashboard's on-time rate
    rate = "—" if percent is None else f"{percent}%"
    return _(
        "本月参加考核单位%(units)d个，平均得分%(mean)s分；应报进展%(expected)d项，按时报送%(on_time)d项，"
        "按时报送率%(rate)s。表扬%(praised)d个单位，通报%(criticised)d个单位。"
    ) % {
        "units": len(scored),
        "mean": mean if mean is not None else "—",
        "expected": expected,
        "on_time": on_time,
        "rate": rate,
        "praised": len(praised),
        "criticised": len(criticised),
    }
