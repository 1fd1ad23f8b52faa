"""POST /api/v1/placements/{id}/end/ and register.services.placements.placement_end."""

import pytest

from register.models import AuditEntry, Child, Placement, PlacementChild, Visit
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, first_commune_in, make_user
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db


def url(placement):
    return f"/api/v1/placements/{placement.pk}/end/"


@pytest.fixture
def officer(client_for):
    return client_for(Role.PLACEMENT_OFFICER)


def end(client, placement, reason="reunified", end_date=None):
    return client.post(url(placement), {"end_date": (end_date or today()).isoformat(), "reason": reason}, format="json")


def states(placement):
    return [(v.due_date, v.state) for v in placement.visits.order_by("sequence")]


def test_ending_answers_200_with_the_ended_placement(officer):
    placement = place()
    response = end(officer, placement, "adopted")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "ended"
    assert data["end_date"] == today().isoformat()
    assert data["end_reason"] == "adopted"
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ENDED
    assert not PlacementChild.objects.filter(placement=placement, active=True).exists()


def test_future_visits_are_cancelled_and_open_past_visits_missed(officer):
    placement = place(start_date=today() - days(45))  # visits due 38 and 15 days ago, then ahead
    first = placement.visits.get(sequence=1)
    first.state, first.completed_on, first.outcome = Visit.State.COMPLETED, today() - days(37), "settled"
    first.save()
    end(officer, placement, "moved")
    got = [state for _due, state in states(placement)]
    assert got[:3] == ["completed", "missed", "cancelled"]
    assert set(got[2:]) == {"cancelled"}
    assert not placement.visits.filter(state=Visit.State.OPEN).exists()


def test_a_backdated_end_cancels_the_visits_due_after_it(officer):
    placement = place(start_date=today() - days(45))
    end(officer, placement, "breakdown", end_date=today() - days(20))  # visit 1 (38 days ago) before it
    assert [state for _due, state in states(placement)][:2] == ["missed", "cancelled"]


def test_visits_show_as_cancelled_and_missed_in_the_api(officer):
    placement = place(start_date=today() - days(10))
    data = end(officer, placement, "other").json()
    assert [v["status"] for v in data["visits"][:2]] == ["missed", "cancelled"]
    assert all(v["days_overdue"] == 0 for v in data["visits"])


@pytest.mark.parametrize(
    "reason, status",
    [
        ("reunified", "reunified"),
        ("adopted", "adopted"),
        ("aged_out", "aged_out"),
        ("breakdown", "awaiting_placement"),
        ("moved", "awaiting_placement"),
        ("other", "awaiting_placement"),
    ],
)
def test_the_childrens_status_follows_the_reason(officer, reason, status):
    children = [ChildFactory(), ChildFactory()]
    placement = place(children)
    assert end(officer, placement, reason).status_code == 200
    assert {c.status for c in Child.objects.filter(pk__in=[c.pk for c in children])} == {status}


def test_a_child_back_from_a_family_elsewhere_is_in_their_institutions_province_again(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER, provinces=("02", "12"))
    child = ChildFactory(institution=InstitutionFactory(commune=first_commune_in("12")))
    placement = place([child], carer=CarerFactory())  # a family in 02
    child.refresh_from_db()
    assert child.province_id == "02"
    end(officer, placement, "breakdown")
    child.refresh_from_db()
    assert child.province_id == "12"


def test_a_reunified_child_is_in_their_home_communes_province(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER, provinces=("02",))
    child = ChildFactory(home_commune=first_commune_in("17"))
    placement = place([child])
    end(officer, placement, "reunified")
    child.refresh_from_db()
    assert child.province_id == "17"


def test_a_child_without_institution_returns_to_their_home_communes_province(officer):
    child = ChildFactory(institution=None, home_commune=first_commune_in("02"))
    placement = place([child], carer=CarerFactory(commune=first_commune_in("02")))
    end(officer, placement, "moved")
    child.refresh_from_db()
    assert child.province_id == "02" and child.status == "awaiting_placement"


def test_an_ended_placement_cannot_be_ended_again(officer):
    placement = place()
    end(officer, placement)
    response = end(officer, placement, "adopted")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_transition"
    placement.refresh_from_db()
    assert placement.end_reason == "reunified"


def test_an_end_date_in_the_future_is_refused(officer):
    placement = place()
    response = end(officer, placement, end_date=today() + days(1))
    assert response.status_code == 400 and "end_date" in response.json()
    placement.refresh_from_db()
    assert placement.status == "active"


def test_an_end_date_before_the_start_is_refused(officer):
    placement = place(start_date=today() - days(5))
    response = end(officer, placement, end_date=today() - days(6))
    assert response.status_code == 400 and "end_date" in response.json()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"end_date": "2026-01-01"}, "reason"),
        ({"reason": "adopted"}, "end_date"),
        ({"end_date": "yesterday", "reason": "adopted"}, "end_date"),
        ({"end_date": "2026-01-01", "reason": "ran_away"}, "reason"),
    ],
)
def test_malformed_input_is_refused_naming_the_field(officer, data, field):
    placement = place()
    response = officer.post(url(placement), data, format="json")
    assert response.status_code == 400 and field in response.json()


def test_ending_is_audited(officer):
    placement = place(start_date=today() - days(10))
    end(officer, placement, "moved")
    entry = AuditEntry.objects.get(model="register.Placement", object_id=str(placement.pk), action="update")
    assert entry.changes["status"] == ["active", "ended"]
    assert entry.actor == officer.user
    assert AuditEntry.objects.filter(model="register.Visit", action="update").count() == placement.visits.count()
    assert AuditEntry.objects.filter(model="register.Child", action="update").count() == 2  # placed, then back


def test_a_placement_of_another_province_answers_404(client_for):
    placement = place()
    other = client_for(Role.PLACEMENT_OFFICER, provinces=("12",))
    assert end(other, placement).status_code == 404
    assert end(other, type("P", (), {"pk": "not-a-uuid"})()).status_code == 404


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.REGISTRAR])
def test_roles_without_the_capability_cannot_end(client_for, role):
    client = client_for(role)
    worker = client.user if role == Role.SOCIAL_WORKER else make_user(Role.SOCIAL_WORKER)
    placement = place(social_worker=worker)
    assert end(client, placement).status_code == 403
    placement.refresh_from_db()
    assert placement.status == "active"
