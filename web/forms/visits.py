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
