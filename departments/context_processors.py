from django.utils.functional import SimpleLazyObject

from departments.models import Notification
from pilot import permissions


def role(request):
    """Expose the user's role flags to every template (menus show only what is allowed)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"perms_role": permissions.role_flags(user)}


def unread_notifications(request):
    """Count the user's unread notifications for the menu (one query, only when shown)."""
    user = getattr(request, "user", None)
    if user is None or not permissions.can_use_notifications(user):
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: _count_unread(user))}


def _count_unread(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
