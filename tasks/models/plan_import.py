from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tasks.models.plan import Programme


def plan_import_path(instance, filename):
    # Named by content; the original name is kept on the row. Never served directly.
    return f"plan-imports/{instance.sha256[:2]}/{instance.sha256}"


class PlanImportStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    CONFIRMED = "confirmed", _("已导入")
    DISCARDED = "discarded", _("已放弃")


class PlanImport(models.Model):
    """An uploaded plan table, kept as a draft until the office confirms it.

    ``rows`` holds one row per task as the reader found it (the office's fixes edit them);
    the parse is recomputed from them, so the preview always shows what confirming creates.
    ``units`` holds the office's decisions for units that match no department exactly:
    ``{name: {"department": id}}`` or ``{name: {"create": {"kind": …, "short_name": …}}}``.
    ``meta`` holds the programme's title, code, document number and dates.
    """

    status = models.CharField(
        _("状态"), max_length=20, choices=PlanImportStatus.choices, default=PlanImportStatus.DRAFT
    )
    file = models.FileField(_("原始文件"), upload_to=plan_import_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("格式"), max_length=10)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.JSONField(_("任务行"), default=list)
    units = models.JSONField(_("单位匹配"), default=dict)
    meta = models.JSONField(_("方案信息"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"))
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
        verbose_name=_("导入的方案"),
    )
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    finished_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("方案导入")
        verbose_name_plural = _("方案导入")

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == PlanImportStatus.DRAFT
