"""Forms of the placement officer's pages: asking for a match, placing a child, planning for an
institution and confirming a plan's proposal. They check the shape; the services check the rules."""

from __future__ import annotations

import uuid

from django import forms
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from matching.models import MatchOutreach
from register.choices import CareType
from register.inputs.limits import MAX_CHILDREN_PER_PLACEMENT, max_items
from register.models import Child, Institution, Province
from register.rules.ages import age_on
from register.selectors.children import child_list, institution_list
from register.selectors.filters import ChildFilter
from web.forms.common import DateInput, staff_who_follow_up

# The pick list stays short enough for a phone; the search narrows it.
PICK_LIMIT = 100


def placeable_children(user):
    """Children the user may see (the children selector: provinces, and a social worker's own
    records) waiting for a family, with what the pick list shows."""
    return (
        child_list(user=user)
        .filter(status__in=Child.PLACEABLE)
        .select_related("institution", "sibling_group")
        .order_by("reference")
    )


def child_label(child: Child) -> str:
    age = age_on(child.date_of_birth, timezone.localdate())
    text = ngettext(
        "%(reference)s · %(name)s, %(age)s year old", "%(reference)s · %(name)s, %(age)s years old", age
    ) % {
        "reference": child.reference,
        "name": f"{child.given_name} {child.family_name}",
        "age": age,
    }
    if child.sibling_group_id and child.sibling_group.keep_together:
        text = _("%(child)s (with siblings, kept together)") % {"child": text}
    if child.institution_id:
        text = f"{text} · {child.institution.name}"
    return text


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return child_label(obj)


class MatchRequestForm(forms.Form):
    child = ChildChoiceField(
        label=_("Child or sibling group"),
        queryset=Child.objects.none(),
        empty_label=_("Choose a child"),
        help_text=_("A child of a sibling group kept together is matched with every sibling not yet placed."),
        widget=forms.Select(attrs={"data-testid": "child-pick"}),
    )
    limit = forms.IntegerField(
        label=_("Families to show"),
        min_value=1,
        max_value=100,
        initial=20,
        widget=forms.NumberInput(attrs={"data-testid": "match-limit"}),
    )

    def __init__(self, *args, user, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        children = placeable_children(user)
        # Any child of the user's provinces is accepted, so that one placed meanwhile is refused by
        # the service in words (child_already_placed); only the waiting ones are offered.
        self.fields["child"].queryset = child_list(user=user).select_related("sibling_group")
        # The API's child search (names, reference, a partner system's id), not a copy of it.
        offered = ChildFilter({"search": search}, queryset=children).qs if search.strip() else children
        self.offered = list(offered[: PICK_LIMIT + 1])
        self.more = len(self.offered) > PICK_LIMIT
        self.offered = self.offered[:PICK_LIMIT]
        choices = [("", self.fields["child"].empty_label)] + [(str(c.pk), child_label(c)) for c in self.offered]
        # A child asked for by address (?child=ID, from the child's page) is offered even if the
        # search would not list it.
        initial = self.initial.get("child")
        try:
            wanted = uuid.UUID(str(getattr(initial, "pk", initial))) if initial else None
        except ValueError:
            wanted = None
        # The children whose names the pick list shows: the page logs them as read.
        self.shown = list(self.offered)
        if wanted is not None and str(wanted) not in {v for v, _ in choices}:
            extra = children.filter(pk=wanted).first()
            if extra is not None:
                choices.append((str(extra.pk), child_label(extra)))
                self.shown.append(extra)
        self.fields["child"].widget.choices = choices


def social_worker_choices(province_code: str) -> list[tuple[str, str]]:
    """(username, label) of who may follow a placement in the province; read once per page, since
    a plan's page shows one form per proposal. The placement service checks the name again."""
    choices = [("", _("Assign later"))]
    for user in staff_who_follow_up(province_codes=[province_code]):
        name = user.get_full_name()
        choices.append((user.username, f"{name} ({user.username})" if name else user.username))
    return choices


def override_reason_field(help_text, *, rows: int, testid: str) -> forms.CharField:
    """The box for why a family is chosen although a fit rule says no (the placement service keeps it)."""
    return forms.CharField(
        label=_("Reason to place although the family's terms say no"),
        required=False,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "data-testid": testid}),
    )


