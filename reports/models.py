"""Periodic reports: compiled runs, their files, who receives them, and every e-mail sent.

Rows change state only through ``reports.services``; a done run is never changed (asking
again makes a new version).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from tasks.models import Programme, ReportingPeriod
from tasks.periods import due_end


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("月报")
    SUMMARY = "summary", _("试点总结")
    URGING = "urging", _("催报通知")
    LATE_LIST = "late_list", _("未按期报送名单")
    BULLETIN = "bulletin", _("考核通报")


class RunState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


ACTIVE_STATES = (RunState.QUEUED, RunState.RUNNING)
# Ended without files: the office may ask for the same report again (retry).
RETRYABLE_STATES = (RunState.FAILED, RunState.CANCELLED)


class DistributionListKind(models.TextChoices):
    MEMBERS = "members", _("联席会议成员")
    OFFICE = "office", _("联席会议办公室")
    DEPARTMENT = "department", _("单位联系人")


class DistributionList(models.Model):
    """Who receives a report: listed addresses, or a department's contacts."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=DistributionListKind.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位"),
        help_text=_("类型为“单位联系人”时，收件人为该单位的联系人。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("分发名单")
        verbose_name_plural = _("分发名单")

    def __str__(self):
        return self.name


class DistributionListMember(models.Model):
    distribution_list = models.ForeignKey(
        DistributionList, on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    email = models.EmailField(_("电子邮箱"))

    class Meta:
        ordering = ["distribution_list", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["distribution_list", "email"], name="unique_list_member_email"
            )
        ]
        verbose_name = _("收件人")
        verbose_name_plural = _("收件人")

    def __str__(self):
        return f"{self.name} <{self.email}>" if self.name else self.email


class ReportRun(models.Model):
    """One compilation of a report. ``scope`` names what it covers (period, department or
    as-of date) so that the active-run guard and versions work without nullable columns in
    the unique constraint (NULLs are distinct there)."""

    kind = models.CharField(_("报告类型"), max_length=20, choices=ReportKind.choices)
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="report_runs", verbose_name=_("方案")
    )
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("期次"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位"),
    )
    scope = models.CharField(_("范围"), max_length=60)
    as_of = models.DateField(_("截至日期"))
    version = models.PositiveIntegerField(_("版本"))
    state = models.CharField(
        _("状态"), max_length=10, choices=RunState.choices, default=RunState.QUEUED
    )
    error = models.TextField(_("错误信息"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    distribution_list = models.ForeignKey(
        DistributionList,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("完成后发送给"),
    )
    created_at = models.DateTimeField(_("申请时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    celery_task_id = models.CharField(_("任务编号"), max_length=50, blank=True)
    progress_text = models.CharField(_("进度说明"), max_length=200, blank=True)
    progress_percent = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    # The headline figures the documents were built from, for the e-mail and the run page.
    headline = models.JSONField(_("主要数据"), default=dict, blank=True)
    # Requested before the period's due date: the documents describe an unfinished period.
    is_interim = models.BooleanField(
        _("中期/未截止"),
        default=False,
        help_text=_("申请时本期报送尚未截止，报告标注为中期/未截止。"),
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("取消人"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "programme", "scope"],
                condition=models.Q(state__in=["queued", "running"]),
                name="one_active_report_run",
            ),
            models.UniqueConstraint(
                fields=["kind", "programme", "scope", "version"], name="unique_report_version"
            ),
        ]
        indexes = [models.Index(fields=["state", "started_at"])]
        verbose_name = _("报告生成记录")
        verbose_name_plural = _("报告生成记录")

    def __str__(self):
        return f"{self.get_kind_display()} {self.scope} v{self.version}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def cutoff(self) -> datetime.datetime | None:
        """The moment the run's figures describe: the end of the period's due date, or the
        moment it was requested when that was earlier (an interim run)."""
        if self.period is None:
            return None
        if self.is_interim:
            return self.created_at
        return due_end(self.period)


class FileKind(models.TextChoices):
    XLSX = "xlsx", _("Excel 工作簿")
    DOCX = "docx", _("Word 文档")


def report_file_path(instance, filename):
    # Under MEDIA_ROOT/reports, never served directly: downloads go through a checked view.
    run = instance.run
    return f"reports/{run.programme_id}/{run.pk}/{instance.sha256[:16]}.{instance.kind}"


class ReportFile(models.Model):
    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="files")
    # The unit a per-unit file is for (a 催报通知); empty for the run's common files.
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位"),
    )
    kind = models.CharField(_("格式"), max_length=10, choices=FileKind.choices)
    name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to=report_file_path, max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["run", "kind", "name"]
        verbose_name = _("报告文件")
        verbose_name_plural = _("报告文件")

    def __str__(self):
        return self.name


class EmailKind(models.TextChoices):
    REPORT = "report", _("报告分发")
    REMINDER = "reminder", _("报送提醒")
    LATE_LIST = "late_list", _("逾期名单")
    SLIP = "slip", _("督办单")


class DeliveryResult(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    RETRYING = "retrying", _("等待重试")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    # The worker stopped mid-SMTP: the message may or may not have left. Never retried
    # automatically (it could arrive twice); the office decides to resend.
    UNKNOWN = "unknown", _("结果未知")


# The office may send these again (a new delivery row; the old one stays on record).
RESENDABLE_RESULTS = (DeliveryResult.FAILED, DeliveryResult.UNKNOWN)


class EmailDelivery(models.Model):
    """One message to one address. ``key`` makes each send idempotent: the same reminder
    digest or report mail is recorded (and sent) once, however often a job runs."""

    key = models.CharField(_("去重键"), max_length=200, unique=True)
    run = models.ForeignKey(
        ReportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=EmailKind.choices)
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to = models.EmailField(_("收件人"))
    subject = models.CharField(_("主题"), max_length=200)
    body_text = models.TextField(_("正文"))
    body_html = models.TextField(_("HTML 正文"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    result = models.CharField(
        _("结果"), max_length=10, choices=DeliveryResult.choices, default=DeliveryResult.PENDING
    )
    error = models.TextField(_("错误信息"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    attempted_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    resent_as = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("已重新发送为"),
    )
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    # A supervision slip's mail carries the slip's document (built again when sent).
    slip = models.ForeignKey(
        "tasks.SupervisionSlip",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("督办单"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["result", "created_at"])]
        verbose_name = _("邮件发送记录")
        verbose_name_plural = _("邮件发送记录")

    def __str__(self):
        return f"{self.subject} → {self.to}"


class ReportTemplate(models.Model):
    """The office's own .docx template (docxtpl) around every Word document's body.

    Only templates that rendered a sample document are stored (``reports.services
    .templates``), so the newest row is always a good one; older rows are the history.
    """

    name = models.CharField(_("文件名"), max_length=200)
    content = models.BinaryField(_("模板内容"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("Word 模板")
        verbose_name_plural = _("Word 模板")

    def __str__(self):
        return self.name


# The scoring (考核) models live in their own module; imported here so Django finds them.
from reports.models_scores import BulletinDraft, ScoreFormula, ScoreRow, ScoreSheet  # noqa: E402, F401
