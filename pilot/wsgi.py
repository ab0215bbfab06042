import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from pilot.statement_timeout import use_statement_timeout

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilot.settings")
application = get_wsgi_application()
# A web request must never hold its worker for long: PostgreSQL cuts a slow statement
# (503 page) well before gunicorn's timeout kills the worker.
use_statement_timeout(settings.PILOT_STATEMENT_TIMEOUT_MS)
