"""Writes of the reports app: request and compile runs, send reports and reminders.

``runs`` requests, compiles, fails and reaps report runs; ``mail`` records and sends e-mails
at most once; ``reminders`` decides when reminders and late lists go out; ``schedule`` runs
what the calendar says is due each day; ``templates`` keeps the Word template; ``broker``
tells a queue outage from a bug. Import each name from its module
(``from reports.services import runs as run_services``); nothing is re-exported here. The
Celery jobs (``reports/tasks.py``) call these services; the services enqueue jobs through
``pilot/jobs.py``, never by importing ``reports.tasks``.
"""
