"""The notification page: a GET lists the user's own notifications, a POST marks them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from departments import notifications
from departments.models import Notification
from pilot import permissions

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request):
    """List the user's notifications, newest first; "标为已读" (one or all) is a POST."""
    if not permissions.can_use_notifications(request.user):
        raise PermissionDenied
    if request.method == "POST":
        return _mark_read(request)
    own = permissions.visible_notifications(request.user, Notification.objects.all())
    page = Paginator(own, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


def _mark_read(request):
    raw = request.POST.get("notification", "")
    if raw and not raw.isdigit():
        messages.error(request, _("通知编号无效。"))
        return redirect("notifications")
    count = notifications.mark_read(user=request.user, notification_id=int(raw) if raw else None)
    messages.success(request, _("已将%(n)d条通知标为已读。") % {"n": count})
    return redirect("notifications")
