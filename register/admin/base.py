"""Base classes for the admin: every change audited; reference data read-only."""

from django.contrib import admin

from register.audit import audit_write, diff, snapshot
from register.models import AuditEntry


class AuditedModelAdmin(admin.ModelAdmin):
    """Every change made in the admin lands in the audit trail, like a change made through the API."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_write(
            actor=request.user,
            action=AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE,
            instance=obj,
            changes=diff(before, snapshot(obj)),
        )

    def delete_model(self, request, obj):
        audit_write(actor=request.user, action=AuditEntry.Action.DELETE, instance=obj, changes=snapshot(obj))
        super().delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
