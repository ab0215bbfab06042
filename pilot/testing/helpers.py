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