class PlaceForm(forms.Form):
    """The one confirmation before a placement is recorded."""

    children = forms.MultipleChoiceField(
        label=_("Children to place"),
        widget=forms.CheckboxSelectMultiple(attrs={"data-testid": "place-child"}),
        help_text=_("Leave a sibling out only with a recorded reason below."),
        validators=[max_items("placement.children", MAX_CHILDREN_PER_PLACEMENT)],
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput(attrs={"data-testid": "place-start-date"}))
    care_type = forms.ChoiceField(
        label=_("Care type"), choices=CareType.choices, widget=forms.Select(attrs={"data-testid": "place-care-type"})
    )
    social_worker = forms.ChoiceField(
        label=_("Social worker"),
        required=False,
        help_text=_("Who will make the follow-up visits; it can be set later."),
        widget=forms.Select(attrs={"data-testid": "place-social-worker"}),
    )
    split_reason = forms.CharField(
        label=_("Reason for separating siblings"),
        required=False,
        max_length=2000,
        help_text=_("Needed only when part of a sibling group kept together is placed."),
        widget=forms.Textarea(attrs={"rows": 3, "data-testid": "place-split-reason"}),
    )
    override_reason = override_reason_field(
        _(
            "Only for the family's terms (ages, sex, sibling group size, needs, care type): say why this "
            "family is right for the child all the same. It is kept with the placement."
        ),
        rows=3,
        testid="place-override-reason",
    )

    def __init__(self, *args, children: list[Child], province_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = [
            (str(c.pk), f"{c.reference} · {c.given_name} {c.family_name}") for c in children
        ]
        self.fields["social_worker"].choices = social_worker_choices(province_code)
        if len(children) == 1:
            self.fields["children"].widget = forms.MultipleHiddenInput()


class OutreachForm(forms.Form):
    """A call to one of the run's families and its outcome (the service checks the family is on the run)."""

    carer = forms.UUIDField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=MatchOutreach.Outcome.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        help_text=_("For a family that declines, say why."),
        widget=forms.TextInput(attrs={"data-testid": "outreach-note"}),
    )


class OutcomesFilterForm(forms.Form):
    """The outcomes page's filters: the API's `province` and `policy_version`."""

    province = forms.ChoiceField(label=_("Province"), required=False)
    policy_version = forms.IntegerField(label=_("Policy version"), required=False, min_value=1)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = Province.objects.order_by("code")
        if not user.is_national:
            provinces = provinces.filter(code__in=user.province_codes)
        self.fields["province"].choices = [("", _("All your provinces"))] + [(p.code, p.name) for p in provinces]


class ExplainForm(forms.Form):
    """Which family to explain: one chosen from the list, or found by its reference, name or phone."""

    carer = forms.UUIDField(
        label=_("Family"), required=False, widget=forms.Select(attrs={"data-testid": "explain-carer"})
    )
    q = forms.CharField(
        label=_("or its reference, household name or phone"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "data-testid": "explain-search"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("carer") and not (data.get("q") or "").strip():
            raise forms.ValidationError(_("Choose a family, or type its reference, name or phone."))
        return data


class BatchPlanCreateForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.none(),
        empty_label=_("Choose an institution"),
        help_text=_("Every child of the institution waiting for a family is planned for at once."),
        widget=forms.Select(attrs={"data-testid": "batch-institution"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Closing institutions first: their children are the ones to plan for.
        institutions = (
            institution_list(user=user)
            .annotate(waiting=Count("children", filter=Q(children__status__in=Child.PLACEABLE)))
            .order_by("status", "name", "id")
        )
        order = {Institution.Status.CLOSING: 0, Institution.Status.OPEN: 1, Institution.Status.CLOSED: 2}
        rows = sorted(institutions, key=lambda i: (order.get(i.status, 3), i.name, str(i.pk)))
        self.fields["institution"].queryset = institution_list(user=user)
        self.fields["institution"].choices = [("", self.fields["institution"].empty_label)] + [
            (
                str(i.pk),
                _("%(name)s (%(status)s, %(waiting)s children waiting)")
                % {"name": i.name, "status": i.get_status_display(), "waiting": i.waiting},
            )
            for i in rows
        ]


class ProposalConfirmForm(forms.Form):
    start_date = forms.DateField(label=_("Start date"), widget=DateInput(attrs={"data-testid": "proposal-start-date"}))
    social_worker = forms.ChoiceField(
        label=_("Social worker"),
        required=False,
        widget=forms.Select(attrs={"data-testid": "proposal-social-worker"}),
    )
    override_reason = override_reason_field(
        _("Needed only if the register changed since the plan and a fit rule now says no."),
        rows=2,
        testid="proposal-override-reason",
    )

    def __init__(self, *args, workers: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["social_worker"].choices = workers
