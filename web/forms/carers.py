"""Forms of the registrar's pages. They draw the inputs (choices from register/choices.py and the
gazetteer) and read what was typed; the field rules (phone, gazetteer codes, ages, dates) are
register.inputs', the same the API and the import call, and the rules of the register (jurisdiction,
lifecycle) the services', whose refusals the views put beside their field."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from register.choices import CareType, Ethnicity, Language, Need, Religion, Sex
from register.inputs import carers as inputs
from register.inputs.limits import CHOICE_LIST_BOUNDS, max_items
from register.inputs.names import validate_latin_name, validate_person_name
from register.inputs.people import validate_adult_birth_date, validate_not_in_future
from register.inputs.phones import PHONE_MAX_LENGTH, PhoneNumberField
from register.inputs.places import (
    LAT_LON_PAIR_MESSAGE,
    commune_by_code,
    latitude_validators,
    longitude_validators,
    village_by_code,
    village_in_commune_errors,
)
from register.models import Carer, CarerCheck, Commune, District, HouseholdMember, TrainingModule, Village
from web.forms.common import DateInput, provinces_of

BLANK = [("", "—")]


def _division_choices(rows) -> list[tuple[str, str]]:
    return BLANK + [(row.code, f"{row.name} ({row.code})") for row in rows]


class RecordForm(forms.Form):
    """A form whose `validated_data`, once it is valid, is what the service takes; `extra_errors`
    (cross-field rules of register.inputs) land beside their field."""

    validated_data: dict | None = None

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def extra_errors(self, values: dict) -> dict[str, list[str]]:
        return {}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        values = self.values()
        errors = self.extra_errors(values)
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field, message)
        if not errors:
            self.validated_data = values
        return cleaned


# --- The list's filters -------------------------------------------------------------------------


class CarerFilterForm(forms.Form):
    """Draws the list's filters. The filtering itself is register.selectors.filters.CarerFilter (the
    names here are its parameters), the API's too, so the page and the API filter the same way."""

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
    """One step of the family's form, its fields checked by register.inputs' rules. `values()`
    gives the step's values as carer_create / carer_update take them."""

    instance: Carer | None = None

    def __init__(self, *args, user=None, instance=None, **kwargs):
        self.user = user
        self.instance = instance
        super().__init__(*args, **kwargs)

    def values(self) -> dict:
        return dict(self.cleaned_data)


