"""PostgreSQL ``statement_timeout``: no query holds a web worker (or a job) for long.

The limit is set on the connection itself (libpq's ``options``), so it costs no query: the
web process applies ``PILOT_STATEMENT_TIMEOUT_MS`` when it loads (``pilot/wsgi.py``), a
Celery worker ``PILOT_JOB_STATEMENT_TIMEOUT_MS`` when it starts (``pilot/celery.py``).
Management commands (``migrate`` building an index on millions of rows) keep no limit.
SQLite has no such setting: there this is a no-op.

A query cut by the limit raises ``OperationalError`` caused by PostgreSQL's
``query_canceled`` (SQLSTATE 57014); ``QueryTimeoutMiddleware`` and the API's exception
handler answer it with 503 instead of a 500.
"""

import re

from django.db import OperationalError, connections

QUERY_CANCELED = "57014"
_SETTING = re.compile(r"\s*-c\s*statement_timeout=\S+")


def use_statement_timeout(milliseconds: int) -> None:
    """Have every PostgreSQL connection opened from now on cut a statement after
    ``milliseconds`` (0: no limit); connections already open are closed."""
    for alias in connections:
        settings_dict = connections.settings[alias]
        if settings_dict["ENGINE"] != "django.db.backends.postgresql":
            continue
        options = settings_dict.setdefault("OPTIONS", {})
        # Keep any other libpq options the deployment set; replace only our own.
        others = _SETTING.sub("", options.get("options", "")).strip()
        ours = f"-c statement_timeout={int(milliseconds)}"
        options["options"] = f"{others} {ours}".strip()
    # Connections opened before (by django.setup() or an earlier request) would keep the
    # old limit; new ones are opened on demand with the new options.
    connections.close_all()


def is_query_timeout(error: BaseException) -> bool:
    """Return whether ``error`` is a statement cut by ``statement_timeout``."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    return code == QUERY_CANCELED
