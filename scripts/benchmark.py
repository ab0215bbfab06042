"""Benchmark the dashboards at scale on PostgreSQL (not part of the test run).

    .venv/bin/python scripts/benchmark.py [--regenerate] [--requests 60]

1. Creates the database ``pilot_bench`` if missing and migrates it.
2. Unless it already holds the data (or --regenerate): generates 100 programmes x 117
   tasks, 36 monthly periods, and one update per period from every assigned concrete
   department (~1.5 M updates) with COPY, and reports the generation time.
3. Starts gunicorn (2 sync workers, DEBUG off, persistent connections) against it and
   measures the wall time of sequential requests over loopback (median, p95) for: one
   programme's overview, the all-programmes overview, a department view, the task list
   (page of 50) and ``/healthz/``, with each page's ratio to ``/healthz/``. No page or
   figure is cached (the status trend is recomputed from the accepted updates on each read).

Generated rows are synthetic (no accept reviews; return reviews for ~5 % of lead updates).
"""

import argparse
import datetime
import io
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "pilot_bench"
PG = "postgres://postgres@127.0.0.1:5432"
DATABASE_URL = f"{PG}/{DB_NAME}"
PORT = 8799
PROGRAMMES, TASKS, CATEGORIES, DEPARTMENTS, MONTHS = 100, 117, 9, 150, 36
START = datetime.date(2020, 8, 1)
AS_OF = "2023-07-10"  # inside the last period, so every period has its updates
TARGETS = {  # name: (median ms, p95 ms)
    "overview": (50, 120),
    "department": (50, 120),
    "programmes": (150, 300),
    "task_list": (50, None),
}
SETTINGS = """
from pilot.settings import *  # noqa: F403

DEBUG = False
# No collectstatic for a benchmark: plain storage, so {% static %} needs no manifest.
STATIC_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}
"""


def env(settings_dir: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-secret-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "CONN_MAX_AGE": "600",
        "PILOT_AS_OF_DATE": AS_OF,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{settings_dir}:{ROOT}",
    }


def ensure_database() -> None:
    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {DB_NAME}")
    connection.close()


# --- data generation -----------------------------------------------------------------


def months() -> list[tuple[int, int, datetime.date, datetime.date]]:
    result, first = [], START
    for _ in range(MONTHS):
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        result.append((first.year, first.month, first, following - datetime.timedelta(days=1)))
        first = following
    return result


class Copier:
    """Write rows into a table with COPY, columns in the model's field order."""

    def __init__(self, cursor, model):
        self.cursor, self.model = cursor, model
        self.fields = list(model._meta.concrete_fields)
        self.buffer, self.count = io.StringIO(), 0

    def add(self, **values) -> None:
        cells = []
        for field in self.fields:
            if field.attname in values or field.name in values:
                value = values.get(field.attname, values.get(field.name))
            else:
                value = field.get_default()  # columns added later (e.g. webhook_url)
            cells.append(_cell(value))
        self.buffer.write("\t".join(cells) + "\n")
        self.count += 1

    def flush(self) -> None:
        self.buffer.seek(0)
        columns = ", ".join(f'"{field.column}"' for field in self.fields)
        table = self.model._meta.db_table
        self.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", self.buffer)
        self.buffer = io.StringIO()


