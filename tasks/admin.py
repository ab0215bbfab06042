from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import Department
from pilot import permissions
from pilot.pagination import CappedCountPaginator
from pilot.permissions import can_manage_plan
from pilot.text_input import TextInputAdminMixin
from tasks import periods as period_rules
from tasks.limits import MODEL_TEXT_LIMITS
from tasks.models import (
    Assignment,
    AuditEvent,
    Category,
    Evidence,
    Extension,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    ReturnReason,
    Review,
    SlipRules,
    SupervisionSlip,
    Task,
    UpdateRevision,
)
from tasks.services import periods
from tasks.views.plan_export import plan_workbook_response


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by services only: the admin may look, never touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LargeTableMixin:
    """A changelist over a table that grows by the million (updates, their history).

    Newest first on the primary key (an index; the models' default orderings join and
    sort the whole table), no count past ``COUNT_CAP``, no second count of the unfiltered
    table; searches compare whole values (exact numbers and names) rather than LIKE.
    """

    ordering = ("-id",)
    paginator = CappedCountPaginator
    show_full_result_count = False
    # How the search reaches the row's update: "update" (reviews, revisions), "self" (the
    # updates), "task" (audit events: the task, or the actor's username); None: Django's.
    search_by = None

    def get_search_results(self, request, queryset, search_term):
        """Match a task number or a department's full name, through the row's own indexed
        foreign keys (an OR across joined tables would hash-join the whole table)."""
        term = search_term.strip()
        if self.search_by is None or not term:
            return super().get_search_results(request, queryset, search_term)
        # Ids first (a few hundred at most), so the planner sees literal lists it can estimate.
        number = int(term) if term.isdigit() and len(term) < 9 else None
        tasks = list(Task.all_periods.filter(number=number).values_list("pk", flat=True))
        if self.search_by == "task":
            actors = get_user_model().objects.filter(username=term).values_list("pk", flat=True)
            return queryset.filter(Q(task__in=tasks) | Q(actor__in=list(actors))), False
        departments = Department.objects.filter(name=term).values_list("pk", flat=True)
        matching = Q(task__in=tasks) | Q(department__in=list(departments))
        if self.search_by == "update":
            return queryset.filter(update__in=ProgressUpdate.objects.filter(matching)), False
        return queryset.filter(matching), False


@admin.register(Programme)
class ProgrammeAdmin(TextInputAdminMixin, admin.ModelAdmin):
    list_display = ("code", "title", "doc_number", "starts_on", "ends_on", "tasks_due_on")
    search_fields = ("code", "title", "doc_number")
    actions = ("export_plan_xlsx",)

    @admin.action(description=gettext_lazy("导出责任分工表 (xlsx)"))
    def export_plan_xlsx(self, request, queryset):
        if not can_manage_plan(request.user):
            self.message_user(request, _("只有联席会议办公室可以导出。"), messages.ERROR)
            return None
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个试点方案。"), messages.WARNING)
            return None
        return plan_workbook_response(programme=queryset.get())


@admin.register(Category)
class CategoryAdmin(TextInputAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "programme", "number")
    list_select_related = ("programme",)
    list_filter = ("programme",)


class AssignmentInline(TextInputAdminMixin, admin.TabularInline):
    model = Assignment
    fk_name = "task"
    extra = 0
    autocomplete_fields = ("department", "on_behalf_of")
    # The current plan only; changes with history go through tasks.services.plan_history.
    exclude = ("valid_from", "valid_until")

    def get_queryset(self, request):
        # Each row's title (Assignment.__str__) names its task and department.
        return super().get_queryset(request).select_related("task", "department")


@admin.register(Task)
class TaskAdmin(TextInputAdminMixin, admin.ModelAdmin):
    list_display = ("number", "short_measure", "category", "status", "percent", "due_on")
    list_display_links = ("number", "short_measure")
    list_select_related = ("category",)
    list_filter = ("programme", "category", "status", "needs_coordination")
    search_fields = ("number__exact", "measure", "responsibility")
    raw_id_fields = ("status_period", "completion_confirmed_by")
    # Retire, split and merge are plan changes with a reason (tasks.services.plan_lifecycle).
    readonly_fields = ("valid_from", "valid_until", "split_from", "merged_into")
    inlines = (AssignmentInline,)

    def get_queryset(self, request):
        # Retired tasks too: their record stays (the base manager holds every task).
        return Task.all_periods.select_related("category")

    @admin.display(description=gettext_lazy("具体举措"))
    def short_measure(self, task):
        return task.measure[:40]


