"""The one door services use to the task queue: a Celery job looked up by its name.

An app's ``tasks.py`` calls its services, so a service must not import it back (a cycle).
Celery registers every app's jobs by autodiscovery (``pilot/celery.py``); ``job`` returns
the registered task, on which the service calls ``apply_async`` / ``delay`` as usual
(eager mode in tests included).
"""

from pilot.celery import app


def job(name: str):
    """Return the registered Celery task ``name`` (``"<app>.tasks.<verb>_<noun>_task"``)."""
    if name not in app.tasks:
        app.loader.import_default_modules()  # autodiscovery: imports every app's tasks.py
    return app.tasks[name]
