"""Scoring (考核): save a new version of the weights, publish a month's scores, read them.

Reads (``month_scores``) never write: a programme without a saved formula is read with the
default weights (version 0). Publishing stores each unit's breakdown with the formula version
used, so a published month never changes when the weights do.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pilot import clock, permissions
from reports.figures import score_table
from reports.figures import scores as score_figures
from reports.models_scores import (
    WEIGHT_FIELDS,
    BulletinDraft,
    ScoreFormula,
    ScoreRow,
    ScoreSheet,
)
from tasks.models import Programme, ReportingPeriod
from tasks.periods import cutoff, is_interim

MAX_WEIGHT = Decimal(100)


def validate_weights(weights: dict) -> None:
    """Refuse weights out of 0-100, or all three rate weights zero."""
    errors = {}
    for name in WEIGHT_FIELDS:
        value = weights[name]
        if value < 0 or value > MAX_WEIGHT:
            errors[name] = _("权重应在 0 到 100 之间。")
    if all(weights[name] == 0 for name in score_figures.RATE_TERMS):
        errors["on_time"] = _("按时报送、按期推进、按期办结的权重不能都为 0。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_formula(*, programme: Programme, weights: dict, actor) -> ScoreFormula:
    """Save ``weights`` as the programme's next formula version (past versions never change)."""
    if not permissions.can_edit_score_formula(actor):
        raise PermissionDenied(_("只有联席会议办公室可以修改计分公式。"))
    validate_weights(weights)
    latest = score_table.current_formula(programme=programme)
    if latest.pk and all(getattr(latest, name) == weights[name] for name in WEIGHT_FIELDS):
        return latest
    # Two offices saving at once: the unique (programme, version) refuses the second.
    try:
        with transaction.atomic():
            return ScoreFormula.objects.create(
                programme=programme,
                version=latest.version + 1,
                created_at=clock.now(),
                created_by=actor,
                **{name: weights[name] for name in WEIGHT_FIELDS},
            )
    except IntegrityError as error:
        raise ValidationError(_("计分公式刚被他人修改，请刷新后再试。")) from error


@transaction.atomic
def publish_scores(*, programme: Programme, period: ReportingPeriod, actor) -> ScoreSheet:
    """Publish ``period``'s scores with the current formula (saved as version 1 if none is)."""
    if not permissions.can_publish_scores(actor):
        raise PermissionDenied(_("只有联席会议办公室可以发布考核结果。"))
    if period.programme_id != programme.pk:
        raise ValidationError(_("该期次不属于此方案。"))
    if is_interim(period):
        raise ValidationError(
            _("%(period)s的报送截止日尚未过去，暂不能发布考核结果。") % {"period": period}
        )
    formula = score_table.current_formula(programme=programme)
    if formula.pk is None:
        formula = save_formula(programme=programme, weights=formula.weights(), actor=actor)
    now = clock.now()
    scores = score_figures.unit_scores(
        programme=programme, period=period, weights=formula.weights(), now=now
    )
    try:
        with transaction.atomic():
            sheet = ScoreSheet.objects.create(
                programme=programme,
                period=period,
                formula=formula,
                cutoff=cutoff(period, now=now),
                published_at=now,
                published_by=actor,
            )
    except IntegrityError as error:
        raise ValidationError(_("%(period)s的考核结果已发布。") % {"period": period}) from error
    ScoreRow.objects.bulk_create(
        ScoreRow(
            sheet=sheet, department=item.department, score=item.score, breakdown=item.breakdown()
        )
        for item in scores
    )
    return sheet


@transaction.atomic
def save_bulletin_draft(
    *, period: ReportingPeriod, opening: str, closing: str, praised: list, criticised: list, actor
):
    """Keep the office's edits to a month's 通报 (text, and which units it names)."""
    if not permissions.can_request_report(actor):
        raise PermissionDenied(_("只有联席会议办公室可以编辑通报。"))
    draft, _created = BulletinDraft.objects.update_or_create(
        period=period,
        defaults={
            "opening": opening,
            "closing": closing,
            "praised": sorted(praised),
            "criticised": sorted(criticised),
            "updated_at": clock.now(),
            "updated_by": actor,
        },
    )
    return draft
