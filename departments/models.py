from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    PROVINCIAL = "provincial", _("省直部门")
    PARTY = "party", _("党委部门")
    CENTRAL = "central", _("中央驻琼单位")
    CITY = "city", _("市县政府")
    PARK = "park", _("园区管理机构")
    COLLECTIVE = "collective", _("集合单位")
    OTHER = "other", _("其他")


class DepartmentQuerySet(models.QuerySet):
    def concrete(self):
        """Bodies that can hold accounts and report (collectives such as 各市县 cannot)."""
        return self.exclude(kind=DepartmentKind.COLLECTIVE)


class Department(models.Model):
    """One real body (or a collective such as 有关部门), whatever the spelling in a plan."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=DepartmentKind.choices)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    webhook_url = models.URLField(
        _("群机器人 Webhook 地址"),
        max_length=500,
        blank=True,
        help_text=_(
            "企业微信或钉钉群机器人的 Webhook 地址。填写后，本单位报送被退回或采纳时，"
            "平台会向该群推送一条文字消息；留空则不推送。"
        ),
    )

    # Set when an institutional reform (机构改革) merged this body into another one
    # (tasks.services.plan_history.merge_departments); its earlier record stays its own.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("并入单位"),
    )

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self):
        return self.name

    @property
    def is_collective(self) -> bool:
        return self.kind == DepartmentKind.COLLECTIVE

    @property
    def label(self) -> str:
        return self.short_name or self.name


class DepartmentAlias(models.Model):
    """A spelling of a department as written in a source document."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("单位")
    )
    name = models.CharField(_("写法"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")

    def __str__(self):
        return self.name


class DepartmentContact(models.Model):
    """An e-mail address that receives a department's reminders and reports."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("单位")
    )
    name = models.CharField(_("联系人"), max_length=50, blank=True)
    email = models.EmailField(_("电子邮箱"))
    phone = models.CharField(_("电话"), max_length=30, blank=True)

    class Meta:
        ordering = ["department", "email"]
        constraints = [
            models.UniqueConstraint(fields=["department", "email"], name="unique_contact_email")
        ]
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")

    def __str__(self):
        return f"{self.department} <{self.email}>"


class Role(models.TextChoices):
    REPORTER = "reporter", _("部门填报人")
    OFFICE = "office", _("联席会议办公室")
    MEMBER = "member", _("联席会议成员（只读）")
    ADMIN = "admin", _("系统管理员")


class Profile(models.Model):
    """A user's role in the portal and, for reporters, the department they report for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("所属单位"),
    )

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="reporter") | models.Q(department__isnull=False),
                name="reporter_has_department",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class AccountVerb(models.TextChoices):
    CREATED = "created", _("开设账号")
    CHANGED = "changed", _("修改账号")
    ROLE_CHANGED = "role_changed", _("修改角色或单位")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    TOKEN_ISSUED = "token_issued", _("签发接口令牌")
    TOKEN_REVOKED = "token_revoked", _("撤销接口令牌")


class AccountEvent(models.Model):
    """Who did what to an account or its API tokens, and when. Written by services only."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="account_events",
        verbose_name=_("账号"),
    )
    verb = models.CharField(_("操作"), max_length=30, choices=AccountVerb.choices)
    # Null when the change came from the command line (an operator on the server).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"))
    detail = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["account", "at"])]
        verbose_name = _("账号操作记录")
        verbose_name_plural = _("账号操作记录")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.account} {self.get_verb_display()}"


class NotificationVerb(models.TextChoices):
    RETURNED = "returned", _("报送被退回")
    ACCEPTED = "accepted", _("报送已采纳")
    REPORT_DONE = "report_done", _("报告已生成")
    REPORT_FAILED = "report_failed", _("报告生成失败")


class Notification(models.Model):
    """A message to one user in the portal (通知), unread until they mark it read."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    verb = models.CharField(_("类型"), max_length=20, choices=NotificationVerb.choices)
    text = models.CharField(_("内容"), max_length=500)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self):
        return self.text


class WebhookResult(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class WebhookPush(models.Model):
    """One text message pushed to a department's group robot, with its outcome."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="webhook_pushes", verbose_name=_("单位")
    )
    text = models.CharField(_("内容"), max_length=500)
    created_at = models.DateTimeField(_("创建时间"))
    result = models.CharField(
        _("结果"), max_length=10, choices=WebhookResult.choices, default=WebhookResult.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error = models.CharField(_("错误信息"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("群机器人推送")
        verbose_name_plural = _("群机器人推送")

    def __str__(self):
        return self.text