@admin.register(Assignment)
class AssignmentAdmin(TextInputAdminMixin, admin.ModelAdmin):
    list_display = ("task", "department", "role", "order", "on_behalf_of")
    list_select_related = ("task", "department", "on_behalf_of")
    list_filter = ("role", "task__programme", "department__kind")
    search_fields = ("task__number__exact", "department__name")
    autocomplete_fields = ("task", "department", "on_behalf_of")
    exclude = ("valid_from", "valid_until")


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(TextInputAdminMixin, admin.ModelAdmin):
    """Due dates are edited here; filing is closed and reopened only by the two actions,
    which record who did it (closed_at, closed_by and the period's 历史)."""

    list_display = (
        "__str__",
        "programme",
        "starts_on",
        "ends_on",
        "due_on",
        "filing_opens_on",
        "is_open",
        "closed_at",
        "closed_by",
    )
    list_editable = ("due_on",)
    list_select_related = ("programme", "closed_by")
    list_filter = ("programme", "is_open", "year")
    readonly_fields = ("is_open", "closed_at", "closed_by")
    actions = ("close_filing", "reopen_filing")

    @admin.display(description=gettext_lazy("开放填报日"))
    def filing_opens_on(self, period):
        return period_rules.filing_opens_on(period)

    @admin.action(description=gettext_lazy("关闭填报"), permissions=["change"])
    def close_filing(self, request, queryset):
        closed = [p for p in queryset if periods.close_period(period=p, actor=request.user)]
        self.message_user(request, _("已关闭 %(n)s 个期次的填报。") % {"n": len(closed)})

    @admin.action(description=gettext_lazy("重新开放填报"), permissions=["change"])
    def reopen_filing(self, request, queryset):
        opened = [p for p in queryset if periods.reopen_period(period=p, actor=request.user)]
        self.message_user(request, _("已重新开放 %(n)s 个期次的填报。") % {"n": len(opened)})


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("original_name", "content_type", "size", "uploaded_at", "uploaded_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(LargeTableMixin, TextInputAdminMixin, admin.ModelAdmin):
    """Read-mostly: updates change through the portal's services, which keep the audit
    trail; only a superuser may repair a row here, and the workflow fields stay read-only."""

    list_display = (
        "period",
        "task",
        "department",
        "role",
        "state",
        "status",
        "percent",
        "is_late",
        "submitted_at",
    )
    list_select_related = ("period", "task", "department")
    list_filter = (
        "period__programme",
        "state",
        "status",
        "role",
        "is_late",
        "needs_coordination",
    )
    search_fields = ("task__number__exact", "department__name__exact")
    search_by = "self"
    raw_id_fields = ("task", "period", "drawn_from", "reviewed_by", "created_by", "updated_by")
    autocomplete_fields = ("department",)
    readonly_fields = (
        "state",
        "version",
        "return_count",
        "first_submitted_at",
        "submitted_at",
        "is_late",
        "reviewed_at",
        "reviewed_by",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    )
    inlines = (EvidenceInline,)
    text_limits = MODEL_TEXT_LIMITS

    def get_queryset(self, request):
        # Drafts stay private to their department here too (superusers repair anything).
        return permissions.admin_updates(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return permissions.can_repair_in_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return permissions.can_repair_in_admin(request.user)


@admin.register(Evidence)
class EvidenceAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ("original_name", "update", "content_type", "size", "uploaded_at")
    list_select_related = ("update__period", "update__task", "update__department")
    search_fields = ("original_name", "sha256", "update__task__number__exact")
    raw_id_fields = ("update", "uploaded_by")

    def get_queryset(self, request):
        visible = permissions.admin_updates(request.user, ProgressUpdate.objects.all())
        return super().get_queryset(request).filter(update__in=visible)


@admin.register(ReturnReason)
class ReturnReasonAdmin(TextInputAdminMixin, admin.ModelAdmin):
    list_display = ("text", "is_active", "order")
    list_editable = ("is_active", "order")
    search_fields = ("text",)


@admin.register(Review)
class ReviewAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ("update", "action", "department", "created_at", "created_by")
    list_select_related = (
        "update__period",
        "update__task",
        "update__department",
        "department",
        "created_by",
    )
    list_filter = ("action", "update__period__programme")
    search_fields = ("update__task__number__exact", "update__department__name__exact")
    search_by = "update"
    raw_id_fields = ("update", "revision", "department", "created_by")


@admin.register(UpdateRevision)
class UpdateRevisionAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ("update", "number", "created_at", "created_by")
    list_select_related = (
        "update__period",
        "update__task",
        "update__department",
        "created_by",
    )
    search_fields = ("update__task__number__exact", "update__department__name__exact")
    search_by = "update"
    raw_id_fields = ("update", "created_by")


@admin.register(AuditEvent)
class AuditEventAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ("at", "task", "verb", "actor", "detail")
    list_select_related = ("task", "actor")
    # A date filter with fixed choices: date_hierarchy would scan every row for its years.
    list_filter = ("verb", "at")
    search_fields = ("task__number__exact", "actor__username__exact")
    search_by = "task"
    raw_id_fields = ("task", "update", "actor")

    def get_queryset(self, request):
        # The same rule as the task page: a draft's history stays with its department.
        return permissions.admin_audit_events(request.user, super().get_queryset(request))


@admin.register(SlipRules)
class SlipRulesAdmin(admin.ModelAdmin):
    """The office's thresholds of the supervision slip rules, one row per programme."""

    list_display = (
        "programme",
        "enabled",
        "blue_working_days",
        "blue_percent",
        "stalled_periods",
        "blue_response_days",
        "yellow_response_days",
        "red_response_days",
    )


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ("task", "department", "state", "requested_due_on", "approved_due_on")
    list_filter = ("state",)


@admin.register(SupervisionSlip)
class SupervisionSlipAdmin(ReadOnlyAdmin):
    list_display = ("code", "task", "department", "level", "status", "issued_on", "response_due")
    list_filter = ("level", "status")
