"""Reads: the querysets behind pages and endpoints, with their joins built in."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects

from departments.models import Department
from pilot import clock, permissions
from tasks.models import (
    Assignment,
    AssignmentRole,
    AuditEvent,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    ReturnReason,
    Review,
    ReviewAction,
    Task,
    UpdateState,
)
from tasks.obligations import reporting_outcome_q
from tasks.periods import pick_current_period
from tasks.plan_asof import held_as_of, in_force_q
from tasks.warning import overdue_q, warning_colour


def current_period(*, programme: Programme) -> ReportingPeriod | None:
    """Return the period that holds today; the last one once the programme has ended."""
    periods = list(ReportingPeriod.objects.filter(programme=programme).order_by("starts_on"))
    return pick_current_period(periods, clock.today()) if periods else None


def default_programme() -> Programme | None:
    """Return the programme pages show when none is chosen (the most recent one)."""
    return Programme.objects.order_by("-starts_on", "pk").first()


# --- the office's review (tasks.views.office) --------------------------------------------


def review_queue(*, programme: Programme, filters: Mapping) -> QuerySet[ProgressUpdate]:
    """Return the programme's lead updates matching ``filters``, oldest submission first.

    ``filters`` holds any of: period, category, department, state, needs_coordination;
    a missing or empty value does not filter.
    """
    # Through the period (an update's period and task are of one programme, see
    # permissions.can_file_update): the programme's 36 periods reach its rows on the
    # (period, state) index, where its tasks would make PostgreSQL scan every update.
    updates = ProgressUpdate.objects.filter(period__programme=programme, role=AssignmentRole.LEAD)
    if filters.get("period"):
        updates = updates.filter(period=filters["period"])
    if filters.get("category"):
        updates = updates.filter(task__category=filters["category"])
    if filters.get("department"):
        updates = updates.filter(department=filters["department"])
    if filters.get("state"):
        updates = updates.filter(state=filters["state"])
    if filters.get("needs_coordination"):
        updates = updates.filter(needs_coordination=True)
    return updates.select_related("task", "department", "period").order_by(
        F("submitted_at").asc(nulls_last=True), "task__number", "department__name", "pk"
    )


def lead_departments(*, programme: Programme) -> QuerySet[Department]:
    """Return the departments that lead at least one task of the programme (now)."""
    return Department.objects.filter(
        assignments__role=AssignmentRole.LEAD,
        assignments__task__programme=programme,
        assignments__valid_until__isnull=True,
    ).distinct()


def updates_for_review() -> QuerySet[ProgressUpdate]:
    """Return updates with everything the review page shows joined or prefetched."""
    return ProgressUpdate.objects.select_related(
        "task__category", "task__programme", "period", "department", "reviewed_by"
    ).prefetch_related(
        "evidence",
        "revisions",
        Prefetch("drawn_from", queryset=ProgressUpdate.objects.select_related("department")),
        Prefetch(
            "reviews",
            queryset=Review.objects.select_related("created_by", "revision")
            .prefetch_related("reasons")
            .order_by("created_at", "pk"),
        ),
    )


def active_return_reasons() -> QuerySet[ReturnReason]:
    return ReturnReason.objects.filter(is_active=True).order_by("order", "pk")


# --- the task page (tasks.views.task_page) -----------------------------------------------


def task_for_page(*, task_id: int) -> Task | None:
    """Return the task with its category, programme and responsible units joined.

    A retired task (``Task.all_periods``) too, with the units it had when it was last in
    force; ``related_tasks`` lists the tasks merged into it or split off from it.
    """
    task = (
        Task.all_periods.select_related(
            "category",
            "programme",
            "status_period",
            "completion_confirmed_by",
            "valid_from",
            "valid_until",
            "merged_into",
            "split_from",
        )
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        return None
    assignments = Assignment.objects.all()
    if task.is_retired:
        assignments = Assignment.all_periods.filter(valid_until_id=task.valid_until_id)
    assignments = assignments.select_related("department", "on_behalf_of").order_by(
        "role", "order", "pk"
    )
    prefetch_related_objects([task], Prefetch("assignments", queryset=assignments))
    related = Task.all_periods.filter(Q(merged_into=task) | Q(split_from=task)).order_by("number")
    related = list(related.only("pk", "number", "merged_into_id", "split_from_id"))
    task.merged_tasks_all = [t for t in related if t.merged_into_id == task.pk]
    task.split_parts_all = [t for t in related if t.split_from_id == task.pk]
    return task


def current_task_numbers(*, programme: Programme) -> list[Task]:
    """Return the programme's tasks in the current plan by number (number and measure only)."""
    return list(
        Task.objects.filter(programme=programme).only("pk", "number", "measure").order_by("number")
    )


