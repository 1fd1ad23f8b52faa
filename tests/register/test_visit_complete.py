"""POST /api/v1/visits/{id}/complete/ and register.services.visits.visit_complete."""

import pytest
from django.core.exceptions import PermissionDenied

from register.models import AuditEntry, Visit
from register.roles import Role
from register.services.placements import placement_end
from register.services.visits import visit_complete
from tests.factories import CarerFactory, ChildFactory, first_commune_in, make_user
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db


def url(visit):
    return f"/api/v1/visits/{visit.pk}/complete/"


@pytest.fixture
def worker(client_for):
    return client_for(Role.SOCIAL_WORKER)


@pytest.fixture
def placement(worker):
    return place(social_worker=worker.user, start_date=today() - days(10))


def first_visit(placement):
    return placement.visits.get(sequence=1)


def complete(client, visit, visited_on=None, outcome="settled", notes="All well at home."):
    return client.post(
        url(visit),
        {"visited_on": (visited_on or today()).isoformat(), "outcome": outcome, "notes": notes},
        format="json",
    )


def test_the_placements_social_worker_completes_a_visit(worker, placement):
    visit = first_visit(placement)
    response = complete(worker, visit, today() - days(1), "concerns", "Child not at school this week.")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "completed"
    assert data["completed_on"] == (today() - days(1)).isoformat()
    assert data["outcome"] == "concerns"
    assert data["notes"] == "Child not at school this week."
    assert data["days_overdue"] == 0
    visit.refresh_from_db()
    assert visit.state == Visit.State.COMPLETED and visit.completed_by == worker.user


def test_a_visit_may_be_made_before_it_falls_due(worker, placement):
    visit = placement.visits.get(sequence=2)  # due in 20 days
    assert complete(worker, visit).status_code == 200


def test_notes_are_optional(worker, placement):
    response = worker.post(url(first_visit(placement)), {"visited_on": today().isoformat(), "outcome": "settled"})
    assert response.status_code == 200
    assert response.json()["notes"] == ""


def test_completion_is_audited(worker, placement):
    visit = first_visit(placement)
    complete(worker, visit, outcome="urgent")
    entry = AuditEntry.objects.get(model="register.Visit", object_id=str(visit.pk), action="update")
    assert entry.actor == worker.user and entry.province == "02"
    assert entry.changes["state"] == ["open", "completed"]
    assert entry.changes["outcome"] == ["", "urgent"]


@pytest.mark.parametrize("state", ["completed", "missed", "cancelled"])
def test_only_an_open_visit_can_be_completed(worker, placement, state):
    visit = first_visit(placement)
    Visit.objects.filter(pk=visit.pk).update(
        state=state,
        completed_on=today() if state == "completed" else None,
        outcome="settled" if state == "completed" else "",
    )
    response = complete(worker, visit, outcome="urgent")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_transition"
    visit.refresh_from_db()
    assert visit.state == state


def test_visits_of_an_ended_placement_cannot_be_completed(worker, placement):
    placement_end(actor=worker.user, placement=placement, end_date=today(), reason="reunified")
    response = complete(worker, placement.visits.get(sequence=2))
    assert response.status_code == 400 and response.json()["code"] == "invalid_transition"


def test_a_visit_date_in_the_future_is_refused(worker, placement):
    response = complete(worker, first_visit(placement), today() + days(1))
    assert response.status_code == 400 and "visited_on" in response.json()
    assert first_visit(placement).state == "open"


def test_a_visit_date_before_the_placement_started_is_refused(worker, placement):
    response = complete(worker, first_visit(placement), placement.start_date - days(1))
    assert response.status_code == 400 and "visited_on" in response.json()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"outcome": "settled"}, "visited_on"),
        ({"visited_on": "2026-02-30", "outcome": "settled"}, "visited_on"),
        ({"visited_on": "2026-01-01"}, "outcome"),
        ({"visited_on": "2026-01-01", "outcome": "fine"}, "outcome"),
        ({"visited_on": "2026-01-01", "outcome": "settled", "notes": ["a"]}, "notes"),
    ],
)
def test_malformed_input_is_refused_naming_the_field(worker, placement, data, field):
    response = worker.post(url(first_visit(placement)), data, format="json")
    assert response.status_code == 400 and field in response.json()


def test_another_social_worker_gets_404(client_for, placement):
    other = client_for(Role.SOCIAL_WORKER)
    assert complete(other, first_visit(placement)).status_code == 404
    assert first_visit(placement).state == "open"


def test_the_service_refuses_another_social_worker_too(placement):
    with pytest.raises(PermissionDenied):
        visit_complete(
            actor=make_user(Role.SOCIAL_WORKER), visit=first_visit(placement), visited_on=today(), outcome="settled"
        )


def test_a_supervisor_of_the_province_may_complete(client_for, placement):
    assert complete(client_for(Role.SUPERVISOR), first_visit(placement)).status_code == 200


def test_a_national_admin_may_complete(client_for, placement):
    assert complete(client_for(Role.NATIONAL_ADMIN), first_visit(placement)).status_code == 200


def test_a_supervisor_of_another_province_gets_404(client_for, placement):
    assert complete(client_for(Role.SUPERVISOR, provinces=("12",)), first_visit(placement)).status_code == 404


@pytest.mark.parametrize("role", [Role.PLACEMENT_OFFICER, Role.REGISTRAR])
def test_other_roles_get_403(client_for, placement, role):
    assert complete(client_for(role), first_visit(placement)).status_code == 403


def test_a_visit_of_a_placement_elsewhere_is_not_found(client_for):
    visit = first_visit(place([ChildFactory()], carer=CarerFactory(commune=first_commune_in("12"))))
    assert complete(client_for(Role.SUPERVISOR), visit).status_code == 404
