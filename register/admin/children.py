"""Admin pages for institutions, children (with kin and excluded families) and sibling groups.

Staff see the records of their provinces only (a social worker: the children they follow), may change
them according to their role's capabilities, and every change is audited. Opening a child's page, or a
page of the children list, is logged as a read of those records, as in the API.
"""

from functools import partial

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from register.admin.base import CapabilityAdminMixin, ScopedChoicesMixin, ServiceAdmin, changed_values
from register.audit import audit_read, audit_reads
from register.models import Carer, CarerExclusion, Child, Institution, KinLink, SiblingGroup
from register.scoping import scope_to_user
from register.selectors.children import child_list, institution_list, sibling_group_list
from register.selectors.names import children_named
from register.services.children import (
    CHILD_PLAIN_FIELDS,
    INSTITUTION_FIELDS,
    child_create,
    child_update,
    institution_create,
    institution_update,
    sibling_group_update,
)
from register.services.duplicates import (
    REVIEW_REASON_MAX,
    PossibleDuplicate,
    duplicates_notify_elsewhere,
    possible_duplicate_message,
)

CHILD_FIELDS = (*CHILD_PLAIN_FIELDS, "institution", "home_commune", "school_commune")


@admin.register(Institution)
class InstitutionAdmin(CapabilityAdminMixin, ServiceAdmin):
    read_capability = "institutions.read"
    write_capability = "institutions.write"
    list_display = ["name", "kind", "status", "province", "commune", "inspection_score"]
    list_filter = ["status", "kind", "province"]
    search_fields = ["name"]
    list_select_related = ["province", "commune"]
    autocomplete_fields = ["commune"]
    fields = [*INSTITUTION_FIELDS, "commune", "province"]
    readonly_fields = ["province"]

    def get_queryset(self, request):
        return institution_list(user=request.user).select_related("province", "commune")

    def service_save(self, request, form, formsets, change):
        # The province follows the commune, which must lie in one of the user's provinces (as in the API).
        fields = (*INSTITUTION_FIELDS, "commune")
        if change:
            return institution_update(actor=request.user, institution=form.instance, data=changed_values(form, fields))
        return institution_create(actor=request.user, data={f: form.cleaned_data.get(f) for f in fields})


class ScopedCarerInline(CapabilityAdminMixin, ScopedChoicesMixin, admin.TabularInline):
    """A child's kin or excluded families: only the families of the user's provinces are shown and
    can be chosen. Links to families elsewhere stay, unseen (child_update keeps them)."""

    read_capability = "children.read"
    write_capability = "children.write"
    extra = 0
    raw_id_fields = ["carer"]

    def get_queryset(self, request):
        mine = scope_to_user(Carer.objects.all(), request.user).values("pk")
        return super().get_queryset(request).filter(carer__in=mine)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, self.write_capability)


class KinInline(ScopedCarerInline):
    model = KinLink
    fields = ["carer", "relationship"]
    verbose_name = _("kin family")
    verbose_name_plural = _("kin families")


class ExclusionInline(ScopedCarerInline):
    model = CarerExclusion
    fields = ["carer", "reason", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]


class ChildAdminForm(forms.ModelForm):
    # When the child may be recorded already (issue 14): why this is another child. Used when adding.
    duplicate_reviewed = forms.CharField(
        label=_("Not the same child as a possible duplicate, because"),
        required=False,
        max_length=REVIEW_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when saving was refused as a possible duplicate; kept in the audit trail."),
    )

    class Meta:
        model = Child
        fields = list(CHILD_FIELDS)


def _links(formset, value_field: str) -> list[dict] | None:
    """The kin or exclusions as the page now shows them, or None when they were not touched."""
    if not formset.has_changed():
        return None
    return [
        {"carer": form.cleaned_data["carer"].pk, value_field: form.cleaned_data.get(value_field)}
        for form in formset.forms
        if form not in formset.deleted_forms and form.cleaned_data.get("carer") is not None
    ]


