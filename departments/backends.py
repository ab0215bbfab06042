"""Authentication backends: django-axes' lockout check, as the login pages use it, and
Django's model backend loading each request's user with its profile."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
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


class PortalModelBackend(ModelBackend):
    """Django's ``ModelBackend``, whose per-request user arrives with its profile and the
    profile's department (one query instead of two or three on every signed-in page: the
    menu, the permission rules and the user box all read them)."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("profile__department")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
