"""Admin pages for institutions, children (with kin and excluded families) and sibling groups.

Staff see the records of their provinces only (a social worker: the children they follow), may change
them according to their role's capabilities, and every change is audited. Opening a child's page, or a
page of the children list, is logged as a read of those records, as in the API.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from register.admin.base import AuditedModelAdmin
from register.audit import audit_read, audit_reads, audit_write, diff
from register.models import AuditEntry, Carer, CarerExclusion, Child, Institution, KinLink, SiblingGroup
from register.roles import role_has
from register.scoping import scope_to_user
from register.selectors.children import child_list, institution_list, sibling_group_list
from register.services.children import child_initial_status, child_province_code
from register.services.references import reference_next


class CapabilityAdminMixin:
    """Admin permissions from the role's capabilities (register/roles.py), not Django's model
    permissions, so the admin and the API agree on who may do what."""

    read_capability = ""
    write_capability = ""

    def _may(self, request, capability: str) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or role_has(user.role, capability))

    def has_module_permission(self, request):
        return self._may(request, self.read_capability)

    def has_view_permission(self, request, obj=None):
        return self._may(request, self.read_capability)

    def has_add_permission(self, request, *args):
        return self._may(request, self.write_capability)

    def has_change_permission(self, request, obj=None):
        return self._may(request, self.write_capability)

    def has_delete_permission(self, request, obj=None):
        # Records of children and institutions are kept: statuses say what happened.
        return False


@admin.register(Institution)
class InstitutionAdmin(CapabilityAdminMixin, AuditedModelAdmin):
    read_capability = "institutions.read"
    write_capability = "institutions.write"
    list_display = ["name", "kind", "status", "province", "commune", "inspection_score"]
    list_filter = ["status", "kind", "province"]
    search_fields = ["name"]
    list_select_related = ["province", "commune"]
    autocomplete_fields = ["commune"]
    readonly_fields = ["province"]

    def get_queryset(self, request):
        return institution_list(user=request.user).select_related("province", "commune")

    def save_model(self, request, obj, form, change):
        # The province follows the commune, as in the API.
        obj.province_id = obj.commune.province_id
        super().save_model(request, obj, form, change)


class ScopedCarerInline(CapabilityAdminMixin, admin.TabularInline):
    """A child's kin or excluded families: only the families of the user's provinces can be chosen."""

    read_capability = "children.read"
    write_capability = "children.write"
    extra = 0
    raw_id_fields = ["carer"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "carer":
            kwargs["queryset"] = scope_to_user(Carer.objects.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, self.write_capability)


class KinInline(ScopedCarerInline):
    model = KinLink
    verbose_name = _("kin family")
    verbose_name_plural = _("kin families")


class ExclusionInline(ScopedCarerInline):
    model = CarerExclusion
    fields = ["carer", "reason", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(Child)
class ChildAdmin(CapabilityAdminMixin, AuditedModelAdmin):
    read_capability = "children.read"
    write_capability = "children.write"
    list_display = ["reference", "given_name", "family_name", "status", "province", "institution", "sibling_group"]
    list_filter = ["status", "province"]
    search_fields = ["reference", "given_name", "family_name"]
    list_select_related = ["province", "institution"]
    autocomplete_fields = ["institution", "home_commune", "school_commune"]
    # The status changes through the API's rules and the placement service, never by hand here.
    readonly_fields = ["reference", "status", "province", "sibling_group", "created_at", "updated_at", "created_by"]
    inlines = [KinInline, ExclusionInline]

    def get_queryset(self, request):
        return child_list(user=request.user).select_related("province", "institution")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the institutions of the user's provinces can be chosen.
        if db_field.name == "institution":
            kwargs["queryset"] = institution_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.status = child_initial_status(institution_id=obj.institution_id)
            obj.created_by = request.user
        obj.province_id = child_province_code(obj)
        if not change:
            obj.reference = reference_next(prefix="CH", province_code=obj.province_id)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # Kin and exclusions are saved after the child: audit what the inlines changed.
        before = _relations(form.instance) if change else None
        for formset in formsets:
            for inline_form in formset.forms:
                if isinstance(inline_form.instance, CarerExclusion) and not inline_form.instance.created_by_id:
                    inline_form.instance.created_by = request.user
        super().save_related(request, form, formsets, change)
        changes = diff(before, _relations(form.instance))
        if changes:
            audit_write(actor=request.user, action=AuditEntry.Action.UPDATE, instance=form.instance, changes=changes)

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


def _relations(child: Child) -> dict:
    return {
        "kin": sorted(
            [str(c), r] for c, r in KinLink.objects.filter(child=child).values_list("carer_id", "relationship")
        ),
        "excluded_carers": sorted(
            [str(c), r] for c, r in CarerExclusion.objects.filter(child=child).values_list("carer_id", "reason")
        ),
    }


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

    def get_queryset(self, request):
        return child_list(user=request.user)


@admin.register(SiblingGroup)
class SiblingGroupAdmin(CapabilityAdminMixin, AuditedModelAdmin):
    read_capability = "children.read"
    write_capability = "children.write"
    list_display = ["id", "keep_together", "created_at"]
    list_filter = ["keep_together"]
    readonly_fields = ["created_at", "created_by"]
    inlines = [SiblingInline]

    def get_queryset(self, request):
        return sibling_group_list(user=request.user)

    def has_add_permission(self, request, *args):
        # Groups are made from their children (API: POST /api/v1/sibling-groups/), where the rules live.
        return False
