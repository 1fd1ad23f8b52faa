"""POST /api/v1/placements/ and register.services.placements.placement_create."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from register.models import AuditEntry, Child, Placement, PlacementChild, Visit, VisitPolicy
from register.roles import Role
from register.services import placements as placement_service
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, commune, first_commune_in, make_user
from tests.register.placements_factories import days, kin, place, siblings, today

pytestmark = pytest.mark.django_db

URL = "/api/v1/placements/"


@pytest.fixture
def officer(client_for):
    return client_for(Role.PLACEMENT_OFFICER)


def body(carer, children, **extra):
    return {
        "carer": str(carer.pk),
        "children": [str(c.pk) for c in children],
        "start_date": today().isoformat(),
        "care_type": "long_term",
        **extra,
    }


def test_placing_a_child_answers_201_with_the_placement_and_its_visits(officer):
    carer, child = CarerFactory(), ChildFactory()
    worker = make_user(Role.SOCIAL_WORKER, ("02",))
    response = officer.post(URL, body(carer, [child], social_worker=worker.username), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["carer"] == str(carer.pk)
    assert data["children"] == [str(child.pk)]
    assert data["status"] == "active"
    assert data["care_type"] == "long_term"
    assert data["start_date"] == today().isoformat()
    assert data["social_worker"] == worker.username
    assert data["province"] == "02"
    assert data["end_date"] is None and data["end_reason"] == ""
    assert [v["status"] for v in data["visits"][:2]] == ["scheduled", "scheduled"]
    assert uuid.UUID(data["id"])


def test_the_child_is_placed_and_moves_to_the_carers_province(officer):
    carer = CarerFactory(commune=first_commune_in("12"))
    officer_two_provinces = make_user(Role.PLACEMENT_OFFICER, ("02", "12"))
    officer.force_authenticate(officer_two_provinces)
    child = ChildFactory()  # in an institution of province 02
    assert officer.post(URL, body(carer, [child]), format="json").status_code == 201
    child.refresh_from_db()
    assert child.status == Child.Status.PLACED
    assert child.province_id == "12"
    assert Placement.objects.get().province_id == "12"


def test_default_cadence_is_7_30_60_90_then_every_90_days_for_the_policy_horizon(officer):
    response = officer.post(URL, body(CarerFactory(), [ChildFactory()]), format="json")
    offsets = [(Visit.objects.get(pk=v["id"]).due_date - today()).days for v in response.json()["visits"]]
    assert offsets == [7, 30, 60, 90, 180, 270, 360, 450, 540, 630, 720]
    assert [v["sequence"] for v in response.json()["visits"]] == list(range(1, 12))


def test_a_backdated_placement_has_its_past_visits_overdue(officer):
    start = today() - days(40)
    response = officer.post(URL, body(CarerFactory(), [ChildFactory()], start_date=start.isoformat()), format="json")
    assert response.status_code == 201
    visits = response.json()["visits"]
    assert [(v["status"], v["days_overdue"]) for v in visits[:3]] == [
        ("overdue", 33),
        ("overdue", 10),
        ("scheduled", 0),
    ]
    # Scheduled from its start, and still for the whole horizon ahead of today.
    last_due = Visit.objects.order_by("-due_date").first().due_date
    assert today() + days(730 - 90) < last_due <= today() + days(730)


def test_visits_follow_the_newest_visit_policy(officer):
    VisitPolicy.objects.create(offsets_days=[3, 14], repeat_every_days=30, horizon_days=90)
    officer.post(URL, body(CarerFactory(), [ChildFactory()]), format="json")
    assert [(v.due_date - today()).days for v in Visit.objects.order_by("sequence")] == [3, 14, 44, 74]


def test_a_visit_due_today_is_due(officer):
    start = today() - days(7)
    response = officer.post(URL, body(CarerFactory(), [ChildFactory()], start_date=start.isoformat()), format="json")
    assert response.json()["visits"][0]["status"] == "due"


def test_creation_is_audited(officer):
    response = officer.post(URL, body(CarerFactory(), [child := ChildFactory()]), format="json")
    placement_id = response.json()["id"]
    entry = AuditEntry.objects.get(model="register.Placement", object_id=placement_id)
    assert entry.action == "create" and entry.actor == officer.user and entry.province == "02"
    assert entry.changes["children"] == [None, [str(child.pk)]]
    child_entry = AuditEntry.objects.get(model="register.Child", object_id=str(child.pk), action="update")
    assert child_entry.changes["status"] == ["awaiting_placement", "placed"]
    assert AuditEntry.objects.filter(model="register.Visit", action="create").count() == 11


def test_a_match_id_is_recorded(officer):
    # A match must be a run the caller can read that ranked the child (API.md; more in test_placement_rules.py).
    child = ChildFactory()
    match = officer.post("/api/v1/matches/", {"child": str(child.pk)}, format="json").json()["id"]
    response = officer.post(URL, body(CarerFactory(), [child], match=str(match)), format="json")
    assert response.json()["match"] == str(match)


# --- Domain rule errors ----------------------------------------------------------------------------


def assert_error(response, status, code):
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not Placement.objects.exists()
    return response.json()


@pytest.mark.parametrize("status", ["enquiry", "training", "on_hold", "deregistered"])
def test_a_family_not_approved_cannot_receive_a_child(officer, status):
    response = officer.post(URL, body(CarerFactory(status=status), [ChildFactory()]), format="json")
    assert_error(response, 400, "carer_not_approved")


def test_a_family_whose_review_is_overdue_cannot_receive_a_child(officer):
    carer = CarerFactory(approved_on=today() - days(400), review_due=today() - days(1))
    assert_error(officer.post(URL, body(carer, [ChildFactory()]), format="json"), 400, "approval_review_overdue")


def test_a_review_due_today_is_not_overdue(officer):
    carer = CarerFactory(review_due=today())
    assert officer.post(URL, body(carer, [ChildFactory()]), format="json").status_code == 201


def test_a_full_family_answers_409_carer_full_with_its_vacancies(officer):
    carer = CarerFactory(max_children=2)
    place([ChildFactory()], carer=carer)
    response = officer.post(URL, body(carer, [ChildFactory(), ChildFactory()]), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "carer_full"
    assert response.json()["vacancies"] == 1
    assert Placement.objects.count() == 1


def test_the_last_place_can_be_taken(officer):
    carer = CarerFactory(max_children=2)
    place([ChildFactory()], carer=carer)
    assert officer.post(URL, body(carer, [ChildFactory()]), format="json").status_code == 201


def test_a_place_freed_by_an_ended_placement_can_be_taken_again(officer):
    carer = CarerFactory(max_children=1)
    placement = place([ChildFactory()], carer=carer)
    placement_service.placement_end(actor=officer.user, placement=placement, end_date=today(), reason="reunified")
    assert officer.post(URL, body(carer, [ChildFactory()]), format="json").status_code == 201


def test_a_child_in_an_active_placement_answers_409_child_already_placed(officer):
    child = ChildFactory()
    place([child])
    response = officer.post(URL, body(CarerFactory(), [child, ChildFactory()]), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "child_already_placed"
    assert response.json()["children"] == [str(child.pk)]
    assert Placement.objects.count() == 1


def test_the_database_constraint_answers_child_already_placed_not_500(officer, monkeypatch):
    """Even if the rule checks missed it (a row written without the service's locks), the partial
    unique index refuses a second active placement and the API answers 409."""
    child = ChildFactory()
    other = place([ChildFactory()])
    PlacementChild.objects.create(placement=other, child=child, active=True)  # behind the service's back
    monkeypatch.setattr(placement_service, "children_in_active_placements", lambda child_ids: [])
    response = officer.post(URL, body(CarerFactory(), [child]), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "child_already_placed"
    assert Placement.objects.count() == 1
    child.refresh_from_db()
    assert child.status == Child.Status.AWAITING_PLACEMENT


def test_the_constraint_itself_allows_one_active_placement_per_child():
    child = ChildFactory()
    first, second = place([ChildFactory()]), place([ChildFactory()])
    PlacementChild.objects.create(placement=first, child=child, active=True)
    with pytest.raises(IntegrityError):
        PlacementChild.objects.create(placement=second, child=child, active=True)


@pytest.mark.parametrize("status", ["reunified", "adopted", "aged_out", "exited"])
def test_a_child_who_left_care_cannot_be_placed(officer, status):
    child = ChildFactory(status=status)
    data = assert_error(officer.post(URL, body(CarerFactory(), [child]), format="json"), 400, "child_not_placeable")
    assert data["children"] == [str(child.pk)]


def test_a_child_in_residential_care_can_be_placed(officer):
    child = ChildFactory(status=Child.Status.IN_RESIDENTIAL_CARE)
    assert officer.post(URL, body(CarerFactory(), [child]), format="json").status_code == 201


def test_part_of_a_keep_together_sibling_group_answers_sibling_group_split(officer):
    a, b, c = siblings(3)
    data = assert_error(
        officer.post(URL, body(CarerFactory(max_children=3), [a]), format="json"), 400, "sibling_group_split"
    )
    assert sorted(data["missing"]) == sorted([str(b.pk), str(c.pk)])


def test_siblings_can_be_separated_with_a_recorded_reason(officer):
    a, _b = siblings(2)
    response = officer.post(URL, body(CarerFactory(), [a], split_reason="Brother needs hospital care"), format="json")
    assert response.status_code == 201
    assert Placement.objects.get().split_reason == "Brother needs hospital care"


def test_a_blank_split_reason_is_no_reason(officer):
    a, _b = siblings(2)
    response = officer.post(URL, body(CarerFactory(), [a], split_reason="   "), format="json")
    assert_error(response, 400, "sibling_group_split")


def test_the_whole_sibling_group_can_be_placed_together(officer):
    group = siblings(3)
    assert officer.post(URL, body(CarerFactory(max_children=3), group), format="json").status_code == 201


def test_siblings_already_placed_or_gone_home_are_not_required(officer):
    a, b, c = siblings(3)
    place([b], split_reason="placed earlier in an emergency")
    Child.objects.filter(pk=c.pk).update(status=Child.Status.REUNIFIED)
    assert officer.post(URL, body(CarerFactory(), [a]), format="json").status_code == 201


def test_a_group_not_marked_keep_together_may_be_separated(officer):
    a, _b = siblings(2, keep_together=False)
    assert officer.post(URL, body(CarerFactory(), [a]), format="json").status_code == 201


def test_a_care_type_the_family_does_not_offer_is_refused(officer):
    carer = CarerFactory(care_types=["long_term"])
    response = officer.post(URL, body(carer, [ChildFactory()], care_type="emergency"), format="json")
    assert_error(response, 400, "care_type_not_offered")


def test_kinship_care_needs_the_family_to_be_kin_of_every_child(officer):
    carer = CarerFactory(care_types=["long_term"])
    a, b = ChildFactory(), ChildFactory()
    kin(a, carer)
    response = officer.post(URL, body(carer, [a, b], care_type="kinship"), format="json")
    assert_error(response, 400, "care_type_not_offered")
    kin(b, carer, "aunt_uncle")
    assert officer.post(URL, body(carer, [a, b], care_type="kinship"), format="json").status_code == 201


# --- Validation errors (400 naming the field) ------------------------------------------------------


def assert_field_error(response, field):
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert not Placement.objects.exists()


def test_a_start_date_more_than_30_days_ahead_is_refused(officer):
    late = (today() + days(31)).isoformat()
    assert_field_error(
        officer.post(URL, body(CarerFactory(), [ChildFactory()], start_date=late), format="json"), "start_date"
    )


def test_a_start_date_30_days_ahead_is_accepted(officer):
    soon = (today() + days(30)).isoformat()
    response = officer.post(URL, body(CarerFactory(), [ChildFactory()], start_date=soon), format="json")
    assert response.status_code == 201
    assert response.json()["visits"][0]["due_date"] == (today() + days(37)).isoformat()


def test_a_start_date_before_the_childs_birth_is_refused(officer):
    child = ChildFactory(date_of_birth=today() - days(100))
    early = (today() - days(200)).isoformat()
    assert_field_error(officer.post(URL, body(CarerFactory(), [child], start_date=early), format="json"), "start_date")


def test_an_unknown_carer_is_named(officer):
    response = officer.post(URL, body(CarerFactory.build(id=uuid.uuid4()), [ChildFactory()]), format="json")
    assert_field_error(response, "carer")


def test_a_carer_of_another_province_is_not_found(officer):
    carer = CarerFactory(commune=first_commune_in("12"))
    assert_field_error(officer.post(URL, body(carer, [ChildFactory()]), format="json"), "carer")


def test_a_child_of_another_province_is_not_found(officer):
    child = ChildFactory(institution=InstitutionFactory(commune=first_commune_in("12")))
    assert_field_error(officer.post(URL, body(CarerFactory(), [child]), format="json"), "children")


@pytest.mark.parametrize(
    "field, value",
    [
        ("carer", "not-a-uuid"),
        ("carer", None),
        ("children", []),
        ("children", "abc"),
        ("children", ["not-a-uuid"]),
        ("start_date", "2026-13-45"),
        ("start_date", None),
        ("care_type", "forever"),
        ("match", "nope"),
    ],
)
def test_malformed_input_is_refused_naming_the_field(officer, field, value):
    data = body(CarerFactory(), [ChildFactory()])
    data[field] = value
    assert_field_error(officer.post(URL, data, format="json"), field)


@pytest.mark.parametrize("field", ["carer", "children", "start_date", "care_type"])
def test_each_required_field_is_named_when_missing(officer, field):
    data = body(CarerFactory(), [ChildFactory()])
    del data[field]
    assert_field_error(officer.post(URL, data, format="json"), field)


def test_an_unknown_social_worker_is_named(officer):
    response = officer.post(URL, body(CarerFactory(), [ChildFactory()], social_worker="nobody"), format="json")
    assert_field_error(response, "social_worker")


@pytest.mark.parametrize("role, provinces", [(Role.REGISTRAR, ("02",)), (Role.SOCIAL_WORKER, ("12",))])
def test_the_social_worker_must_be_a_social_worker_or_supervisor_of_the_province(officer, role, provinces):
    user = make_user(role, provinces)
    response = officer.post(URL, body(CarerFactory(), [ChildFactory()], social_worker=user.username), format="json")
    assert_field_error(response, "social_worker")


def test_a_supervisor_may_be_the_social_worker(officer):
    user = make_user(Role.SUPERVISOR, ("02",))
    response = officer.post(URL, body(CarerFactory(), [ChildFactory()], social_worker=user.username), format="json")
    assert response.status_code == 201


def test_a_child_named_twice_is_placed_once(officer):
    child = ChildFactory()
    response = officer.post(URL, body(CarerFactory(), [child, child]), format="json")
    assert response.status_code == 201
    assert response.json()["children"] == [str(child.pk)]


# --- Who may place ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REGISTRAR, Role.SOCIAL_WORKER])
def test_roles_without_the_capability_cannot_place(client_for, role):
    client = client_for(role)
    assert client.post(URL, body(CarerFactory(), [ChildFactory()]), format="json").status_code == 403
    assert not Placement.objects.exists()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.NATIONAL_ADMIN])
def test_supervisors_and_national_admins_can_place(client_for, role):
    client = client_for(role)
    assert client.post(URL, body(CarerFactory(), [ChildFactory()]), format="json").status_code == 201


def test_anonymous_callers_are_refused(api):
    assert api.post(URL, {}, format="json").status_code in (401, 403)


def test_a_national_admin_places_across_provinces(client_for):
    client = client_for(Role.NATIONAL_ADMIN)
    carer = CarerFactory(commune=commune("020101"))
    child = ChildFactory(institution=InstitutionFactory(commune=first_commune_in("17")))
    assert client.post(URL, body(carer, [child]), format="json").status_code == 201
    child.refresh_from_db()
    assert child.province_id == "02"


# --- The service, as other apps call it -----------------------------------------------------------


def test_the_service_takes_children_as_ids_too():
    child = ChildFactory()
    placement = place([str(child.pk).upper(), child.pk])
    assert list(placement.children.all()) == [child]


def test_the_service_names_a_malformed_child_id():
    with pytest.raises(ValidationError) as error:
        place(["not-an-id"])
    assert "children" in error.value.message_dict
    assert not Placement.objects.exists()
