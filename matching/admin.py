from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from matching import selectors
from matching.core import COMPONENTS, Weights
from matching.models import BatchPlan, MatchingPolicy, MatchRun
from register.admin.base import PermissionAndCapabilityMixin, ReadOnlyAdmin, ScopedAdminMixin, VersionedPolicyAdmin


class MatchingPolicyForm(forms.ModelForm):
    class Meta:
        model = MatchingPolicy
        fields = ["weights", "distance_scale_km", "max_candidates", "plan_k_start", "plan_time_limit_s", "notes"]

    def clean_weights(self):
        value = self.cleaned_data["weights"]
        if not isinstance(value, dict) or set(value) != set(COMPONENTS):
            raise ValidationError(_("Give a weight for each component: %(names)s.") % {"names": ", ".join(COMPONENTS)})
        try:
            Weights.from_mapping(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError(_("Weights must be numbers of 0 or more.")) from exc
        if not any(float(v) > 0 for v in value.values()):
            raise ValidationError(_("At least one weight must be above 0."))
        return value


PREVIEW_RUNS = 200


def _previewing(form_class, user):
    """The form, which on "Preview" shows how the draft would have ranked the last runs and refuses
    to save (a non-field error), so the page comes back with the draft as typed."""

    class PreviewForm(form_class):
        preview = None

        def clean(self):
            data = super().clean()
            if not self.errors:
                scale = data.get("distance_scale_km") or 40.0
                weights = Weights.from_mapping({**data["weights"], "distance_scale_km": scale})
                self.preview = selectors.policy_preview(user=user, weights=weights, runs=PREVIEW_RUNS)
                raise ValidationError(_("This is a preview: nothing was saved. Save to make the draft the policy."))
            return data

    return PreviewForm


@admin.register(MatchingPolicy)
class MatchingPolicyAdmin(VersionedPolicyAdmin):
    form = MatchingPolicyForm
    change_form_template = "admin/matching/matchingpolicy/change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if request.method == "POST" and "_preview" in request.POST:
            return _previewing(form, request.user)
        return form

    newest_first = ("-version",)
    list_display = ["__str__", "in_force", "distance_scale_km", "created_at", "created_by", "notes"]
    readonly_fields = ["created_at", "created_by"]


class ScopedReadOnlyAdmin(PermissionAndCapabilityMixin, ScopedAdminMixin, ReadOnlyAdmin):
    """Runs and plans, written by the matching services only: read, as in the API, by the roles that
    may run matches (they name children), in their provinces."""

    read_capability = "matches.run"
    write_capability = "matches.run"


@admin.register(MatchRun)
class MatchRunAdmin(ScopedReadOnlyAdmin):
    list_display = ["created_at", "child", "province", "policy", "requested_by", "eligible_count", "excluded_count"]
    list_filter = ["province", "policy"]
    list_select_related = ["child", "province", "policy", "requested_by"]
    date_hierarchy = "created_at"


@admin.register(BatchPlan)
class BatchPlanAdmin(ScopedReadOnlyAdmin):
    list_display = [
        "created_at",
        "institution",
        "province",
        "status",
        "progress",
        "total_score",
        "greedy_total_score",
        "optimal",
    ]
    list_filter = ["status", "province"]
    list_select_related = ["institution", "province"]
