from django.contrib import admin

from reports.models import (
    DistributionList,
    DistributionListMember,
    EmailDelivery,
    ReportFile,
    ReportRun,
    RunState,
)


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
        # Failed runs may be cleared away; done runs are the record of what was sent.
        return obj is None or obj.state == RunState.FAILED


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    list_display = ("subject", "to", "kind", "result", "attempts", "created_at", "sent_at")
    list_filter = ("kind", "result")
    search_fields = ("to", "subject", "key")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
