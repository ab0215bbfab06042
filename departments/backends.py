"""Authentication backends: django-axes' lockout check, as the login pages use it."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuse a locked-out username+address before any password is checked.

    Every login page passes the request. A credential check without one (the shell, a
    management command, a unit test) has no address to count and is left to the next
    backend instead of raising, as axes does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The login page's answer to a locked-out username+address (429, in Chinese)."""
    context = {"cooloff_minutes": settings.AXES_COOLOFF_MINUTES}
    return render(request, "registration/locked_out.html", context, status=429)
