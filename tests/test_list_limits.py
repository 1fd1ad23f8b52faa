"""Issue 13, resource limits: every list a request may carry has a bound. A 10,000-item list answers
400 naming the field, with one message (not one per item echoed back), on the API, the pages' forms
and the import's rows."""

import uuid

import pytest
from django.http import QueryDict

from register.inputs.carers import CarerInput
from register.roles import Role
from tests.register.carers_factories import carer_payload
from tests.register.children_factories import child_payload
from web.forms.carers import OfferStepForm
from web.forms.matching import PlaceForm

pytestmark = pytest.mark.django_db

MANY = 10_000


def uuids(n: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(n)]


def refused(response, field: str) -> str:
    """The one message of the 400 about `field` (a list, or a nested list serializer's)."""
    assert response.status_code == 400, response.content[:500]
    errors = response.json()[field]
    if isinstance(errors, dict):  # DRF's list serializer: {"non_field_errors": [...]}
        errors = errors["non_field_errors"]
    assert len(errors) == 1 and isinstance(errors[0], str), errors
    assert len(response.content) < 2000  # nothing of the 10,000 items is echoed back
    return errors[0]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("languages", ["km"] * MANY, "languages"),
        ("needs", ["infant_care"] * MANY, "needs"),
        ("kin", [{"carer": str(uuid.uuid4()), "relationship": "grandparent"}] * MANY, "kin"),
        ("excluded_carers", [{"carer": str(uuid.uuid4()), "reason": "x"}] * MANY, "excluded"),
        ("external_ids", {f"system{i}": "x" for i in range(MANY)}, "partner system"),
    ],
)
def test_a_child_with_a_10000_item_list_is_refused_naming_the_field(client_for, field, value, words):
    api = client_for(Role.PLACEMENT_OFFICER)
    message = refused(api.post("/api/v1/children/", child_payload(**{field: value}), format="json"), field)
    assert words in message


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("languages", ["km"] * MANY, "languages"),
        ("sexes_accepted", ["female"] * MANY, "sexes"),
        ("care_types", ["long_term"] * MANY, "care types"),
        ("needs_supported", ["infant_care"] * MANY, "needs"),
        ("household_members", [{"given_name": "a"}] * MANY, "household"),
    ],
)
def test_a_family_with_a_10000_item_list_is_refused_naming_the_field(client_for, field, value, words):
    api = client_for(Role.REGISTRAR)
    message = refused(api.post("/api/v1/carers/", carer_payload(**{field: value}), format="json"), field)
    assert words in message


def test_a_list_as_long_as_its_choices_is_still_accepted(client_for):
    api = client_for(Role.PLACEMENT_OFFICER)
    response = api.post("/api/v1/children/", child_payload(languages=["km", "en", "km"]), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["languages"] == ["km", "en"]


@pytest.mark.parametrize(
    ("url", "body", "words"),
    [
        ("/api/v1/sibling-groups/", {"children": ["not-a-uuid"] * MANY}, "sibling group"),
        ("/api/v1/placements/", {"children": ["not-a-uuid"] * MANY}, "placement"),
        ("/api/v1/batch-matches/", {"children": uuids(MANY)}, "batch"),
    ],
)
def test_lists_of_children_are_bounded_before_each_id_is_checked(client_for, url, body, words):
    api = client_for(Role.PLACEMENT_OFFICER)
    message = refused(api.post(url, body, format="json"), "children")
    assert words in message


# --- The pages' forms and the import's rows ------------------------------------------------------


def test_the_family_forms_offer_step_refuses_a_10000_item_list():
    data = QueryDict(mutable=True)
    data.setlist("languages", ["km"] * MANY)
    form = OfferStepForm(data=data)
    assert not form.is_valid()
    assert form.errors["languages"] == [form.errors["languages"][0]] and "languages" in form.errors["languages"][0]


def test_the_placing_form_refuses_more_children_than_a_placement_holds():
    ids = uuids(13)
    rows = [type("C", (), {"pk": i, "reference": "CH", "given_name": "a", "family_name": "b"})() for i in ids]
    data = QueryDict(mutable=True)
    data.setlist("children", ids)
    form = PlaceForm(data=data, children=rows, province_code="02")
    assert not form.is_valid()
    assert any("placement" in m for m in form.errors["children"])


def test_an_import_row_with_10000_languages_is_refused_naming_the_column():
    form = CarerInput(data={"languages": ["km"] * MANY})
    assert not form.is_valid()
    assert form.errors["languages"] == [form.errors["languages"][0]] and "languages" in form.errors["languages"][0]
