"""The joint meeting's pack (会议材料) as a Word document in 公文 layout: the agenda, a brief
per item (lead units, status, the problems their accepted reports name, the decisions taken),
and what became of the previous meeting's decisions."""

from django.utils.translation import gettext as _

from pilot import clock
from reports.exports import common, gbt9704
from tasks.models import Meeting
from tasks.services import meetings as meeting_services

NUMERALS = "一二三四五六七八九十"
MEASURE_CHARS = 60


def ordinal(number: int) -> str:
    """Return （一） … （十）, then （11） on: the 公文 numbering of third-level items."""
    if number <= len(NUMERALS):
        return f"（{NUMERALS[number - 1]}）"
    return f"（{number}）"


def short_measure(text: str) -> str:
    return text if len(text) <= MEASURE_CHARS else text[:MEASURE_CHARS] + "…"


def lead_names(task) -> str:
    return "、".join(a.department.name for a in getattr(task, "lead_assignments", [])) or "—"


def build_meeting_pack(*, meeting: Meeting) -> bytes:
    """Return the pack of ``meeting`` as .docx bytes."""
    programme = meeting.programme
    items = meeting_services.meeting_items(meeting=meeting)
    problems = meeting_services.latest_problems(tasks=[item.task for item in items])
    document = common.new_document(office=programme.issuer)
    document.add_heading(_("%(meeting)s会议材料") % {"meeting": meeting}, level=0)
    document.add_paragraph(
        gbt9704.clean(
            _("会议日期：%(day)s。议题%(count)d项，均为《%(programme)s》中需协调推进的任务。")
            % {
                "day": common.chinese_date(meeting.held_on),
                "count": len(items),
                "programme": programme.title,
            }
        )
    )
    document.add_heading(_("一、会议议程"), level=1)
    common.add_table(
        document,
        [_("序号"), _("议题"), _("牵头单位"), _("提交原因")],
        [
            (
                item.order,
                _("第%(n)d项：%(m)s")
                % {"n": item.task.number, "m": short_measure(item.task.measure)},
                lead_names(item.task),
                item.get_source_display(),
            )
            for item in items
        ],
        widths=(1.2, 6, 3, 3),
    )
    document.add_heading(_("二、议题简要情况"), level=1)
    for item in items:
        _add_brief(document, item, problems.get(item.task_id, []))
    document.add_heading(_("三、上次会议议定事项落实情况"), level=1)
    _add_follow_ups(document, meeting)
    common.add_signature(document, programme.issuer, clock.today())
    return common.document_bytes(document)


def _add_brief(document, item, problems) -> None:
    task = item.task
    document.add_heading(ordinal(item.order) + _("第%(n)d项任务") % {"n": task.number}, level=2)
    document.add_paragraph(gbt9704.clean(_("具体举措：%(m)s") % {"m": task.measure}))
    document.add_paragraph(
        gbt9704.clean(
            _("牵头单位：%(leads)s。当前状态：%(status)s，完成进度%(percent)d%%，完成期限%(due)s。")
            % {
                "leads": lead_names(task),
                "status": task.get_status_display(),
                "percent": task.percent,
                "due": common.chinese_date(task.due_on),
            }
        )
    )
    if problems:
        for unit, text in problems:
            document.add_paragraph(
                gbt9704.clean(_("存在问题（%(unit)s）：%(text)s") % {"unit": unit, "text": text})
            )
    else:
        document.add_paragraph(_("存在问题：已采纳的报送中未列明。"))
    decisions = list(item.decisions.all())
    if decisions:
        document.add_paragraph(_("议定事项："))
        common.add_items(
            document,
            [
                _("%(text)s（责任单位：%(owner)s；完成时限：%(due)s）")
                % {"text": d.text, "owner": d.owner.name, "due": common.chinese_date(d.due_on)}
                for d in decisions
            ],
            empty="",
        )


def _add_follow_ups(document, meeting) -> None:
    previous = meeting_services.previous_meeting(meeting=meeting)
    if previous is None:
        document.add_paragraph(_("本次为首次会议，无上次议定事项。"))
        return
    follow_ups = meeting_services.follow_ups(meeting=previous)
    if not follow_ups:
        document.add_paragraph(_("%(meeting)s未形成议定事项。") % {"meeting": previous})
        return
    done = sum(1 for f in follow_ups if f.done)
    document.add_paragraph(
        _("%(meeting)s议定事项%(count)d项，已办结%(done)d项。")
        % {"meeting": previous, "count": len(follow_ups), "done": done}
    )
    common.add_table(
        document,
        [_("序号"), _("议定事项"), _("责任单位"), _("完成时限"), _("落实情况")],
        [
            (
                number,
                f.decision.text,
                f.decision.owner.name,
                common.chinese_date(f.decision.due_on),
                f.outcome,
            )
            for number, f in enumerate(follow_ups, start=1)
        ],
        widths=(1.2, 5, 3, 3.2, 3),
    )
