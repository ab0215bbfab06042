"""The Celery application; tasks live in each app's ``tasks.py``."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilot.settings")

app = Celery("pilot")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# worker_init runs in the worker's main process before the pool starts (prefork children
# inherit the setting; solo and thread pools run there).
@worker_init.connect
def use_job_statement_timeout(**kwargs):
    """Give a worker's queries the jobs' longer limit (reports read whole programmes)."""
    from django.conf import settings

    from pilot.statement_timeout import use_statement_timeout

    use_statement_timeout(settings.PILOT_JOB_STATEMENT_TIMEOUT_MS)
