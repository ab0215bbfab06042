"""Session idle timeout without a write on every request."""

import time

from django.conf import settings

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