@admin.register(Child)
class ChildAdmin(CapabilityAdminMixin, ServiceAdmin):
    read_capability = "children.read"
    write_capability = "children.write"
    form = ChildAdminForm
    list_display = ["reference", "given_name", "family_name", "status", "province", "institution", "sibling_group"]
    list_filter = ["status", "province"]
    search_fields = ["reference", "given_name", "family_name"]  # searched as the lists are
    list_select_related = ["province", "institution"]
    autocomplete_fields = ["institution", "home_commune", "school_commune"]
    # The status changes through the API's rules and the placement service, never by hand here.
    readonly_fields = ["reference", "status", "province", "sibling_group", "created_at", "updated_at", "created_by"]
    inlines = [KinInline, ExclusionInline]
    refusal_labels = {"kin": _("kin families"), "excluded_carers": _("excluded families")}

    def get_queryset(self, request):
        return child_list(user=request.user).select_related("province", "institution")

    def get_search_results(self, request, queryset, search_term):
        return (children_named(queryset, search_term), False) if search_term.strip() else (queryset, False)

    def service_save(self, request, form, formsets, change):
        """The child with its kin and exclusions, in one call of child_create or child_update (which
        derive the reference, status and province, and keep the record in the user's provinces)."""
        data = changed_values(form, CHILD_FIELDS) if change else {f: form.cleaned_data.get(f) for f in CHILD_FIELDS}
        for formset in formsets:
            if formset.model is KinLink:
                links = _links(formset, "relationship")
                if links is not None:
                    data["kin"] = links
            elif formset.model is CarerExclusion:
                links = _links(formset, "reason")
                if links is not None:
                    data["excluded_carers"] = links
        if not change:
            try:
                return child_create(
                    actor=request.user, data=data, duplicate_reviewed=form.cleaned_data.get("duplicate_reviewed", "")
                )
            except PossibleDuplicate as refusal:
                # The service told national administrators of a match elsewhere; the page's rollback
                # must not undo it (the notice is one per record a day: sending it again is harmless).
                request._after_rollback = [partial(duplicates_notify_elsewhere, kind="child", check=refusal.check)]
                raise ValidationError({"duplicate_reviewed": [possible_duplicate_message(refusal.check)]}) from None
        return child_update(actor=request.user, child=form.instance, data=data) if data else form.instance

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None and request.method == "GET":
            audit_read(actor=request.user, instance=obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            audit_reads(actor=request.user, instances=list(changelist.result_list))
        return response

    def history_view(self, request, object_id, extra_context=None):
        # The history shows the child's values as they changed: a read of the record too.
        response = super().history_view(request, object_id, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("object")
        if obj is not None:
            audit_read(actor=request.user, instance=obj)
        return response


class SiblingInline(CapabilityAdminMixin, admin.TabularInline):
    read_capability = "children.read"
    write_capability = "children.write"
    model = Child
    fk_name = "sibling_group"
    fields = ["reference", "status", "province"]
    readonly_fields = ["reference", "status", "province"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Children join and leave a group through the group's service (the API), not this list.
        return False

    def get_queryset(self, request):
        return child_list(user=request.user)


@admin.register(SiblingGroup)
class SiblingGroupAdmin(CapabilityAdminMixin, ServiceAdmin):
    read_capability = "children.read"
    write_capability = "children.write"
    list_display = ["id", "keep_together", "created_at"]
    list_filter = ["keep_together"]
    fields = ["keep_together", "created_at", "created_by"]
    readonly_fields = ["created_at", "created_by"]
    inlines = [SiblingInline]

    def get_queryset(self, request):
        return sibling_group_list(user=request.user)

    def has_add_permission(self, request, *args):
        # Groups are made from their children (API: POST /api/v1/sibling-groups/), where the rules live.
        return False

    def service_save(self, request, form, formsets, change):
        return sibling_group_update(
            actor=request.user, group=form.instance, keep_together=form.cleaned_data["keep_together"]
        )
