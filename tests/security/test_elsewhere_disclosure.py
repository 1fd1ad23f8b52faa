"""Registering a family by hand tells nothing about other provinces' families (issue 13, finding 4):
the import's duplicate check was the one leak; the API's and the pages' carer creation have no check
that could answer from another province's records. When the identity issue brings
`possible_duplicate`, its `elsewhere` is the one bit allowed (API.md)."""

import pytest
from django.urls import reverse

from register.roles import Role
from tests.factories import CarerFactory, make_user
from tests.register.carers_factories import carer_payload
from tests.web.test_carer_pages import HOUSEHOLD, OFFER, PERSON, PLACE, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_province_family():
    return CarerFactory(
        reference="FC-12-000321",
        phone="+85512999881",
        national_id="555444",
        commune_id="120101",
        district_id="1201",
        province_id="12",
    )


def test_the_api_create_names_no_family_of_another_province(client_for, other_province_family):
    api = client_for(Role.REGISTRAR, provinces=("02",))
    response = api.post("/api/v1/carers/", carer_payload(phone="012999881", national_id="555444"), format="json")
    assert response.status_code in (201, 409)
    text = response.content.decode()
    assert "FC-12" not in text and str(other_province_family.pk) not in text and '"12"' not in text
    if response.status_code == 409:  # the identity issue's check: only the contract's bit
        assert response.json()["candidates"] == [] and response.json()["elsewhere"] is True


def test_the_page_create_names_no_family_of_another_province(client, other_province_family):
    client.force_login(make_user(Role.REGISTRAR, ("02",)))
    url = reverse("web:carer_create")
    pages = [client.get(url)]
    person = {**PERSON, "phone": "012999881", "national_id": "555444"}
    for data in (person, PLACE, HOUSEHOLD):
        pages.append(step(client, url, data))
    pages.append(step(client, url, OFFER, action="save"))
    assert "/login/" not in pages[-1].get("Location", "")  # really through the form
    if pages[-1].status_code == 302:
        pages.append(client.get(pages[-1]["Location"]))
    for page in pages:
        assert page.status_code in (200, 302)
        text = page.content.decode()
        assert "FC-12-000321" not in text and str(other_province_family.pk) not in text
