import pytest

from register.models import AuditEntry, CarerExclusion, Child, KinLink
from register.roles import Role
from register.services.children import child_province_code
from tests.register.children_factories import (
    CarerFactory,
    ChildFactory,
    InstitutionFactory,
    commune,
    first_commune_in,
    place,
)

pytestmark = pytest.mark.django_db


def url(child) -> str:
    return f"/api/v1/children/{child.pk}/"


def child_updates(child) -> int:
    return AuditEntry.objects.filter(model="register.Child", object_id=str(child.pk), action="update").count()


def far_commune():
    return commune(first_commune_in("17").code)


def test_patch_changes_the_fields_sent_and_audits_the_changes(client_for):
    child = ChildFactory(given_name="Dara", needs=[])
    officer = client_for(Role.PLACEMENT_OFFICER)
    response = officer.patch(url(child), {"given_name": "Darany", "needs": ["infant_care"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["given_name"] == "Darany" and response.json()["family_name"] == "Sok"
    entry = AuditEntry.objects.get(model="register.Child", action="update")
    assert entry.actor == officer.user
    assert entry.changes == {"given_name": ["Dara", "Darany"], "needs": [[], ["infant_care"]]}


def test_patch_that_changes_nothing_writes_no_audit_entry(client_for):
    child = ChildFactory(given_name="Dara")
    response = client_for(Role.PLACEMENT_OFFICER).patch(url(child), {"given_name": "Dara"}, format="json")
    assert response.status_code == 200
    assert child_updates(child) == 0


def test_kin_given_on_patch_replaces_the_list(client_for):
    child = ChildFactory()
    grandma, uncle, friend = CarerFactory(), CarerFactory(), CarerFactory()
    KinLink.objects.create(child=child, carer=grandma, relationship="grandparent")
    KinLink.objects.create(child=child, carer=uncle, relationship="aunt_uncle")
    officer = client_for(Role.PLACEMENT_OFFICER)
    body = {
        "kin": [
            {"carer": str(uncle.pk), "relationship": "other_relative"},
            {"carer": str(friend.pk), "relationship": "family_friend"},
        ]
    }
    response = officer.patch(url(child), body, format="json")
    assert response.status_code == 200, response.json()
    assert set(KinLink.objects.filter(child=child).values_list("carer_id", "relationship")) == {
        (uncle.pk, "other_relative"),
        (friend.pk, "family_friend"),
    }
    assert {k["carer"] for k in response.json()["kin"]} == {str(uncle.pk), str(friend.pk)}
    assert "kin" in AuditEntry.objects.get(model="register.Child", action="update").changes
    # An empty list clears it; a patch without `kin` leaves it alone.
    officer.patch(url(child), {"given_name": "Other"}, format="json")
    assert KinLink.objects.filter(child=child).count() == 2
    officer.patch(url(child), {"kin": []}, format="json")
    assert not KinLink.objects.filter(child=child).exists()


def test_exclusions_given_on_patch_replace_the_list_keeping_unchanged_ones(client_for):
    child = ChildFactory()
    kept, dropped, added = CarerFactory(), CarerFactory(), CarerFactory()
    original = CarerExclusion.objects.create(child=child, carer=kept, reason="Conflict.")
    CarerExclusion.objects.create(child=child, carer=dropped, reason="Distance.")
    body = {
        "excluded_carers": [
            {"carer": str(kept.pk), "reason": "Conflict."},
            {"carer": str(added.pk), "reason": "Known to the family."},
        ]
    }
    response = client_for(Role.SUPERVISOR).patch(url(child), body, format="json")
    assert response.status_code == 200, response.json()
    assert set(child.excluded_carers.values_list("carer_id", flat=True)) == {kept.pk, added.pk}
    assert child.excluded_carers.get(carer=kept).pk == original.pk


def test_kin_of_another_province_is_refused_and_nothing_changes(client_for):
    child = ChildFactory()
    mine = CarerFactory()
    KinLink.objects.create(child=child, carer=mine, relationship="grandparent")
    far = CarerFactory(commune=far_commune())
    body = {"given_name": "Changed", "kin": [{"carer": str(far.pk), "relationship": "grandparent"}]}
    response = client_for(Role.PLACEMENT_OFFICER).patch(url(child), body, format="json")
    assert response.status_code == 400 and "kin" in response.json()
    child.refresh_from_db()
    assert child.given_name == "Dara"
    assert list(KinLink.objects.filter(child=child).values_list("carer_id", flat=True)) == [mine.pk]
    assert child_updates(child) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name", ""),
        ("sex", "x"),
        ("date_of_birth", "2000-01-01"),
        ("languages", []),
        ("home_commune", "999999"),
        ("institution", "5b0e6a63-8f0e-4a53-9d52-7b43c3c4a1f0"),
        ("external_ids", {"other": "1"}),
        ("excluded_carers", [{"carer": "5b0e6a63-8f0e-4a53-9d52-7b43c3c4a1f0", "reason": "x"}]),
        ("status", "lost"),
    ],
)
def test_bad_patch_names_the_field_and_writes_nothing(client_for, field, value):
    child = ChildFactory()
    before = Child.objects.values().get(pk=child.pk)
    response = client_for(Role.PLACEMENT_OFFICER).patch(url(child), {field: value}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert Child.objects.values().get(pk=child.pk) == before
    assert child_updates(child) == 0


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("in_residential_care", "awaiting_placement"),
        ("awaiting_placement", "in_residential_care"),
        ("awaiting_placement", "exited"),
        ("in_residential_care", "aged_out"),
        ("awaiting_placement", "reunified"),
        ("reunified", "adopted"),
    ],
)
def test_status_changes_allowed_by_hand(client_for, start, target):
    child = ChildFactory(status=start)
    response = client_for(Role.PLACEMENT_OFFICER).patch(url(child), {"status": target}, format="json")
    assert response.status_code == 200, response.json()
    child.refresh_from_db()
    assert child.status == target
    assert AuditEntry.objects.get(model="register.Child", action="update").changes["status"] == [start, target]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("awaiting_placement", "placed"),
        ("in_residential_care", "placed"),
        ("exited", "awaiting_placement"),
        ("adopted", "in_residential_care"),
        ("reunified", "placed"),
    ],
)
def test_other_status_changes_are_invalid_transitions(client_for, start, target):
    child = ChildFactory(status=start)
    response = client_for(Role.PLACEMENT_OFFICER).patch(url(child), {"status": target}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_transition" and body["from"] == start and body["to"] == target
    child.refresh_from_db()
    assert child.status == start
    assert child_updates(child) == 0


@pytest.mark.parametrize("target", ["exited", "aged_out", "reunified", "adopted", "awaiting_placement"])
def test_a_child_in_an_active_placement_keeps_its_status(client_for, target):
    child = ChildFactory()
    place(child)
    response = client_for(Role.PLACEMENT_OFFICER).patch(url(child), {"status": target}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_transition"
    child.refresh_from_db()
    assert child.status == "placed"


def test_after_a_placement_ended_the_child_may_exit(client_for):
    child = ChildFactory(status="awaiting_placement")
    place(child, active=False)
    response = client_for(Role.PLACEMENT_OFFICER).patch(url(child), {"status": "exited"}, format="json")
    assert response.status_code == 200


def test_same_status_is_not_a_transition(client_for):
    child = ChildFactory(status="awaiting_placement")
    response = client_for(Role.PLACEMENT_OFFICER).patch(url(child), {"status": "awaiting_placement"}, format="json")
    assert response.status_code == 200
    assert child_updates(child) == 0


def test_changing_the_institution_moves_the_child_to_its_province(client_for):
    child = ChildFactory()
    far = InstitutionFactory(commune=far_commune())
    supervisor = client_for(Role.SUPERVISOR, provinces=("02", "17"))
    response = supervisor.patch(url(child), {"institution": str(far.pk)}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["province"] == "17"
    assert AuditEntry.objects.get(model="register.Child", action="update").changes["province_id"] == ["02", "17"]


def test_leaving_the_institution_for_a_home_outside_the_callers_provinces_is_refused(client_for):
    child = ChildFactory(home_commune=far_commune())
    assert child.province_id == "02"  # the institution's
    response = client_for(Role.PLACEMENT_OFFICER).patch(url(child), {"institution": None}, format="json")
    assert response.status_code == 400 and "home_commune" in response.json()
    child.refresh_from_db()
    assert child.institution_id is not None and child.province_id == "02"


def test_leaving_the_institution_puts_the_child_in_the_home_communes_province(client_for):
    child = ChildFactory()
    response = client_for(Role.PLACEMENT_OFFICER).patch(url(child), {"institution": None}, format="json")
    assert response.status_code == 200 and response.json()["institution"] is None
    assert response.json()["province"] == "02"


def test_read_only_fields_are_ignored(client_for):
    child = ChildFactory()
    body = {"reference": "CH-99-000001", "province": "17", "sibling_group": None, "given_name": "Kept"}
    response = client_for(Role.PLACEMENT_OFFICER).patch(url(child), body, format="json")
    assert response.status_code == 200
    child.refresh_from_db()
    assert child.reference != "CH-99-000001" and child.province_id == "02" and child.given_name == "Kept"


def test_another_provinces_child_answers_404(client_for):
    far = ChildFactory(institution=InstitutionFactory(commune=far_commune()))
    response = client_for(Role.PLACEMENT_OFFICER).patch(url(far), {"given_name": "X"}, format="json")
    assert response.status_code == 404
    far.refresh_from_db()
    assert far.given_name == "Dara"


@pytest.mark.parametrize("role", [Role.REGISTRAR, Role.SOCIAL_WORKER])
def test_roles_without_children_write_cannot_patch(client_for, role):
    child = ChildFactory()
    assert client_for(role).patch(url(child), {"given_name": "X"}, format="json").status_code == 403


# --- Where a child is --------------------------------------------------------------------------


def test_province_rule_institution_else_home_commune():
    child = ChildFactory()
    assert child_province_code(child) == "02"
    child.institution = InstitutionFactory(commune=far_commune())
    assert child_province_code(child) == "17"
    child.institution = None
    child.home_commune = commune(first_commune_in("12").code)
    assert child_province_code(child) == "12"


def test_province_rule_keeps_the_carers_province_while_placed_even_if_an_institution_is_recorded(client_for):
    child = ChildFactory()  # institution in 02
    place(child, carer=CarerFactory(commune=far_commune()))
    child.refresh_from_db()
    assert child_province_code(child) == "17" and child.province_id == "17"
    supervisor = client_for(Role.SUPERVISOR, provinces=("17",))
    response = supervisor.patch(url(child), {"needs": ["chronic_illness"]}, format="json")
    assert response.status_code == 200
    child.refresh_from_db()
    assert child.province_id == "17"
