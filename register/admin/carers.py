"""Admin pages for the register of foster families.

Staff see only the families of their provinces (national administrators all of them). Families are
registered and moved along their lifecycle through the API, which numbers them and checks approval
requirements; here staff correct details and records, and every save lands in the audit trail.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from register.admin.base import AuditedModelAdmin, ReadOnlyAdmin
from register.audit import audit_write, diff, snapshot
from register.models import (
    AuditEntry,
    Carer,
    CarerCheck,
    CarerStatusChange,
    CarerTraining,
    HouseholdMember,
    ReferenceSequence,
    SafeguardingConcern,
)
from register.scoping import scope_to_user, user_may_act_in
from register.services.carers import EDITABLE_FIELDS, carer_consistency_errors


class ScopedAdminMixin:
    """Only the rows of the user's provinces, in lists, change pages and foreign-key choices."""

    province_field = "province"

    def get_queryset(self, request):
        return scope_to_user(super().get_queryset(request), request.user, province_field=self.province_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Carer:
            kwargs["queryset"] = scope_to_user(Carer.objects.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CarerAdminForm(forms.ModelForm):
    current_user = None  # set by CarerAdmin.get_form

    class Meta:
        model = Carer
        fields = list(EDITABLE_FIELDS)

    def clean(self):
        cleaned = super().clean()
        fields = ("commune", "village", "age_min", "age_max")
        values = {f: cleaned[f] if f in cleaned else getattr(self.instance, f, None) for f in fields}
        for field, messages in carer_consistency_errors(values=values).items():
            self.add_error(field if field in self.fields else None, messages)
        commune = cleaned.get("commune")
        moved = commune is not None and commune.province_id != getattr(self.instance, "province_id", None)
        if moved and not user_may_act_in(self.current_user, commune.province_id):
            self.add_error("commune", _("This commune is outside your provinces."))
        return cleaned


class HouseholdMemberInline(admin.TabularInline):
    model = HouseholdMember
    extra = 0


class CarerCheckInline(admin.TabularInline):
    model = CarerCheck
    extra = 0
    fields = ["kind", "result", "checked_on", "expires_on", "notes", "recorded_by"]
    readonly_fields = ["recorded_by"]


class CarerTrainingInline(admin.TabularInline):
    model = CarerTraining
    extra = 0
    fields = ["module", "completed_on", "recorded_by"]
    readonly_fields = ["recorded_by"]


class SafeguardingConcernInline(admin.TabularInline):
    model = SafeguardingConcern
    extra = 0
    fields = ["raised_on", "summary", "status", "closed_on", "recorded_by"]
    readonly_fields = ["recorded_by"]


class CarerStatusChangeInline(admin.TabularInline):
    """The lifecycle history: read-only, written only by the status service."""

    model = CarerStatusChange
    extra = 0
    fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("status history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Carer)
class CarerAdmin(ScopedAdminMixin, AuditedModelAdmin):
    form = CarerAdminForm
    list_display = ["reference", "household_name", "given_name", "family_name", "status", "province", "review_due"]
    list_filter = ["status", "province", "review_due"]
    search_fields = ["reference", "household_name", "given_name", "family_name", "phone"]
    readonly_fields = [
        "reference",
        "status",
        "district",
        "province",
        "approved_on",
        "review_due",
        "created_by",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["commune", "village"]
    inlines = [
        HouseholdMemberInline,
        CarerCheckInline,
        CarerTrainingInline,
        SafeguardingConcernInline,
        CarerStatusChangeInline,
    ]

    def has_add_permission(self, request):
        # New families come through the API, which numbers them within their province.
        return False

    def has_delete_permission(self, request, obj=None):
        # A family leaves the register by being deregistered; its history stays.
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"current_user": request.user})

    def save_model(self, request, obj, form, change):
        # The district and province follow the commune.
        obj.district_id, obj.province_id = obj.commune.district_id, obj.commune.province_id
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        """Audit every inline row added, changed or deleted, filed under the family's province."""
        carer = form.instance
        befores = {o.pk: snapshot(type(o).objects.get(pk=o.pk)) for o in formset.get_queryset() if o.pk is not None}
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit_write(
                actor=request.user,
                action=AuditEntry.Action.DELETE,
                instance=obj,
                changes=befores.get(obj.pk, snapshot(obj)),
                province=carer.province_id,
            )
            obj.delete()
        for obj in instances:
            adding = obj._state.adding
            if adding and hasattr(obj, "recorded_by_id") and obj.recorded_by_id is None:
                obj.recorded_by = request.user
            obj.save()
            changes = diff(None if adding else befores.get(obj.pk), snapshot(obj))
            audit_write(
                actor=request.user,
                action=AuditEntry.Action.CREATE if adding else AuditEntry.Action.UPDATE,
                instance=obj,
                changes=changes,
                province=carer.province_id,
            )
        formset.save_m2m()


class CarerRecordAdmin(ScopedAdminMixin, AuditedModelAdmin):
    """A record under a family: scoped and audited under the family's province."""

    province_field = "carer__province"
    raw_id_fields = ["carer"]
    list_select_related = ["carer"]
    search_fields = ["carer__reference", "carer__household_name"]

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        if not change and hasattr(obj, "recorded_by_id") and obj.recorded_by_id is None:
            obj.recorded_by = request.user
        admin.ModelAdmin.save_model(self, request, obj, form, change)
        audit_write(
            actor=request.user,
            action=AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE,
            instance=obj,
            changes=diff(before, snapshot(obj)),
            province=obj.carer.province_id,
        )

    def delete_model(self, request, obj):
        audit_write(
            actor=request.user,
            action=AuditEntry.Action.DELETE,
            instance=obj,
            changes=snapshot(obj),
            province=obj.carer.province_id,
        )
        admin.ModelAdmin.delete_model(self, request, obj)


@admin.register(HouseholdMember)
class HouseholdMemberAdmin(CarerRecordAdmin):
    list_display = ["given_name", "family_name", "relationship", "carer"]
    list_filter = ["relationship"]


@admin.register(CarerCheck)
class CarerCheckAdmin(CarerRecordAdmin):
    list_display = ["carer", "kind", "result", "checked_on", "expires_on"]
    list_filter = ["kind", "result"]
    readonly_fields = ["recorded_by", "created_at"]


@admin.register(CarerTraining)
class CarerTrainingAdmin(CarerRecordAdmin):
    list_display = ["carer", "module", "completed_on"]
    list_filter = ["module"]
    readonly_fields = ["recorded_by", "created_at"]


@admin.register(SafeguardingConcern)
class SafeguardingConcernAdmin(CarerRecordAdmin):
    list_display = ["carer", "raised_on", "status", "closed_on"]
    list_filter = ["status"]
    readonly_fields = ["recorded_by", "created_at"]


@admin.register(CarerStatusChange)
class CarerStatusChangeAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    province_field = "carer__province"
    list_display = ["carer", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    list_select_related = ["carer", "changed_by"]
    search_fields = ["carer__reference"]


@admin.register(ReferenceSequence)
class ReferenceSequenceAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "province", "last"]
    list_filter = ["prefix"]
