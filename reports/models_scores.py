"""Monthly unit scores (考核): the versioned weights and the published months.

A formula version is never changed once saved: editing the weights saves a new version.
A published month (ScoreSheet) keeps the version it was computed with and each unit's
breakdown, so changing the weights never changes a past month's published score; the test
``reports/tests/test_scores.py`` recomputes every published unit-month from the records and
compares.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from tasks.models import Programme, ReportingPeriod

WEIGHT_FIELDS = ("on_time", "on_schedule", "completion", "returns", "slips", "highlights")


def _weight(label: str, default: str):
    return models.DecimalField(label, max_digits=5, decimal_places=1, default=Decimal(default))


class ScoreFormula(models.Model):
    """One version of a programme's scoring weights (see reports.figures.scores)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("方案")
    )
    version = models.PositiveIntegerField(_("版本"))
    on_time = _weight(_("按时报送权重"), "40")
    on_schedule = _weight(_("按期推进权重"), "30")
    completion = _weight(_("按期办结权重"), "30")
    returns = _weight(_("退回扣分（每份报送退回1次）"), "10")
    slips = _weight(_("未办结督办单扣分（每件）"), "2")
    highlights = _weight(_("亮点加分（每条）"), "2")
    created_at = models.DateTimeField(_("保存时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("保存人"),
    )

    class Meta:
        ordering = ["programme", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "version"], name="unique_formula_version")
        ]
        verbose_name = _("考核计分公式")
        verbose_name_plural = _("考核计分公式")

    def __str__(self):
        return f"{self.programme} v{self.version}"

    def weights(self) -> dict:
        return {name: getattr(self, name) for name in WEIGHT_FIELDS}


class ScoreSheet(models.Model):
    """A month's published scores: the formula version used and when they were taken."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("方案")
    )
    period = models.OneToOneField(
        ReportingPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("期次")
    )
    formula = models.ForeignKey(
        ScoreFormula, on_delete=models.PROTECT, related_name="sheets", verbose_name=_("计分公式")
    )
    cutoff = models.DateTimeField(_("数据截至"))
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["programme", "period"]
        verbose_name = _("月度考核结果")
        verbose_name_plural = _("月度考核结果")

    def __str__(self):
        return f"{self.period} {self.programme}"


class ScoreRow(models.Model):
    """One unit's published score of a month, with the counts behind it."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="rows")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    # None: the unit had nothing to be scored on that month (本月无考核事项).
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=1, null=True)
    breakdown = models.JSONField(_("计分明细"))

    class Meta:
        ordering = ["sheet", "department"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "department"], name="unique_score_row")
        ]
        verbose_name = _("单位得分")
        verbose_name_plural = _("单位得分")

    def __str__(self):
        return f"{self.department} {self.score}"


class BulletinDraft(models.Model):
    """The office's edits to a month's 通报 before it is generated: the opening and closing
    text and the units it praises (表扬) and names (通报), as department id lists."""

    period = models.OneToOneField(
        ReportingPeriod, on_delete=models.CASCADE, related_name="+", verbose_name=_("期次")
    )
    opening = models.TextField(_("开头"))
    closing = models.TextField(_("工作要求"))
    praised = models.JSONField(_("表扬单位"), default=list)
    criticised = models.JSONField(_("通报单位"), default=list)
    updated_at = models.DateTimeField(_("修改时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("考核通报草稿")
        verbose_name_plural = _("考核通报草稿")

    def __str__(self):
        return str(self.period)
