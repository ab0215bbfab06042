"""Every programme's headline figures for its current period."""

from collections import defaultdict

from django.core.cache import cache
from django.db.models import Count, F, FilteredRelation, Q

from pilot import clock
from reports.figures.programme import task_aggregates, task_counts_of
from reports.figures.reporting import open_in_period_q, reporting_counts
from reports.figures.results import ProgrammeHeadline
from tasks import data_version
from tasks.models import Assignment, Programme, ReportingPeriod, Task
from tasks.obligations import reporting_units, reporting_units_q
from tasks.periods import pick_current_period
from tasks.plan_asof import in_force_q
from tasks.warning import warning_colour


def current_periods(*, programmes=None) -> dict:
    """Return {programme id: its current period} (tasks.selectors' rule; two queries).

    The choice reads four columns of every period as plain tuples (a programme has dozens
    of periods); only the chosen ones are fetched whole.
    """
    today = clock.today()
    periods = ReportingPeriod.objects.order_by("programme_id", "starts_on")
    if programmes is not None:
        periods = periods.filter(programme__in=programmes)
    by_programme = defaultdict(list)
    for pk, programme_id, starts_on, ends_on in periods.values_list(
        "pk", "programme_id", "starts_on", "ends_on"
    ):
        by_programme[programme_id].append(_PeriodRow(pk, starts_on, ends_on))
    chosen = {pid: pick_current_period(rows, today).pk for pid, rows in by_programme.items()}
    fetched = ReportingPeriod.objects.in_bulk(list(chosen.values()))
    return {pid: fetched[pk] for pid, pk in chosen.items()}


class _PeriodRow:
    """A period's id and the two dates ``pick_current_period`` reads."""

    __slots__ = ("ends_on", "pk", "starts_on")

    def __init__(self, pk, starts_on, ends_on):
        self.pk, self.starts_on, self.ends_on = pk, starts_on, ends_on


def programmes_overview(*, tokens: dict | None = None) -> list[ProgrammeHeadline]:
    """Return every programme's headline figures for its current period (three queries
    and the cache when every programme's snapshot is there, four more when some is not;
    one more without ``tokens``).

    Each programme's figures are kept in the cache as a per-period snapshot, under its
    programme, period, the date and its data version (``tasks.data_version``; ``tokens``:
    its ``all_tokens()``, read here if not given): after a write in one programme, only
    that programme's tasks and updates are counted again.
    """
    today = clock.today()
    programmes = list(Programme.objects.order_by("-starts_on", "code"))
    current = current_periods()
    tokens = data_version.all_tokens() if tokens is None else tokens
    snapshots = _snapshots(programmes, current, tokens, today)
    return [
        ProgrammeHeadline(
            programme=programme,
            period=current.get(programme.pk),
            tasks=task_counts_of(snapshots[programme.pk][0]),
            reporting=reporting_counts(*snapshots[programme.pk][1]),
        )
        for programme in programmes
    ]


def _snapshots(programmes, current, tokens, today) -> dict:
    """Return {programme id: (task aggregates, (expected, on time, late))}, from the cache
    where present, counted (two or three queries for all the missing ones) where not."""
    keys = {
        programme.pk: _snapshot_key(programme.pk, current.get(programme.pk), tokens, today)
        for programme in programmes
    }
    found = cache.get_many(keys.values())
    snapshots = {pid: found[key] for pid, key in keys.items() if key in found}
    missing = [pid for pid in keys if pid not in snapshots]
    if not missing:
        return snapshots
    tasks = {
        row["programme_id"]: row
        for row in Task.objects.filter(programme_id__in=missing)
        .alias(colour=warning_colour(today=today))
        .order_by()
        .values("programme_id")
        .annotate(**task_aggregates(today))
    }
    reporting = _reporting_by_programme(
        {pid: period for pid, period in current.items() if pid in missing},
        programmes=[programme for programme in programmes if programme.pk in missing],
    )
    empty_tasks = {**dict.fromkeys(task_aggregates(today), 0), "mean_percent": None}
    computed = {
        pid: (tasks.get(pid, empty_tasks), reporting.get(pid, (0, 0, 0))) for pid in missing
    }
    cache.set_many({keys[pid]: snapshot for pid, snapshot in computed.items()})
    return {**snapshots, **computed}


def _snapshot_key(programme_id, period, tokens, today) -> str:
    version = data_version.programme_version(tokens, programme_id)
    period_id = period.pk if period else None
    return f"figures:headline:{programme_id}:{period_id}:{today.isoformat()}:{version}"


def _reporting_by_programme(current: dict, *, programmes: list) -> dict:
    """Return {programme id: (expected, on time, late)} for each current period of
    ``programmes`` (three small queries, then one grouped query).

    The expected assignments (those ``expected_assignments`` selects for each current
    period) are joined to their submitted update of that period: one hash join over the
    current periods' rows rather than a probe per assignment or a second count over the
    updates. An update is unique per (task, period, department) and a task belongs to one
    programme, so each assignment meets at most one update. Programmes whose current
    periods start on the same day share one filter, and those owing to the same units
    another (``reporting_units``), so the SQL stays small however many programmes there are.
    """
    if not current:
        return {}
    units = reporting_units(programmes)
    by_start = defaultdict(list)
    for programme_id, period in current.items():
        by_start[period.starts_on].append(programme_id)
    owed = Q()
    for start, programme_ids in by_start.items():
        owed |= (
            Q(task__programme_id__in=programme_ids)
            & open_in_period_q(start=start, prefix="task__")
            & in_force_q(start=start)
        )
    submitted = FilteredRelation(
        "task__updates",
        condition=Q(
            task__updates__department_id=F("department_id"),
            task__updates__period_id__in=[period.pk for period in current.values()],
            task__updates__first_submitted_at__isnull=False,
        ),
    )
    rows = (
        Assignment.all_periods.filter(owed)
        .filter(
            reporting_units_q(
                units, field="task__programme_id", programme_of={pid: pid for pid in current}
            )
        )
        .annotate(submitted=submitted)
        .order_by()
        .values("task__programme_id")
        .annotate(
            n=Count("pk"),
            on_time=Count("submitted", filter=Q(submitted__is_late=False)),
            late=Count("submitted", filter=Q(submitted__is_late=True)),
        )
    )
    return {row["task__programme_id"]: (row["n"], row["on_time"], row["late"]) for row in rows}
