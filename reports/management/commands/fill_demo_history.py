"""Fill a programme with a believable, clearly labelled demo reporting history.

Every generated update's work_done starts with 【演示数据】. The history covers the periods
that have started by ``clock.today()``: most reports on time, some late, a few missing,
some returned once then accepted, blocked and behind spells, completions spread over the
programme (then confirmed by the office, after which a task owes no more reports). Rows are
written with bulk_create (fast: 117 tasks x 36 periods in a few seconds on SQLite), then
``refresh_task_status`` derives each task's current state as the real services would.
Audit events are not generated. Deterministic for a given --seed and date.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from departments.models import Department, DepartmentKind, Profile, Role
from departments.services import create_reporter_accounts
from pilot import clock
from tasks import selectors
from tasks.models import (
    Assignment,
    AssignmentRole,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    Review,
    ReviewAction,
    Task,
    TaskStatus,
    UpdateRevision,
    UpdateState,
)
from tasks.services.review import refresh_task_status

DEMO_PREFIX = "【演示数据】"
WORK = (
    "召开专题推进会，细化工作方案。",
    "对接相关企业，收集政策诉求。",
    "起草配套政策文件并征求意见。",
    "开展实地调研，梳理存在问题。",
    "推动试点项目落地，形成阶段性成果。",
)
NEXT = ("继续推进政策落地。", "加强部门协同，跟踪项目进展。", "总结经验做法，准备评估材料。")
PROBLEM = "涉及跨部门审批事项，需联席会议办公室协调。"
# Every return the service makes carries a reason or a comment; the demo's do too.
RETURN_COMMENT = DEMO_PREFIX + "请补充本期具体进展数据和佐证材料。"


@dataclass
class TaskPlan:
    """How one task's story goes, by period index."""

    start: int
    finish: int  # index at which the leads report 已完成 (may lie beyond the programme)
    blocked: range
    behind: range

    def state(self, index: int) -> tuple[str, int]:
        if index < self.start:
            return TaskStatus.NOT_STARTED, 0
        if index >= self.finish:
            return TaskStatus.COMPLETED, 100
        span = max(self.finish - self.start, 1)
        percent = min(95, 5 + 90 * (index - self.start) // span)
        if index in self.blocked:
            return TaskStatus.BLOCKED, percent
        if index in self.behind:
            return TaskStatus.BEHIND, max(percent - 15, 5)
        return TaskStatus.ON_TRACK, percent


def _task_plan(rng: random.Random, due: int) -> TaskPlan:
    """Draw a task's story; ``due`` is the index of the period holding its due date."""
    start = rng.randint(0, 3)
    roll = rng.random()
    if roll < 0.7:  # done by its due date
        finish = rng.randint(max(start + 2, due * 3 // 10), max(start + 2, due))
    elif roll < 0.9:  # done, but late
        finish = due + rng.randint(1, 6)
    else:  # still running at the end
        finish = due + 60
    blocked = range(0)
    if rng.random() < 0.2:
        first = rng.randint(start, max(start, finish - 3))
        blocked = range(first, first + rng.randint(3, 6))
    behind = range(0)
    if rng.random() < 0.35:
        first = rng.randint(start, max(start, finish - 4))
        behind = range(first, first + rng.randint(3, 6))
    return TaskPlan(start=start, finish=finish, blocked=blocked, behind=behind)


def _due_index(periods: list, day: datetime.date) -> int:
    for index, period in enumerate(periods):
        if period.starts_on <= day <= period.ends_on:
            return index
    return len(periods) - 1 if periods and day > periods[-1].ends_on else 0


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class Command(BaseCommand):
    help = "Fill a programme with a labelled demo history (【演示数据】) up to today."

    def add_arguments(self, parser):
        parser.add_argument("--programme", help="programme code (default: the latest)")
        parser.add_argument("--seed", type=int, default=2020, help="random seed (default 2020)")
        parser.add_argument(
            "--force", action="store_true", help="run even though real (non-demo) updates exist"
        )
        parser.add_argument(
            "--skip-if-real",
            action="store_true",
            help="when real updates exist, leave everything as it is and say so (no error)",
        )

    def handle(self, *args, programme=None, seed=2020, force=False, skip_if_real=False, **opts):
        programme = self._programme(programme)
        real = ProgressUpdate.objects.filter(task__programme=programme).exclude(
            work_done__startswith=DEMO_PREFIX
        )
        if not force and skip_if_real and real.exists():
            self.stdout.write(
                self.style.WARNING(
                    f"该方案已有真实报送（{real.count()} 份），未填充演示数据，现有数据保持不变。"
                    "如需重新生成演示数据：删除数据库后重新运行，或执行 "
                    "manage.py fill_demo_history --force（真实报送不变）。"
                )
            )
            return
        if real.exists() and not force:
            raise CommandError(
                "该方案已有真实报送数据，拒绝填充演示数据。确需填充请加 --force（已有报送不变）。"
            )
        started = clock.now()
        with transaction.atomic():
            counts = self._fill(programme, random.Random(seed))
        seconds = (clock.now() - started).total_seconds()
        self.stdout.write(
            f"演示数据已生成：{counts['updates']} 份报送，{counts['returns']} 次退回，"
            f"{counts['confirmed']} 项任务办结确认，新建填报账号 {counts['accounts']} 个"
            f"（{seconds:.1f} 秒）。"
        )

    def _programme(self, code) -> Programme:
        programme = (
            Programme.objects.filter(code=code).first() if code else selectors.default_programme()
        )
        if programme is None:
            raise CommandError("找不到试点方案：请先导入方案（manage.py load_plan）。")
        return programme

    def _fill(self, programme: Programme, rng: random.Random) -> dict:
        _clear_demo(programme)
        accounts = _ensure_reporters(programme)
        reviewer = _reviewer()
        today = clock.today()
        all_periods = list(ReportingPeriod.objects.filter(programme=programme))
        periods = [period for period in all_periods if period.starts_on <= today]
        reporters = dict(
            Profile.objects.filter(role=Role.REPORTER, user__is_active=True)
            .order_by("-pk")
            .values_list("department_id", "user_id")
        )
        taken = set(
            ProgressUpdate.objects.filter(task__programme=programme).values_list(
                "task_id", "period_id", "department_id"
            )
        )
        writer = _Writer(rng=rng, reviewer=reviewer, reporters=reporters, taken=taken)
        tasks = list(Task.objects.filter(programme=programme).prefetch_related("assignments"))
        for task in tasks:
            plan = _task_plan(rng, _due_index(all_periods, task.due_on))
            writer.write_task(task, plan, periods)
        counts = writer.save()
        for task_id, at in writer.confirmations.items():
            Task.objects.filter(pk=task_id).update(
                completion_confirmed_at=at, completion_confirmed_by_id=reviewer.pk
            )
        for task in Task.objects.filter(programme=programme):
            refresh_task_status(task=task)
        return {**counts, "accounts": accounts, "confirmed": len(writer.confirmations)}


def _clear_demo(programme: Programme) -> None:
    """Remove an earlier demo history of the programme (so the command can run twice)."""
    demo = ProgressUpdate.objects.filter(
        task__programme=programme, work_done__startswith=DEMO_PREFIX
    )
    Review.objects.filter(update__in=demo).delete()
    demo.delete()
    Task.objects.filter(programme=programme).update(
        status=TaskStatus.NOT_STARTED,
        percent=0,
        needs_coordination=False,
        status_period=None,
        completion_confirmed_at=None,
        completion_confirmed_by=None,
    )


def _ensure_reporters(programme: Programme) -> int:
    """Open reporter accounts for assigned concrete departments that have none."""
    assigned = (
        Assignment.objects.filter(task__programme=programme)
        .exclude(department__kind=DepartmentKind.COLLECTIVE)
        .values("department_id")
    )
    departments = Department.objects.filter(pk__in=assigned).exclude(profiles__role=Role.REPORTER)
    return sum(
        1 for _d, _u, password in create_reporter_accounts(departments=departments) if password
    )


def _reviewer():
    """Return an office user to sign the reviews, creating an inactive demo one if needed."""
    profile = Profile.objects.filter(role__in=(Role.OFFICE, Role.ADMIN)).order_by("pk").first()
    if profile is not None:
        return profile.user
    user, _created = get_user_model().objects.get_or_create(
        username="demo-reviewer", defaults={"is_active": False, "first_name": "演示审核人"}
    )
    Profile.objects.get_or_create(user=user, defaults={"role": Role.OFFICE})
    return user


class _Writer:
    """Collect the rows of the history in memory and bulk-insert them at the end."""

    def __init__(self, *, rng, reviewer, reporters, taken):
        self.rng, self.reviewer, self.reporters, self.taken = rng, reviewer, reporters, taken
        self.now = clock.now()
        self.updates, self.reviews = [], []  # reviews: (update index, action, at)
        self.confirmations = {}

    def write_task(self, task, plan: TaskPlan, periods) -> None:
        for index, period in enumerate(periods):
            if task.pk in self.confirmations:
                break  # confirmed complete: no more reports owed
            status, percent = plan.state(index)
            accepted = []  # when each lead unit's report was accepted (None: it was not)
            for assignment in task.assignments.all():
                user = self.reporters.get(assignment.department_id)
                if user is None or (task.pk, period.pk, assignment.department_id) in self.taken:
                    continue
                at = self._write(task, period, assignment, user, status, percent)
                if assignment.role == AssignmentRole.LEAD:
                    accepted.append(at)
            # The office confirms once every lead unit's 已完成 report has been accepted.
            if status == TaskStatus.COMPLETED and accepted and None not in accepted:
                confirmed = max(accepted) + datetime.timedelta(days=5)
                if confirmed < self.now:
                    self.confirmations[task.pk] = confirmed

    def _write(self, task, period, assignment, user, status, percent):
        """Add one update; return when it was accepted (lead units), else None."""
        rng, lead = self.rng, assignment.role == AssignmentRole.LEAD
        roll = rng.random()
        if roll < 0.05:
            return None  # missing
        late = roll > 0.87
        returned = lead and rng.random() < 0.08
        day = period.due_on + datetime.timedelta(
            days=rng.randint(1, 9) if late else -rng.randint(4 if returned else 0, 14)
        )
        first = _at(day, rng.randint(9, 17))
        if first > self.now:  # not yet: a draft at most
            if rng.random() < 0.5:
                self._add(task, period, assignment, user, status, percent, state="draft")
            return None
        resubmitted = first + datetime.timedelta(days=2)
        reviewed = self._review_time(period, resubmitted if returned else first, late=late)
        state = UpdateState.SUBMITTED
        if lead and reviewed <= self.now:
            state = UpdateState.ACCEPTED
        elif returned and resubmitted > self.now:
            state = UpdateState.RETURNED
        if not lead:
            status = TaskStatus.ON_TRACK if status == TaskStatus.BLOCKED else status
        index = self._add(
            task, period, assignment, user, status, percent, state=state, first=first,
            late=late, returned=returned, submitted=resubmitted if returned else first,
            reviewed=reviewed if state == UpdateState.ACCEPTED else None,
        )  # fmt: skip
        if returned:
            self.reviews.append((index, ReviewAction.RETURN, first + datetime.timedelta(days=1)))
        if state == UpdateState.ACCEPTED:
            self.reviews.append((index, ReviewAction.ACCEPT, reviewed))
            return reviewed
        return None

    def _review_time(self, period, submitted, *, late: bool) -> datetime.datetime:
        """The office reviews an on-time report by the due date (a few stay in its queue
        past it); a late one two days after it came in. A report accepted after the due date
        counts from the next period on, as the status rule says."""
        if late or self.rng.random() < 0.05:
            return submitted + datetime.timedelta(days=2)
        return min(submitted + datetime.timedelta(days=2), _at(period.due_on, 20))

    def _add(self, task, period, assignment, user, status, percent, *, state, first=None,
             late=False, returned=False, submitted=None, reviewed=None) -> int:  # fmt: skip
        blocked = status == TaskStatus.BLOCKED
        at = submitted or self.now
        self.updates.append(
            ProgressUpdate(
                task=task,
                period=period,
                department_id=assignment.department_id,
                role=assignment.role,
                state=state,
                status=status,
                percent=percent,
                work_done=DEMO_PREFIX + self.rng.choice(WORK),
                next_steps="" if status == TaskStatus.COMPLETED else self.rng.choice(NEXT),
                problems=PROBLEM if blocked else "",
                needs_coordination=blocked,
                version=2 + 2 * returned,
                return_count=int(returned),
                first_submitted_at=first,
                submitted_at=submitted,
                is_late=late,
                reviewed_at=reviewed,
                reviewed_by_id=self.reviewer.pk if reviewed else None,
                created_at=at - datetime.timedelta(days=3),
                created_by_id=user,
                updated_at=at,
                updated_by_id=user,
            )
        )
        return len(self.updates) - 1

    def save(self) -> dict:
        # PostgreSQL and SQLite >= 3.35 return the new keys, which the revisions need.
        created = ProgressUpdate.objects.bulk_create(self.updates, batch_size=500)
        revisions = [
            UpdateRevision(
                update=update,
                number=1,
                snapshot={"status": update.status, "percent": update.percent},
                created_at=update.submitted_at,
                created_by_id=update.updated_by_id,
            )
            for update in created
            if update.submitted_at is not None
        ]
        UpdateRevision.objects.bulk_create(revisions, batch_size=500)
        reviews = [
            Review(
                update=created[index],
                action=action,
                comment=RETURN_COMMENT if action == ReviewAction.RETURN else "",
                department_id=created[index].department_id,
                created_at=at,
                created_by=self.reviewer,
            )
            for index, action, at in self.reviews
        ]
        Review.objects.bulk_create(reviews, batch_size=500)
        returns = sum(1 for _i, action, _at in self.reviews if action == ReviewAction.RETURN)
        return {"updates": len(created), "returns": returns}