def _cell(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def generate() -> None:
    """Fill pilot_bench with the synthetic programmes (runs inside Django)."""
    import django

    django.setup()
    from django.apps import apps
    from django.db import connection

    from departments.models import Department, Profile

    model = apps.get_model
    rng = random.Random(42)
    tz = datetime.timezone(datetime.timedelta(hours=8))
    started = time.perf_counter()
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        tables = [
            "tasks_review",
            "tasks_updaterevision",
            "tasks_auditevent",
            "tasks_progressupdate_drawn_from",
            "tasks_evidence",
            "tasks_progressupdate",
            "tasks_assignment",
            "tasks_task",
            "tasks_category",
            "tasks_reportingperiod",
            "tasks_programme",
            "departments_profile",
            "departments_departmentalias",
            "departments_departmentcontact",
            "departments_department",
        ]
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        cursor.execute("DELETE FROM auth_user WHERE username LIKE 'bench-%%'")
        user_model = model("auth", "User")
        users = Copier(cursor, user_model)
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM auth_user")
        next_user = cursor.fetchone()[0] + 1
        office_id = next_user
        joined = datetime.datetime(2020, 1, 1, tzinfo=tz)
        user_fields = {
            "password": "!",
            "is_superuser": False,
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_staff": False,
            "is_active": True,
            "date_joined": joined,
        }
        users.add(id=office_id, username="bench-office", **user_fields)
        departments = Copier(cursor, Department)
        profiles = Copier(cursor, Profile)
        profiles.add(id=1, user_id=office_id, role="office", department_id=None)
        reporter = {}
        for n in range(1, DEPARTMENTS + 3):
            collective = n > DEPARTMENTS
            departments.add(
                id=n,
                name=f"基准单位{n:03d}",
                short_name="",
                sort_order=n,
                kind="collective" if collective else "provincial",
            )
            if not collective:
                reporter[n] = next_user + n
                users.add(id=reporter[n], username=f"bench-dept-{n}", **user_fields)
                profiles.add(id=n + 1, user_id=reporter[n], role="reporter", department_id=n)
        for copier in (users, departments, profiles):
            copier.flush()
        programmes = Copier(cursor, model("tasks", "Programme"))
        categories = Copier(cursor, model("tasks", "Category"))
        periods = Copier(cursor, model("tasks", "ReportingPeriod"))
        tasks = Copier(cursor, model("tasks", "Task"))
        assignments = Copier(cursor, model("tasks", "Assignment"))
        updates = Copier(cursor, model("tasks", "ProgressUpdate"))
        reviews = Copier(cursor, model("tasks", "Review"))
        calendar = months()
        ids = {"category": 0, "period": 0, "task": 0, "assignment": 0, "update": 0, "review": 0}
        # (task id, department, role, finish index, blocked, the programme's periods)
        owed = []
        for p in range(1, PROGRAMMES + 1):
            programmes.add(
                id=p,
                code=f"bench-{p:03d}",
                title=f"基准试点方案{p:03d}",
                doc_number="基准〔2020〕1号",
                issuer="基准办公室",
                issued_on=START,
                starts_on=START,
                ends_on=calendar[-1][3],
                tasks_due_on=datetime.date(2023, 6, 30),
                summary_starts_on=None,
                summary_ends_on=None,
            )
            category_ids = []
            for c in range(1, CATEGORIES + 1):
                ids["category"] += 1
                category_ids.append(ids["category"])
                categories.add(
                    id=ids["category"], programme_id=p, number=c, label=f"（{c}）", title=f"类别{c}"
                )
            period_rows = []
            for year, month, first, last in calendar:
                ids["period"] += 1
                due = datetime.date(year, month, 25)
                period_rows.append((ids["period"], due))
                periods.add(
                    id=ids["period"],
                    programme_id=p,
                    year=year,
                    month=month,
                    starts_on=first,
                    ends_on=last,
                    due_on=due,
                    is_open=True,
                )
            for t in range(1, TASKS + 1):
                ids["task"] += 1
                task_id = ids["task"]
                finish = rng.randint(8, 50)
                leads = rng.sample(range(1, DEPARTMENTS + 1), rng.choice((1, 1, 1, 2)))
                pool = [d for d in range(1, DEPARTMENTS + 3) if d not in leads]
                supports = rng.sample(pool, rng.randint(0, 5))
                blocked = rng.random() < 0.05
                final_status = (
                    "completed"
                    if finish < MONTHS
                    else ("blocked" if blocked else rng.choice(("on_track", "on_track", "behind")))
                )
                tasks.add(
                    id=task_id,
                    programme_id=p,
                    category_id=category_ids[t % CATEGORIES],
                    number=t,
                    measure=f"基准任务{t}：推进服务贸易创新发展试点举措。",
                    responsibility="基准单位负责。",
                    due_on=datetime.date(2022, rng.randint(1, 12), 28),
                    status=final_status,
                    percent=100 if finish < MONTHS else min(95, 100 * MONTHS // finish),
                    status_period_id=period_rows[-1][0],
                    needs_coordination=blocked,
                    completion_confirmed_at=None,
                    completion_confirmed_by_id=None,
                )
                for order, (department, role) in enumerate(
                    [(d, "lead") for d in leads] + [(d, "support") for d in supports]
                ):
                    ids["assignment"] += 1
                    assignments.add(
                        id=ids["assignment"],
                        task_id=task_id,
                        role=role,
                        department_id=department,
                        on_behalf_of_id=None,
                        order=order,
                    )
                    if department in reporter:
                        owed.append((task_id, department, role, finish, blocked, period_rows))
        for copier in (programmes, categories, periods, tasks, assignments):
            copier.flush()
        print(f"  plan rows done ({time.perf_counter() - started:.0f} s)", flush=True)
        # Updates month by month, as a live portal receives them (rows of a period cluster).
        for index in range(MONTHS):
            for task_id, department, role, finish, blocked, period_rows in owed:
                period_id, due = period_rows[index]
                ids["update"] += 1
                late = rng.random() < 0.1
                day = due + datetime.timedelta(
                    days=rng.randint(1, 6) if late else -rng.randint(0, 10)
                )
                at = datetime.datetime(day.year, day.month, day.day, 10, tzinfo=tz)
                done = index >= finish
                status = (
                    "completed"
                    if done
                    else ("blocked" if blocked and index > finish - 6 else "on_track")
                )
                returned = role == "lead" and rng.random() < 0.05
                updates.add(
                    id=ids["update"],
                    task_id=task_id,
                    period_id=period_id,
                    department_id=department,
                    role=role,
                    state="accepted" if role == "lead" else "submitted",
                    status=status,
                    percent=100 if done else min(95, 100 * index // finish),
                    work_done="完成了本期工作。",
                    next_steps="继续推进。",
                    problems="",
                    needs_coordination=False,
                    copied_from_previous=False,
                    missing_inputs="",
                    version=2,
                    return_count=int(returned),
                    first_submitted_at=at,
                    submitted_at=at,
                    is_late=late,
                    reviewed_at=at,
                    reviewed_by_id=office_id,
                    created_at=at,
                    created_by_id=reporter[department],
                    updated_at=at,
                    updated_by_id=reporter[department],
                )
                if returned:
                    ids["review"] += 1
                    reviews.add(
                        id=ids["review"],
                        update_id=ids["update"],
                        action="return",
                        comment="请补充材料。",
                        revision_id=None,
                        department_id=department,
                        created_at=at,
                        created_by_id=office_id,
                    )
            for copier in (updates, reviews):
                copier.flush()
            if index % 6 == 5:
                print(
                    f"  {index + 1} periods, {ids['update']:,} updates "
                    f"({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
        for table in (
            "auth_user",
            "departments_department",
            "departments_profile",
            "tasks_programme",
            "tasks_category",
            "tasks_reportingperiod",
            "tasks_task",
            "tasks_assignment",
            "tasks_progressupdate",
            "tasks_review",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
    print(
        f"Generated {ids['update']:,} updates, {ids['task']:,} tasks, "
        f"{ids['review']:,} returns in {time.perf_counter() - started:.0f} s"
    )


def has_data() -> bool:
    connection = psycopg2.connect(DATABASE_URL)
    with connection.cursor() as cursor:
        try:
            cursor.execute("SELECT COUNT(*) FROM tasks_programme WHERE code LIKE 'bench-%%'")
            return cursor.fetchone()[0] == PROGRAMMES
        except psycopg2.Error:
            return False
        finally:
            connection.close()


def analyze() -> None:
    connection = psycopg2.connect(DATABASE_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


# --- measuring -----------------------------------------------------------------------


def session_cookie() -> str:
    """Return a session id for bench-office, created straight in the database."""
    import django

    django.setup()
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username="bench-office")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def fetch(path: str, cookie: str) -> tuple[float, int]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}", headers={"Cookie": f"sessionid={cookie}"}
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        status = response.status
    return (time.perf_counter() - started) * 1000, status


def measure(cookie: str, requests: int) -> dict:
    rng = random.Random(7)

    def programme():
        return f"bench-{rng.randint(1, PROGRAMMES):03d}"

    pages = {
        "hello": lambda: "/healthz/",
        "overview": lambda: f"/dashboard/?programme={programme()}",
        "programmes": lambda: "/dashboard/programmes/",
        "department": lambda: (
            f"/dashboard/departments/{rng.randint(1, DEPARTMENTS)}/?programme={programme()}"
        ),
        "task_list": lambda: f"/tasks/?programme={programme()}",
    }
    for name, path in pages.items():  # warm up both workers
        for _ in range(4):
            _elapsed, status = fetch(path(), cookie)
            if status != 200:
                raise SystemExit(f"{name}: HTTP {status}")
    timings = {name: [] for name in pages}
    for _ in range(requests):
        for name, path in pages.items():
            timings[name].append(fetch(path(), cookie)[0])
    return timings


def report(timings: dict) -> None:
    hello = statistics.median(timings["hello"])
    print(f"\n{'page':<12}{'median ms':>11}{'p95 ms':>9}{'x hello':>9}   target")
    for name, values in timings.items():
        values = sorted(values)
        median = statistics.median(values)
        p95 = values[max(0, round(0.95 * len(values)) - 1)]
        target = TARGETS.get(name)
        verdict = ""
        if target:
            ok = median < target[0] and (target[1] is None or p95 < target[1])
            verdict = f"median < {target[0]}" + (f", p95 < {target[1]}" if target[1] else "")
            verdict += "  OK" if ok else "  MISSED"
        print(f"{name:<12}{median:>11.1f}{p95:>9.1f}{median / hello:>9.1f}   {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data")
    parser.add_argument("--requests", type=int, default=60, help="measured requests per page")
    args = parser.parse_args()
    settings_dir = tempfile.mkdtemp(prefix="bench-settings-", dir=ROOT / "var" / "tmp")
    Path(settings_dir, "bench_settings.py").write_text(SETTINGS)
    environment = env(settings_dir)
    os.environ.update(environment)
    sys.path[:0] = [settings_dir, str(ROOT)]
    ensure_database()
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], check=True, env=environment)
    if args.regenerate or not has_data():
        print("Generating data ...", flush=True)
        generate()
        analyze()
    cookie = session_cookie()
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "pilot.wsgi:application",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
        ],
        env=environment,
    )
    try:
        for _ in range(100):
            try:
                fetch("/healthz/", cookie)
                break
            except OSError:
                time.sleep(0.2)
        report(measure(cookie, args.requests))
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)


if __name__ == "__main__":
    main()
