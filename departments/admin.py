import json

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models import (
    AccountEvent,
    AccountVerb,
    Department,
    DepartmentAlias,
    DepartmentContact,
    Profile,
    Role,
    WebhookPush,
)
from departments.services import record_account_event
from pilot import permissions
from pilot.text_input import TextInputAdminMixin

User = get_user_model()


class OfficeRoleLimit:
    """Office staff give only the roles ``permissions.OFFICE_ASSIGNABLE_ROLES``."""

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not permissions.can_manage_all_accounts(request.user):
            kwargs["choices"] = [
                (value, label)
                for value, label in Role.choices
                if value in permissions.OFFICE_ASSIGNABLE_ROLES
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class AccountAudit:
    """Write an account audit row (``AccountEvent``) for every account change saved here,
    next to the admin's own log, described as the admin's history describes it."""

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._audit(request, obj, AccountVerb.CREATED, message)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._audit(request, obj, _account_verb(message), message)
        return entry

    def _audit(self, request, obj, verb, message):
        account = obj.user if isinstance(obj, Profile) else obj
        if isinstance(obj, Profile) and verb == AccountVerb.CHANGED:
            verb = AccountVerb.ROLE_CHANGED
        detail = LogEntry(change_message=_as_json(message)).get_change_message()
        record_account_event(account=account, verb=verb, actor=request.user, detail=detail)


def _as_json(message) -> str:
    return message if isinstance(message, str) else json.dumps(message)


def _account_verb(message) -> str:
    """Name what an admin change message says changed: the password, the role, or else."""
    if isinstance(message, str):
        return AccountVerb.CHANGED
    for item in message:
        for change in item.values():
            if "password" in change.get("fields", ()):
                return AccountVerb.PASSWORD_CHANGED
            # The only inline on an account is its profile: its role and department.
            if "object" in change:
                return AccountVerb.ROLE_CHANGED
    return AccountVerb.CHANGED


class DepartmentAliasInline(TextInputAdminMixin, admin.TabularInline):
    model = DepartmentAlias
    extra = 0


class DepartmentContactInline(TextInputAdminMixin, admin.TabularInline):
    model = DepartmentContact
    extra = 0


@admin.register(Department)
class DepartmentAdmin(TextInputAdminMixin, admin.ModelAdmin):
    # A robot's address without a scheme is an https one (Django 6's default, said now).
    formfield_overrides = {
        **TextInputAdminMixin.formfield_overrides,
        models.URLField: {"assume_scheme": "https"},
    }
    list_display = ("name", "short_name", "kind", "sort_order")
    list_filter = ("kind",)
    search_fields = ("name", "short_name", "aliases__name")
    ordering = ("sort_order", "name")
    inlines = (DepartmentAliasInline, DepartmentContactInline)
    # Set by a merge (tasks.services.plan_history.merge_departments), never by hand.
    readonly_fields = ("merged_into",)


@admin.register(DepartmentAlias)
class DepartmentAliasAdmin(TextInputAdminMixin, admin.ModelAdmin):
    list_display = ("name", "department")
    list_select_related = ("department",)
    search_fields = ("name", "department__name")
    autocomplete_fields = ("department",)


@admin.register(DepartmentContact)
class DepartmentContactAdmin(TextInputAdminMixin, admin.ModelAdmin):
    list_display = ("department", "name", "email", "phone")
    list_select_related = ("department",)
    search_fields = ("department__name", "name", "email")
    autocomplete_fields = ("department",)


@admin.register(Profile)
class ProfileAdmin(AccountAudit, TextInputAdminMixin, OfficeRoleLimit, admin.ModelAdmin):
    list_display = ("user", "role", "department")
    list_select_related = ("user", "department")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "department__name")
    autocomplete_fields = ("department",)
    raw_id_fields = ("user",)

    def get_queryset(self, request):
        return permissions.manageable_profiles(request.user, super().get_queryset(request))


class ProfileInline(TextInputAdminMixin, OfficeRoleLimit, admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ("department",)
    verbose_name_plural = _("角色与所属单位")


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(AccountAudit, TextInputAdminMixin, UserAdmin):
    """Accounts. Office staff manage reporter and member accounts only: they never see
    superusers, staff, office or administrator accounts, nor the staff, superuser, group and
    permission fields."""

    inlines = (ProfileInline,)
    list_display = ("username", "first_name", "email", "profile_role", "profile_department")
    list_select_related = ("profile", "profile__department")
    list_filter = ("is_active", "profile__role")
    search_fields = ("username", "first_name", "email", "profile__department__name")

    @admin.display(description=_("角色"))
    def profile_role(self, user):
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(description=_("所属单位"))
    def profile_department(self, user):
        profile = getattr(user, "profile", None)
        return profile.department if profile and profile.department else "—"

    def get_queryset(self, request):
        return permissions.manageable_accounts(request.user, super().get_queryset(request))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if permissions.can_manage_all_accounts(request.user):
            return fieldsets
        hidden = {"is_staff", "is_superuser", "groups", "user_permissions"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """The account audit trail: read-only for everyone, as the services wrote it."""

    list_display = ("at", "account", "verb", "actor", "detail")
    list_select_related = ("account", "actor")
    list_filter = ("verb",)
    search_fields = ("account__username", "actor__username", "detail")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookPush)
class WebhookPushAdmin(admin.ModelAdmin):
    """The group robot pushes and their outcome, read-only (the service writes them)."""

    list_display = ("created_at", "department", "result", "attempts", "text")
    list_filter = ("result",)
    list_select_related = ("department",)
    readonly_fields = ("department", "text", "created_at", "result", "attempts", "sent_at", "error")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
