"""The supervision slip (督办单) as a Word document in 公文 layout, inside the office's template.

Built only from what the slip row recorded when it was issued (number, level, reason,
response date) and the task's plan text, so the document is the same whenever it is
downloaded or mailed again.
"""

from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH

from reports.exports import common, gbt9704
from reports.exports.notices import contact_sentence, office_department
from reports.exports.templating import apply_office_template
from tasks.models import SlipLevel, SupervisionSlip

WHAT_FOLLOWS = {
    SlipLevel.BLUE: _("逾期未反馈的，将升级为黄色督办单。"),
    SlipLevel.YELLOW: _("逾期未反馈的，将升级为红色督办单。"),
    SlipLevel.RED: _("逾期未反馈的，联席会议办公室将提请联席会议通报。"),
}


def slip_file_name(slip: SupervisionSlip) -> str:
    return _("督办单%(code)s.docx") % {"code": slip.code}


def build_slip_document(*, slip: SupervisionSlip) -> bytes:
    """Return the slip as a .docx (bytes), in the office's template when one is set."""
    task, programme = slip.task, slip.task.programme
    document = common.new_document(office=programme.issuer)
    document.add_heading(
        _("试点任务督办单（%(level)s）") % {"level": slip.get_level_display()}, level=0
    )
    gbt9704.plain_paragraph(document, slip.code, alignment=WD_ALIGN_PARAGRAPH.CENTER)
    # Names, the plan's text and the reason are office-edited or typed text: cleaned.
    # The addressee (主送机关) stands flush left (GB/T 9704, 7.3.3).
    gbt9704.plain_paragraph(document, _("%(unit)s：") % {"unit": slip.department.name})
    document.add_paragraph(
        gbt9704.clean(
            _(
                "根据《%(programme)s》任务推进工作安排，现对贵单位牵头的第%(number)s项试点任务"
                "进行%(level)s督办。"
            )
            % {
                "programme": programme.title,
                "number": task.number,
                "level": slip.get_level_display(),
            }
        )
    )
    document.add_heading(_("一、督办任务"), level=1)
    document.add_paragraph(gbt9704.clean(f"{task.number}. {task.measure}"))
    document.add_heading(_("二、督办事由"), level=1)
    document.add_paragraph(gbt9704.clean(slip.reason))
    document.add_heading(_("三、办理要求"), level=1)
    document.add_paragraph(
        _(
            "请于%(due)s前登录试点任务管理平台，在本督办单下书面反馈整改措施和完成时限，"
            "由联席会议办公室审核。%(follows)s"
        )
        % {"due": common.chinese_date(slip.response_due), "follows": WHAT_FOLLOWS[slip.level]}
    )
    document.add_paragraph(gbt9704.clean(contact_sentence(office_department(programme))))
    common.add_signature(document, programme.issuer, slip.issued_on)
    document.core_properties.title = _("督办单%(code)s") % {"code": slip.code}
    content = common.document_bytes(document)
    return apply_office_template(content, day=slip.issued_on)
