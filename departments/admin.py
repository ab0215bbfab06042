from django.contrib import admin

from departments.models import Department, DepartmentAlias, DepartmentContact, Profile


class DepartmentAliasInline(admin.TabularInline):
    model = DepartmentAlias
    extra = 0


class DepartmentContactInline(admin.TabularInline):
    model = DepartmentContact
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "sort_order")
    list_filter = ("kind",)
    search_fields = ("name", "short_name", "aliases__name")
    ordering = ("sort_order", "name")
    inlines = (DepartmentAliasInline, DepartmentContactInline)


@admin.register(DepartmentAlias)
class DepartmentAliasAdmin(admin.ModelAdmin):
    list_display = ("name", "department")
    list_select_related = ("department",)
    search_fields = ("name", "department__name")
    autocomplete_fields = ("department",)


@admin.register(DepartmentContact)
class DepartmentContactAdmin(admin.ModelAdmin):
    list_display = ("department", "name", "email", "phone")
    list_select_related = ("department",)
    search_fields = ("department__name", "name", "email")
    autocomplete_fields = ("department",)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "department")
    list_select_related = ("user", "department")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "department__name")
    autocomplete_fields = ("department",)
    raw_id_fields = ("user",)
