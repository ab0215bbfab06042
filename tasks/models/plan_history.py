from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tasks.models.plan import Programme, Task
from tasks.models.reporting import ReportingPeriod


class PlanChangeKind(models.TextChoices):
    UNITS_CHANGED = "units_changed", _("调整责任单位")
    TEXT_CHANGED = "text_changed", _("调整举措或完成时限")
    DEPARTMENTS_MERGED = "departments_merged", _("单位合并（机构改革）")
    TASK_RETIRED = "task_retired", _("撤销任务")
    TASK_SPLIT = "task_split", _("拆分任务")
    TASKS_MERGED = "tasks_merged", _("合并任务")


class PlanChange(models.Model):
    """One change to a programme's plan, effective from a period, with its reason."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="plan_changes", verbose_name=_("方案")
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="plan_changes",
        verbose_name=_("任务"),
    )
    kind = models.CharField(_("变更类型"), max_length=30, choices=PlanChangeKind.choices)
    effective = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生效期次"),
        help_text=_("空：自方案开始起。"),
    )
    reason = models.TextField(_("变更原因"))
    detail = models.CharField(_("变更内容"), max_length=1000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["programme", "at", "id"]
        verbose_name = _("方案变更")
        verbose_name_plural = _("方案变更")

    def __str__(self):
        return f"{self.get_kind_display()}：{self.detail}"


class TaskRevision(models.Model):
    """A task's measure and due date as they stood before a change (``PlanChange``).

    In force up to, not including, ``valid_until``; the task row holds the current text.
    """

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("任务")
    )
    measure = models.TextField(_("具体举措"))
    due_on = models.DateField(_("完成期限"))
    valid_until = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("终止于期次")
    )
    change = models.OneToOneField(
        PlanChange, on_delete=models.CASCADE, related_name="revision", verbose_name=_("变更")
    )

    class Meta:
        ordering = ["task", "valid_until__starts_on"]
        verbose_name = _("任务原文本")
        verbose_name_plural = _("任务原文本")

    def __str__(self):
        return f"{self.task.number} → {self.valid_until}"