def task_timeline(*, task: Task, user) -> QuerySet[ProgressUpdate]:
    """Return the task's updates across periods that ``user`` may see, newest period first."""
    updates = permissions.visible_updates(user, ProgressUpdate.objects.filter(task=task))
    return (
        updates.select_related("period", "department")
        .prefetch_related("evidence")
        .order_by("-period__starts_on", "role", "department__sort_order", "department__name")
    )


def task_audit_events(*, task: Task, user) -> QuerySet[AuditEvent]:
    """Return the task's audit history ``user`` may see, oldest first, with actors joined.

    Events about an update follow the update's visibility (a department's draft edits are
    its own business); events about the task itself are shown to every portal user.
    """
    visible = permissions.visible_updates(user, ProgressUpdate.objects.filter(task=task))
    events = AuditEvent.objects.filter(task=task).filter(
        Q(update__isnull=True) | Q(update__in=visible.values("pk"))
    )
    return (
        permissions.without_others_supervision_events(user, events)
        .select_related("actor__profile__department", "update__department")
        .order_by("at", "pk")
    )


# --- a department's own work (tasks.views.reporter) ---------------------------------------

# The order of the reporter's worklist: what needs action first.
WORKLIST_STATES = ("returned", "not_started", "draft", "submitted", "accepted")


@dataclass
class WorkItem:
    """One task a department holds, with its update for the period (None if not started)."""

    assignment: Assignment
    update: ProgressUpdate | None
    state: str  # an UpdateState value, or "not_started"
    last_return: Review | None
    days_left: int

    @property
    def task(self) -> Task:
        return self.assignment.task


def programme_periods(*, programme: Programme) -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.filter(programme=programme).order_by("starts_on"))


def department_worklist(*, department: Department, period: ReportingPeriod) -> list[WorkItem]:
    """Return every task ``department`` holds in ``period`` (the plan in force then: a
    change from a later period leaves this period's list as it was), most urgent first.

    Four queries whatever the size: assignments with their tasks, the department's updates
    of the period, their return reviews, and those reviews' reasons.
    """
    # Tasks confirmed complete before the period began expect no more reports from anyone.
    held = (
        held_as_of(department=department, period=period)
        .filter(task__programme_id=period.programme_id)
        .exclude(task__completion_confirmed_at__date__lt=period.starts_on)
        .select_related("task")
    )
    # One row per task: a department merged into this one may have held it too (the lead
    # comes first in ``held_as_of`` and stays).
    assignments: dict[int, Assignment] = {}
    for assignment in held:
        assignments.setdefault(assignment.task_id, assignment)
    updates = {
        update.task_id: update
        for update in ProgressUpdate.objects.filter(
            department=department, period=period
        ).prefetch_related(_returns_prefetch())
    }
    today = clock.today()
    items = []
    for assignment in assignments.values():
        update = updates.get(assignment.task_id)
        returns = update.returns if update is not None else []
        items.append(
            WorkItem(
                assignment=assignment,
                update=update,
                state=update.state if update is not None else "not_started",
                last_return=returns[0] if returns and update.state == "returned" else None,
                days_left=(assignment.task.due_on - today).days,
            )
        )
    items.sort(key=lambda item: (WORKLIST_STATES.index(item.state), item.task.number))
    return items


def worklist_counts(items: list[WorkItem]) -> dict[str, int]:
    """Count the worklist's rows per state, every state present (zero when none)."""
    counts = dict.fromkeys(WORKLIST_STATES, 0)
    for item in items:
        counts[item.state] += 1
    return counts


def _returns_prefetch() -> Prefetch:
    # Newest first, so that [0] is the return that the department must answer.
    returns = (
        Review.objects.filter(action=ReviewAction.RETURN)
        .select_related("created_by__profile__department")
        .prefetch_related("reasons")
        .order_by("-created_at", "-pk")
    )
    return Prefetch("reviews", queryset=returns, to_attr="returns")


def department_assignment(
    *, department: Department, task: Task, period: ReportingPeriod
) -> Assignment | None:
    """Return the assignment through which ``department`` files for ``task`` in ``period``
    (the plan in force then), None when it held none."""
    return held_as_of(department=department, period=period).filter(task=task).first()


def department_update(
    *, department: Department, task: Task, period: ReportingPeriod
) -> ProgressUpdate | None:
    """Return the department's update for (task, period) with what its form page shows."""
    return (
        ProgressUpdate.objects.filter(department=department, task=task, period=period)
        .select_related("task__programme", "period", "department")
        .prefetch_related(
            "evidence",
            Prefetch("drawn_from", queryset=ProgressUpdate.objects.select_related("department")),
            _returns_prefetch(),
        )
        .first()
    )


