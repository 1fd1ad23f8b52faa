"""GET /api/v1/placements/ and /api/v1/placements/{id}/: filters, scoping, roles, query bounds."""

import pytest

from register.roles import Role
from register.services.placements import placement_end
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, first_commune_in, make_user
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db

URL = "/api/v1/placements/"


def ids(response):
    assert response.status_code == 200, response.json()
    return {p["id"] for p in response.json()["results"]}


@pytest.fixture
def officer(client_for):
    return client_for(Role.PLACEMENT_OFFICER)


def test_list_is_paginated_and_shows_each_placement(officer):
    placement = place()
    data = officer.get(URL).json()
    assert set(data) >= {"results", "next", "previous"}
    assert [p["id"] for p in data["results"]] == [str(placement.pk)]
    assert set(data["results"][0]) >= {
        "id", "carer", "children", "start_date", "care_type", "status", "social_worker", "visits",
        "end_date", "end_reason", "province", "match",
    }  # fmt: skip


def test_retrieve_shows_the_placement(officer):
    placement = place()
    data = officer.get(f"{URL}{placement.pk}/").json()
    assert data["id"] == str(placement.pk)
    assert len(data["visits"]) == 11


def test_another_provinces_placement_answers_404(client_for):
    placement = place(carer=CarerFactory(commune=first_commune_in("12")), children=[ChildFactory()])
    officer = client_for(Role.PLACEMENT_OFFICER, provinces=("02",))
    assert officer.get(f"{URL}{placement.pk}/").status_code == 404
    assert ids(officer.get(URL)) == set()
    assert client_for(Role.NATIONAL_ADMIN).get(f"{URL}{placement.pk}/").status_code == 200


def test_an_unknown_or_malformed_id_answers_404(officer):
    assert officer.get(f"{URL}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert officer.get(f"{URL}nope/").status_code == 404


def test_registrars_cannot_read_placements(client_for):
    place()
    assert client_for(Role.REGISTRAR).get(URL).status_code == 403


def test_a_social_worker_sees_only_the_placements_they_follow(client_for):
    worker = client_for(Role.SOCIAL_WORKER)
    mine = place(social_worker=worker.user)
    theirs = place(social_worker=make_user(Role.SOCIAL_WORKER))
    unassigned = place()
    assert ids(worker.get(URL)) == {str(mine.pk)}
    assert worker.get(f"{URL}{theirs.pk}/").status_code == 404
    assert worker.get(f"{URL}{unassigned.pk}/").status_code == 404
    assert worker.get(f"{URL}{mine.pk}/").status_code == 200


def test_supervisors_see_every_placement_of_their_province(client_for):
    a, b = place(social_worker=make_user(Role.SOCIAL_WORKER)), place()
    place(carer=CarerFactory(commune=first_commune_in("12")), children=[ChildFactory()])
    assert ids(client_for(Role.SUPERVISOR).get(URL)) == {str(a.pk), str(b.pk)}


def test_filters(officer):
    worker = make_user(Role.SOCIAL_WORKER)
    carer = CarerFactory(max_children=3)
    child = ChildFactory()
    old = place([child], carer=carer, start_date=today() - days(100), social_worker=worker)
    placement_end(actor=officer.user, placement=old, end_date=today() - days(50), reason="breakdown")
    new = place([ChildFactory()], carer=carer, start_date=today() - days(10))
    elsewhere = place([ChildFactory()], start_date=today())
    assert ids(officer.get(URL, {"status": "ended"})) == {str(old.pk)}
    assert ids(officer.get(URL, {"status": "active"})) == {str(new.pk), str(elsewhere.pk)}
    assert ids(officer.get(URL, {"carer": str(carer.pk)})) == {str(old.pk), str(new.pk)}
    assert ids(officer.get(URL, {"child": str(child.pk)})) == {str(old.pk)}
    assert ids(officer.get(URL, {"social_worker": worker.username})) == {str(old.pk)}
    assert ids(officer.get(URL, {"province": "02"})) == {str(old.pk), str(new.pk), str(elsewhere.pk)}
    assert ids(officer.get(URL, {"province": "12"})) == set()
    assert ids(officer.get(URL, {"start_before": (today() - days(10)).isoformat()})) == {str(old.pk), str(new.pk)}
    assert ids(officer.get(URL, {"start_after": (today() - days(10)).isoformat()})) == {str(new.pk), str(elsewhere.pk)}


@pytest.mark.parametrize("param", ["status=gone", "carer=nope", "start_before=tomorrow", "child=1"])
def test_malformed_filters_answer_400_naming_the_filter(officer, param):
    response = officer.get(f"{URL}?{param}")
    assert response.status_code == 400
    assert param.split("=")[0] in response.json()


def test_newest_start_first(officer):
    older = place(start_date=today() - days(20))
    newer = place(start_date=today() - days(2))
    assert [p["id"] for p in officer.get(URL).json()["results"]] == [str(newer.pk), str(older.pk)]


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_list_takes_a_bounded_number_of_queries(client_for, django_assert_max_num_queries, page_size):
    officer = client_for(Role.SUPERVISOR)
    for _ in range(12):
        carer = CarerFactory(max_children=3)
        institution = InstitutionFactory()
        place(
            [ChildFactory(institution=institution), ChildFactory(institution=institution)],
            carer=carer,
            social_worker=make_user(Role.SOCIAL_WORKER),
            start_date=today() - days(40),
        )
    with django_assert_max_num_queries(8):
        response = officer.get(URL, {"page_size": page_size})
    assert len(response.json()["results"]) == min(page_size, 12)
