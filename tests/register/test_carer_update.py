"""PATCH /api/v1/carers/{id}/: changing a family's details."""

import pytest

from register.models import AuditEntry, Carer, HouseholdMember
from register.roles import Role
from tests.factories import CarerFactory
from tests.register.carers_factories import carer_payload

pytestmark = pytest.mark.django_db


def url(carer):
    return f"/api/v1/carers/{carer.pk}/"


def test_patch_changes_only_the_given_fields_and_audits_them(client_for):
    api = client_for(Role.REGISTRAR)
    carer = CarerFactory(max_children=2, phone="+85512000001")
    response = api.patch(url(carer), {"max_children": 4, "phone": "097 123 4567"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["max_children"] == 4 and response.json()["phone"] == "+855971234567"
    carer.refresh_from_db()
    assert carer.max_children == 4 and carer.household_name.startswith("Household")
    entry = AuditEntry.objects.get(model="register.Carer", object_id=str(carer.pk), action="update")
    assert entry.actor == api.user
    assert entry.changes == {"max_children": [2, 4], "phone": ["+85512000001", "+855971234567"]}


def test_patch_of_primary_carer_fields_is_partial(client_for):
    carer = CarerFactory(given_name="Sophea", family_name="Chan")
    response = client_for(Role.REGISTRAR).patch(url(carer), {"primary_carer": {"family_name": "Keo"}}, format="json")
    assert response.status_code == 200, response.json()
    carer.refresh_from_db()
    assert (carer.given_name, carer.family_name) == ("Sophea", "Keo")


def test_patch_household_members_replaces_the_list(client_for):
    carer = CarerFactory()
    HouseholdMember.objects.create(
        carer=carer,
        given_name="Old",
        family_name="Member",
        sex="male",
        date_of_birth="1950-01-01",
        relationship="parent",
    )
    new = [
        {
            "given_name": "Kanha",
            "family_name": "Chan",
            "sex": "female",
            "date_of_birth": "2010-03-04",
            "relationship": "child",
        },
        {
            "given_name": "Vuthy",
            "family_name": "Chan",
            "sex": "male",
            "date_of_birth": "1979-07-01",
            "relationship": "spouse",
        },
    ]
    response = client_for(Role.REGISTRAR).patch(url(carer), {"household_members": new}, format="json")
    assert response.status_code == 200, response.json()
    assert sorted(m["given_name"] for m in response.json()["household_members"]) == ["Kanha", "Vuthy"]
    assert HouseholdMember.objects.filter(carer=carer).count() == 2
    entry = AuditEntry.objects.get(model="register.Carer", object_id=str(carer.pk), action="update")
    before, after = entry.changes["household_members"]
    assert [m["given_name"] for m in before] == ["Old"] and len(after) == 2


def test_patch_without_household_members_keeps_them(client_for):
    carer = CarerFactory()
    HouseholdMember.objects.create(
        carer=carer,
        given_name="Old",
        family_name="Member",
        sex="male",
        date_of_birth="1950-01-01",
        relationship="parent",
    )
    client_for(Role.REGISTRAR).patch(url(carer), {"household_name": "New name"}, format="json")
    assert HouseholdMember.objects.filter(carer=carer).count() == 1


def test_moving_to_another_commune_moves_district_and_province(client_for):
    carer = CarerFactory(commune_id="020101", district_id="0201", province_id="02")
    api = client_for(Role.REGISTRAR, provinces=("02", "12"))
    response = api.patch(url(carer), {"commune": "120101", "village": None}, format="json")
    assert response.status_code == 200, response.json()
    carer.refresh_from_db()
    assert (carer.commune_id, carer.district_id, carer.province_id) == ("120101", "1201", "12")
    assert response.json()["province"] == "12"


def test_moving_outside_the_callers_provinces_is_refused_on_commune(client_for):
    carer = CarerFactory()
    response = client_for(Role.REGISTRAR, provinces=("02",)).patch(url(carer), {"commune": "120101"}, format="json")
    assert response.status_code == 400
    assert "outside your provinces" in response.json()["commune"][0]
    carer.refresh_from_db()
    assert carer.province_id == "02"
    assert not AuditEntry.objects.filter(model="register.Carer", action="update").exists()


def test_new_commune_with_the_old_village_is_refused_on_village(client_for):
    carer = CarerFactory(village_id="02010101")
    response = client_for(Role.REGISTRAR).patch(url(carer), {"commune": "020201"}, format="json")
    assert response.status_code == 400
    assert "village" in response.json()


def test_village_must_belong_to_the_stored_commune(client_for):
    carer = CarerFactory(commune_id="020101")
    response = client_for(Role.REGISTRAR).patch(url(carer), {"village": "02020101"}, format="json")
    assert response.status_code == 400 and "village" in response.json()


def test_age_range_checked_against_the_stored_values(client_for):
    carer = CarerFactory(age_min=5, age_max=10)
    response = client_for(Role.REGISTRAR).patch(url(carer), {"age_max": 4}, format="json")
    assert response.status_code == 400 and "age_max" in response.json()
    response = client_for(Role.REGISTRAR).patch(url(carer), {"age_min": 11}, format="json")
    assert response.status_code == 400 and "age_max" in response.json()
    carer.refresh_from_db()
    assert (carer.age_min, carer.age_max) == (5, 10)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"phone": "555"}, "phone"),
        ({"languages": ["xx"]}, "languages"),
        ({"max_children": 0}, "max_children"),
        ({"location": {"lat": 0, "lon": 0}}, "location"),
        ({"primary_carer": {"date_of_birth": "2999-01-01"}}, "primary_carer"),
    ],
)
def test_bad_patch_writes_nothing(client_for, body, field):
    carer = CarerFactory()
    before = Carer.objects.filter(pk=carer.pk).values().get()
    response = client_for(Role.REGISTRAR).patch(url(carer), body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert Carer.objects.filter(pk=carer.pk).values().get() == before
    assert not AuditEntry.objects.filter(model="register.Carer").exists()


def test_location_can_be_cleared(client_for):
    carer = CarerFactory(lat=12.5, lon=104.0)
    response = client_for(Role.REGISTRAR).patch(url(carer), {"location": None}, format="json")
    assert response.status_code == 200 and response.json()["location"] is None
    carer.refresh_from_db()
    assert carer.lat is None and carer.lon is None


def test_status_and_reference_cannot_be_patched(client_for):
    carer = CarerFactory(status="enquiry", approved_on=None, review_due=None)
    reference = carer.reference
    response = client_for(Role.REGISTRAR).patch(url(carer), {"status": "approved", "reference": "X"}, format="json")
    assert response.status_code == 200
    carer.refresh_from_db()
    assert (carer.status, carer.reference) == ("enquiry", reference)


def test_put_is_not_offered(client_for):
    carer = CarerFactory()
    assert client_for(Role.REGISTRAR).put(url(carer), carer_payload(), format="json").status_code == 405


def test_a_patch_changing_nothing_writes_no_audit_entry(client_for):
    carer = CarerFactory(max_children=2)
    client_for(Role.REGISTRAR).patch(url(carer), {"max_children": 2}, format="json")
    assert not AuditEntry.objects.filter(model="register.Carer", action="update").exists()
