"""The status walk resumed from its snapshot of the closed periods equals the full walk.

The overview's trend and states (``asof.counts_and_states``) keep the walk's state after the
periods already closed in the cache, under the programme's history token; the reporting
loop's routine writes leave that token as it is (``tasks.data_version.routine_write``). On
the demo history (the real 117-task plan, three years of updates) every answer is compared
with the full walk (``walk_statuses``) after routine writes of every kind, a non-routine
edit of a closed period, and the clock moving on to close another period.
"""

import datetime
from collections import Counter
from unittest import mock

import pytest
import time_machine

from departments.models import Role
from pilot.testing.factories import make_user
from pilot.testing.helpers import load_demo_history
from reports.figures import asof
from tasks import data_version
from tasks.models import (
    AssignmentRole,
    ProgressUpdate,
    ReportingPeriod,
    ReturnReason,
    TaskStatus,
    UpdateState,
)
from tasks.services import review

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
DEMO_DAY = datetime.datetime(2022, 6, 15, 10, tzinfo=SHANGHAI)
NEXT_MONTH = datetime.datetime(2022, 7, 20, 10, tzinfo=SHANGHAI)


@pytest.fixture
def demo(db):
    with time_machine.travel(DEMO_DAY, tick=False) as traveller:
        traveller.programme = load_demo_history()
        traveller.office = make_user("office", Role.OFFICE)
        yield traveller


def _periods(programme):
    return list(ReportingPeriod.objects.filter(programme=programme).order_by("starts_on"))


def _chosen(programme, year, month):
    return ReportingPeriod.objects.get(programme=programme, year=year, month=month)


def full_walk(programme, chosen):
    """The reference: the walk from the first period, no snapshot."""
    points, states = [], {}
    for period, current in asof.walk_statuses(programme=programme, periods=_periods(programme)):
        points.append((period.pk, Counter(s.status for s in current.values()), len(current)))
        if period.pk == chosen.pk:
            states = dict(current)
    return points, states


def walked(programme, chosen):
    """``counts_and_states``, and whether it resumed from a snapshot."""
    calls = []
    original = asof._Walk.load_effects

    def spy(walk, **kwargs):
        calls.append(kwargs.get("after_closed", False))
        return original(walk, **kwargs)

    with mock.patch.object(asof._Walk, "load_effects", spy):
        points, states = asof.counts_and_states(
            programme=programme, periods=_periods(programme), chosen=chosen
        )
    return ([(p.pk, counts, total) for p, counts, total in points], states), calls == [True]


def _submitted_leads(programme, **filters):
    return ProgressUpdate.objects.filter(
        task__programme=programme,
        role=AssignmentRole.LEAD,
        state=UpdateState.SUBMITTED,
        **filters,
    ).order_by("pk")


def test_routine_writes_resume_from_the_snapshot_and_equal_the_full_walk(demo):
    programme, june = demo.programme, _chosen(demo.programme, 2022, 6)
    # One of May's lead updates still waits for review (May closed on its due date).
    may = _chosen(programme, 2022, 5)
    late = ProgressUpdate.objects.filter(
        period=may, role=AssignmentRole.LEAD, state=UpdateState.ACCEPTED
    ).first()
    ProgressUpdate.objects.filter(pk=late.pk).update(
        state=UpdateState.SUBMITTED, reviewed_at=None, reviewed_by=None
    )
    data_version.bump(programme_id=programme.pk)  # that setup is no routine write
    first, resumed = walked(programme, june)
    assert not resumed  # nothing kept yet
    assert first == full_walk(programme, june)
    history = data_version.history(programme_id=programme.pk)

    # Routine writes of each kind: the late acceptance of May's update (it takes effect in
    # June), acceptances of June's, and a return.
    current = list(_submitted_leads(programme, period=june)[:3])
    assert len(current) == 3
    for update in [late, *current[:2]]:
        update.refresh_from_db()
        review.accept_update(update=update, actor=demo.office)
    reason = ReturnReason.objects.create(text="材料不全")
    review.return_update(update=current[2], actor=demo.office, reasons=[reason], comment="")

    assert data_version.history(programme_id=programme.pk) == history
    again, resumed = walked(programme, june)
    assert resumed
    assert again == full_walk(programme, june)
    assert again != first  # the acceptances show


def test_an_edit_of_a_closed_period_renews_the_history_and_shows(demo):
    programme, june = demo.programme, _chosen(demo.programme, 2022, 6)
    before, _resumed = walked(programme, june)
    march = _chosen(programme, 2022, 3)
    update = (
        ProgressUpdate.objects.filter(
            period=march, role=AssignmentRole.LEAD, state=UpdateState.ACCEPTED
        )
        .exclude(status=TaskStatus.BLOCKED)
        .first()
    )
    history = data_version.history(programme_id=programme.pk)

    update.status = TaskStatus.BLOCKED  # as the admin would save it
    update.save()

    assert data_version.history(programme_id=programme.pk) != history
    after, resumed = walked(programme, june)
    assert not resumed
    assert after == full_walk(programme, june)
    march_counts = {pk: counts for pk, counts, _total in after[0]}[march.pk]
    assert march_counts != {pk: counts for pk, counts, _total in before[0]}[march.pk]


def test_a_period_closing_makes_a_new_snapshot_that_equals_the_full_walk(demo):
    programme = demo.programme
    walked(programme, _chosen(programme, 2022, 6))
    for update in _submitted_leads(programme)[:5]:
        review.accept_update(update=update, actor=demo.office)

    demo.move_to(NEXT_MONTH)  # June's due date has passed: one more closed period
    july = _chosen(programme, 2022, 7)
    first, resumed = walked(programme, july)
    assert not resumed
    assert first == full_walk(programme, july)
    for update in _submitted_leads(programme)[:5]:
        review.accept_update(update=update, actor=demo.office)
    again, resumed = walked(programme, july)

    assert resumed
    assert again == full_walk(programme, july)


def test_a_closed_period_chosen_is_walked_in_full(demo):
    programme, march = demo.programme, _chosen(demo.programme, 2022, 3)
    walked(programme, _chosen(programme, 2022, 6))

    result, resumed = walked(programme, march)

    assert not resumed
    assert result == full_walk(programme, march)


def test_only_routine_writes_leave_the_history_token(demo):
    programme_id = demo.programme.pk
    data_version.bump(programme_id=programme_id)
    version = data_version.current(programme_id=programme_id)
    history = data_version.history(programme_id=programme_id)

    with data_version.routine_write():
        data_version.bump(programme_id=programme_id)
    assert data_version.current(programme_id=programme_id) != version
    assert data_version.history(programme_id=programme_id) == history

    data_version.bump(programme_id=programme_id)
    assert data_version.history(programme_id=programme_id) != history
