"""Scoring (考核) reads: the current formula, a month's scores (published or 试算) and the
ranked table with last month beside it. Reads never write: a programme without a saved formula
is read with the default weights (version 0)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from departments.models import Department
from departments.ordering import order_units
from reports.figures import scores as score_figures
from reports.models_scores import ScoreFormula, ScoreRow, ScoreSheet
from tasks.models import Programme, ReportingPeriod
from tasks.periods import cutoff


def current_formula(*, programme: Programme) -> ScoreFormula:
    """Return the programme's latest formula, or an unsaved one with the default weights."""
    formula = ScoreFormula.objects.filter(programme=programme).order_by("-version").first()
    if formula is None:
        formula = ScoreFormula(programme=programme, version=0, **score_figures.DEFAULT_WEIGHTS)
    return formula


@dataclass(frozen=True)
class MonthScores:
    """A month's scores: published (``sheet`` set, stored rows) or a live trial computation."""

    period: ReportingPeriod
    formula: ScoreFormula
    sheet: ScoreSheet | None
    scores: list
    cutoff: datetime.datetime

    @property
    def published(self) -> bool:
        return self.sheet is not None


def month_scores(*, programme: Programme, period: ReportingPeriod) -> MonthScores:
    """Return ``period``'s scores: the published ones if any, else computed now (试算)."""
    sheet = (
        ScoreSheet.objects.filter(period=period).select_related("formula", "published_by").first()
    )
    if sheet is not None:
        rows = list(sheet.rows.select_related("department"))
        departments = order_units([row.department for row in rows])
        by_department = {row.department_id: row for row in rows}
        stored = [stored_score(by_department[item.pk]) for item in departments]
        return MonthScores(period, sheet.formula, sheet, stored, sheet.cutoff)
    formula = current_formula(programme=programme)
    computed = score_figures.unit_scores(
        programme=programme, period=period, weights=formula.weights()
    )
    return MonthScores(period, formula, None, computed, cutoff(period))


def stored_score(row: ScoreRow) -> score_figures.UnitScore:
    """Turn a published row back into a UnitScore (the numbers as published)."""
    data = dict(row.breakdown)
    points = {name: Decimal(value) for name, value in data.pop("points").items()}
    score = data.pop("score")
    return score_figures.UnitScore(
        department=row.department,
        points=points,
        score=None if score is None else Decimal(score),
        **data,
    )


def previous_period(period: ReportingPeriod) -> ReportingPeriod | None:
    return (
        ReportingPeriod.objects.filter(
            programme_id=period.programme_id, starts_on__lt=period.starts_on
        )
        .order_by("-starts_on")
        .first()
    )


@dataclass(frozen=True)
class ScoreLine:
    """One line of the score table: rank, this month's UnitScore, last month's score, change."""

    rank: int | None
    item: score_figures.UnitScore
    previous: Decimal | None

    @property
    def change(self) -> Decimal | None:
        if self.item.score is None or self.previous is None:
            return None
        return self.item.score - self.previous


def score_table(
    *, programme: Programme, period: ReportingPeriod, department: Department | None = None
) -> tuple[MonthScores, MonthScores | None, list[ScoreLine]]:
    """Return (this month, last month, the lines ranked); ``department``: only its line."""
    month = month_scores(programme=programme, period=period)
    before = previous_period(period)
    last = month_scores(programme=programme, period=before) if before else None
    previous = {item.department.pk: item.score for item in last.scores} if last else {}
    lines = [
        ScoreLine(rank, item, previous.get(item.department.pk))
        for rank, item in score_figures.ranked(month.scores)
    ]
    if department is not None:
        lines = [line for line in lines if line.item.department.pk == department.pk]
    return month, last, lines