class PersonStepForm(CarerStepForm):
    household_name = forms.CharField(label=_("Household name"), max_length=inputs.HOUSEHOLD_NAME_MAX)
    given_name = forms.CharField(
        label=_("Given name"),
        max_length=inputs.PERSON_NAME_MAX,
        validators=[validate_person_name],
        help_text=_("As written on the ID card, usually in Khmer script"),
    )
    family_name = forms.CharField(
        label=_("Family name"), max_length=inputs.PERSON_NAME_MAX, validators=[validate_person_name]
    )
    given_name_latin = forms.CharField(
        label=_("Given name in Latin letters"),
        max_length=inputs.PERSON_NAME_MAX,
        required=False,
        validators=[validate_latin_name],
        help_text=_("As romanised on the ID card or passport, for example Sokha"),
    )
    family_name_latin = forms.CharField(
        label=_("Family name in Latin letters"),
        max_length=inputs.PERSON_NAME_MAX,
        required=False,
        validators=[validate_latin_name],
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=DateInput(), validators=[validate_adult_birth_date]
    )
    national_id = forms.CharField(label=_("National ID"), max_length=inputs.NATIONAL_ID_MAX, required=False)
    phone = PhoneNumberField(
        label=_("Phone"),
        max_length=PHONE_MAX_LENGTH,
        help_text=_("A Cambodian number, for example 012 345 678"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def values(self) -> dict:
        return {**self.cleaned_data, "national_id": self.cleaned_data.get("national_id") or ""}


class PlaceStepForm(CarerStepForm):
    """Province → district → commune → village, each list following the one above it (htmx asks
    the server for the next list). Only the user's provinces are offered."""

    province = forms.ChoiceField(label=_("Province"))
    district = forms.ChoiceField(label=_("District"))
    commune = forms.ChoiceField(label=_("Commune"))
    village = forms.ChoiceField(label=_("Village"), required=False)
    address = forms.CharField(label=_("Address"), max_length=inputs.ADDRESS_MAX, required=False)
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        validators=latitude_validators,
        help_text=_("GPS, if known: 9.5 to 15.0"),
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    lon = forms.FloatField(
        label=_("Longitude"),
        required=False,
        validators=longitude_validators,
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

    def clean(self):
        cleaned = super().clean()
        # The lists offer only real codes; a code is looked up all the same (a form can be forged).
        for name, lookup in (("commune", commune_by_code), ("village", village_by_code)):
            if cleaned.get(name):
                try:
                    cleaned[name] = lookup(cleaned[name])
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
            elif name in cleaned:
                cleaned[name] = None  # the empty choice: no village
        lat, lon = cleaned.get("lat"), cleaned.get("lon")
        if (lat is None) != (lon is None) and not self.has_error("lat") and not self.has_error("lon"):
            self.add_error("lon" if lat is not None else "lat", str(LAT_LON_PAIR_MESSAGE))
        for message in village_in_commune_errors(cleaned.get("commune"), cleaned.get("village")):
            self.add_error("village", message)
        return cleaned

    def values(self) -> dict:
        c = self.cleaned_data
        return {
            "commune": c["commune"],
            "village": c.get("village") or None,
            "address": c.get("address") or "",
            "lat": c.get("lat"),
            "lon": c.get("lon"),
        }


class HouseholdMemberForm(forms.Form):
    given_name = forms.CharField(
        label=_("Given name"), max_length=inputs.PERSON_NAME_MAX, validators=[validate_person_name]
    )
    family_name = forms.CharField(
        label=_("Family name"), max_length=inputs.PERSON_NAME_MAX, validators=[validate_person_name]
    )
    given_name_latin = forms.CharField(
        label=_("Given name in Latin letters"),
        max_length=inputs.PERSON_NAME_MAX,
        required=False,
        validators=[validate_latin_name],
    )
    family_name_latin = forms.CharField(
        label=_("Family name in Latin letters"),
        max_length=inputs.PERSON_NAME_MAX,
        required=False,
        validators=[validate_latin_name],
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=BLANK + list(Sex.choices))
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput(), validators=[validate_not_in_future])
    relationship = forms.ChoiceField(
        label=_("Relationship"), choices=BLANK + list(HouseholdMember.Relationship.choices)
    )


class BaseHouseholdFormSet(forms.BaseFormSet):
    def members(self) -> list[dict]:
        return [
            dict(form.cleaned_data) for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


HouseholdFormSet = forms.formset_factory(
    HouseholdMemberForm,
    formset=BaseHouseholdFormSet,
    extra=0,
    can_delete=True,
    max_num=inputs.HOUSEHOLD_MAX,
    validate_max=True,
)


def _bound(name: str):
    # A list of choices holds at most one of each (register.inputs.limits).
    return max_items(name, CHOICE_LIST_BOUNDS[name])


class OfferStepForm(CarerStepForm):
    max_children = forms.IntegerField(
        label=_("Capacity (children at a time)"), min_value=inputs.CAPACITY_RANGE[0], max_value=inputs.CAPACITY_RANGE[1]
    )
    age_min = forms.IntegerField(
        label=_("Youngest age accepted"),
        min_value=inputs.AGE_ACCEPTED_RANGE[0],
        max_value=inputs.AGE_ACCEPTED_RANGE[1],
    )
    age_max = forms.IntegerField(
        label=_("Oldest age accepted"), min_value=inputs.AGE_ACCEPTED_RANGE[0], max_value=inputs.AGE_ACCEPTED_RANGE[1]
    )
    sexes_accepted = forms.MultipleChoiceField(
        label=_("Sexes accepted"),
        choices=Sex.choices,
        widget=forms.CheckboxSelectMultiple,
        validators=[_bound("sexes_accepted")],
    )
    max_sibling_group = forms.IntegerField(
        label=_("Largest sibling group"),
        min_value=inputs.SIBLING_GROUP_RANGE[0],
        max_value=inputs.SIBLING_GROUP_RANGE[1],
    )
    care_types = forms.MultipleChoiceField(
        label=_("Care types offered"),
        choices=CareType.choices,
        widget=forms.CheckboxSelectMultiple,
        validators=[_bound("care_types")],
    )
    needs_supported = forms.MultipleChoiceField(
        label=_("Needs supported"),
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        validators=[_bound("needs_supported")],
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        validators=[_bound("languages")],
    )
    religion = forms.ChoiceField(label=_("Religion"), choices=BLANK + list(Religion.choices))
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=BLANK + list(Ethnicity.choices))

    def clean(self):
        cleaned = super().clean()
        for message in inputs.age_range_errors(cleaned.get("age_min"), cleaned.get("age_max")):
            self.add_error("age_max", message)
        return cleaned

    def values(self) -> dict:
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


class StatusForm(RecordForm):
    status = forms.ChoiceField(label=_("Move to"))
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Carer.Status.choices)
        self.fields["status"].choices = [(t, labels[t]) for t in targets]

    def values(self) -> dict:
        return {"status": self.cleaned_data["status"], "reason": self.cleaned_data.get("reason") or ""}


class ReviewForm(RecordForm):
    reason = forms.CharField(
        label=_("Notes of the review"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def values(self) -> dict:
        return {"reason": self.cleaned_data.get("reason") or ""}


class CheckForm(RecordForm):
    kind = forms.ChoiceField(label=_("Check"), choices=CarerCheck.Kind.choices)
    result = forms.ChoiceField(label=_("Result"), choices=CarerCheck.Result.choices)
    checked_on = forms.DateField(label=_("Checked on"), widget=DateInput(), validators=[validate_not_in_future])
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))

    def values(self) -> dict:
        return {**super().values(), "notes": self.cleaned_data.get("notes") or ""}

    def extra_errors(self, values: dict) -> dict[str, list[str]]:
        return inputs.check_dates_errors(values.get("checked_on"), values.get("expires_on"))


class TrainingForm(RecordForm):
    module = forms.ModelChoiceField(
        label=_("Training module"), queryset=TrainingModule.objects.none(), to_field_name="code"
    )
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput(), validators=[validate_not_in_future])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = TrainingModule.objects.order_by("code")
        self.fields["module"].empty_label = None  # as before: the first module is chosen
        self.fields["module"].label_from_instance = lambda module: module.name


class ConcernForm(RecordForm):
    raised_on = forms.DateField(label=_("Raised on"), widget=DateInput(), validators=[validate_not_in_future])
    summary = forms.CharField(label=_("What was reported"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def values(self) -> dict:
        return {**super().values(), "status": "open"}


class ConcernCloseForm(RecordForm):
    closed_on = forms.DateField(
        label=_("Closed on"), required=False, widget=DateInput(), validators=[validate_not_in_future]
    )

    def __init__(self, *args, concern=None, **kwargs):
        self.concern = concern
        super().__init__(*args, **kwargs)

    def values(self) -> dict:
        return {**super().values(), "status": "closed"}

    def extra_errors(self, values: dict) -> dict[str, list[str]]:
        return inputs.concern_dates_errors(getattr(self.concern, "raised_on", None), values.get("closed_on"))
