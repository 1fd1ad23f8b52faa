"""GET /api/v1/visits/ and /api/v1/visits/{id}/: fields, derived status, filters, scoping, query bounds."""

import pytest

from register.models import Visit
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, first_commune_in, make_user
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db

URL = "/api/v1/visits/"


def results(response):
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def ids(response):
    return {v["id"] for v in results(response)}


@pytest.fixture
def supervisor(client_for):
    return client_for(Role.SUPERVISOR)


def test_a_visit_shows_its_placement_carer_children_and_status(supervisor):
    worker = make_user(Role.SOCIAL_WORKER)
    child = ChildFactory()
    placement = place([child], social_worker=worker, start_date=today() - days(12))
    visit = placement.visits.get(sequence=1)
    data = supervisor.get(f"{URL}{visit.pk}/").json()
    assert data == {
        "id": str(visit.pk),
        "placement": str(placement.pk),
        "carer": str(placement.carer_id),
        "children": [str(child.pk)],
        "sequence": 1,
        "due_date": (today() - days(5)).isoformat(),
        "status": "overdue",
        "days_overdue": 5,
        "social_worker": worker.username,
        "province": "02",
        "completed_on": None,
        "outcome": "",
        "notes": "",
        "recorded_at": None,
        "late_records": [],
        "acknowledged_at": None,
        "acknowledged_by": None,
        "acknowledgement": "",
        "follow_up_of": None,
    }


def test_the_list_is_soonest_due_first(supervisor):
    place(start_date=today() - days(3))
    dues = [v["due_date"] for v in results(supervisor.get(URL, {"page_size": 200}))]
    assert dues == sorted(dues) and len(dues) == 11


def test_filter_by_derived_status(supervisor):
    placement = place(start_date=today() - days(30))  # 7 → 23 days overdue, 30 → due today, 60 → scheduled
    by_seq = {v.sequence: str(v.pk) for v in placement.visits.all()}
    assert ids(supervisor.get(URL, {"status": "overdue"})) == {by_seq[1]}
    assert ids(supervisor.get(URL, {"status": "due"})) == {by_seq[2]}
    assert ids(supervisor.get(URL, {"status": "scheduled", "page_size": 200})) == {by_seq[n] for n in range(3, 12)}
    Visit.objects.filter(pk=by_seq[1]).update(state="missed")
    assert ids(supervisor.get(URL, {"status": "missed"})) == {by_seq[1]}
    assert ids(supervisor.get(URL, {"status": "overdue"})) == set()
    overdue = results(supervisor.get(URL, {"status": "due"}))
    assert overdue[0]["days_overdue"] == 0


def test_other_filters(client_for):
    admin = client_for(Role.NATIONAL_ADMIN)
    worker = make_user(Role.SOCIAL_WORKER, ("12",))
    here = place(start_date=today())
    there = place(
        [ChildFactory(institution=InstitutionFactory(commune=first_commune_in("12")))],
        carer=CarerFactory(commune=first_commune_in("12")),
        social_worker=worker,
        actor=make_user(Role.NATIONAL_ADMIN),
    )
    all_of = lambda p: {str(v.pk) for v in p.visits.all()}  # noqa: E731
    assert ids(admin.get(URL, {"province": "12", "page_size": 200})) == all_of(there)
    assert ids(admin.get(URL, {"social_worker": worker.username, "page_size": 200})) == all_of(there)
    assert ids(admin.get(URL, {"placement": str(here.pk), "page_size": 200})) == all_of(here)
    assert ids(admin.get(URL, {"carer": str(here.carer_id), "page_size": 200})) == all_of(here)
    week = {"due_after": today().isoformat(), "due_before": (today() + days(7)).isoformat()}
    assert ids(admin.get(URL, week)) == {str(here.visits.get(sequence=1).pk), str(there.visits.get(sequence=1).pk)}
    assert ids(admin.get(URL, {"due_before": (today() + days(6)).isoformat()})) == set()


@pytest.mark.parametrize("param", ["status=late", "due_before=soon", "placement=x"])
def test_malformed_filters_answer_400_naming_the_filter(supervisor, param):
    response = supervisor.get(f"{URL}?{param}")
    assert response.status_code == 400 and param.split("=")[0] in response.json()


def test_a_social_worker_sees_only_the_visits_of_their_placements(client_for):
    worker = client_for(Role.SOCIAL_WORKER)
    mine = place(social_worker=worker.user)
    theirs = place(social_worker=make_user(Role.SOCIAL_WORKER))
    assert ids(worker.get(URL, {"page_size": 200})) == {str(v.pk) for v in mine.visits.all()}
    assert worker.get(f"{URL}{theirs.visits.first().pk}/").status_code == 404


def test_another_province_answers_404(client_for):
    placement = place()
    other = client_for(Role.SUPERVISOR, provinces=("12",))
    assert ids(other.get(URL)) == set()
    assert other.get(f"{URL}{placement.visits.first().pk}/").status_code == 404


def test_placement_officers_read_visits_and_registrars_do_not(client_for):
    place()
    assert client_for(Role.PLACEMENT_OFFICER).get(URL).status_code == 200
    assert client_for(Role.REGISTRAR).get(URL).status_code == 403


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_list_takes_a_bounded_number_of_queries(supervisor, django_assert_max_num_queries, page_size):
    for _ in range(6):
        institution = InstitutionFactory()
        place(
            [ChildFactory(institution=institution), ChildFactory(institution=institution)],
            carer=CarerFactory(),
            social_worker=make_user(Role.SOCIAL_WORKER),
            start_date=today() - days(40),
        )
    with django_assert_max_num_queries(6):
        response = supervisor.get(URL, {"page_size": page_size})
    assert len(results(response)) == page_size
