import datetime
import re

import pytest

from register.models import AuditEntry, CarerExclusion, Child, KinLink
from register.roles import Role
from register.services.children import child_create
from tests.register.children_factories import (
    CarerFactory,
    InstitutionFactory,
    child_payload,
    commune,
    first_commune_in,
    years_ago,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/children/"
CHILD_FIELDS = {
    "id",
    "reference",
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "institution",
    "home_commune",
    "school_commune",
    "languages",
    "religion",
    "ethnicity",
    "needs",
    "care_type_needed",
    "sibling_group",
    "status",
    "kin",
    "excluded_carers",
    "external_ids",
    "province",
}


def written() -> tuple[int, int, int, int]:
    return (
        Child.objects.count(),
        KinLink.objects.count(),
        CarerExclusion.objects.count(),
        AuditEntry.objects.filter(model="register.Child").count(),
    )


def far_carer():
    return CarerFactory(commune=commune(first_commune_in("17").code))


def test_create_without_institution_awaits_placement_in_the_home_communes_province(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    response = officer.post(URL, child_payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= CHILD_FIELDS
    assert re.fullmatch(r"CH-02-\d{6}", body["reference"])
    assert body["status"] == "awaiting_placement"
    assert body["province"] == "02" and body["institution"] is None
    assert body["sibling_group"] is None and body["kin"] == [] and body["excluded_carers"] == []
    assert body["external_ids"] == {}


def test_create_with_institution_is_in_residential_care_in_the_institutions_province(client_for):
    siem_reap = InstitutionFactory(commune=commune(first_commune_in("17").code))
    supervisor = client_for(Role.SUPERVISOR, provinces=("02", "17"))
    response = supervisor.post(URL, child_payload(institution=str(siem_reap.pk)), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "in_residential_care"
    assert body["province"] == "17" and body["reference"].startswith("CH-17-")
    assert body["institution"] == str(siem_reap.pk)


def test_references_follow_a_sequence_per_province(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    first = officer.post(URL, child_payload(), format="json").json()["reference"]
    # Another child (the same name and birth date would be a possible duplicate, issue 14).
    second = officer.post(URL, child_payload(given_name="Vanna"), format="json").json()["reference"]
    assert int(second[-6:]) == int(first[-6:]) + 1


def test_create_records_kin_exclusions_and_external_ids(client_for):
    aunt, avoided = CarerFactory(), CarerFactory()
    body = child_payload(
        school_commune="020102",
        needs=["hiv_care"],
        kin=[{"carer": str(aunt.pk), "relationship": "aunt_uncle"}],
        excluded_carers=[{"carer": str(avoided.pk), "reason": "Past conflict with the birth family."}],
        external_ids={"primero": "PR-123", "oscar": "OS-9"},
    )
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["kin"] == [{"carer": str(aunt.pk), "relationship": "aunt_uncle"}]
    assert data["excluded_carers"] == [{"carer": str(avoided.pk), "reason": "Past conflict with the birth family."}]
    assert data["external_ids"] == {"primero": "PR-123", "oscar": "OS-9"}
    assert data["school_commune"] == "020102" and data["needs"] == ["hiv_care"]
    child = Child.objects.get(pk=data["id"])
    assert child.excluded_carers.get().created_by is not None


def test_create_is_audited_with_the_record_and_its_relations(client_for):
    aunt = CarerFactory()
    officer = client_for(Role.PLACEMENT_OFFICER)
    body = child_payload(kin=[{"carer": str(aunt.pk), "relationship": "grandparent"}])
    child_id = officer.post(URL, body, format="json").json()["id"]
    entry = AuditEntry.objects.get(model="register.Child", object_id=child_id, action="create")
    assert entry.action == "create" and entry.actor == officer.user and entry.province == "02"
    assert entry.changes["status"] == [None, "awaiting_placement"]
    assert entry.changes["kin"] == [None, [{"carer": str(aunt.pk), "relationship": "grandparent"}]]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name", ""),
        ("given_name", None),
        ("family_name", "x" * 101),
        ("sex", "other"),
        ("date_of_birth", "not a date"),
        ("date_of_birth", "2010-13-45"),
        ("home_commune", "000000"),
        ("home_commune", None),
        ("school_commune", "12"),
        ("languages", []),
        ("languages", "km"),
        ("languages", ["klingon"]),
        ("religion", "pastafarian"),
        ("ethnicity", "martian"),
        ("needs", ["flying"]),
        ("care_type_needed", "forever"),
        ("institution", "not-a-uuid"),
        ("kin", "aunt"),
        ("kin", [{"carer": "not-a-uuid", "relationship": "grandparent"}]),
        ("kin", [{"relationship": "grandparent"}]),
        ("excluded_carers", [{"carer": "5b0e6a63-8f0e-4a53-9d52-7b43c3c4a1f0"}]),
        ("external_ids", "PR-1"),
        ("external_ids", {"unicef": "X"}),
        ("external_ids", {"primero": "x" * 65}),
        ("external_ids", {"primero": ""}),
        ("external_ids", None),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(client_for, field, value):
    before = written()
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, child_payload(**{field: value}), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert written() == before


@pytest.mark.parametrize(
    "field", ["given_name", "family_name", "sex", "date_of_birth", "home_commune", "languages", "religion"]
)
def test_missing_required_field_is_named(client_for, field):
    body = child_payload()
    del body[field]
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, body, format="json")
    assert response.status_code == 400 and field in response.json()


@pytest.mark.parametrize(
    "born",
    [
        datetime.date.today() + datetime.timedelta(days=1),  # not born yet
        years_ago(18),  # eighteen today: an adult
        years_ago(30),
    ],
)
def test_date_of_birth_must_make_a_child(client_for, born):
    before = written()
    response = client_for(Role.PLACEMENT_OFFICER).post(
        URL, child_payload(date_of_birth=born.isoformat()), format="json"
    )
    assert response.status_code == 400 and "date_of_birth" in response.json()
    assert written() == before


def test_a_child_of_seventeen_and_today_born_babies_are_accepted(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    for born in (years_ago(18, days=-1), datetime.date.today()):
        response = officer.post(URL, child_payload(date_of_birth=born.isoformat()), format="json")
        assert response.status_code == 201, response.json()


def test_institution_of_another_province_is_refused_on_institution(client_for):
    far = InstitutionFactory(commune=commune(first_commune_in("17").code))
    before = written()
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, child_payload(institution=str(far.pk)), format="json")
    assert response.status_code == 400 and "institution" in response.json()
    assert written() == before


def test_unknown_institution_is_refused_on_institution(client_for):
    body = child_payload(institution="5b0e6a63-8f0e-4a53-9d52-7b43c3c4a1f0")
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, body, format="json")
    assert response.status_code == 400 and "institution" in response.json()


def test_home_commune_outside_the_callers_provinces_needs_an_institution_of_theirs(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    far_home = first_commune_in("17").code
    response = officer.post(URL, child_payload(home_commune=far_home), format="json")
    assert response.status_code == 400 and "home_commune" in response.json()
    # Living in an institution of the caller's province, a child may come from anywhere.
    institution = InstitutionFactory()
    response = officer.post(URL, child_payload(home_commune=far_home, institution=str(institution.pk)), format="json")
    assert response.status_code == 201 and response.json()["province"] == "02"


@pytest.mark.parametrize("field", ["kin", "excluded_carers"])
def test_a_family_the_caller_cannot_see_is_refused_naming_the_list(client_for, field):
    item = {"carer": str(far_carer().pk), "relationship": "grandparent", "reason": "Conflict."}
    before = written()
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, child_payload(**{field: [item]}), format="json")
    assert response.status_code == 400 and field in response.json()
    assert written() == before


@pytest.mark.parametrize(
    ("field", "items"),
    [
        ("kin", lambda c: [{"carer": c, "relationship": "grandparent"}, {"carer": c, "relationship": "aunt_uncle"}]),
        ("kin", lambda c: [{"carer": c, "relationship": "neighbour"}]),
        ("kin", lambda c: [{"carer": "5b0e6a63-8f0e-4a53-9d52-7b43c3c4a1f0", "relationship": "grandparent"}]),
        ("excluded_carers", lambda c: [{"carer": c, "reason": ""}]),
        ("excluded_carers", lambda c: [{"carer": c, "reason": "   "}]),
        ("excluded_carers", lambda c: [{"carer": c, "reason": "a"}, {"carer": c, "reason": "b"}]),
    ],
)
def test_kin_and_exclusion_lists_are_checked(client_for, field, items):
    carer = str(CarerFactory().pk)
    before = written()
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, child_payload(**{field: items(carer)}), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert written() == before


def test_a_family_cannot_be_both_kin_and_excluded(client_for):
    carer = str(CarerFactory().pk)
    body = child_payload(
        kin=[{"carer": carer, "relationship": "grandparent"}],
        excluded_carers=[{"carer": carer, "reason": "Unsafe."}],
    )
    before = written()
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, body, format="json")
    assert response.status_code == 400 and "excluded_carers" in response.json()
    assert written() == before


@pytest.mark.parametrize("role", [Role.REGISTRAR, Role.SOCIAL_WORKER])
def test_roles_without_children_write_cannot_create(client_for, role):
    response = client_for(role).post(URL, child_payload(), format="json")
    assert response.status_code == 403
    assert written() == (0, 0, 0, 0)


def test_put_is_not_offered(client_for):
    assert client_for(Role.PLACEMENT_OFFICER).put(f"{URL}x/", child_payload(), format="json").status_code == 405


def test_status_and_read_only_fields_are_ignored_on_create(client_for):
    body = child_payload(status="placed", reference="CH-99-999999", province="17", sibling_group=None)
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "awaiting_placement" and data["province"] == "02"
    assert data["reference"] != "CH-99-999999"


def test_service_can_be_called_directly_with_model_instances():
    from tests.factories import make_user

    officer = make_user(Role.PLACEMENT_OFFICER)
    institution = InstitutionFactory()
    child = child_create(
        actor=officer,
        data={
            "given_name": "Sreyneang",
            "family_name": "Kim",
            "sex": "female",
            "date_of_birth": years_ago(4),
            "institution": institution,
            "home_commune": commune("020101"),
            "languages": ["km"],
            "religion": "buddhism",
            "ethnicity": "khmer",
            "care_type_needed": "short_term",
        },
    )
    assert child.status == "in_residential_care" and child.province_id == "02"
    assert child.created_by == officer
