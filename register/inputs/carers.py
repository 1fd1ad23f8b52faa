"""A foster family's fields: their limits, the rules across fields, and `CarerInput`, the whole
family as one Django form (flat: the primary carer's fields and lat/lon at the top level, as the
Carer model has them). The spreadsheet import checks each row with it; the API's
CarerInputSerializer and the registrar's pages use the same limits and rules."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from register.choices import CareType, Ethnicity, Language, Need, Religion, Sex
from register.inputs.choices import ChoiceListFormField
from register.inputs.names import validate_latin_name, validate_name, validate_person_name
from register.inputs.people import validate_adult_birth_date
from register.inputs.phones import PhoneNumberField
from register.inputs.places import (
    LAT_LON_PAIR_MESSAGE,
    CommuneCodeField,
    VillageCodeField,
    latitude_validators,
    longitude_validators,
    village_in_commune_errors,
)

HOUSEHOLD_NAME_MAX = 200
PERSON_NAME_MAX = 100
NATIONAL_ID_MAX = 20
ADDRESS_MAX = 300
CAPACITY_RANGE = (1, 12)  # max_children
AGE_ACCEPTED_RANGE = (0, 17)  # age_min, age_max: the register is for children
SIBLING_GROUP_RANGE = (1, 12)  # max_sibling_group
HOUSEHOLD_MAX = 20
# What matching reads of a family, its culture and the terms of its approval, in the order the forms,
# the import template and the API list them.
MATCHED_FIELDS = (
    "languages",
    "religion",
    "ethnicity",
    "max_children",
    "age_min",
    "age_max",
    "sexes_accepted",
    "max_sibling_group",
    "care_types",
    "needs_supported",
)


def age_range_errors(age_min: int | None, age_max: int | None) -> list[str]:
    if age_min is not None and age_max is not None and age_min > age_max:
        return [str(_("The oldest age accepted must not be below the youngest (%(min)s).")) % {"min": age_min}]
    return []


def carer_consistency_errors(*, values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Rules across fields, on the whole record as it would be saved: the village lies in the
    commune, the age range is in order. {field: [message]}; empty when all is well."""
    errors = {
        "village": village_in_commune_errors(values.get("commune"), values.get("village")),
        "age_max": age_range_errors(values.get("age_min"), values.get("age_max")),
    }
    return {field: messages for field, messages in errors.items() if messages}


def check_dates_errors(checked_on: datetime.date | None, expires_on: datetime.date | None) -> dict[str, list[str]]:
    """A check (assessment, police clearance...) cannot expire before it was made."""
    if checked_on and expires_on and expires_on < checked_on:
        return {"expires_on": [str(_("A check cannot expire before it was made."))]}
    return {}


def concern_dates_errors(raised_on: datetime.date | None, closed_on: datetime.date | None) -> dict[str, list[str]]:
    """A safeguarding concern cannot close before it was raised."""
    if raised_on and closed_on and closed_on < raised_on:
        return {"closed_on": [str(_("A concern cannot close before it was raised."))]}
    return {}


class CarerInput(forms.Form):
    """A new family, every field as text or as its value (a date, a list...). `cleaned_data` is
    ready for `carer_create`: communes and villages as rows, the phone in E.164, lists without
    duplicates. `memo`, a dict kept by the caller, saves look-ups of codes already found."""

    household_name = forms.CharField(max_length=HOUSEHOLD_NAME_MAX, validators=[validate_name])
    given_name = forms.CharField(max_length=PERSON_NAME_MAX, validators=[validate_person_name])
    family_name = forms.CharField(max_length=PERSON_NAME_MAX, validators=[validate_person_name])
    given_name_latin = forms.CharField(max_length=PERSON_NAME_MAX, required=False, validators=[validate_latin_name])
    family_name_latin = forms.CharField(max_length=PERSON_NAME_MAX, required=False, validators=[validate_latin_name])
    sex = forms.ChoiceField(choices=Sex.choices)
    # ISO dates only: 05/01/1980 is May in one country and January in another.
    date_of_birth = forms.DateField(input_formats=["%Y-%m-%d"], validators=[validate_adult_birth_date])
    national_id = forms.CharField(max_length=NATIONAL_ID_MAX, required=False)
    phone = PhoneNumberField()
    commune = CommuneCodeField()
    village = VillageCodeField(required=False)
    address = forms.CharField(max_length=ADDRESS_MAX, required=False)
    lat = forms.FloatField(required=False, validators=latitude_validators)
    lon = forms.FloatField(required=False, validators=longitude_validators)
    languages = ChoiceListFormField(choices=Language.choices, name="languages")
    religion = forms.ChoiceField(choices=Religion.choices)
    ethnicity = forms.ChoiceField(choices=Ethnicity.choices)
    max_children = forms.IntegerField(min_value=CAPACITY_RANGE[0], max_value=CAPACITY_RANGE[1])
    age_min = forms.IntegerField(min_value=AGE_ACCEPTED_RANGE[0], max_value=AGE_ACCEPTED_RANGE[1])
    age_max = forms.IntegerField(min_value=AGE_ACCEPTED_RANGE[0], max_value=AGE_ACCEPTED_RANGE[1])
    sexes_accepted = ChoiceListFormField(choices=Sex.choices, name="sexes_accepted")
    max_sibling_group = forms.IntegerField(min_value=SIBLING_GROUP_RANGE[0], max_value=SIBLING_GROUP_RANGE[1])
    care_types = ChoiceListFormField(choices=CareType.choices, name="care_types")
    needs_supported = ChoiceListFormField(choices=Need.choices, name="needs_supported", required=False)

    def __init__(self, *args, memo: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        memo = {} if memo is None else memo
        self.fields["commune"].memo = memo.setdefault("commune", {})
        self.fields["village"].memo = memo.setdefault("village", {})

    def clean(self):
        cleaned = super().clean()
        lat, lon = cleaned.get("lat"), cleaned.get("lon")
        if (lat is None) != (lon is None) and "lat" not in self.errors and "lon" not in self.errors:
            self.add_error("lon" if lat is not None else "lat", str(LAT_LON_PAIR_MESSAGE))
        for field, messages in carer_consistency_errors(values=cleaned).items():
            for message in messages:
                self.add_error(field, message)
        return cleaned
