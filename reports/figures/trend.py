"""Task statuses at the end of each period: the status rule of ``reports.figures.asof``,
applied period by period.

Each point is exactly what a report on that period shows (``states_as_of``): the walk
reads the programme's accepted lead updates once (four queries in all) and applies each at
the first period whose cut-off follows its acceptance. The dashboards keep the page that
shows it under the programme's data version (``tasks.data_version``), which every
acceptance, confirmation, due-date edit and plan change renews; the overview's walk
resumes from a snapshot of the closed periods (``asof.counts_and_states``).
"""

from collections import Counter

from django.db.models import Q

from pilot import clock
from reports.figures.asof import counts_and_states, walk_statuses
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


def status_trend_and_states(
    *, programme: Programme, period: ReportingPeriod
) -> tuple[list[TrendPoint], dict]:
    """Return ``status_trend`` and ``states_as_of`` ``period`` from one walk (five queries
    instead of ten: the states as of a period are a step of the walk).

    The walk covers the periods started by today and those up to ``period``; a period's
    states depend only on the periods before it, so both results are what the two
    functions return on their own. The periods already closed come from the walk's
    snapshot when it is there (``asof.counts_and_states``).
    """
    today = clock.today()
    periods = list(
        ReportingPeriod.objects.filter(programme=programme).filter(
            Q(starts_on__lte=today) | Q(starts_on__lte=period.starts_on)
        )
    )
    counted, states = counts_and_states(programme=programme, periods=periods, chosen=period)
    points = [
        TrendPoint(
            period=each,
            by_status={status: counts.get(status, 0) for status in STATUSES},
            total=total,
        )
        for each, counts, total in counted
        if each.starts_on <= today
    ]
    return points, states
