from axes.admin import AccessAttemptAdmin as BaseAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from register.admin.base import AuditedModelAdmin, ReadOnlyAdmin
from register.audit import audit_read, audit_write, diff, snapshot
from register.models import AuditEntry, Child, Commune, District, Province, TrainingModule, User, Village


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

    def user_change_password(self, request, id, form_url=""):
        # Django's own password page saves outside save_model: record that the password changed (as
        # a changed fingerprint, never the hash), in the same transaction.
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            before = snapshot(user) if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if user is not None and request.method == "POST":
                user.refresh_from_db()
                changes = diff(before, snapshot(user))
                if changes:
                    audit_write(actor=request.user, action=AuditEntry.Action.UPDATE, instance=user, changes=changes)
        return response


# Role groups: who holds a role is changed on the user's page (audited above); the groups themselves
# are audited too (a renamed or deleted group takes its role away from everyone in it).
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedModelAdmin, BaseGroupAdmin):
    pass


# django-axes' lockout records: deleting one unlocks an account, which the trail records.
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(BaseAccessAttemptAdmin):
    def delete_model(self, request, obj):
        AuditEntry.objects.create(
            actor=request.user,
            actor_username=request.user.username,
            action=AuditEntry.Action.DELETE,
            model=AccessAttempt._meta.label,
            object_id=str(obj.pk),
            object_repr=obj.username or "",
            changes={"username": [obj.username, None], "failures_since_start": [obj.failures_since_start, None]},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


# API tokens (django-rest-knox): an administrator may revoke one (audited, as a logout through the
# API is), but never make one for somebody else or change one.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(ReadOnlyAdmin):
    list_display = ["token_key", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["token_key", "user__username"]
    fields = ["token_key", "user", "created", "expiry"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def delete_model(self, request, obj):
        # Filed under the token's key (its first characters, not the secret) and its owner.
        AuditEntry.objects.create(
            actor=request.user,
            actor_username=request.user.username,
            action=AuditEntry.Action.DELETE,
            model=AuthToken._meta.label,
            object_id=obj.token_key,
            object_repr=obj.user.username,
            changes={
                "user": [obj.user.username, None],
                "expiry": [obj.expiry.isoformat() if obj.expiry else None, None],
            },
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset.select_related("user"):
                self.delete_model(request, obj)


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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # An entry about a child shows the child's values (`changes`): reading it reads the record.
        response = super().change_view(request, object_id, form_url, extra_context)
        entry = (getattr(response, "context_data", None) or {}).get("original")
        if entry is not None and entry.model == Child._meta.label and entry.changes:
            child = Child.objects.filter(pk=entry.object_id).first()
            if child is not None:
                audit_read(actor=request.user, instance=child)
        return response


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
