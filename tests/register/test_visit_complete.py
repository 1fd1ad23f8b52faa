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


@pytest.mark.parametrize("state", ["missed", "cancelled"])
def test_only_an_open_visit_can_be_completed(worker, placement, state):
    visit = first_visit(placement)
    Visit.objects.filter(pk=visit.pk).update(state=state)
    response = complete(worker, visit, outcome="urgent")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_transition"
    visit.refresh_from_db()
    assert visit.state == state and not visit.late_records.exists()


def test_a_visit_completed_meanwhile_answers_409_and_keeps_the_late_record(worker, placement):
    visit = first_visit(placement)
    Visit.objects.filter(pk=visit.pk).update(state="completed", completed_on=today(), outcome="settled")
    response = complete(worker, visit, outcome="urgent", notes="Bruises on the arm.")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "visit_already_completed" and body["late_record"]
    visit.refresh_from_db()
    assert (visit.state, visit.outcome) == ("completed", "settled")  # the first completion stands
    (late,) = visit.late_records.all()
    assert (late.outcome, late.notes, late.reason) == ("urgent", "Bruises on the arm.", "visit_already_completed")
    assert str(late.pk) == body["late_record"]
    assert AuditEntry.objects.filter(model="register.VisitLateRecord", object_id=str(late.pk), action="create").exists()
    shown = worker.get(f"/api/v1/visits/{visit.pk}/").json()["late_records"]
    assert [r["notes"] for r in shown] == ["Bruises on the arm."]


def test_visits_of_an_ended_placement_answer_409_placement_ended_and_keep_the_record(worker, placement):
    placement_end(actor=worker.user, placement=placement, end_date=today(), reason="reunified")
    visit = placement.visits.get(sequence=2)
    response = complete(worker, visit)
    assert response.status_code == 409 and response.json()["code"] == "placement_ended"
    visit.refresh_from_db()
    assert visit.state == "cancelled"
    assert visit.late_records.get().reason == "placement_ended"


def test_the_same_client_id_twice_writes_once(worker, placement):
    visit = first_visit(placement)
    body = {
        "visited_on": today().isoformat(),
        "outcome": "concerns",
        "notes": "Recorded offline.",
        "client_id": "6f1c1f3e-8a51-4c59-9a53-0a6a3c2f9b11",
        "recorded_at": "2026-01-05T09:30:00+07:00",
    }
    first = worker.post(url(visit), body, format="json")
    entries = AuditEntry.objects.count()
    again = worker.post(url(visit), body, format="json")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert AuditEntry.objects.count() == entries  # nothing written the second time
    visit.refresh_from_db()
    assert str(visit.client_id) == body["client_id"] and visit.recorded_at is not None
    assert not visit.late_records.exists()


def test_a_late_record_sent_again_is_kept_once(worker, placement):
    visit = first_visit(placement)
    Visit.objects.filter(pk=visit.pk).update(state="completed", completed_on=today(), outcome="settled")
    body = {
        "visited_on": today().isoformat(),
        "outcome": "settled",
        "client_id": "0b7f7a4e-55c2-4a4e-8f0e-3c1d2b9a8e77",
    }
    first = worker.post(url(visit), body, format="json")
    again = worker.post(url(visit), body, format="json")
    assert first.status_code == again.status_code == 409
    assert first.json() == again.json()
    assert visit.late_records.count() == 1


def test_a_client_id_of_another_visit_is_refused_naming_it(worker, placement):
    body = {
        "visited_on": today().isoformat(),
        "outcome": "settled",
        "client_id": "1d5a0a8e-7f8b-4b0b-9b7e-2a0c9d5e6f10",
    }
    assert worker.post(url(first_visit(placement)), body, format="json").status_code == 200
    response = worker.post(url(placement.visits.get(sequence=2)), body, format="json")
    assert response.status_code == 400 and "client_id" in response.json()
    assert placement.visits.get(sequence=2).state == "open"


@pytest.mark.parametrize("field, value", [("client_id", "not-a-uuid"), ("recorded_at", "yesterday")])
def test_a_malformed_phone_field_is_refused_naming_it(worker, placement, field, value):
    body = {"visited_on": today().isoformat(), "outcome": "settled", field: value}
    response = worker.post(url(first_visit(placement)), body, format="json")
    assert response.status_code == 400 and field in response.json()


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
