"""Forms of the registrar's pages. They draw the inputs (choices from register/choices.py and the
gazetteer) and read what was typed; the rules (phone, ages, dates, jurisdiction) stay in the API's
input serializers and the services, which each form runs in `clean()` so that a refusal stands
beside its field."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from register.api.carers import (
    CarerCheckInputSerializer,
    CarerConcernInputSerializer,
    CarerInputSerializer,
    CarerReviewInputSerializer,
    CarerStatusChangeInputSerializer,
    CarerTrainingInputSerializer,
)
from register.choices import CareType, Ethnicity, Language, Need, Religion, Sex
from register.models import Carer, CarerCheck, Commune, District, HouseholdMember, TrainingModule, Village
from web.errors import add_service_errors
from web.forms.common import DateInput, provinces_of

BLANK = [("", "—")]


def _division_choices(rows) -> list[tuple[str, str]]:
    return BLANK + [(row.code, f"{row.name} ({row.code})") for row in rows]


class SerializerForm(forms.Form):
    """A form whose values are checked, once the fields parse, by one of the API's input
    serializers: its messages land beside the form's fields, and `validated_data` is what the
    service takes."""

    serializer_class: type | None = None
    validated_data: dict | None = None

    def serializer_kwargs(self) -> dict:
        return {}

    def payload(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.serializer_class is None:
            return cleaned
        serializer = self.serializer_class(data=self.payload(), **self.serializer_kwargs())
        if serializer.is_valid():
            self.validated_data = dict(serializer.validated_data)
        else:
            add_service_errors(self, serializer.errors)
        return cleaned


# --- The list's filters -------------------------------------------------------------------------


class CarerFilterForm(forms.Form):
    """Draws the list's filters. The filtering itself is the API's CarerFilter (the names here are
    its parameters), so the page and the API filter the same way."""

    search = forms.CharField(label=_("Search"), required=False, help_text=_("Name, phone or reference"))
    status = forms.ChoiceField(label=_("Stage"), required=False, choices=BLANK + list(Carer.Status.choices))
    province = forms.ChoiceField(label=_("Province"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    care_type = forms.ChoiceField(label=_("Care type"), required=False, choices=BLANK + list(CareType.choices))
    needs_supported = forms.MultipleChoiceField(
        label=_("Needs supported"), required=False, choices=Need.choices, widget=forms.CheckboxSelectMultiple
    )
    has_vacancy = forms.BooleanField(
        label=_("Has a free place"), required=False, widget=forms.CheckboxInput(attrs={"value": "true"})
    )
    review_overdue = forms.BooleanField(
        label=_("Review overdue"), required=False, widget=forms.CheckboxInput(attrs={"value": "true"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = list(provinces_of(user))
        self.fields["province"].choices = _division_choices(provinces)
        self.fields["search"].widget.input_type = "search"
        province = self.data.get("province") or (provinces[0].code if len(provinces) == 1 else "")
        self.district_province = province if any(p.code == province for p in provinces) else ""
        districts = District.objects.filter(province_id=self.district_province).order_by("code")
        self.fields["district"].choices = _division_choices(districts if self.district_province else [])

    def effective_filters(self):
        """The query to filter by: a district left over from another province is dropped (the
        district list follows the province)."""
        data = self.data.copy()
        district = data.get("district", "")
        if district and not district.startswith(self.district_province or "--"):
            data.pop("district")
        return data


# --- Adding and editing a family: one form per step ---------------------------------------------


class CarerStepForm(forms.Form):
    """One step of the family's form. `fragment()` turns it into the shape of the API's
    CarerInputSerializer; `clean()` runs that serializer on the step's fields alone (a partial
    check), so each step refuses what the API would refuse, beside its field."""

    instance: Carer | None = None

    def __init__(self, *args, user=None, instance=None, **kwargs):
        self.user = user
        self.instance = instance
        super().__init__(*args, **kwargs)

    def fragment(self) -> dict:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            serializer = CarerInputSerializer(self.instance, data=self.fragment(), partial=True)
            if not serializer.is_valid():
                add_service_errors(self, serializer.errors, field_map={"location": "lat"})
        return cleaned


class PersonStepForm(CarerStepForm):
    household_name = forms.CharField(label=_("Household name"), max_length=200)
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput())
    national_id = forms.CharField(label=_("National ID"), max_length=20, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        help_text=_("A Cambodian number, for example 012 345 678"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def fragment(self) -> dict:
        c = self.cleaned_data
        return {
            "household_name": c["household_name"],
            "primary_carer": {
                "given_name": c["given_name"],
                "family_name": c["family_name"],
                "sex": c["sex"],
                "date_of_birth": c["date_of_birth"],
                "national_id": c.get("national_id") or "",
            },
            "phone": c["phone"],
        }


class PlaceStepForm(CarerStepForm):
    """Province → district → commune → village, each list following the one above it (htmx asks
    the server for the next list). Only the user's provinces are offered."""

    province = forms.ChoiceField(label=_("Province"))
    district = forms.ChoiceField(label=_("District"))
    commune = forms.ChoiceField(label=_("Commune"))
    village = forms.ChoiceField(label=_("Village"), required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        help_text=_("GPS, if known: 9.5 to 15.0"),
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        help_text=_("GPS, if known: 102.0 to 108.0"),
        widget=forms.NumberInput(attrs={"step": "any"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.data if self.is_bound else self.initial
        provinces = list(provinces_of(self.user))
        province = source.get("province") or (provinces[0].code if len(provinces) == 1 else "")
        province = province if any(p.code == province for p in provinces) else ""
        district = source.get("district") or ""
        district = district if province and district.startswith(province) and len(district) == 4 else ""
        commune = source.get("commune") or ""
        commune = commune if district and commune.startswith(district) and len(commune) == 6 else ""
        self.fields["province"].choices = _division_choices(provinces)
        self.fields["district"].choices = _division_choices(
            District.objects.filter(province_id=province).order_by("code") if province else []
        )
        self.fields["commune"].choices = _division_choices(
            Commune.objects.filter(district_id=district).order_by("code") if district else []
        )
        self.fields["village"].choices = _division_choices(
            Village.objects.filter(commune_id=commune).order_by("code") if commune else []
        )
        self.selected = {"province": province, "district": district, "commune": commune}
        places = reverse("web:carer_places")
        for name, level, target in (
            ("province", "district", "#place-district"),
            ("district", "commune", "#place-commune"),
            ("commune", "village", "#place-village"),
        ):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": f"{places}?level={level}",
                    "hx-target": target,
                    "hx-swap": "outerHTML",
                    "hx-include": "closest form",
                    "hx-trigger": "change",
                    "data-testid": f"place-{name}",
                }
            )

    def fragment(self) -> dict:
        c = self.cleaned_data
        lat, lon = c.get("lat"), c.get("lon")
        location = None
        if lat is not None or lon is not None:
            location = {k: v for k, v in (("lat", lat), ("lon", lon)) if v is not None}
        return {
            "commune": c["commune"],
            "village": c.get("village") or None,
            "address": c.get("address") or "",
            "location": location,
        }


class HouseholdMemberForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    sex = forms.ChoiceField(label=_("Sex"), choices=BLANK + list(Sex.choices))
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput())
    relationship = forms.ChoiceField(
        label=_("Relationship"), choices=BLANK + list(HouseholdMember.Relationship.choices)
    )


