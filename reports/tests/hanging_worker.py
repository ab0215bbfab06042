"""Start a Celery worker whose report builds hang, so that a test can kill it mid-run.

Test-only: ``python -m reports.tests.hanging_worker -Q QUEUE ...`` takes the arguments of
``celery worker``. The patch lives in this subprocess alone.
"""

import os
import sys
import time


def hang(**kwargs):
    time.sleep(600)


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilot.settings")
    import django

    django.setup()
    from pilot.celery import app
    from reports.services import runs

    runs.build_files = hang
    app.worker_main(["worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
