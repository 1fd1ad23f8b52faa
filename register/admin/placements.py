"""Admin pages for placements, their visits, and the visit policy.

Placements are made and ended through the placement service (the API and the pages), never by
editing rows here: these pages show them, and let an administrator reassign the social worker
(through the service). The visit policy is versioned: saving it always adds a new version.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from register.admin.base import (
    AuditHistoryMixin,
    PermissionAndCapabilityMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceAdmin,
    VersionedPolicyAdmin,
)
from register.models import Placement, PlacementChild, Visit, VisitPolicy
from register.rules.visits import status_of, with_status
from register.selectors.placements import placements_visible_to
from register.selectors.visits import visits_visible_to
from register.services.placements import placement_assign_social_worker


class PlacementChildInline(ReadOnlyInline):
    model = PlacementChild
    fields = ["child", "active"]
    readonly_fields = fields
    verbose_name = _("child")
    verbose_name_plural = _("children")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("child")


class VisitInline(ReadOnlyInline):
    model = Visit
    fields = ["sequence", "due_date", "derived_status", "completed_on", "outcome", "completed_by"]
    readonly_fields = fields
    ordering = ["sequence"]

    def get_queryset(self, request):
        return with_status(super().get_queryset(request).select_related("completed_by"))

    @admin.display(description=_("status"))
    def derived_status(self, obj):
        return status_of(obj)


class PlacementForm(forms.ModelForm):
    class Meta:
        model = Placement
        fields = ["social_worker"]


@admin.register(Placement)
class PlacementAdmin(PermissionAndCapabilityMixin, ServiceAdmin):
    read_capability = "placements.read"
    write_capability = "placements.write"
    list_display = ["__str__", "carer", "start_date", "end_date", "status", "care_type", "province", "social_worker"]
    list_filter = ["status", "care_type", "end_reason", "province"]
    search_fields = ["carer__reference", "memberships__child__reference", "social_worker__username"]
    list_select_related = ["carer", "province", "social_worker"]
    date_hierarchy = "start_date"
    inlines = [PlacementChildInline, VisitInline]
    fields = [
        "carer",
        "start_date",
        "care_type",
        "status",
        "end_date",
        "end_reason",
        "social_worker",
        "split_reason",
        "match_id",
        "province",
        "created_at",
        "created_by",
    ]
    readonly_fields = [f for f in fields if f != "social_worker"]
    raw_id_fields = ["social_worker"]
    form = PlacementForm

    def has_add_permission(self, request):
        # A placement is made through the placement service, which checks every rule and locks.
        return False

    def get_queryset(self, request):
        return placements_visible_to(request.user)

    def service_save(self, request, form, formsets, change):
        # Only the social worker is editable: the service checks they work in the placement's
        # province and records the change in the audit trail.
        return placement_assign_social_worker(
            actor=request.user, placement=form.instance, social_worker=form.cleaned_data.get("social_worker")
        )


@admin.register(Visit)
class VisitAdmin(AuditHistoryMixin, ReadOnlyAdmin):
    """Read-only: visits are completed through the visit service (the API and the pages)."""

    list_display = ["__str__", "placement", "due_date", "derived_status", "completed_on", "outcome"]
    list_filter = ["state", "outcome", ("placement__province", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["placement__carer__reference", "placement__social_worker__username"]
    list_select_related = ["placement"]
    date_hierarchy = "due_date"
    ordering = ["due_date", "sequence"]

    def get_queryset(self, request):
        return with_status(visits_visible_to(request.user))

    @admin.display(description=_("status"), ordering="status")
    def derived_status(self, obj):
        return status_of(obj)


class VisitPolicyForm(forms.ModelForm):
    class Meta:
        model = VisitPolicy
        fields = ["offsets_days", "repeat_every_days", "horizon_days"]

    def clean_offsets_days(self):
        value = self.cleaned_data["offsets_days"]
        if not isinstance(value, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in value):
            raise ValidationError(_("Enter a list of whole numbers of days, for example [7, 30, 60, 90]."))
        if any(d < 1 or d > 3650 for d in value):
            raise ValidationError(_("Each offset must be between 1 and 3650 days."))
        return sorted(set(value))


@admin.register(VisitPolicy)
class VisitPolicyAdmin(VersionedPolicyAdmin):
    form = VisitPolicyForm
    list_display = ["__str__", "in_force", "horizon_days", "created_at", "created_by"]
    readonly_fields = ["created_at", "created_by"]
