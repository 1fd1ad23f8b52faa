import pytest

from register.models import AuditEntry, Child, SiblingGroup
from register.roles import Role
from register.services.children import sibling_group_create
from tests.factories import make_user
from tests.register.children_factories import (
    ChildFactory,
    InstitutionFactory,
    commune,
    first_commune_in,
    place,
    sibling_group_of,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/sibling-groups/"


def written() -> tuple[int, int, int]:
    return (
        SiblingGroup.objects.count(),
        Child.objects.filter(sibling_group__isnull=False).count(),
        AuditEntry.objects.exclude(action="read").count(),
    )


def far_child():
    return ChildFactory(institution=InstitutionFactory(commune=commune(first_commune_in("17").code)))


def ids(*children) -> list[str]:
    return [str(c.pk) for c in children]


def test_create_groups_the_children_and_audits_it(client_for):
    a, b, c = ChildFactory(), ChildFactory(), ChildFactory()
    officer = client_for(Role.PLACEMENT_OFFICER)
    response = officer.post(URL, {"children": ids(a, b, c), "keep_together": True}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {"id", "children", "keep_together"} <= set(body)
    assert set(body["children"]) == set(ids(a, b, c)) and body["keep_together"] is True
    assert set(Child.objects.filter(sibling_group_id=body["id"]).values_list("pk", flat=True)) == {a.pk, b.pk, c.pk}
    group_entry = AuditEntry.objects.get(model="register.SiblingGroup", object_id=body["id"])
    assert group_entry.action == "create" and group_entry.actor == officer.user and group_entry.province == "02"
    assert sorted(group_entry.changes["children"][1]) == sorted(ids(a, b, c))
    child_entries = AuditEntry.objects.filter(model="register.Child", action="update")
    assert child_entries.count() == 3
    assert all(e.changes["sibling_group_id"] == [None, body["id"]] for e in child_entries)
    # The children's records show their group.
    assert officer.get(f"/api/v1/children/{a.pk}/").json()["sibling_group"] == body["id"]


def test_keep_together_defaults_to_true(client_for):
    a, b = ChildFactory(), ChildFactory()
    response = client_for(Role.SUPERVISOR).post(URL, {"children": ids(a, b)}, format="json")
    assert response.status_code == 201 and response.json()["keep_together"] is True


@pytest.mark.parametrize(
    "children",
    [
        lambda a, b: [],
        lambda a, b: [str(a.pk)],
        lambda a, b: [str(a.pk), str(a.pk)],  # the same child twice is one child
        lambda a, b: "all of them",
        lambda a, b: [str(a.pk), "not-a-uuid"],
        lambda a, b: [str(a.pk), "5b0e6a63-8f0e-4a53-9d52-7b43c3c4a1f0"],
        lambda a, b: [str(a.pk), str(far_child().pk)],
        lambda a, b: None,
    ],
)
def test_bad_children_are_refused_naming_children_and_nothing_is_written(client_for, children):
    a, b = ChildFactory(), ChildFactory()
    body = {"children": children(a, b), "keep_together": True}
    before = written()
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert "children" in response.json()
    assert written() == before


def test_bad_keep_together_is_named(client_for):
    a, b = ChildFactory(), ChildFactory()
    response = client_for(Role.PLACEMENT_OFFICER).post(
        URL, {"children": ids(a, b), "keep_together": "maybe"}, format="json"
    )
    assert response.status_code == 400 and "keep_together" in response.json()


def test_a_child_already_in_another_group_is_refused_with_a_clear_message(client_for):
    a, b, c = ChildFactory(), ChildFactory(), ChildFactory()
    sibling_group_of(a, b)
    before = written()
    response = client_for(Role.PLACEMENT_OFFICER).post(URL, {"children": ids(b, c)}, format="json")
    assert response.status_code == 400
    assert any(b.reference in message for message in response.json()["children"])
    assert written() == before


@pytest.mark.parametrize("role", [Role.REGISTRAR, Role.SOCIAL_WORKER])
def test_roles_without_children_write_cannot_group(client_for, role):
    a, b = ChildFactory(), ChildFactory()
    assert client_for(role).post(URL, {"children": ids(a, b)}, format="json").status_code == 403
    assert written() == (0, 0, 0)


def test_list_and_retrieve_are_scoped_through_the_childrens_provinces(client_for):
    mine = sibling_group_of(ChildFactory(), ChildFactory())
    far = sibling_group_of(far_child(), far_child())
    officer = client_for(Role.PLACEMENT_OFFICER)
    assert [g["id"] for g in officer.get(URL).json()["results"]] == [str(mine.pk)]
    assert officer.get(f"{URL}{mine.pk}/").status_code == 200
    assert officer.get(f"{URL}{far.pk}/").status_code == 404
    assert officer.patch(f"{URL}{far.pk}/", {"keep_together": False}, format="json").status_code == 404
    assert officer.delete(f"{URL}{far.pk}/").status_code == 404
    far.refresh_from_db()
    assert far.keep_together is True


def test_social_worker_sees_the_groups_of_the_children_they_follow(client_for):
    worker = client_for(Role.SOCIAL_WORKER)
    followed, sibling, other_a, other_b = ChildFactory(), ChildFactory(), ChildFactory(), ChildFactory()
    place(followed, social_worker=worker.user)
    group = sibling_group_of(followed, sibling)
    sibling_group_of(other_a, other_b)
    results = worker.get(URL).json()["results"]
    assert [g["id"] for g in results] == [str(group.pk)]
    assert set(results[0]["children"]) == set(ids(followed, sibling))


def test_list_filters(client_for):
    a, b, c, d = ChildFactory(), ChildFactory(), ChildFactory(), ChildFactory()
    together = sibling_group_of(a, b)
    apart = sibling_group_of(c, d, keep_together=False)
    officer = client_for(Role.PLACEMENT_OFFICER)
    assert [g["id"] for g in officer.get(f"{URL}?keep_together=false").json()["results"]] == [str(apart.pk)]
    assert [g["id"] for g in officer.get(f"{URL}?child={a.pk}").json()["results"]] == [str(together.pk)]
    assert officer.get(f"{URL}?child=garbage").status_code == 400


def test_patch_changes_keep_together_and_audits_it(client_for):
    group = sibling_group_of(ChildFactory(), ChildFactory())
    response = client_for(Role.PLACEMENT_OFFICER).patch(f"{URL}{group.pk}/", {"keep_together": False}, format="json")
    assert response.status_code == 200 and response.json()["keep_together"] is False
    entry = AuditEntry.objects.get(model="register.SiblingGroup", action="update")
    assert entry.changes == {"keep_together": [True, False]}


def test_patch_replaces_the_children(client_for):
    a, b, c = ChildFactory(), ChildFactory(), ChildFactory()
    group = sibling_group_of(a, b)
    response = client_for(Role.PLACEMENT_OFFICER).patch(f"{URL}{group.pk}/", {"children": ids(b, c)}, format="json")
    assert response.status_code == 200, response.json()
    assert set(response.json()["children"]) == set(ids(b, c))
    a.refresh_from_db()
    c.refresh_from_db()
    assert a.sibling_group_id is None and c.sibling_group_id == group.pk
    entry = AuditEntry.objects.get(model="register.SiblingGroup", action="update")
    assert sorted(entry.changes["children"][0]) == sorted(ids(a, b))


@pytest.mark.parametrize("children", [lambda a, b, c: [str(a.pk)], lambda a, b, c: [str(a.pk), str(c.pk)]])
def test_patch_refuses_a_single_child_or_one_of_another_group(client_for, children):
    a, b = ChildFactory(), ChildFactory()
    c, d = ChildFactory(), ChildFactory()
    group = sibling_group_of(a, b)
    sibling_group_of(c, d)
    before = written()
    response = client_for(Role.PLACEMENT_OFFICER).patch(
        f"{URL}{group.pk}/", {"children": children(a, b, c)}, format="json"
    )
    assert response.status_code == 400 and "children" in response.json()
    assert written() == before
    b.refresh_from_db()
    assert b.sibling_group_id == group.pk


def test_a_child_outside_the_callers_jurisdiction_cannot_be_taken_out(client_for):
    a, b, far = ChildFactory(), ChildFactory(), far_child()
    group = sibling_group_of(a, b, far)
    officer = client_for(Role.PLACEMENT_OFFICER)
    # The officer is not shown the far child, so the list they send leaves it out: it stays.
    assert set(officer.get(f"{URL}{group.pk}/").json()["children"]) == set(ids(a, b))
    response = officer.patch(f"{URL}{group.pk}/", {"children": ids(a, b)}, format="json")
    assert response.status_code == 200 and str(far.pk) not in response.json()["children"]
    response = officer.delete(f"{URL}{group.pk}/")
    assert response.status_code == 400 and response.json()["code"] == "children_outside_jurisdiction"
    far.refresh_from_db()
    assert far.sibling_group_id == group.pk


def test_delete_dissolves_the_group_and_keeps_the_children(client_for):
    a, b = ChildFactory(), ChildFactory()
    group = sibling_group_of(a, b)
    response = client_for(Role.SUPERVISOR).delete(f"{URL}{group.pk}/")
    assert response.status_code == 204
    assert not SiblingGroup.objects.exists()
    assert Child.objects.filter(sibling_group__isnull=True).count() == 2
    entry = AuditEntry.objects.get(model="register.SiblingGroup", action="delete")
    assert sorted(entry.changes["children"][0]) == sorted(ids(a, b))
    assert AuditEntry.objects.filter(model="register.Child", action="update").count() == 2


def test_service_accepts_children_as_instances():
    officer = make_user(Role.PLACEMENT_OFFICER)
    a, b = ChildFactory(), ChildFactory()
    group = sibling_group_create(actor=officer, children=[a, b], keep_together=False)
    assert set(group.children.all()) == {a, b} and group.keep_together is False
    assert group.created_by == officer


@pytest.mark.parametrize("page_size", [5, 50])
def test_list_runs_a_bounded_number_of_queries(client_for, django_assert_max_num_queries, page_size):
    for _ in range(55):
        sibling_group_of(ChildFactory(), ChildFactory())
    client = client_for(Role.PLACEMENT_OFFICER)
    with django_assert_max_num_queries(6):
        response = client.get(f"{URL}?page_size={page_size}")
    assert len(response.json()["results"]) == page_size
