"""Supervision that closes the loop: extension requests (延期申请) and supervision slips (督办单).

A lead unit asks for a new due date before the task's due date passes; the office approves
(with a date it chooses), rejects or asks for more. An approved date becomes the task's
``due_on`` (what every figure uses); the plan's date stays in ``Task.original_due_on``.

A supervision slip is addressed to one lead unit of a task, by rule or by hand, in three
levels (blue, yellow, red); the unit answers with 整改措施 and 完成时限, which the office
accepts or returns. An unanswered slip escalates when its response date passes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from tasks.models.plan import Programme, Task


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("待审批")
    MORE_INFO = "more_info", _("待补充材料")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


#: States in which a request is still open (at most one per task).
OPEN_EXTENSION_STATES = (ExtensionState.PENDING, ExtensionState.MORE_INFO)


class Extension(models.Model):
    """A lead unit's request (延期申请) for a later due date of a task, and the decision."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("任务")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请单位")
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    # The task's due date when the request was made (the date it asks to move).
    current_due_on = models.DateField(_("申请时的完成期限"))
    requested_due_on = models.DateField(_("申请延期至"))
    reason = models.TextField(_("延期理由"))
    supplement = models.TextField(_("补充说明"), blank=True)
    requested_at = models.DateTimeField(_("申请时间"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    approved_due_on = models.DateField(_("批准延期至"), null=True, blank=True)
    decision_comment = models.TextField(_("审批意见"), blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["task", "-requested_at", "-pk"]
        constraints = [
            # One open request per task at a time (the database refuses a second one even
            # when two units ask at the same moment).
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(state__in=["pending", "more_info"]),
                name="one_open_extension_per_task",
            )
        ]
        indexes = [models.Index(fields=["state", "requested_at"])]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")

    def __str__(self):
        return gettext("任务%(number)s延期至%(day)s") % {
            "number": self.task.number,
            "day": self.requested_due_on.isoformat(),
        }

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_EXTENSION_STATES


def extension_evidence_path(instance, filename):
    # Random name on disk, the original kept on the row; never served directly.
    return f"extensions/{instance.extension.task_id}/{instance.sha256[:2]}/{instance.sha256}"


class ExtensionEvidence(models.Model):
    """A supporting file of an extension request (checked like update evidence)."""

    extension = models.ForeignKey(
        Extension, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("延期申请")
    )
    file = models.FileField(_("文件"), upload_to=extension_evidence_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["extension", "uploaded_at", "pk"]
        verbose_name = _("延期申请材料")
        verbose_name_plural = _("延期申请材料")

    def __str__(self):
        return self.original_name


class SlipLevel(models.TextChoices):
    BLUE = "blue", _("蓝色")
    YELLOW = "yellow", _("黄色")
    RED = "red", _("红色")


#: Levels from the mildest; a slip escalates to the next one.
SLIP_LEVELS = (SlipLevel.BLUE, SlipLevel.YELLOW, SlipLevel.RED)


class SlipStatus(models.TextChoices):
    ISSUED = "issued", _("待反馈")
    ANSWERED = "answered", _("已反馈待审核")
    ACCEPTED = "accepted", _("已认可")
    ESCALATED = "escalated", _("已升级")
    CLOSED = "closed", _("已关闭")


#: A slip in these states is outstanding: the unit (or the office) still has to act.
OPEN_SLIP_STATUSES = (SlipStatus.ISSUED, SlipStatus.ANSWERED)


class SlipOrigin(models.TextChoices):
    RULE = "rule", _("按规则")
    HAND = "hand", _("人工")
    ESCALATION = "escalation", _("逾期升级")


class SupervisionSlip(models.Model):
    """A numbered supervision slip (督办单) to one lead unit of a task, and its answer."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="slips", verbose_name=_("任务")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="slips", verbose_name=_("督办单位")
    )
    level = models.CharField(_("等级"), max_length=10, choices=SlipLevel.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("编号"))
    origin = models.CharField(_("来源"), max_length=20, choices=SlipOrigin.choices)
    reason = models.TextField(_("督办事由"))
    issued_on = models.DateField(_("签发日期"))
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    response_due = models.DateField(_("反馈期限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=SlipStatus.choices, default=SlipStatus.ISSUED
    )
    escalated_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalated_to",
        verbose_name=_("由此督办单升级"),
    )
    measures = models.TextField(_("整改措施"), blank=True)
    fix_by = models.DateField(_("完成时限"), null=True, blank=True)
    responded_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("反馈人"),
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="unique_slip_number"),
            # One outstanding slip per task and unit: a new level replaces (escalates) it.
            models.UniqueConstraint(
                fields=["task", "department"],
                condition=Q(status__in=["issued", "answered"]),
                name="one_open_slip_per_task_unit",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "response_due"]),
            models.Index(fields=["department", "status"]),
        ]
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")

    def __str__(self):
        return self.code

    @property
    def code(self) -> str:
        """The slip's document number, e.g. 督办〔2021〕3号."""
        return gettext("督办〔%(year)s〕%(number)s号") % {"year": self.year, "number": self.number}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SLIP_STATUSES


class SlipRules(models.Model):
    """The office's thresholds for issuing slips by rule, one row per programme."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="slip_rules", verbose_name=_("方案")
    )
    enabled = models.BooleanField(_("按规则自动签发"), default=True)
    blue_working_days = models.PositiveSmallIntegerField(
        _("蓝色：距完成期限（工作日）"),
        default=10,
        help_text=_("距完成期限不超过此工作日数且进度低于下述百分比时签发蓝色督办单。"),
    )
    blue_percent = models.PositiveSmallIntegerField(_("蓝色：进度低于（%）"), default=80)
    stalled_periods = models.PositiveSmallIntegerField(
        _("黄色/红色：连续期数"),
        default=2,
        help_text=_("连续此数量的报送期无进展签发黄色督办单，连续受阻签发红色督办单。"),
    )
    blue_response_days = models.PositiveSmallIntegerField(_("蓝色：反馈期限（工作日）"), default=5)
    yellow_response_days = models.PositiveSmallIntegerField(
        _("黄色：反馈期限（工作日）"), default=3
    )
    red_response_days = models.PositiveSmallIntegerField(_("红色：反馈期限（工作日）"), default=2)

    class Meta:
        verbose_name = _("督办规则")
        verbose_name_plural = _("督办规则")

    def __str__(self):
        return gettext("%(programme)s督办规则") % {"programme": self.programme}

    def response_days(self, level: str) -> int:
        return {
            SlipLevel.BLUE: self.blue_response_days,
            SlipLevel.YELLOW: self.yellow_response_days,
            SlipLevel.RED: self.red_response_days,
        }[level]
