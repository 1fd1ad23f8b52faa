"""Forms of the supervisor's pages: the follow-up queue's and the placement list's filters, and
the placement's actions (end it, give it to another social worker).

The filter forms only draw the controls and check the values; the filtering itself is the
FilterSets the API uses too (notifications.filters.QueueFilter, register.selectors.filters.
PlacementFilter), so a page and the API answer the same question the same way."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.selectors import Priority
from register.models import District, Placement
from register.roles import OWN_RECORDS_ONLY
from web.forms.common import DateInput, provinces_of, staff_who_follow_up

ANY = [("", _("any"))]


def _province_choices(user) -> list[tuple[str, str]]:
    return [(p.code, str(p)) for p in provinces_of(user)]


def _worker_choices(user) -> list[tuple[str, str]]:
    if getattr(user, "role", None) in OWN_RECORDS_ONLY:  # they see their own placements only
        people = [user]
    else:
        people = staff_who_follow_up(province_codes=None if user.is_national else user.province_codes)
    return [(u.username, u.get_full_name() or u.username) for u in people]


class QueueFilterForm(forms.Form):
    """The controls of the follow-up queue; the same names as the API's query parameters."""

    priority = forms.ChoiceField(label=_("Priority"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    social_worker = forms.ChoiceField(label=_("Social worker"), required=False)
    days_overdue_min = forms.IntegerField(
        label=_("At least this many days overdue"), required=False, min_value=0, max_value=36500
    )
    delivery_failed = forms.ChoiceField(
        label=_("Reminder delivery"),
        required=False,
        choices=[("", _("any")), ("true", _("failed to reach anyone"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = _province_choices(user)
        self.fields["priority"].choices = ANY + [(p.code, p.label) for p in Priority]
        self.fields["province"].choices = ANY + provinces
        districts = District.objects.filter(province_id__in=[code for code, _name in provinces]).order_by("code")
        self.fields["district"].choices = ANY + [(d.code, str(d)) for d in districts]
        self.fields["social_worker"].choices = ANY + _worker_choices(user)
        # One province: choosing it would change nothing.
        self.show_province = len(provinces) > 1


class PlacementFilterForm(forms.Form):
    """The placement list's controls; names as the API's PlacementFilter."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    # Why placements ended (the reform page's breakdowns link here with end_reason=breakdown).
    end_reason = forms.ChoiceField(label=_("End reason"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    social_worker = forms.ChoiceField(label=_("Social worker"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = _province_choices(user)
        self.fields["status"].choices = ANY + list(Placement.Status.choices)
        self.fields["end_reason"].choices = ANY + list(Placement.EndReason.choices)
        self.fields["province"].choices = ANY + provinces
        self.fields["social_worker"].choices = ANY + _worker_choices(user)
        self.show_province = len(provinces) > 1
        self.show_social_worker = getattr(user, "role", None) not in OWN_RECORDS_ONLY


class PlacementEndForm(forms.Form):
    end_date = forms.DateField(label=_("End date"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *Placement.EndReason.choices])


class AssignSocialWorkerForm(forms.Form):
    social_worker = forms.ChoiceField(
        label=_("Social worker"),
        required=False,
        help_text=_("A social worker or supervisor of the placement's province. They get its visit reminders."),
    )

    def __init__(self, *args, placement: Placement, **kwargs):
        super().__init__(*args, **kwargs)
        people = staff_who_follow_up(province_codes=[placement.province_id])
        self.fields["social_worker"].choices = [("", _("nobody (the supervisors are reminded)"))] + [
            (u.username, u.get_full_name() or u.username) for u in people
        ]
        self.initial.setdefault("social_worker", placement.social_worker.username if placement.social_worker else "")
