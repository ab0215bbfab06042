"""Create (or update) the periodic tasks of the reports app in django-celery-beat.

Idempotent: run it on every deploy. Times are kept as the office edits them in the admin
unless ``--reset`` is given.
"""

import json

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from reports.models import DistributionList, DistributionListKind

# The monthly report goes to the members' list, the late list to the office's.
DEFAULT_LISTS = (
    (DistributionListKind.MEMBERS, "联席会议成员"),
    (DistributionListKind.OFFICE, "联席会议办公室"),
)
DAILY_TASK = "reports.tasks.run_daily_schedule_task"
REAPER_TASK = "reports.tasks.reap_stale_runs_task"
SLIP_TASK = "reports.tasks.run_slip_schedule_task"


class Command(BaseCommand):
    help = "Create the reports app's periodic tasks (daily schedule, stale run reaper)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="restore the default times")

    @transaction.atomic
    def handle(self, *args, reset: bool = False, **options):
        daily, _ = CrontabSchedule.objects.get_or_create(
            minute="30",
            hour="7",
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Asia/Shanghai",
        )
        every_ten, _ = IntervalSchedule.objects.get_or_create(
            every=10, period=IntervalSchedule.MINUTES
        )
        self._ensure(
            "报告：每日定时任务（月报、逾期名单、报送提醒）", DAILY_TASK, reset, crontab=daily
        )
        self._ensure("报告：清理超时的生成任务", REAPER_TASK, reset, interval=every_ten)
        self._ensure("督办：每日升级逾期督办单并按规则签发", SLIP_TASK, reset, crontab=daily)
        for kind, name in DEFAULT_LISTS:
            if not DistributionList.objects.filter(kind=kind).exists():
                DistributionList.objects.create(kind=kind, name=name)
                self.stdout.write(f"created: distribution list {name} (add addresses in the admin)")

    def _ensure(self, name: str, task: str, reset: bool, **schedule) -> None:
        periodic, created = PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "args": json.dumps([]), **schedule}
        )
        if not created and reset:
            periodic.crontab = schedule.get("crontab")
            periodic.interval = schedule.get("interval")
            periodic.task = task
            periodic.enabled = True
            periodic.save()
        verb = "created" if created else ("reset" if reset else "kept")
        self.stdout.write(f"{verb}: {name} ({task})")
