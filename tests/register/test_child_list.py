"""Reading children: the selector's scoping (provinces; social workers' own placements), the list's
filters and query count, and the logging of every read."""

import pytest

from register.models import AuditEntry, CarerExclusion, KinLink
from register.roles import Role
from register.selectors.children import child_get, child_list
from tests.factories import make_user
from tests.register.children_factories import (
    CarerFactory,
    ChildFactory,
    InstitutionFactory,
    commune,
    first_commune_in,
    place,
    sibling_group_of,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/children/"


def reads(child=None):
    entries = AuditEntry.objects.filter(model="register.Child", action="read")
    return entries.filter(object_id=str(child.pk)) if child else entries


def far_child(**kwargs):
    return ChildFactory(institution=InstitutionFactory(commune=commune(first_commune_in("17").code)), **kwargs)


def test_retrieve_returns_the_record_and_logs_one_read(client_for):
    child = ChildFactory()
    KinLink.objects.create(child=child, carer=CarerFactory(), relationship="grandparent")
    officer = client_for(Role.PLACEMENT_OFFICER)
    response = officer.get(f"{URL}{child.pk}/")
    assert response.status_code == 200
    assert response.json()["reference"] == child.reference and len(response.json()["kin"]) == 1
    entry = reads(child).get()
    assert entry.actor == officer.user and entry.object_repr == child.reference and entry.province == "02"
    # The trail names the record by reference, never by the child's name.
    assert "Dara" not in entry.object_repr


def test_list_logs_one_read_per_child_on_the_page_returned(client_for):
    children = [ChildFactory() for _ in range(7)]
    officer = client_for(Role.PLACEMENT_OFFICER)
    response = officer.get(f"{URL}?page_size=5")
    assert response.status_code == 200
    shown = {r["id"] for r in response.json()["results"]}
    assert len(shown) == 5
    assert set(reads().values_list("object_id", flat=True)) == shown
    assert reads().count() == 5
    assert all(e.actor == officer.user for e in reads())
    assert len(children) == 7


def test_an_empty_or_refused_list_logs_nothing(client_for):
    ChildFactory()
    assert client_for(Role.PLACEMENT_OFFICER).get(f"{URL}?status=adopted").json()["results"] == []
    assert client_for(Role.REGISTRAR).get(URL).status_code == 403
    assert not reads().exists()


def test_another_provinces_child_answers_404_and_is_not_listed(client_for):
    far = far_child()
    officer = client_for(Role.PLACEMENT_OFFICER)
    assert officer.get(f"{URL}{far.pk}/").status_code == 404
    assert officer.get(URL).json()["results"] == []
    assert not reads().exists()


def test_malformed_and_unknown_ids_answer_404(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    assert officer.get(f"{URL}nope/").status_code == 404
    assert officer.get(f"{URL}5b0e6a63-8f0e-4a53-9d52-7b43c3c4a1f0/").status_code == 404


def test_national_admin_sees_every_province(client_for):
    far_child()
    ChildFactory()
    assert len(client_for(Role.NATIONAL_ADMIN).get(URL).json()["results"]) == 2


def test_registrar_may_not_read_children(client_for):
    child = ChildFactory()
    registrar = client_for(Role.REGISTRAR)
    assert registrar.get(URL).status_code == 403
    assert registrar.get(f"{URL}{child.pk}/").status_code == 403


def test_social_worker_sees_only_the_children_of_their_own_placements(client_for):
    worker = client_for(Role.SOCIAL_WORKER)
    colleague = make_user(Role.SOCIAL_WORKER)
    mine, ended, theirs, unplaced = ChildFactory(), ChildFactory(), ChildFactory(), ChildFactory()
    place(mine, social_worker=worker.user)
    place(ended, social_worker=worker.user, active=False)
    place(theirs, social_worker=colleague)
    response = worker.get(URL)
    assert response.status_code == 200
    assert {r["id"] for r in response.json()["results"]} == {str(mine.pk), str(ended.pk)}
    assert worker.get(f"{URL}{mine.pk}/").status_code == 200
    assert worker.get(f"{URL}{theirs.pk}/").status_code == 404
    assert worker.get(f"{URL}{unplaced.pk}/").status_code == 404


def test_social_worker_sees_a_child_of_two_placements_once(client_for):
    worker = client_for(Role.SOCIAL_WORKER)
    child = ChildFactory()
    place(child, social_worker=worker.user, active=False)
    place(child, social_worker=worker.user)
    assert len(worker.get(URL).json()["results"]) == 1


def test_selectors_apply_the_same_rules():
    worker = make_user(Role.SOCIAL_WORKER)
    officer = make_user(Role.PLACEMENT_OFFICER)
    child = ChildFactory()
    assert list(child_list(user=officer)) == [child]
    assert list(child_list(user=worker)) == []
    assert child_get(user=officer, id=child.pk) == child
    from django.http import Http404

    with pytest.raises(Http404):
        child_get(user=worker, id=child.pk)
    with pytest.raises(Http404):
        child_get(user=officer, id="garbage")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=placed", {"placed"}),
        ("status=placed&status=in_residential_care", {"placed", "resident"}),
        ("province=17", {"far"}),
        ("institution={institution}", {"resident"}),
        ("sibling_group={group}", {"awaiting", "resident"}),
        ("care_type_needed=emergency", {"awaiting"}),
        ("search=chantha", {"awaiting"}),
        ("search=Chantha Meas", {"awaiting"}),
        ("search=CH-TS", {"awaiting", "resident", "placed", "far"}),
        ("search={reference}", {"resident"}),
        ("search=PR-77", {"far"}),
        ("search=os-5", {"placed"}),
    ],
)
def test_list_filters(client_for, query, expected):
    institution = InstitutionFactory()
    awaiting = ChildFactory(given_name="Chantha", family_name="Meas", care_type_needed="emergency")
    resident = ChildFactory(institution=institution, status="in_residential_care")
    placed = ChildFactory(status="placed", external_ids={"oscar": "OS-55"})
    far = far_child(external_ids={"primero": "PR-77"})
    group = sibling_group_of(awaiting, resident)
    names = {awaiting.pk: "awaiting", resident.pk: "resident", placed.pk: "placed", far.pk: "far"}
    supervisor = client_for(Role.SUPERVISOR, provinces=("02", "17"))
    query = query.format(institution=institution.pk, group=group.pk, reference=resident.reference)
    response = supervisor.get(f"{URL}?{query}")
    assert response.status_code == 200, response.json()
    from uuid import UUID

    assert {names[UUID(r["id"])] for r in response.json()["results"]} == expected


