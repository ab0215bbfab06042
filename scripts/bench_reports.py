"""Time the monthly report: figures, the workbook and the Word document for one period.

    .venv/bin/python scripts/bench_reports.py                 # 117 tasks, 3 years of history
    .venv/bin/python scripts/bench_reports.py --database pilot_bench --existing
                                                              # the dashboards' big data set

Without ``--existing`` the script fills a PostgreSQL database of its own
(``pilot_bench_reports``, created if missing) with the real plan (fixtures/plan.json), its
36 monthly periods, a reporter account per department and one progress update per
(assignment, period) — about 13,000 updates. It prints the time of each repetition, the
query count and the peak resident memory of the process (``resource.getrusage``).
"""

import argparse
import datetime
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="pilot_bench_reports")
    parser.add_argument("--existing", action="store_true", help="use the data as it is")
    parser.add_argument("--period", help="YYYY-MM (default: the last period due by today)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--all", action="store_true", help="also build one report per programme, in sequence"
    )
    return parser.parse_args()


def setup_django(database: str, as_of: str) -> None:
    os.environ.setdefault("DEBUG", "1")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("PILOT_AS_OF_DATE", as_of)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilot.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _create_database(database)
    import django

    django.setup()


def _create_database(name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def build_history() -> None:
    """Load the plan and give it 36 months of reports (skipped when already there)."""
    from django.core.management import call_command

    from tasks.models import ProgressUpdate

    call_command("migrate", verbosity=0)
    call_command("load_plan", stdout=open(os.devnull, "w"))  # noqa: SIM115
    if ProgressUpdate.objects.exists():
        return
    from django.contrib.auth import get_user_model

    from departments.models import Department, Profile, Role
    from tasks.models import Programme
    from tasks.services.periods import generate_periods

    programme = Programme.objects.get()
    periods = generate_periods(programme=programme)
    User = get_user_model()
    departments = list(Department.objects.concrete())
    users = User.objects.bulk_create(
        [User(username=f"bench-{d.pk}", is_active=True) for d in departments]
    )
    Profile.objects.bulk_create(
        [
            Profile(user=u, role=Role.REPORTER, department=d)
            for u, d in zip(users, departments, strict=True)
        ]
    )
    _bulk_updates(programme, periods)


def _bulk_updates(programme, periods) -> None:
    from departments.models import DepartmentKind
    from tasks.models import Assignment, ProgressUpdate, Task, TaskStatus, UpdateState

    rng = random.Random(42)
    assignments = list(
        Assignment.objects.filter(task__programme=programme).exclude(
            department__kind=DepartmentKind.COLLECTIVE
        )
    )
    statuses = [TaskStatus.ON_TRACK] * 6 + [TaskStatus.BEHIND, TaskStatus.BLOCKED]
    rows = []
    for index, period in enumerate(periods):
        submitted = datetime.datetime.combine(period.due_on, datetime.time(9), tzinfo=datetime.UTC)
        for assignment in assignments:
            if rng.random() < 0.05:
                continue
            late = rng.random() < 0.1
            rows.append(
                ProgressUpdate(
                    task_id=assignment.task_id,
                    period=period,
                    department_id=assignment.department_id,
                    role=assignment.role,
                    state=UpdateState.ACCEPTED,
                    status=rng.choice(statuses),
                    percent=min(100, 3 * index),
                    work_done="本期推进了制度建设、项目落地和政策宣传等工作。" * 3,
                    next_steps="下一步将继续推进试点任务落实。" * 2,
                    problems="需协调相关部门支持。" if rng.random() < 0.05 else "",
                    needs_coordination=rng.random() < 0.05,
                    first_submitted_at=submitted + datetime.timedelta(days=3 if late else -2),
                    submitted_at=submitted,
                    is_late=late,
                    created_at=submitted,
                    updated_at=submitted,
                )
            )
    ProgressUpdate.objects.bulk_create(rows, batch_size=5000)
    tasks = list(Task.objects.filter(programme=programme))
    for task in tasks:
        task.status = rng.choice([*statuses, TaskStatus.COMPLETED])
        task.percent = rng.randrange(0, 101)
    Task.objects.bulk_update(tasks, ["status", "percent"], batch_size=2000)
    print(f"built {len(rows)} progress updates over {len(periods)} periods")


def pick(period_label: str | None):
    from django.db.models import Count

    from pilot import clock
    from tasks.models import Programme, ReportingPeriod

    programme = Programme.objects.annotate(n=Count("tasks")).order_by("-n").first()
    periods = ReportingPeriod.objects.filter(programme=programme)
    if period_label:
        year, month = (int(part) for part in period_label.split("-"))
        return programme, periods.get(year=year, month=month)
    return programme, periods.filter(due_on__lt=clock.today()).order_by("-due_on").first()


def measure(programme, period, repeat: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.exports import build_monthly_document, build_monthly_workbook
    from reports.figures import period_figures

    tasks = programme.tasks.count()
    print(f"programme: {programme.code} ({tasks} tasks); period {period}")
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            figures = period_figures(programme=programme, period=period)
            workbook = build_monthly_workbook(programme=programme, period=period, figures=figures)
            document = build_monthly_document(programme=programme, period=period, figures=figures)
            timings.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"both documents: median {statistics.median(timings):.2f} s, "
        f"min {min(timings):.2f} s over {repeat} runs; {len(queries)} queries per run"
    )
    print(f"workbook {len(workbook) / 1024:.0f} KiB, document {len(document) / 1024:.0f} KiB")
    print(f"peak resident memory of this process: {peak:.0f} MiB")


def main():
    args = parse_args()
    setup_django(args.database, as_of="2023-01-10")
    if not args.existing:
        build_history()
    programme, period = pick(args.period)
    if period is None:
        sys.exit("no period is due yet in this database")
    measure(programme, period, args.repeat)
    if args.all:
        measure_all(period)


def measure_all(sample) -> None:
    """Build the same month's report for every programme, as a month-end batch would."""
    from reports.exports import build_monthly_document, build_monthly_workbook
    from reports.figures import period_figures
    from tasks.models import ReportingPeriod, Task

    periods = ReportingPeriod.objects.filter(year=sample.year, month=sample.month)
    periods = periods.select_related("programme")
    started = time.perf_counter()
    count = 0
    for period in periods:
        figures = period_figures(programme=period.programme, period=period)
        build_monthly_workbook(programme=period.programme, period=period, figures=figures)
        build_monthly_document(programme=period.programme, period=period, figures=figures)
        count += 1
    elapsed = time.perf_counter() - started
    tasks = Task.objects.filter(programme__periods__in=periods).count()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"all programmes: {count} reports covering {tasks} tasks in {elapsed:.1f} s")
    print(f"peak resident memory of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