class BaseHouseholdFormSet(forms.BaseFormSet):
    def members(self) -> list[dict]:
        return [
            dict(form.cleaned_data) for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        # Each member as the API checks it (no date of birth in the future, ...).
        live = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        members = [{k: v for k, v in f.cleaned_data.items() if k != "DELETE"} for f in live]
        serializer = CarerInputSerializer(data={"household_members": members}, partial=True)
        if serializer.is_valid():
            return
        errors = serializer.errors.get("household_members") or []
        if isinstance(errors, dict):  # DRF keys a list's errors by index
            errors = [errors.get(i, {}) for i in range(len(live))]
        for form, member_errors in zip(live, errors, strict=False):
            if member_errors:
                add_service_errors(form, member_errors)
        if not any(form.errors for form in live):
            raise forms.ValidationError(_("Check the household members."))


HouseholdFormSet = forms.formset_factory(
    HouseholdMemberForm, formset=BaseHouseholdFormSet, extra=0, can_delete=True, max_num=20, validate_max=True
)


class OfferStepForm(CarerStepForm):
    max_children = forms.IntegerField(label=_("Capacity (children at a time)"), min_value=1, max_value=12)
    age_min = forms.IntegerField(label=_("Youngest age accepted"), min_value=0, max_value=17)
    age_max = forms.IntegerField(label=_("Oldest age accepted"), min_value=0, max_value=17)
    sexes_accepted = forms.MultipleChoiceField(
        label=_("Sexes accepted"), choices=Sex.choices, widget=forms.CheckboxSelectMultiple
    )
    max_sibling_group = forms.IntegerField(label=_("Largest sibling group"), min_value=1, max_value=12)
    care_types = forms.MultipleChoiceField(
        label=_("Care types offered"), choices=CareType.choices, widget=forms.CheckboxSelectMultiple
    )
    needs_supported = forms.MultipleChoiceField(
        label=_("Needs supported"), choices=Need.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"), choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    religion = forms.ChoiceField(label=_("Religion"), choices=BLANK + list(Religion.choices))
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=BLANK + list(Ethnicity.choices))

    def fragment(self) -> dict:
        c = self.cleaned_data
        return {name: c.get(name) if name != "needs_supported" else c.get(name) or [] for name in self.fields}


# The steps, in order: (key, title, form class). The household step is a formset.
STEPS = (
    ("person", _("Person and contact"), PersonStepForm),
    ("place", _("Where they live"), PlaceStepForm),
    ("household", _("Household"), HouseholdFormSet),
    ("offer", _("What they can offer"), OfferStepForm),
)


def step_of_field(name: str) -> int:
    """The step that shows an API field (`primary_carer.given_name`, `location.lat`, ...)."""
    name = name.rsplit(".", 1)[-1] if name else ""
    if name in ("household_members",):
        return 2
    for index, (_key, _title, form_class) in enumerate(STEPS):
        if form_class is not HouseholdFormSet and name in form_class.base_fields:
            return index
    return len(STEPS) - 1


def carer_initial(carer: Carer) -> dict[str, dict]:
    """A family's stored values as each step's initial data (for the edit form); each step's
    fields are the form's own, so the list of them is kept in one place."""
    location = carer.lat is not None
    return {
        "person": {name: getattr(carer, name) for name in PersonStepForm.base_fields},
        "place": {
            "province": carer.province_id,
            "district": carer.district_id,
            "commune": carer.commune_id,
            "village": carer.village_id or "",
            "address": carer.address,
            "lat": carer.lat if location else None,
            "lon": carer.lon if location else None,
        },
        "household": [
            {f: getattr(m, f) for f in HouseholdMemberForm.base_fields} for m in carer.household_members.all()
        ],
        "offer": {name: getattr(carer, name) for name in OfferStepForm.base_fields},
    }


# --- Actions on a family's page -----------------------------------------------------------------


class StatusForm(SerializerForm):
    serializer_class = CarerStatusChangeInputSerializer
    status = forms.ChoiceField(label=_("Move to"))
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Carer.Status.choices)
        self.fields["status"].choices = [(t, labels[t]) for t in targets]

    def payload(self) -> dict:
        return {"status": self.cleaned_data["status"], "reason": self.cleaned_data.get("reason") or ""}


