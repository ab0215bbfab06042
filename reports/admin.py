from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.models import (
    DistributionList,
    DistributionListMember,
    EmailDelivery,
    ReportFile,
    ReportRun,
    RunState,
)
from reports.services.mail import resend_delivery


class DistributionListMemberInline(admin.TabularInline):
    model = DistributionListMember
    extra = 1


@admin.register(DistributionList)
class DistributionListAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "department", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "members__email")
    autocomplete_fields = ("department",)
    inlines = (DistributionListMemberInline,)


class ReportFileInline(admin.TabularInline):
    model = ReportFile
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "name", "file", "size", "sha256")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """Runs are written by reports.services only; the admin shows them."""

    list_display = ("kind", "programme", "scope", "version", "state", "created_at", "requested_by")
    list_filter = ("kind", "state", "programme")
    list_select_related = ("programme", "requested_by")
    date_hierarchy = "created_at"
    inlines = (ReportFileInline,)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Failed and cancelled runs may be cleared away; done runs are the record of what
        # was sent.
        return obj is None or obj.state in (RunState.FAILED, RunState.CANCELLED)


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "kind", "result", "attempts", "created_at", "sent_at")
    list_filter = ("kind", "result")
    search_fields = ("to", "subject", "key")
    date_hierarchy = "created_at"
    actions = ("resend",)

    @admin.action(description=gettext_lazy("重新发送（发送失败或结果未知的邮件）"))
    def resend(self, request, queryset):
        # Reminders have no run page; this is where the office resends them.
        resent = 0
        for delivery in queryset:
            try:
                resend_delivery(delivery=delivery, actor=request.user)
            except (ValidationError, PermissionDenied):
                continue
            resent += 1
        skipped = queryset.count() - resent
        message = _("已重新发送 %(n)s 封邮件。") % {"n": resent}
        if skipped:
            message += _("另有 %(n)s 封不是发送失败或结果未知的邮件，未重新发送。") % {"n": skipped}
        self.message_user(request, message, messages.SUCCESS if resent else messages.WARNING)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
