"""register/api/carers.py's CarerSerializer: the list's written-out rendering (carer_row) gives exactly
what DRF's generic rendering of the declared fields gives, for families with and without the optional
parts."""

import datetime
import json

import pytest
from rest_framework import serializers

from register.api.carers import CarerSerializer
from register.models import Carer
from register.selectors.carers import carers_with_vacancies
from tests.factories import CarerFactory
from tests.register.carers_factories import place

pytestmark = pytest.mark.django_db


def generic(carer: Carer) -> dict:
    return serializers.ModelSerializer.to_representation(CarerSerializer(), carer)


def test_the_written_out_row_equals_the_generic_rendering_field_for_field_and_in_order():
    CarerFactory(lat=11.55, lon=104.91, village_id=None, national_id="", needs_supported=[])
    CarerFactory(
        lat=None,
        lon=None,
        status=Carer.Status.ENQUIRY,
        approved_on=None,
        review_due=None,
        needs_supported=["infant_care", "hiv_care"],
        address="Street 271",
        national_id="010203040",
    )
    full = CarerFactory(max_children=1, approved_on=datetime.date(2026, 1, 2), review_due=datetime.date(2027, 1, 2))
    place(full)
    carers = list(carers_with_vacancies().order_by("reference"))
    assert len(carers) == 3
    for carer in carers:
        fast, slow = CarerSerializer(carer).data, generic(carer)
        assert json.dumps(fast) == json.dumps(slow)
    assert list(CarerSerializer(carers[0]).data) == CarerSerializer.Meta.fields
    assert [c.vacancies for c in carers].count(0) == 1


@pytest.mark.parametrize("params", [{}, {"cursor": ""}, {"status": "approved", "has_vacancy": "true", "cursor": ""}])
def test_the_list_read_as_values_gives_each_family_as_the_generic_rendering_of_its_instance(client_for, params):
    from register.roles import Role

    CarerFactory(lat=None, lon=None, village_id=None, needs_supported=["infant_care"], languages=["km", "en"])
    CarerFactory(status=Carer.Status.ENQUIRY, approved_on=None, review_due=None)
    place(CarerFactory(max_children=1))  # full: no vacancy left
    response = client_for(Role.NATIONAL_ADMIN).get("/api/v1/carers/", params)
    assert response.status_code == 200
    rows = response.json()["results"]
    instances = {str(c.pk): c for c in carers_with_vacancies()}
    assert rows and len(rows) == (3 if not params.get("status") else 1)
    for row in rows:
        assert json.dumps(row) == json.dumps(generic(instances[row["id"]]))
