"""The forms of the possible-duplicates pages (issue 14)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from register.models import DuplicatePair
from register.services.duplicates import REVIEW_REASON_MAX


class DuplicateFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any")), *DuplicatePair.Status.choices]
    )
    kind = forms.ChoiceField(label=_("Records"), required=False, choices=[("", _("any")), *DuplicatePair.Kind.choices])

    def effective_filters(self) -> dict:
        """The FilterSet's parameters: open pairs unless another status is asked for."""
        data = self.cleaned_data if self.is_valid() else {}
        return {"status": data.get("status") or "open", "kind": data.get("kind") or ""}


class ResolveForm(forms.Form):
    DECISIONS = [("not_duplicate", _("These are not the same person")), ("merge", _("Merge: keep one record"))]

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    keep = forms.ChoiceField(label=_("Record kept (for a merge)"), required=False, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=REVIEW_REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, pair: DuplicatePair, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(str(r.pk), r.reference) for r in records]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "merge" and not data.get("keep"):
            self.add_error("keep", _("Say which of the two records to keep."))
        return data
