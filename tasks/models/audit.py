from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tasks.models.plan import Task
from tasks.models.reporting import ProgressUpdate


class AuditVerb(models.TextChoices):
    CREATED = "created", _("创建")
    CHANGED = "changed", _("修改")
    SUBMITTED = "submitted", _("提交")
    WITHDRAWN = "withdrawn", _("撤回")
    RETURNED = "returned", _("退回")
    ACCEPTED = "accepted", _("采纳")
    EVIDENCE_ADDED = "evidence_added", _("上传材料")
    EVIDENCE_REMOVED = "evidence_removed", _("删除材料")
    COMPLETION_CONFIRMED = "completion_confirmed", _("办结确认")
    ASSIGNMENT_ADDED = "assignment_added", _("指定责任单位")
    DECISION_RECORDED = "decision_recorded", _("联席会议议定")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_SUPPLEMENTED = "extension_supplemented", _("补充延期材料")
    EXTENSION_APPROVED = "extension_approved", _("批准延期")
    EXTENSION_REJECTED = "extension_rejected", _("不予延期")
    EXTENSION_MORE_INFO = "extension_more_info", _("要求补充延期材料")
    SLIP_ISSUED = "slip_issued", _("签发督办单")
    SLIP_ANSWERED = "slip_answered", _("反馈督办单")
    SLIP_ACCEPTED = "slip_accepted", _("认可督办反馈")
    SLIP_RETURNED = "slip_returned", _("退回督办反馈")
    SLIP_ESCALATED = "slip_escalated", _("督办单升级")
    SLIP_CLOSED = "slip_closed", _("关闭督办单")


class AuditEvent(models.Model):
    """Who did what to a task or update, and when. Written by services only."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="audit_events")
    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, null=True, blank=True, related_name="audit"
    )
    verb = models.CharField(_("操作"), max_length=30, choices=AuditVerb.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"))
    detail = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["task", "at", "id"]
        indexes = [models.Index(fields=["task", "at"])]
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_verb_display()} {self.detail}".strip()
