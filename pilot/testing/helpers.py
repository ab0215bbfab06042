"""Helpers the test suites share: a filled-in update, filed and submitted through the
services as a reporter would."""

from tasks.models import ProgressUpdate, TaskStatus
from tasks.services import reporting

FILLED = {
    "status": TaskStatus.ON_TRACK,
    "percent": 40,
    "work_done": "完成单一窗口需求调研。",
    "next_steps": "启动系统开发。",
    "problems": "",
    "needs_coordination": False,
}


def file_and_submit(task, period, user, data=FILLED) -> ProgressUpdate:
    """Start ``user``'s department's update of ``task`` for ``period``, save ``data`` into
    it and submit it; return the submitted update."""
    update = reporting.start_update(task=task, period=period, actor=user)
    update = reporting.save_update(
        update=update, actor=user, data=data, expected_version=update.version
    )
    return reporting.submit_update(update=update, actor=user, expected_version=update.version)


def load_demo_history():
    """Load the real plan (``fixtures/plan.json``), its periods and the demo history
    (``fill_demo_history``) at the clock's date; return the programme."""
    import io
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    from tasks.models import Task
    from tasks.services.periods import generate_periods

    call_command("loaddata", str(Path(settings.BASE_DIR) / "fixtures" / "plan.json"), verbosity=0)
    programme = Task.objects.first().programme
    generate_periods(programme=programme)
    call_command("fill_demo_history", stdout=io.StringIO())
    return programme
