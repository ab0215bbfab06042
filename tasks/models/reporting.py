from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from tasks.models.plan import AssignmentRole, Programme, Task, TaskStatus


class ReportingPeriod(models.Model):
    """A monthly reporting round of a programme, with its due date (editable by the office)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="periods", verbose_name=_("方案")
    )
    year = models.PositiveSmallIntegerField(_("年"))
    month = models.PositiveSmallIntegerField(_("月"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    due_on = models.DateField(_("报送截止日"))
    # Open for filing from a few days before ``starts_on`` (tasks.periods) until
    # the office closes it; late filing stays possible (and is marked late) meanwhile.
    is_open = models.BooleanField(_("开放填报"), default=True)
    closed_at = models.DateTimeField(_("关闭填报时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("关闭人"),
    )

    class Meta:
        ordering = ["programme", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year", "month"], name="unique_period")
        ]
        verbose_name = _("报送期次")
        verbose_name_plural = _("报送期次")

    def __str__(self):
        # Translated when shown, so English pages read "2021-03".
        return gettext("%(year)d年%(month)d月") % {"year": self.year, "month": self.month}

    @property
    def label(self) -> str:
        return str(self)


class UpdateState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已采纳")


class ProgressUpdate(models.Model):
    """A department's progress report on one task for one period.

    A lead unit's update is the one the office reviews; a supporting unit's update is its
    input to the lead (see ``tasks.services.reporting``). ``version`` guards against two
    people overwriting each other's edits (optimistic locking).
    """

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="updates", verbose_name=_("任务")
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="updates", verbose_name=_("期次")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="updates", verbose_name=_("单位")
    )
    role = models.CharField(_("职责"), max_length=10, choices=AssignmentRole.choices)
    state = models.CharField(
        _("报送状态"), max_length=20, choices=UpdateState.choices, default=UpdateState.DRAFT
    )
    status = models.CharField(
        _("推进状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.ON_TRACK
    )
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    work_done = models.TextField(_("本期工作进展"), blank=True)
    next_steps = models.TextField(_("下步工作计划"), blank=True)
    problems = models.TextField(_("存在问题及需协调事项"), blank=True)
    needs_coordination = models.BooleanField(_("需协调解决"), default=False)
    # Set by the office when accepting: the update is quoted as a highlight in the 月报.
    is_highlight = models.BooleanField(_("亮点/典型做法"), default=False)
    copied_from_previous = models.BooleanField(_("与上期内容相同"), default=False)
    drawn_from = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="drawn_into",
        verbose_name=_("采用的配合单位报送"),
    )
    missing_inputs = models.TextField(_("未收到报送的配合单位"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    return_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("最近提交时间"), null=True, blank=True)
    is_late = models.BooleanField(_("逾期报送"), default=False)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    updated_at = models.DateTimeField(_("修改时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("修改人"),
    )

    class Meta:
        ordering = ["period", "task", "role", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "period", "department"], name="unique_update_per_period"
            ),
            models.CheckConstraint(condition=models.Q(percent__lte=100), name="percent_max_100"),
        ]
        indexes = [
            models.Index(fields=["period", "state"]),
            models.Index(fields=["department", "period"]),
            models.Index(fields=["task", "period"]),
            # The few updates ever returned: the dashboards sum their return counts.
            models.Index(
                fields=["period", "department"],
                condition=models.Q(return_count__gt=0),
                name="update_returned_idx",
            ),
        ]
        verbose_name = _("进展报送")
        verbose_name_plural = _("进展报送")

    def __str__(self):
        return f"{self.period} · {self.task.number} · {self.department}"

    @property
    def is_lead(self) -> bool:
        return self.role == AssignmentRole.LEAD


class UpdateRevision(models.Model):
    """What an update said each time it was submitted, so a reviewer can see the changes."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["update", "number"]
        constraints = [
            models.UniqueConstraint(fields=["update", "number"], name="unique_revision_number")
        ]
        verbose_name = _("提交版本")
        verbose_name_plural = _("提交版本")

    def __str__(self):
        return f"{self.update_id} v{self.number}"


def evidence_path(instance, filename):
    # Random name on disk; the original name is kept on the row. Never served directly.
    return f"evidence/{instance.update.period.year}/{instance.sha256[:2]}/{instance.sha256}"


class Evidence(models.Model):
    """A supporting file attached to an update (downloaded through a checked view only)."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("报送")
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["update", "uploaded_at"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self):
        return self.original_name


class ReturnReason(models.Model):
    """A standard reason the office gives when it returns an update (kept by the office)."""

    text = models.CharField(_("退回原因"), max_length=200, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("退回原因")
        verbose_name_plural = _("退回原因")

    def __str__(self):
        return self.text


class ReviewAction(models.TextChoices):
    ACCEPT = "accept", _("采纳")
    RETURN = "return", _("退回")


class Review(models.Model):
    """The office's (or, for supporting input, the lead unit's) decision on a submission."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(_("审核结果"), max_length=10, choices=ReviewAction.choices)
    reasons = models.ManyToManyField(ReturnReason, blank=True, verbose_name=_("退回原因"))
    comment = models.TextField(_("审核意见"), blank=True)
    revision = models.ForeignKey(
        UpdateRevision, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The reviewed department, copied for the per-department return counts of dashboards.
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("审核时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["update", "created_at"]
        indexes = [models.Index(fields=["department", "action"])]
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")

    def __str__(self):
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"
