"""Admin pages for the register of foster families.

Staff see only the families of their provinces (national administrators all of them). Families are
registered and moved along their lifecycle through the API, which numbers them and checks approval
requirements; here staff correct details and records, through the same services as the API (which
check the provinces, validate and audit), never by saving rows.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from register.admin.base import (
    PermissionAndCapabilityMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ScopedAdminMixin,
    ServiceAdmin,
    changed_values,
)
from register.models import (
    Carer,
    CarerCheck,
    CarerStatusChange,
    CarerTraining,
    HouseholdMember,
    ReferenceSequence,
    SafeguardingConcern,
)
from register.selectors.names import carers_named
from register.services.carers import (
    EDITABLE_FIELDS,
    MEMBER_FIELDS,
    carer_check_create,
    carer_check_update,
    carer_concern_create,
    carer_concern_update,
    carer_record_delete,
    carer_training_record,
    carer_training_update,
    carer_update,
    household_member_create,
    household_member_update,
)

CHECK_FIELDS = ("kind", "result", "checked_on", "expires_on", "notes")
TRAINING_FIELDS = ("module", "completed_on")
CONCERN_FIELDS = ("raised_on", "summary", "status", "closed_on")


class CarerCapabilityMixin(PermissionAndCapabilityMixin):
    """A family's records are read with `carers.read` and written with `carers.write`."""

    read_capability = "carers.read"
    write_capability = "carers.write"


class CarerAdminForm(forms.ModelForm):
    class Meta:
        model = Carer
        fields = list(EDITABLE_FIELDS)


class CarerRecordInline(CarerCapabilityMixin, admin.TabularInline):
    """A household member, check, training or concern on the family's page: each row added,
    corrected or deleted through its service (CarerAdmin.service_save)."""

    extra = 0

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)


class HouseholdMemberInline(CarerRecordInline):
    model = HouseholdMember
    fields = list(MEMBER_FIELDS)


class CarerCheckInline(CarerRecordInline):
    model = CarerCheck
    fields = [*CHECK_FIELDS, "recorded_by"]
    readonly_fields = ["recorded_by"]


class CarerTrainingInline(CarerRecordInline):
    model = CarerTraining
    fields = [*TRAINING_FIELDS, "recorded_by"]
    readonly_fields = ["recorded_by"]


class SafeguardingConcernInline(CarerRecordInline):
    model = SafeguardingConcern
    fields = [*CONCERN_FIELDS, "recorded_by"]
    readonly_fields = ["recorded_by"]


class CarerStatusChangeInline(ReadOnlyInline):
    """The lifecycle history: read-only, written only by the status service."""

    model = CarerStatusChange
    fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]
    readonly_fields = fields
    verbose_name_plural = _("status history")


def record_save(actor, carer: Carer, model, form):
    """One inline or standalone record of a family, through its service: added, or corrected (the
    fields the user changed)."""
    adding = form.instance._state.adding
    if not adding and not form.changed_data:
        return form.instance  # nothing to correct: no write, no audit entry
    if model is CarerCheck:
        if adding:
            return carer_check_create(actor=actor, carer=carer, data=_values(form, CHECK_FIELDS))
        return carer_check_update(actor=actor, check=form.instance, data=changed_values(form, CHECK_FIELDS))
    if model is CarerTraining:
        if adding:
            return carer_training_record(actor=actor, carer=carer, **_values(form, TRAINING_FIELDS))[0]
        return carer_training_update(actor=actor, training=form.instance, data=changed_values(form, TRAINING_FIELDS))
    if model is SafeguardingConcern:
        if adding:
            return carer_concern_create(actor=actor, carer=carer, data=_values(form, CONCERN_FIELDS))
        return carer_concern_update(actor=actor, concern=form.instance, data=changed_values(form, CONCERN_FIELDS))
    if model is HouseholdMember:
        if adding:
            return household_member_create(actor=actor, carer=carer, data=_values(form, MEMBER_FIELDS))
        return household_member_update(actor=actor, member=form.instance, data=changed_values(form, MEMBER_FIELDS))
    raise NotImplementedError(model)


def _values(form, fields) -> dict:
    return {f: form.cleaned_data.get(f) for f in fields if f in form.cleaned_data}


@admin.register(Carer)
class CarerAdmin(CarerCapabilityMixin, ScopedAdminMixin, ServiceAdmin):
    form = CarerAdminForm
    list_display = ["reference", "household_name", "given_name", "family_name", "status", "province", "review_due"]
    list_filter = ["status", "province", "review_due"]
    # Searched as the lists are (register.selectors.names): either script, close romanisations, phone.
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

    def get_search_results(self, request, queryset, search_term):
        return (carers_named(queryset, search_term), False) if search_term.strip() else (queryset, False)

    def has_add_permission(self, request):
        # New families come through the API, the pages or the import, which number them within
        # their province and check for duplicates.
        return False

    def service_save(self, request, form, formsets, change):
        """The family's details through carer_update (which moves the district and province with
        the commune, inside the user's provinces only), then each inline row through its own
        service. One transaction: a refusal anywhere keeps nothing."""
        data = changed_values(form, EDITABLE_FIELDS)
        carer = carer_update(actor=request.user, carer=form.instance, data=data) if data else form.instance
        for formset in formsets:
            for inline_form in formset.forms:
                if inline_form in formset.deleted_forms:
                    if not inline_form.instance._state.adding:
                        carer_record_delete(actor=request.user, record=inline_form.instance)
                elif inline_form.has_changed():
                    record_save(request.user, carer, formset.model, inline_form)
        return carer


class CarerRecordAdmin(CarerCapabilityMixin, ScopedAdminMixin, ServiceAdmin):
    """A record under a family: scoped under the family's province, written through its service."""

    province_field = "carer__province"
    raw_id_fields = ["carer"]
    list_select_related = ["carer"]
    search_fields = ["carer__reference", "carer__household_name"]
    record_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        return ["carer", *self.record_fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # A record stays with its family: it is corrected, never moved to another one.
        return [*self.readonly_fields, "carer"] if obj is not None else list(self.readonly_fields)

    def service_save(self, request, form, formsets, change):
        carer = form.instance.carer if change else form.cleaned_data["carer"]
        return record_save(request.user, carer, self.model, form)

    def service_delete(self, request, obj):
        carer_record_delete(actor=request.user, record=obj)


@admin.register(HouseholdMember)
class HouseholdMemberAdmin(CarerRecordAdmin):
    list_display = ["given_name", "family_name", "relationship", "carer"]
    list_filter = ["relationship"]
    record_fields = MEMBER_FIELDS


@admin.register(CarerCheck)
class CarerCheckAdmin(CarerRecordAdmin):
    list_display = ["carer", "kind", "result", "checked_on", "expires_on"]
    list_filter = ["kind", "result"]
    readonly_fields = ["recorded_by", "created_at"]
    record_fields = CHECK_FIELDS


@admin.register(CarerTraining)
class CarerTrainingAdmin(CarerRecordAdmin):
    list_display = ["carer", "module", "completed_on"]
    list_filter = ["module"]
    readonly_fields = ["recorded_by", "created_at"]
    record_fields = TRAINING_FIELDS


@admin.register(SafeguardingConcern)
class SafeguardingConcernAdmin(CarerRecordAdmin):
    list_display = ["carer", "raised_on", "status", "closed_on"]
    list_filter = ["status"]
    readonly_fields = ["recorded_by", "created_at"]
    record_fields = CONCERN_FIELDS


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
