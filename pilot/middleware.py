"""Session idle timeout without a write on every request; 503 for a query cut short."""

import logging
import time

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from pilot.statement_timeout import is_query_timeout

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30

# How often (seconds) a request pushes the session's expiry forward.
REFRESH_INTERVAL = 60
SEEN_KEY = "_pilot_seen"


class IdleSessionMiddleware:
    """End a signed-in session after ``SESSION_COOKIE_AGE`` seconds without a request.

    The session store drops a session ``SESSION_COOKIE_AGE`` after its last save; saving
    it again (and so re-sending the cookie) pushes that forward. Saving on every request
    (``SESSION_SAVE_EVERY_REQUEST``) would write to the session table on every GET, so
    the session is saved at most once a ``REFRESH_INTERVAL``: the idle limit then holds
    to within that minute.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and settings.SESSION_COOKIE_AGE:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY, 0)
            if not isinstance(seen, int) or now - seen >= REFRESH_INTERVAL:
                request.session[SEEN_KEY] = now
        return self.get_response(request)


def mark_session_seen(sender, request, user, **kwargs):
    """At login (``user_logged_in``), start the idle clock in the session being saved."""
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = int(time.time())


class QueryTimeoutMiddleware:
    """Answer a request whose query PostgreSQL cut (``statement_timeout``) with 503.

    The worker is free again at once and the next request is served as usual; the user
    reads that the portal is busy rather than a server error. Exceptions raised outside
    the view (another middleware) reach ``pilot.views.server_error``, which does the same.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_query_timeout(exception):
            return query_timeout_response(request)
        return None


def query_timeout_response(request) -> HttpResponse:
    """Return the 503 answer: JSON under /api/, a page without database queries elsewhere."""
    match = getattr(request, "resolver_match", None)
    # The view's name, never the URL: a path carries whatever the client typed.
    logger.warning("Query cut by statement_timeout in %s", match.view_name if match else "-")
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.path.startswith("/api/"):
        detail = {"detail": _("服务器繁忙，查询超时已中止，请稍后重试或缩小查询范围。")}
        return JsonResponse(detail, status=503, headers=retry)
    # No request context: context processors would query the database that just timed out.
    page = render_to_string("503.html")
    return HttpResponse(page, status=503, headers=retry)
