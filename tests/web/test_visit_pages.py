"""The social worker's pages: my visits (today's and overdue ones first) and recording a visit,
through register.services.visits.visit_complete, with its refusals beside their field."""

import datetime
import re

import pytest
from django.urls import reverse

from notifications.models import Kind, Notification
from register.models import Visit
from register.roles import Role
from register.services.placements import placement_create
from tests.factories import CarerFactory, ChildFactory, make_user
from tests.register.placements_factories import today

pytestmark = pytest.mark.django_db

MY_VISITS = reverse("web:my_visits")


@pytest.fixture
def people():
    return {
        "officer": make_user(Role.PLACEMENT_OFFICER),
        "worker": make_user(Role.SOCIAL_WORKER),
        "supervisors": [make_user(Role.SUPERVISOR) for _ in range(2)],
    }


@pytest.fixture
def place(people):
    def make(days_ago: int = 10, *, worker="default"):
        return placement_create(
            actor=people["officer"],
            carer=CarerFactory(),
            children=[ChildFactory()],
            start_date=today() - datetime.timedelta(days=days_ago),
            care_type="long_term",
            social_worker=people["worker"] if worker == "default" else worker,
        )

    return make


def first_visit(placement) -> Visit:
    return placement.visits.order_by("due_date").first()


def record_url(visit) -> str:
    return reverse("web:visit_record", kwargs={"id": visit.pk})


def as_user(client, user):
    client.force_login(user)
    return client


def test_my_visits_puts_overdue_and_todays_first_then_the_coming_ones(client, people, place):
    coming = place(days_ago=3)  # first visit in 4 days
    overdue = place(days_ago=20)  # first visit 13 days overdue
    today_ = place(days_ago=7)  # first visit due today
    someone_elses = place(days_ago=20, worker=make_user(Role.SOCIAL_WORKER))
    html = as_user(client, people["worker"]).get(MY_VISITS).content.decode()
    statuses = re.findall(r'data-testid="my-visit" data-status="(\w+)"', html)
    assert statuses[:2] == ["overdue", "due"] and set(statuses[2:]) == {"scheduled"}
    assert html.index(overdue.carer.reference) < html.index(today_.carer.reference) < html.index(coming.carer.reference)
    assert someone_elses.carer.reference not in html
    assert record_url(first_visit(overdue)) in html
    assert "13 days late" in html


def test_my_visits_is_for_those_who_record_visits(client, people):
    assert as_user(client, people["officer"]).get(MY_VISITS).status_code == 403
    assert as_user(client, make_user(Role.REGISTRAR)).get(MY_VISITS).status_code == 403


def test_the_record_page_offers_three_large_outcomes_and_today(client, people, place):
    visit = first_visit(place(days_ago=10))
    response = as_user(client, people["worker"]).get(record_url(visit))
    assert response.status_code == 200
    html = response.content.decode()
    for outcome in ("settled", "concerns", "urgent"):
        assert f'data-testid="outcome-{outcome}"' in html
    assert f'value="{today().isoformat()}"' in html and 'data-testid="visit-save"' in html


def test_recording_a_visit_completes_it(client, people, place):
    visit = first_visit(place(days_ago=10))
    response = as_user(client, people["worker"]).post(
        record_url(visit), {"visited_on": today().isoformat(), "outcome": "settled", "notes": "Doing well at school."}
    )
    assert response.status_code == 302 and response["Location"] == MY_VISITS
    visit.refresh_from_db()
    assert visit.state == Visit.State.COMPLETED and visit.outcome == "settled"
    assert visit.completed_on == today() and visit.notes == "Doing well at school."
    assert visit.completed_by == people["worker"]
    assert "Visit recorded." in client.get(MY_VISITS).content.decode()