@pytest.mark.parametrize("query", ["status=lost", "institution=abc", "sibling_group=12", "care_type_needed=x"])
def test_bad_filter_values_answer_400_naming_them(client_for, query):
    response = client_for(Role.SUPERVISOR).get(f"{URL}?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


@pytest.mark.parametrize("page_size", [5, 50])
def test_list_runs_a_bounded_number_of_queries(client_for, django_assert_max_num_queries, page_size):
    carers = [CarerFactory() for _ in range(3)]
    for _ in range(55):
        child = ChildFactory()
        KinLink.objects.create(child=child, carer=carers[0], relationship="grandparent")
        CarerExclusion.objects.create(child=child, carer=carers[1], reason="Conflict.")
    client = client_for(Role.PLACEMENT_OFFICER)
    # user's role and provinces, count, page, kin, exclusions, the reads' bulk insert
    with django_assert_max_num_queries(8):
        response = client.get(f"{URL}?page_size={page_size}")
    assert len(response.json()["results"]) == page_size
    assert reads().count() == page_size


def test_social_worker_list_is_bounded_too(client_for, django_assert_max_num_queries):
    worker = client_for(Role.SOCIAL_WORKER)
    for _ in range(20):
        place(ChildFactory(), social_worker=worker.user)
    with django_assert_max_num_queries(8):
        response = worker.get(f"{URL}?page_size=20")
    assert len(response.json()["results"]) == 20
