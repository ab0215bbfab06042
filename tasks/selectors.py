"""Reads: the querysets behind pages and endpoints, with their joins built in."""

from pilot import clock
from tasks.models import Programme, ReportingPeriod


def current_period(*, programme: Programme) -> ReportingPeriod | None:
    """Return the period that holds today; the last one once the programme has ended."""
    today = clock.today()
    periods = ReportingPeriod.objects.filter(programme=programme)
    holding = periods.filter(starts_on__lte=today, ends_on__gte=today).first()
    if holding is not None:
        return holding
    if (
        periods.filter(starts_on__gt=today).exists()
        and not periods.filter(ends_on__lt=today).exists()
    ):
        return periods.order_by("starts_on").first()
    return periods.order_by("-starts_on").first()


def default_programme() -> Programme | None:
    """Return the programme pages show when none is chosen (the most recent one)."""
    return Programme.objects.order_by("-starts_on", "pk").first()
