"""Task statuses at the end of each period: the status rule of ``reports.figures.asof``,
applied period by period.

Each point is exactly what a report on that period shows (``states_as_of``): the walk
reads the programme's accepted lead updates once (four queries in all) and applies each at
the first period whose cut-off follows its acceptance. Nothing is cached: the work is one
pass over the programme's accepted lead updates, and a cache would have to follow every
acceptance, confirmation, due-date edit and plan change to stay right.
"""

from collections import Counter

from pilot import clock
from reports.figures.asof import walk_statuses
from reports.figures.results import STATUSES, TrendPoint
from tasks.models import Programme, ReportingPeriod


def status_trend(*, programme: Programme) -> list[TrendPoint]:
    """Return task status counts as of each period that has started (periods after today
    are left out)."""
    periods = list(
        ReportingPeriod.objects.filter(programme=programme, starts_on__lte=clock.today())
    )
    points = []
    for period, states in walk_statuses(programme=programme, periods=periods):
        counts = Counter(state.status for state in states.values())
        points.append(
            TrendPoint(
                period=period,
                by_status={status: counts.get(status, 0) for status in STATUSES},
                total=len(states),
            )
        )
    return points
