"""register/inputs: the field rules the API, the pages, the import and the admin share. Each rule is
tested once here, as plain Django; the callers' own tests show they reach it."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from register.inputs.carers import CarerInput, carer_consistency_errors, check_dates_errors, concern_dates_errors
from register.inputs.choices import ChoiceListFormField
from register.inputs.people import ADULT_AGE, age_on, validate_adult_birth_date, validate_not_in_future
from register.inputs.phones import phone_e164
from register.inputs.places import commune_by_code, village_by_code, village_in_commune_errors

TODAY = datetime.date.today()


@pytest.mark.parametrize("typed", ["012 345 678", "+855 12 345 678", "012-345-678", "+85512345678"])
def test_a_cambodian_phone_is_stored_in_e164(typed):
    assert phone_e164(typed) == "+85512345678"


@pytest.mark.parametrize("typed", ["12", "+33 6 12 34 56 78", "not a phone", ""])
def test_a_phone_that_is_not_cambodian_is_refused(typed):
    with pytest.raises(ValidationError) as refused:
        phone_e164(typed)
    assert refused.value.code == "invalid_phone" and "Cambodian" in refused.value.messages[0]


@pytest.mark.django_db
def test_gazetteer_codes_give_their_places_and_unknown_codes_are_named():
    commune = commune_by_code("020101")
    assert (commune.code, commune.province_id) == ("020101", "02")
    assert village_by_code("02010101").commune_id == "020101"
    with pytest.raises(ValidationError) as refused:
        commune_by_code("999999")
    assert refused.value.code == "does_not_exist" and "999999" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        village_by_code(["02010101"])
    assert refused.value.code == "invalid"


@pytest.mark.django_db
def test_a_memo_looks_each_code_up_once(django_assert_num_queries):
    memo: dict = {}
    with django_assert_num_queries(1):
        first = commune_by_code("020101", memo=memo)
        assert commune_by_code("020101", memo=memo) is first


@pytest.mark.django_db
def test_a_village_must_lie_in_its_commune():
    assert village_in_commune_errors(commune_by_code("020101"), village_by_code("02010101")) == []
    other = commune_by_code("020102")
    assert "02010101" in village_in_commune_errors(other, village_by_code("02010101"))[0]
    assert village_in_commune_errors(other, None) == village_in_commune_errors(other, "") == []


def test_a_choice_list_drops_duplicates_keeps_order_and_refuses_plain_text():
    field = ChoiceListFormField(choices=[("km", "km"), ("en", "en")])
    assert field.clean(["en", "km", "en"]) == ["en", "km"]
    with pytest.raises(ValidationError):
        field.clean(["fr"])
    with pytest.raises(ValidationError) as refused:
        field.clean("km")
    assert refused.value.code == "invalid_list"


def test_a_primary_carer_is_an_adult_born_in_the_past():
    adult = TODAY.replace(year=TODAY.year - ADULT_AGE - 1)
    validate_adult_birth_date(adult)
    assert age_on(adult, TODAY) == ADULT_AGE + 1
    with pytest.raises(ValidationError) as refused:
        validate_adult_birth_date(TODAY.replace(year=TODAY.year - 10))
    assert refused.value.code == "too_young"
    with pytest.raises(ValidationError) as refused:
        validate_not_in_future(TODAY + datetime.timedelta(days=1))
    assert refused.value.code == "future"


def test_rules_across_fields_name_the_field_to_correct():
    day = datetime.date(2024, 5, 1)
    assert check_dates_errors(day, day - datetime.timedelta(days=1)).keys() == {"expires_on"}
    assert check_dates_errors(day, None) == {}
    assert concern_dates_errors(day, day - datetime.timedelta(days=1)).keys() == {"closed_on"}
    assert carer_consistency_errors(values={"age_min": 10, "age_max": 5}).keys() == {"age_max"}
    assert carer_consistency_errors(values={"age_min": 5, "age_max": 10}) == {}


def family(**overrides) -> dict:
    values = {
        "household_name": "Chan household",
        "given_name": "Sophea",
        "family_name": "Chan",
        "sex": "female",
        "date_of_birth": "1980-05-01",
        "phone": "012 345 678",
        "commune": "020101",
        "village": "02010101",
        "languages": ["km", "km"],
        "religion": "buddhism",
        "ethnicity": "khmer",
        "max_children": "2",
        "age_min": "0",
        "age_max": "12",
        "sexes_accepted": ["female"],
        "max_sibling_group": "2",
        "care_types": ["long_term"],
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


@pytest.mark.django_db
def test_carer_input_gives_what_carer_create_takes():
    form = CarerInput(data=family())
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert data["phone"] == "+85512345678" and data["commune"].code == "020101" and data["languages"] == ["km"]
    assert data["date_of_birth"] == datetime.date(1980, 5, 1) and data["lat"] is None and data["needs_supported"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date_of_birth": "05/01/1980"}, "date_of_birth"),  # ISO only: 05/01 is May here, January there
        ({"lat": "13.1"}, "lon"),  # both or neither
        ({"lat": "20", "lon": "103"}, "lat"),  # outside Cambodia
        ({"village": "12010101"}, "village"),  # not in the commune
        ({"age_min": "12", "age_max": "3"}, "age_max"),
        ({"max_children": "13"}, "max_children"),
        ({"care_types": None}, "care_types"),
    ],
)
def test_carer_input_refuses_beside_the_field(overrides, field):
    form = CarerInput(data=family(**overrides))
    assert not form.is_valid() and list(form.errors) == [field], form.errors
