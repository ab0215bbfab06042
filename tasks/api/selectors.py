"""Reads behind the API: permission-filtered querysets with their joins built in."""

from itertools import groupby
from operator import attrgetter

from django.db.models import Prefetch, QuerySet
from knox.models import AuthToken

from departments.models import Department
from pilot import clock, permissions
from tasks.models import (
    Assignment,
    Evidence,
    ProgressUpdate,
    ReportingPeriod,
    Review,
    Task,
)
from tasks.periods import pick_current_period


def api_departments() -> QuerySet[Department]:
    return Department.objects.prefetch_related("aliases")


def api_tasks() -> QuerySet[Task]:
    """Return tasks with their responsible units prefetched (lead first, in plan order)."""
    assignments = Assignment.objects.select_related("department").order_by("role", "order", "pk")
    # Lists (to_attr) rather than a related manager per row: building 200 managers'
    # querysets costs more than the queries themselves.
    return Task.objects.prefetch_related(
        Prefetch("assignments", queryset=assignments, to_attr="assignment_list")
    )


def current_period_ids() -> set[int]:
    """Return the id of each programme's current period, in one query for all programmes."""
    periods = ReportingPeriod.objects.only("programme_id", "starts_on", "ends_on").order_by(
        "programme_id", "starts_on"
    )
    today = clock.today()
    return {
        pick_current_period(list(group), today).pk
        for _programme, group in groupby(periods, key=attrgetter("programme_id"))
    }


def api_periods() -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.all()


def api_updates(*, user) -> QuerySet[ProgressUpdate]:
    """Return the updates ``user`` may see, with evidence, inputs and reviews prefetched."""
    reviews = Review.objects.prefetch_related("reasons").order_by("created_at", "pk")
    updates = permissions.visible_updates(user, ProgressUpdate.objects.all())
    # Lists (to_attr), as in api_tasks: no related manager and queryset per row.
    return updates.select_related("department").prefetch_related(
        Prefetch(
            "evidence",
            queryset=Evidence.objects.order_by("uploaded_at", "pk"),
            to_attr="evidence_list",
        ),
        Prefetch(
            "drawn_from", queryset=ProgressUpdate.objects.only("pk"), to_attr="drawn_from_list"
        ),
        Prefetch("reviews", queryset=reviews, to_attr="review_list"),
    )


def api_evidence(*, user) -> QuerySet[Evidence]:
    """Return the evidence of the updates ``user`` may see."""
    visible = permissions.visible_updates(user, ProgressUpdate.objects.all())
    return Evidence.objects.filter(update__in=visible).select_related("update__period")


def api_tokens(*, user) -> QuerySet[AuthToken]:
    """Return the tokens of ``user`` (every account sees only its own)."""
    return AuthToken.objects.filter(user=user).select_related("user").order_by("-created")
