"""POST /api/v1/visits/{id}/acknowledge/: a supervisor says what was done about an urgent outcome."""

import threading

import pytest
from django.db import connection

from register.models import AuditEntry, Visit
from register.roles import Role
from register.services.placements import placement_end
from register.services.visits import visit_acknowledge, visit_complete
from tests.factories import make_user
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db


def url(visit):
    return f"/api/v1/visits/{visit.pk}/acknowledge/"


@pytest.fixture
def urgent():
    worker = make_user(Role.SOCIAL_WORKER)
    placement = place(social_worker=worker, start_date=today() - days(10))
    visit = placement.visits.get(sequence=1)
    visit_complete(actor=worker, visit=visit, visited_on=today(), outcome="urgent", notes="Burn on the arm.")
    return visit


def queue(client):
    return client.get("/api/v1/follow-up-queue/").json()


def test_a_supervisor_acknowledges_and_the_queue_lets_it_go(client_for, urgent):
    supervisor = client_for(Role.SUPERVISOR)
    before = queue(supervisor)
    assert before["counts"]["urgent_unacknowledged"] == 1
    assert before["results"][0]["id"] == str(urgent.pk)

    response = supervisor.post(url(urgent), {"action": "Called the family; the nurse visits today."}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["acknowledged_by"] == supervisor.user.username and body["acknowledged_at"]
    assert body["acknowledgement"] == "Called the family; the nurse visits today."
    assert AuditEntry.objects.filter(model="register.Visit", object_id=str(urgent.pk), action="update").count() == 2

    after = queue(supervisor)
    assert after["counts"]["urgent_unacknowledged"] == 0
    assert str(urgent.pk) not in [row["id"] for row in after["results"]]


def test_an_unacknowledged_urgent_outcome_stays_in_the_queue_past_a_week(client_for, urgent):
    Visit.objects.filter(pk=urgent.pk).update(completed_on=today() - days(9))
    assert queue(client_for(Role.SUPERVISOR))["counts"]["urgent_unacknowledged"] == 1


def test_an_extra_visit_is_scheduled_when_a_date_is_given(client_for, urgent):
    supervisor = client_for(Role.SUPERVISOR)
    on = today() + days(2)
    response = supervisor.post(
        url(urgent), {"action": "Visit again soon.", "next_visit_on": on.isoformat()}, format="json"
    )
    assert response.status_code == 200
    extra = Visit.objects.get(follow_up_of=urgent)
    assert extra.due_date == on and extra.state == "open" and extra.placement_id == urgent.placement_id
    assert AuditEntry.objects.filter(model="register.Visit", object_id=str(extra.pk), action="create").exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "action"),
        ({"action": "   "}, "action"),
        ({"action": "ok", "next_visit_on": "2026-02-30"}, "next_visit_on"),
        ({"action": "ok", "next_visit_on": "2001-01-01"}, "next_visit_on"),
    ],
)
def test_bad_input_is_refused_naming_the_field(client_for, urgent, data, field):
    response = client_for(Role.SUPERVISOR).post(url(urgent), data, format="json")
    assert response.status_code == 400 and field in response.json()
    urgent.refresh_from_db()
    assert urgent.acknowledged_at is None


def test_a_second_acknowledgement_is_refused(client_for, urgent):
    first, second = client_for(Role.SUPERVISOR), client_for(Role.SUPERVISOR)
    assert first.post(url(urgent), {"action": "Done."}, format="json").status_code == 200
    response = second.post(url(urgent), {"action": "Me too."}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "visit_already_acknowledged"
    urgent.refresh_from_db()
    assert urgent.acknowledged_by == first.user and urgent.acknowledgement == "Done."


def test_only_an_urgent_outcome_is_acknowledged(client_for):
    visit = place(start_date=today() - days(10)).visits.get(sequence=1)
    response = client_for(Role.SUPERVISOR).post(url(visit), {"action": "Done."}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_transition"


def test_no_extra_visit_for_an_ended_placement(client_for, urgent):
    supervisor = client_for(Role.SUPERVISOR)
    placement_end(actor=supervisor.user, placement=urgent.placement, end_date=today(), reason="moved")
    body = {"action": "Done.", "next_visit_on": (today() + days(1)).isoformat()}
    response = supervisor.post(url(urgent), body, format="json")
    assert response.status_code == 409 and response.json()["code"] == "placement_ended"
    assert not Visit.objects.filter(follow_up_of=urgent).exists()


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.PLACEMENT_OFFICER, Role.REGISTRAR])
def test_other_roles_get_403(client_for, urgent, role):
    assert client_for(role).post(url(urgent), {"action": "Done."}, format="json").status_code == 403


def test_a_supervisor_of_another_province_gets_404(client_for, urgent):
    response = client_for(Role.SUPERVISOR, provinces=("12",)).post(url(urgent), {"action": "x"}, format="json")
    assert response.status_code == 404
    urgent.refresh_from_db()
    assert urgent.acknowledged_at is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_supervisors_at_once_one_wins():
    from tests.support import restore_reference_data

    restore_reference_data()
    worker = make_user(Role.SOCIAL_WORKER)
    visit = place(social_worker=worker, start_date=today() - days(10)).visits.get(sequence=1)
    visit_complete(actor=worker, visit=visit, visited_on=today(), outcome="urgent")
    supervisors = [make_user(Role.SUPERVISOR) for _ in range(4)]
    results, barrier = [], threading.Barrier(len(supervisors))

    def act(user):
        barrier.wait()
        try:
            visit_acknowledge(actor=user, visit=visit, action=f"by {user.username}", next_visit_on=today())
            results.append("ok")
        except Exception as exc:
            results.append(getattr(exc, "code", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(u,)) for u in supervisors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok"] + ["visit_already_acknowledged"] * 3
    assert Visit.objects.filter(follow_up_of=visit).count() == 1
