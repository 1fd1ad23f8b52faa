from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from register.admin.base import AuditedModelAdmin, ReadOnlyAdmin
from register.models import AuditEntry, Commune, District, Province, TrainingModule, User, Village


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "name_km", "lat", "lon"]
    search_fields = ["code", "name_en", "name_km"]


@admin.register(District)
class DistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "name_km", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name_en", "name_km"]


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "name_km", "district", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name_en", "name_km"]
    list_select_related = ["district", "province"]


@admin.register(Village)
class VillageAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "name_km", "commune"]
    list_filter = ["province"]
    search_fields = ["code", "name_en", "name_km"]
    list_select_related = ["commune"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    list_display = ["username", "email", "role_name", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "provinces"]
    filter_horizontal = ["groups", "provinces", "user_permissions"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Work"), {"fields": ("provinces", "phone", "preferred_language", "preferred_channel", "telegram_chat_id")}),
    )

    @admin.display(description=_("role"))
    def role_name(self, obj):
        return obj.role or "—"


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail: visible to national administrators, never editable by anyone."""

    list_display = ["at", "actor_username", "action", "model", "object_id", "object_repr", "province"]
    list_filter = ["action", "model", "province"]
    search_fields = ["actor_username", "object_id", "object_repr"]
    date_hierarchy = "at"

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_national

    def has_module_permission(self, request):
        return self.has_view_permission(request)


# --- Training modules (the carers area) --------------------------------------------------------


@admin.register(TrainingModule)
class TrainingModuleAdmin(AuditedModelAdmin):
    """Reference data national administrators maintain; a module in use cannot be deleted."""

    list_display = ["code", "name_en", "name_km", "required_for_approval"]
    list_filter = ["required_for_approval"]
    search_fields = ["code", "name_en", "name_km"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj is not None else []

    def has_add_permission(self, request):
        return request.user.is_national and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_national and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_national and super().has_delete_permission(request, obj)