def test_an_urgent_outcome_alerts_the_supervisors_at_once(
    client, people, place, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_WORKING_HOURS = "00:00-24:00"
    visit = first_visit(place(days_ago=10))
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(client, people["worker"]).post(
            record_url(visit), {"visited_on": today().isoformat(), "outcome": "urgent", "notes": "Bruises."}
        )
    assert response.status_code == 302
    alerted = {n.recipient for n in Notification.objects.filter(kind=Kind.VISIT_URGENT)}
    assert alerted == set(people["supervisors"])


def test_a_supervisor_records_a_visit_and_returns_to_the_placement(client, people, place):
    placement = place(days_ago=10)
    response = as_user(client, people["supervisors"][0]).post(
        record_url(first_visit(placement)), {"visited_on": today().isoformat(), "outcome": "concerns"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:placement_detail", kwargs={"id": placement.pk})


@pytest.mark.parametrize(
    ("visited_on", "message"),
    [
        (lambda p: today() + datetime.timedelta(days=1), "The visit date cannot be in the future."),
        (lambda p: p.start_date - datetime.timedelta(days=1), "The visit date cannot be before the placement started"),
        (lambda p: "not a date", "Enter a valid date."),
    ],
)
def test_a_wrong_visit_date_is_shown_beside_the_field(client, people, place, visited_on, message):
    placement = place(days_ago=10)
    visit = first_visit(placement)
    value = visited_on(placement)
    response = as_user(client, people["worker"]).post(
        record_url(visit), {"visited_on": getattr(value, "isoformat", lambda: value)(), "outcome": "settled"}
    )
    assert response.status_code == 400
    assert re.search(rf'<p class="error" id="id_visited_on_error">{re.escape(message)}', response.content.decode())
    visit.refresh_from_db()
    assert visit.state == Visit.State.OPEN


def test_an_outcome_must_be_chosen(client, people, place):
    visit = first_visit(place(days_ago=10))
    response = as_user(client, people["worker"]).post(record_url(visit), {"visited_on": today().isoformat()})
    assert response.status_code == 400
    assert 'id="id_outcome_error">Choose settled, concerns or urgent.' in response.content.decode()


def test_a_visit_already_recorded_cannot_be_recorded_again(client, people, place):
    visit = first_visit(place(days_ago=10))
    as_user(client, people["worker"]).post(record_url(visit), {"visited_on": today().isoformat(), "outcome": "settled"})
    html = client.get(record_url(visit)).content.decode()
    assert 'data-testid="visit-already-recorded"' in html and 'data-testid="visit-save"' not in html
    response = client.post(record_url(visit), {"visited_on": today().isoformat(), "outcome": "urgent"})
    assert response.status_code == 400 and "had already been recorded" in response.content.decode()
    visit.refresh_from_db()
    assert visit.outcome == "settled"
    # What the second visitor saw is kept beside the visit, not lost.
    assert visit.late_records.get().outcome == "urgent"


def test_a_visit_of_someone_elses_placement_is_not_found(client, people, place):
    visit = first_visit(place(days_ago=10, worker=make_user(Role.SOCIAL_WORKER)))
    as_user(client, people["worker"])
    assert client.get(record_url(visit)).status_code == 404
    assert client.post(record_url(visit), {"visited_on": today().isoformat(), "outcome": "settled"}).status_code == 404
    elsewhere = make_user(Role.SUPERVISOR, provinces=("12",))
    assert as_user(client, elsewhere).get(record_url(visit)).status_code == 404
    assert as_user(client, people["officer"]).get(record_url(visit)).status_code == 403
    visit.refresh_from_db()
    assert visit.state == Visit.State.OPEN


def test_the_record_page_costs_the_same_queries_for_one_child_or_three(client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    as_user(client, people["worker"])
    counts = []
    for n in (1, 3):
        placement = placement_create(
            actor=people["officer"],
            carer=CarerFactory(max_children=3),
            children=[ChildFactory() for _ in range(n)],
            start_date=today() - datetime.timedelta(days=10),
            care_type="long_term",
            social_worker=people["worker"],
        )
        url = record_url(first_visit(placement))
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
