"""Recording a visit made, on a phone: the date (today unless changed), one of three outcomes, notes.
The rules (not in the future, not before the placement, only an open visit) are the service's;
its refusals are put beside the field they concern (web.errors.add_service_errors)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from register.models import Visit
from web.forms.common import DateInput


class VisitRecordForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput(), initial=timezone.localdate)
    outcome = forms.ChoiceField(
        label=_("How is the child?"),
        choices=Visit.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose settled, concerns or urgent.")},
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you saw and heard, and what was agreed with the family."),
    )
    # Filled by the page's script (offline.js): the record's id, made once on the phone, and when it
    # was recorded there. A second try of the same record writes nothing twice.
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    recorded_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)


class VisitAcknowledgeForm(forms.Form):
    """A supervisor says what was done about an urgent outcome, and may ask for an extra visit."""

    action = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who was called, who went, what was decided."),
    )
    next_visit_on = forms.DateField(
        label=_("Extra visit on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty when no extra visit is needed."),
    )
