import pytest

from register.models import AuditEntry, Institution
from register.roles import Role
from tests.register.children_factories import (
    ChildFactory,
    InstitutionFactory,
    commune,
    first_commune_in,
    institution_payload,
    place,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/institutions/"


def written() -> tuple[int, int]:
    return Institution.objects.count(), AuditEntry.objects.filter(model="register.Institution").count()


def test_create_returns_the_institution_with_its_province_derived_from_the_commune(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    response = officer.post(URL, institution_payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "name", "kind", "commune", "province", "status", "inspection_score"}
    assert body["commune"] == "020101" and body["province"] == "02"
    assert body["inspection_score"] == 72 and body["status"] == "open"
    entry = AuditEntry.objects.get(model="register.Institution", object_id=body["id"])
    assert entry.action == "create" and entry.actor == officer.user and entry.province == "02"
    assert entry.changes["name"] == [None, "Sunrise Children's Centre"]


def test_status_defaults_to_open_and_score_may_be_null(client_for):
    body = institution_payload(inspection_score=None)
    del body["status"]
    response = client_for(Role.SUPERVISOR).post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "open" and response.json()["inspection_score"] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", None),
        ("name", "x" * 201),
        ("kind", "orphanage"),
        ("commune", "999999"),
        ("commune", "abc"),
        ("commune", None),
        ("status", "demolished"),
        ("inspection_score", 101),
        ("inspection_score", -1),
        ("inspection_score", "good"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(client_for, field, value):
    before = written()
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, institution_payload(**{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert written() == before


@pytest.mark.parametrize("field", ["name", "kind", "commune"])
def test_missing_required_field_is_named(client_for, field):
    body = institution_payload()
    del body[field]
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_commune_outside_the_callers_provinces_is_refused_on_commune(client_for):
    before = written()
    siem_reap = commune_code_in("17")
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, institution_payload(commune=siem_reap), format="json")
    assert response.status_code == 400
    assert "commune" in response.json()
    assert written() == before


def test_national_admin_may_create_in_any_province(client_for):
    response = client_for(Role.NATIONAL_ADMIN).post(
        URL, institution_payload(commune=commune_code_in("17")), format="json"
    )
    assert response.status_code == 201 and response.json()["province"] == "17"


@pytest.mark.parametrize("role", [Role.REGISTRAR, Role.SOCIAL_WORKER])
def test_roles_without_the_write_capability_may_read_but_not_write(client_for, role):
    institution = InstitutionFactory()
    client = client_for(role)
    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}{institution.pk}/").status_code == 200
    assert client.post(URL, institution_payload(), format="json").status_code == 403
    assert client.patch(f"{URL}{institution.pk}/", {"name": "x"}, format="json").status_code == 403
    assert written() == (1, 0)


def test_unauthenticated_caller_is_refused(api):
    assert api.get(URL).status_code == 401


def test_another_provinces_institution_answers_404_and_is_not_listed(client_for):
    other = InstitutionFactory(commune=commune(commune_code_in("17")))
    officer = client_for(Role.PLACEMENT_OFFICER)
    assert officer.get(f"{URL}{other.pk}/").status_code == 404
    assert officer.patch(f"{URL}{other.pk}/", {"name": "Mine now"}, format="json").status_code == 404
    assert officer.put(f"{URL}{other.pk}/", institution_payload(), format="json").status_code == 404
    assert officer.get(URL).json()["results"] == []
    other.refresh_from_db()
    assert other.name != "Mine now"


def test_malformed_id_answers_404(client_for):
    assert client_for(Role.PLACEMENT_OFFICER).get(f"{URL}not-a-uuid/").status_code == 404


def test_put_replaces_the_fields_and_audits_the_changes(client_for):
    institution = InstitutionFactory(name="Old name", inspection_score=40)
    officer = client_for(Role.PLACEMENT_OFFICER)
    body = institution_payload(name="New name", kind="transit_home", status="closing", inspection_score=55)
    response = officer.put(f"{URL}{institution.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "New name" and response.json()["status"] == "closing"
    entry = AuditEntry.objects.get(model="register.Institution", action="update")
    assert entry.changes["name"] == ["Old name", "New name"]
    assert entry.changes["inspection_score"] == [40, 55]
    assert "updated_at" not in entry.changes


def test_put_needs_every_required_field(client_for):
    institution = InstitutionFactory()
    response = client_for(Role.PLACEMENT_OFFICER).put(f"{URL}{institution.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 400 and {"kind", "commune"} <= set(response.json())


def test_patch_changes_only_what_is_sent(client_for):
    institution = InstitutionFactory(name="Keep", inspection_score=10)
    response = client_for(Role.SUPERVISOR).patch(f"{URL}{institution.pk}/", {"status": "closed"}, format="json")
    assert response.status_code == 200
    institution.refresh_from_db()
    assert (institution.name, institution.status, institution.inspection_score) == ("Keep", "closed", 10)


def test_patch_that_changes_nothing_writes_no_audit_entry(client_for):
    institution = InstitutionFactory(name="Same")
    response = client_for(Role.SUPERVISOR).patch(f"{URL}{institution.pk}/", {"name": "Same"}, format="json")
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(model="register.Institution").exists()


def test_bad_patch_writes_nothing(client_for):
    institution = InstitutionFactory(inspection_score=10)
    officer = client_for(Role.PLACEMENT_OFFICER)
    response = officer.patch(f"{URL}{institution.pk}/", {"inspection_score": 500}, format="json")
    assert response.status_code == 400 and "inspection_score" in response.json()
    response = officer.patch(f"{URL}{institution.pk}/", {"commune": commune_code_in("17")}, format="json")
    assert response.status_code == 400 and "commune" in response.json()
    institution.refresh_from_db()
    assert institution.inspection_score == 10 and institution.province_id == "02"
    assert not AuditEntry.objects.filter(model="register.Institution").exists()


def test_moving_an_institution_to_another_province_moves_its_children_but_not_placed_ones(client_for):
    institution = InstitutionFactory()
    living_there = ChildFactory(institution=institution)
    placed = ChildFactory(institution=institution)
    place(placed)
    supervisor = client_for(Role.SUPERVISOR, provinces=("02", "17"))
    response = supervisor.patch(f"{URL}{institution.pk}/", {"commune": commune_code_in("17")}, format="json")
    assert response.status_code == 200 and response.json()["province"] == "17"
    living_there.refresh_from_db()
    placed.refresh_from_db()
    assert living_there.province_id == "17"
    assert placed.province_id == "02"
    assert AuditEntry.objects.filter(model="register.Child", object_id=str(living_there.pk), action="update").exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=closing", {"Closing"}),
        ("kind=pagoda", {"Pagoda"}),
        ("province=17", {"Far"}),
        ("commune=020101", {"Closing", "Pagoda"}),
        ("search=pag", {"Pagoda"}),
    ],
)
def test_list_filters(client_for, query, expected):
    InstitutionFactory(name="Closing", status="closing")
    InstitutionFactory(name="Pagoda", kind="pagoda")
    InstitutionFactory(name="Far", commune=commune(commune_code_in("17")))
    supervisor = client_for(Role.SUPERVISOR, provinces=("02", "17"))
    response = supervisor.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert {r["name"] for r in response.json()["results"]} == expected


def test_bad_filter_value_answers_400_naming_it(client_for):
    response = client_for(Role.SUPERVISOR).get(f"{URL}?status=demolished")
    assert response.status_code == 400 and "status" in response.json()


@pytest.mark.parametrize("page_size", [5, 50])
def test_list_runs_a_bounded_number_of_queries(client_for, django_assert_max_num_queries, page_size):
    for _ in range(55):
        InstitutionFactory()
    client = client_for(Role.REGISTRAR)
    with django_assert_max_num_queries(4):
        response = client.get(f"{URL}?page_size={page_size}")
    assert len(response.json()["results"]) == page_size


def commune_code_in(province: str) -> str:
    return first_commune_in(province).code
