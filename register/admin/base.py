"""Base classes for the admin: every change audited; reference data read-only."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Subquery
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from register.audit import audit_write, diff, snapshot
from register.models import AuditEntry


class AuditHistoryMixin:
    """The admin's "History" page shows the record's audit trail (every write through the API, the
    services or the admin, and every read of a child's record), read-only."""

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        entries = AuditEntry.objects.filter(model=obj._meta.label, object_id=str(obj.pk)).order_by("-at")[:500]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Audit history: %(record)s") % {"record": obj},
            "subtitle": None,
            "object": obj,
            "opts": self.model._meta,
            "entries": entries,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/audit_history.html", context)


class AuditedModelAdmin(AuditHistoryMixin, admin.ModelAdmin):
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

    def delete_queryset(self, request, queryset):
        # The list's "delete selected" action: Django's default is one bulk DELETE that no
        # delete_model sees. Row by row instead, each audited, all or none.
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields (a user's groups and provinces) are saved after save_model's entry.
        fields = [f for f in form.instance._meta.many_to_many if f.name in form.cleaned_data]
        before = _m2m_values(form.instance, fields) if change else {f.name: [] for f in fields}
        super().save_related(request, form, formsets, change)
        changes = diff(before, _m2m_values(form.instance, fields))
        if changes:
            audit_write(actor=request.user, action=AuditEntry.Action.UPDATE, instance=form.instance, changes=changes)


def _m2m_values(instance, fields) -> dict:
    return {f.name: sorted(str(pk) for pk in getattr(instance, f.name).values_list("pk", flat=True)) for f in fields}


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionedPolicyAdmin(AuditedModelAdmin):
    """A policy that is versioned, never edited in place: "saving" adds a new version, the newest is
    in force, and old versions stay as they were (runs and schedules recorded which one they used)."""

    newest_first: tuple[str, ...] = ("-created_at", "-pk")

    def get_queryset(self, request):
        newest = self.model.objects.order_by(*self.newest_first).values("pk")[:1]
        return super().get_queryset(request).annotate(newest_pk=Subquery(newest))

    @admin.display(boolean=True, description=_("in force"))
    def in_force(self, obj):
        return obj.pk == obj.newest_pk

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        previous = obj.pk if change else None
        obj.pk = None
        obj._state.adding = True
        obj.created_by = request.user
        obj.save()
        changes = diff(None, snapshot(obj))
        if previous:
            changes["replaces"] = [previous, obj.pk]
        audit_write(actor=request.user, action=AuditEntry.Action.CREATE, instance=obj, changes=changes)
