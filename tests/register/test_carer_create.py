"""POST /api/v1/carers/: registering a family at enquiry, and every kind of bad input."""

import datetime

import pytest

from register.models import AuditEntry, Carer, HouseholdMember, ReferenceSequence
from register.roles import Role
from tests.register.carers_factories import carer_payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/carers/"


def test_registrar_creates_a_family_at_enquiry_with_a_province_reference(client_for):
    api = client_for(Role.REGISTRAR)
    response = api.post(URL, carer_payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"] == "FC-02-000001"
    assert body["status"] == "enquiry"
    assert body["province"] == "02" and body["district"] == "0201" and body["commune"] == "020101"
    assert body["phone"] == "+85512345678"  # typed as 012 345 678
    assert body["primary_carer"] == {
        "given_name": "Sophea",
        "family_name": "Chan",
        "given_name_latin": "",  # optional (issue 14)
        "family_name_latin": "",
        "sex": "female",
        "date_of_birth": "1980-05-01",
        "national_id": "010203040",
    }
    assert body["location"] == {"lat": 13.1, "lon": 103.2}
    assert body["vacancies"] == 2
    assert body["approved_on"] is None and body["review_due"] is None
    assert [m["relationship"] for m in body["household_members"]] == ["spouse"]
    assert body["approval_missing"] == [
        "home_assessment",
        "police_clearance",
        "health_check",
        "reference",
        "core_training",
    ]
    carer = Carer.objects.get(pk=body["id"])
    assert (carer.given_name, carer.lat, carer.created_by) == ("Sophea", 13.1, api.user)
    # Another family: the same phone, national ID, or name and birth date would be a possible duplicate.
    other = carer_payload(phone="012 345 679", primary_carer={**carer_payload()["primary_carer"], "national_id": ""})
    other["primary_carer"]["date_of_birth"] = "1981-05-01"
    assert api.post(URL, other, format="json").json()["reference"] == "FC-02-000002"


def test_creation_is_audited_with_every_field_and_the_household(client_for):
    api = client_for(Role.REGISTRAR)
    carer_id = api.post(URL, carer_payload(), format="json").json()["id"]
    entry = AuditEntry.objects.get(model="register.Carer", object_id=carer_id)
    assert entry.action == "create" and entry.actor == api.user and entry.province == "02"
    assert entry.changes["status"] == [None, "enquiry"]
    assert entry.changes["phone"] == [None, "+85512345678"]
    assert entry.changes["household_members"][1][0]["relationship"] == "spouse"


def test_minimal_family_without_optional_fields(client_for):
    api = client_for(Role.SUPERVISOR)
    body = carer_payload()
    for key in ("village", "address", "location", "needs_supported", "household_members"):
        body.pop(key)
    del body["primary_carer"]["national_id"]
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["location"] is None and response.json()["village"] is None
    assert response.json()["needs_supported"] == []


@pytest.mark.parametrize(
    "phone, stored",
    [("+85512345678", "+85512345678"), ("+855 97 123 4567", "+855971234567"), ("012-345-678", "+85512345678")],
)
def test_phone_is_stored_in_e164(client_for, phone, stored):
    response = client_for(Role.REGISTRAR).post(URL, carer_payload(phone=phone), format="json")
    assert response.status_code == 201
    assert response.json()["phone"] == stored


def _dob_years_ago(years: int, days: int = 0) -> str:
    today = datetime.date.today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return (day + datetime.timedelta(days=days)).isoformat()


def _with_primary(**fields):
    body = carer_payload()
    body["primary_carer"] = {**body["primary_carer"], **fields}
    return body


def _without(field):
    body = carer_payload()
    body.pop(field)
    return body


TOMORROW = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()

BAD_INPUT = {
    "unknown commune": (carer_payload(commune="999999"), "commune"),
    "commune not six digits": (carer_payload(commune=["02"]), "commune"),
    "village not in the commune": (carer_payload(village="02020101"), "village"),
    "unknown village": (carer_payload(village="99999999"), "village"),
    "ages out of order": (carer_payload(age_min=10, age_max=5), "age_max"),
    "age above 17": (carer_payload(age_max=18), "age_max"),
    "negative age": (carer_payload(age_min=-1), "age_min"),
    "capacity 0": (carer_payload(max_children=0), "max_children"),
    "capacity 13": (carer_payload(max_children=13), "max_children"),
    "sibling group 0": (carer_payload(max_sibling_group=0), "max_sibling_group"),
    "date of birth in the future": (_with_primary(date_of_birth=TOMORROW), "primary_carer"),
    "primary carer under 18": (_with_primary(date_of_birth=_dob_years_ago(18, days=1)), "primary_carer"),
    "unknown sex": (_with_primary(sex="x"), "primary_carer"),
    "unknown language": (carer_payload(languages=["km", "klingon"]), "languages"),
    "languages as text": (carer_payload(languages="km"), "languages"),
    "no language": (carer_payload(languages=[]), "languages"),
    "unknown religion": (carer_payload(religion="pastafarian"), "religion"),
    "unknown ethnicity": (carer_payload(ethnicity="martian"), "ethnicity"),
    "unknown care type": (carer_payload(care_types=["forever"]), "care_types"),
    "no care type": (carer_payload(care_types=[]), "care_types"),
    "unknown need": (carer_payload(needs_supported=["flying"]), "needs_supported"),
    "unknown sex accepted": (carer_payload(sexes_accepted=["other"]), "sexes_accepted"),
    "no sex accepted": (carer_payload(sexes_accepted=[]), "sexes_accepted"),
    "missing household name": (_without("household_name"), "household_name"),
    "missing primary carer": (_without("primary_carer"), "primary_carer"),
    "missing phone": (_without("phone"), "phone"),
    "missing commune": (_without("commune"), "commune"),
    "missing capacity": (_without("max_children"), "max_children"),
    "phone not a number": (carer_payload(phone="call me"), "phone"),
    "phone too short": (carer_payload(phone="12345"), "phone"),
    "phone of another country": (carer_payload(phone="+66812345678"), "phone"),
    "landline prefix that does not exist": (carer_payload(phone="023 123 456"), "phone"),
    "location outside Cambodia": (carer_payload(location={"lat": 48.85, "lon": 2.35}), "location"),
    "location without longitude": (carer_payload(location={"lat": 12.0}), "location"),
    "household member born tomorrow": (
        carer_payload(
            household_members=[
                {
                    "given_name": "A",
                    "family_name": "B",
                    "sex": "male",
                    "date_of_birth": TOMORROW,
                    "relationship": "child",
                }
            ]
        ),
        "household_members",
    ),
    "household member unknown relationship": (
        carer_payload(
            household_members=[
                {
                    "given_name": "A",
                    "family_name": "B",
                    "sex": "male",
                    "date_of_birth": "2010-01-01",
                    "relationship": "pet",
                }
            ]
        ),
        "household_members",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT.keys())
def test_bad_input_answers_400_naming_the_field_and_writes_nothing(client_for, case):
    body, field = BAD_INPUT[case]
    api = client_for(Role.REGISTRAR)
    audit_before = AuditEntry.objects.count()
    response = api.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert Carer.objects.count() == 0
    assert HouseholdMember.objects.count() == 0
    assert ReferenceSequence.objects.filter(prefix="FC", last__gt=0).count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_bad_enum_value_message_names_the_value(client_for):
    response = client_for(Role.REGISTRAR).post(URL, carer_payload(religion="pastafarian"), format="json")
    assert "pastafarian" in str(response.json()["religion"])


def test_commune_outside_the_callers_provinces_is_refused_on_commune(client_for):
    api = client_for(Role.REGISTRAR, provinces=("02",))
    village = "12010101"
    response = api.post(URL, carer_payload(commune="120101", village=village), format="json")
    assert response.status_code == 400
    assert "outside your provinces" in response.json()["commune"][0]
    assert Carer.objects.count() == 0
    assert not AuditEntry.objects.filter(model="register.Carer").exists()


def test_national_admin_registers_in_any_province(client_for):
    api = client_for(Role.NATIONAL_ADMIN)
    response = api.post(URL, carer_payload(commune="120101", village="12010101"), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["reference"] == "FC-12-000001"


@pytest.mark.parametrize("role", [Role.PLACEMENT_OFFICER, Role.SOCIAL_WORKER])
def test_roles_without_carers_write_cannot_create(client_for, role):
    response = client_for(role).post(URL, carer_payload(), format="json")
    assert response.status_code == 403
    assert Carer.objects.count() == 0


def test_anonymous_cannot_create(api, db):
    assert api.post(URL, carer_payload(), format="json").status_code in (401, 403)


def test_read_only_fields_sent_by_the_client_are_ignored(client_for):
    body = carer_payload(status="approved", reference="FC-99-000001", approved_on="2020-01-01", vacancies=9)
    response = client_for(Role.REGISTRAR).post(URL, body, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["approved_on"], body["vacancies"]) == ("enquiry", None, 2)
    assert body["reference"].startswith("FC-02-")


def test_input_serializer_accepts_a_plain_row_of_text_values():
    """The import reuses CarerInputSerializer on rows read from CSV/XLSX: numbers and dates as text."""
    from register.api.carers import CarerInputSerializer

    row = carer_payload(max_children="3", age_min="0", age_max="10", max_sibling_group="2", phone="097 123 4567")
    row.pop("location")
    serializer = CarerInputSerializer(data=row)
    assert serializer.is_valid(), serializer.errors
    data = serializer.validated_data
    assert data["max_children"] == 3 and data["phone"] == "+855971234567"
    assert data["given_name"] == "Sophea"  # the primary carer is flattened onto the model's fields
    assert data["household_members"][0]["relationship"] == "spouse"
