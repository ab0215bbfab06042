"""The joint meeting (联席会议): its agenda of tasks needing coordination, and the decisions
(议定事项) it takes. Each decision becomes a new task of the programme, led by the unit
charged with it, which reports on it like on any task; it is done when the office confirms
that task complete (办结确认)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from tasks.models.plan import Programme, Task


class Meeting(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("方案")
    )
    number = models.PositiveSmallIntegerField(_("会议次数"))
    held_on = models.DateField(_("会议日期"))
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["programme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="unique_meeting_number")
        ]
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")

    def __str__(self):
        return gettext("第%(number)d次联席会议") % {"number": self.number}


class AgendaSource(models.TextChoices):
    BLOCKED = "blocked", _("受阻")
    COORDINATION = "coordination", _("需协调")
    RED_SLIP = "red_slip", _("红色督办单")
    OFFICE = "office", _("办公室提出")


class AgendaItem(models.Model):
    """A task on a meeting's agenda, with why it is there (its source when the agenda was built)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("会议")
    )
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("任务")
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    source = models.CharField(_("提交原因"), max_length=20, choices=AgendaSource.choices)

    class Meta:
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "task"], name="unique_agenda_task")
        ]
        verbose_name = _("会议议题")
        verbose_name_plural = _("会议议题")

    def __str__(self):
        return f"{self.meeting} {self.order}. {self.task}"


class Decision(models.Model):
    """A decision (议定事项) on an agenda item: what, who, by when, and the task tracking it."""

    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("议题")
    )
    text = models.TextField(_("议定事项"))
    owner = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    due_on = models.DateField(_("完成时限"))
    tracking_task = models.OneToOneField(
        Task, on_delete=models.PROTECT, related_name="decision", verbose_name=_("跟踪任务")
    )
    created_at = models.DateTimeField(_("记录时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["item", "created_at", "id"]
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")

    def __str__(self):
        return self.text[:30]