class ReviewForm(SerializerForm):
    serializer_class = CarerReviewInputSerializer
    reason = forms.CharField(
        label=_("Notes of the review"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def payload(self) -> dict:
        return {"reason": self.cleaned_data.get("reason") or ""}


class CheckForm(SerializerForm):
    serializer_class = CarerCheckInputSerializer
    kind = forms.ChoiceField(label=_("Check"), choices=CarerCheck.Kind.choices)
    result = forms.ChoiceField(label=_("Result"), choices=CarerCheck.Result.choices)
    checked_on = forms.DateField(label=_("Checked on"), widget=DateInput())
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class TrainingForm(SerializerForm):
    serializer_class = CarerTrainingInputSerializer
    module = forms.ChoiceField(label=_("Training module"))
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [(m.code, m.name) for m in TrainingModule.objects.order_by("code")]


class ConcernForm(SerializerForm):
    serializer_class = CarerConcernInputSerializer
    raised_on = forms.DateField(label=_("Raised on"), widget=DateInput())
    summary = forms.CharField(label=_("What was reported"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def payload(self) -> dict:
        return {**super().payload(), "status": "open"}


class ConcernCloseForm(SerializerForm):
    serializer_class = CarerConcernInputSerializer
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=DateInput())

    def __init__(self, *args, concern=None, **kwargs):
        self.concern = concern
        super().__init__(*args, **kwargs)

    def serializer_kwargs(self) -> dict:
        return {"instance": self.concern, "partial": True}

    def payload(self) -> dict:
        return {**super().payload(), "status": "closed"}