@dataclass
class SupportingRow:
    """A supporting unit of a task and what it sent the lead for the period."""

    assignment: Assignment
    input: ProgressUpdate | None

    @property
    def department(self) -> Department:
        return self.assignment.department

    @property
    def state(self) -> str:
        """collective, missing, returned, late or received (集合单位 … 已提交)."""
        if self.department.is_collective:
            return "collective"
        if self.input is None:
            return "missing"
        if self.input.state == UpdateState.RETURNED:
            return "returned"
        return "late" if self.input.is_late else "received"


def supporting_rows(*, update: ProgressUpdate) -> list[SupportingRow]:
    """Return the task's supporting units in the lead's period (the plan in force then)
    with their submitted input for it.

    Drafts are not input yet (the lead never sees them). Three queries whatever the size.
    """
    assignments = (
        Assignment.all_periods.filter(task_id=update.task_id, role=AssignmentRole.SUPPORT)
        .filter(in_force_q(period=update.period))
        .select_related("department", "on_behalf_of")
        .order_by("order", "pk")
    )
    inputs = {
        item.department_id: item
        for item in ProgressUpdate.objects.filter(
            task_id=update.task_id, period_id=update.period_id, role=AssignmentRole.SUPPORT
        )
        .exclude(state=UpdateState.DRAFT)
        .prefetch_related("evidence")
    }
    return [SupportingRow(assignment=a, input=inputs.get(a.department_id)) for a in assignments]


# The search box: at most this many words, each cut to this many characters.
SEARCH_MAX_WORDS = 10
SEARCH_MAX_WORD_LENGTH = 50


@dataclass(frozen=True)
class SearchWords:
    words: tuple[str, ...]
    truncated: bool  # words dropped or cut to the limits above


def search_words(query: str) -> SearchWords:
    """Split a search query on white space (half- and full-width), within the limits."""
    found = query.split()  # str.split() also splits on U+3000, the full-width space
    words = tuple(dict.fromkeys(w[:SEARCH_MAX_WORD_LENGTH] for w in found[:SEARCH_MAX_WORDS]))
    truncated = len(found) > SEARCH_MAX_WORDS or any(
        len(w) > SEARCH_MAX_WORD_LENGTH for w in found[:SEARCH_MAX_WORDS]
    )
    return SearchWords(words=words, truncated=truncated)


def search_word_q(word: str) -> Q:
    """Match tasks whose measure, a responsible unit (name, short name or alias) or an
    accepted update's text holds ``word``. Drafts and unreviewed text are never searched.

    Two EXISTS subqueries: the page's query count does not grow with the rows.
    """
    units = Department.objects.filter(
        Q(name__icontains=word) | Q(short_name__icontains=word) | Q(aliases__name__icontains=word)
    ).values("pk")
    held = Assignment.objects.filter(task_id=OuterRef("pk"), department__in=units)
    accepted = ProgressUpdate.objects.filter(
        task_id=OuterRef("pk"), state=UpdateState.ACCEPTED
    ).filter(
        Q(work_done__icontains=word) | Q(next_steps__icontains=word) | Q(problems__icontains=word)
    )
    return Q(measure__icontains=word) | Exists(held) | Exists(accepted)


def filter_tasks(*, programme: Programme, filters: dict):
    """Return the programme's tasks matching the cleaned ``filters``, with their rows' joins.

    ``filters["q"]`` is a sequence of search words (see ``search_words``), all required.
    """
    today = clock.today()
    tasks = (
        Task.objects.filter(programme=programme)
        .select_related("category")
        .annotate(colour=warning_colour(today=today))
        .order_by("number")
    )
    for word in filters.get("q") or ():
        tasks = tasks.filter(search_word_q(word))
    for name in ("category", "status", "colour"):
        if filters.get(name):
            tasks = tasks.filter(**{name: filters[name]})
    department = filters.get("department")
    if department is not None:
        held = Assignment.objects.filter(task_id=OuterRef("pk"), department=department)
        if filters.get("role"):
            held = held.filter(role=filters["role"])
        tasks = tasks.filter(Exists(held))
    if filters.get("coordination"):
        tasks = tasks.filter(needs_coordination=True)
    if filters.get("overdue"):
        tasks = tasks.filter(overdue_q(today=today))
    if filters.get("confirmed"):
        tasks = tasks.filter(completion_confirmed_at__isnull=False)
    if filters.get("past_due"):
        tasks = tasks.filter(due_on__lt=today)
    if filters.get("reporting") and filters.get("period"):
        outcome = reporting_outcome_q(
            period=filters["period"], outcome=filters["reporting"], department=department
        )
        tasks = tasks.filter(outcome)
    assignments = Assignment.objects.select_related("department").order_by("role", "order")
    return tasks.prefetch_related(Prefetch("assignments", queryset=assignments))
