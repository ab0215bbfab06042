"""gunicorn settings: ``gunicorn -c pilot/gunicorn.conf.py pilot.wsgi``.

The limits nest, shortest first, so a slow request is cut by the layer that can answer:
PostgreSQL's statement_timeout (``PILOT_STATEMENT_TIMEOUT_MS``, 5 s: the portal answers
503) < gunicorn's ``timeout`` (30 s: the worker is killed and restarted) < the reverse
proxy's read timeout (60 s, nginx's ``proxy_read_timeout`` default; keep it above
``GUNICORN_TIMEOUT``). Every value can be overridden on the command line or with
``GUNICORN_CMD_ARGS``.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = timeout
# Behind the proxy: a slow client cannot hold a sync worker while it sends its request.
keepalive = 2
# A worker is replaced now and then, so a slow leak cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200

_statement_ms = int(os.environ.get("PILOT_STATEMENT_TIMEOUT_MS", "5000"))
if _statement_ms == 0 or _statement_ms >= timeout * 1000:
    raise RuntimeError(
        f"PILOT_STATEMENT_TIMEOUT_MS={_statement_ms} must be set below gunicorn's timeout "
        f"({timeout} s), or gunicorn kills the worker before the portal can answer 503."
    )
