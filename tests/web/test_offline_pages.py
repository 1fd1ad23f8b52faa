"""The social workers' installable app (manifest, service worker, favicon, the session check before
sending) and the pages of issue 16: children by given name and age, a visit sent by the page's
script, an urgent outcome acknowledged, its notes in the supervisor's notification."""

import json
import uuid

import pytest
from django.core.management import call_command

from register.models import AuditEntry, Visit
from register.roles import Role
from register.services.visits import visit_complete
from tests.factories import ChildFactory, make_user
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(client):
    user = make_user(Role.SOCIAL_WORKER)
    client.force_login(user)
    return user


def test_the_manifest_opens_my_visits_with_our_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    body = json.loads(response.content)
    assert body["start_url"] == "/visits/" and body["display"] == "standalone"
    assert {icon["sizes"] for icon in body["icons"]} >= {"192x192", "512x512"}
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_manifest_follows_the_language(client):
    body = json.loads(client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="km").content)
    assert body["lang"] == "km"


def test_the_service_worker_is_served_from_the_root_and_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert "importScripts(" in script and "/static/web/outbox.js" in script
    assert "{{" not in script and "{%" not in script


def test_the_favicon_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and "icon-32" in response["Location"]


def test_the_session_check_says_who_and_gives_a_token(client, worker):
    body = client.get("/offline/session/").json()
    assert body["authenticated"] and body["username"] == worker.username and body["csrf_token"]


def test_the_session_check_answers_401_when_logged_out(client):
    response = client.get("/offline/session/")
    assert response.status_code == 401 and response.json() == {"authenticated": False}


def test_only_social_workers_pages_register_the_service_worker(client, worker):
    html = client.get("/visits/").content.decode()
    assert f'<meta name="offline-user" content="{worker.username}">' in html
    client.force_login(make_user(Role.SUPERVISOR))
    home = client.get("/", follow=True)
    assert home.status_code == 200 and 'name="offline-user"' not in home.content.decode()


def test_my_visits_names_the_children_by_given_name_and_age_and_logs_the_read(client, worker):
    child = ChildFactory(given_name="Sreypov", date_of_birth=today() - days(365 * 9 + 10))
    place([child], social_worker=worker, start_date=today() - days(10))
    html = client.get("/visits/").content.decode()
    assert "Sreypov, 9 years old" in html
    assert child.family_name not in html
    assert AuditEntry.objects.filter(action="read", model="register.Child", object_id=str(child.pk)).exists()


def test_the_page_script_gets_204_and_the_client_id_is_kept(client, worker):
    visit = place(social_worker=worker, start_date=today() - days(10)).visits.get(sequence=1)
    client_id = str(uuid.uuid4())
    data = {"visited_on": today().isoformat(), "outcome": "settled", "client_id": client_id}
    url = f"/visits/{visit.pk}/record/"
    response = client.post(url, data, HTTP_X_VISIT_FORM="fetch")
    assert response.status_code == 204
    again = client.post(url, data, HTTP_X_VISIT_FORM="fetch")
    assert again.status_code == 204  # the same record a second time: nothing written twice
    visit.refresh_from_db()
    assert str(visit.client_id) == client_id and not visit.late_records.exists()
    assert AuditEntry.objects.filter(model="register.Visit", object_id=str(visit.pk), action="update").count() == 1


@pytest.fixture
def urgent(worker):
    visit = place(social_worker=worker, start_date=today() - days(10)).visits.get(sequence=1)
    visit_complete(actor=worker, visit=visit, visited_on=today(), outcome="urgent", notes="Burn on the left arm.")
    return visit


def test_a_supervisor_acknowledges_on_the_visits_page(client, urgent):
    supervisor = make_user(Role.SUPERVISOR)
    client.force_login(supervisor)
    page = client.get(f"/visits/{urgent.pk}/record/").content.decode()
    assert 'data-testid="acknowledge-form"' in page and "Burn on the left arm." in page
    response = client.post(
        f"/visits/{urgent.pk}/acknowledge/", {"action": "Nurse sent.", "next_visit_on": today().isoformat()}
    )
    assert response.status_code == 302
    urgent.refresh_from_db()
    assert urgent.acknowledged_by == supervisor and urgent.acknowledgement == "Nurse sent."
    assert Visit.objects.filter(follow_up_of=urgent, due_date=today()).exists()
    page = client.get(f"/visits/{urgent.pk}/record/").content.decode()
    assert 'data-testid="acknowledge-form"' not in page and 'data-testid="visit-acknowledged"' in page


def test_an_empty_acknowledgement_is_refused_beside_its_field(client, urgent):
    client.force_login(make_user(Role.SUPERVISOR))
    response = client.post(f"/visits/{urgent.pk}/acknowledge/", {"action": ""})
    assert response.status_code == 400 and 'data-testid="acknowledge-form"' in response.content.decode()
    urgent.refresh_from_db()
    assert urgent.acknowledged_at is None


def test_a_social_worker_cannot_acknowledge(client, worker, urgent):
    assert client.post(f"/visits/{urgent.pk}/acknowledge/", {"action": "x"}).status_code == 403


def test_the_urgent_notification_opens_the_visit_and_shows_the_notes(client, worker, settings):
    settings.REMINDER_WORKING_HOURS = "00:00-24:00"
    supervisor = make_user(Role.SUPERVISOR)
    visit = place(social_worker=worker, start_date=today() - days(10)).visits.get(sequence=1)
    visit_complete(actor=worker, visit=visit, visited_on=today(), outcome="urgent", notes="Burn on the left arm.")
    call_command("run_reminder_sweep")
    client.force_login(supervisor)
    html = client.get("/notifications/").content.decode()
    assert 'data-testid="notification-notes"' in html and "Burn on the left arm." in html
    assert f"/visits/{visit.pk}/record/" in html
