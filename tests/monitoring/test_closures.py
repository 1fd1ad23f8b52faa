"""POST and GET /api/v1/institutions/{id}/closure/: a closure decision, and where each child went."""

import datetime

import pytest

from register.models import AuditEntry, Child, Institution, StatusEvent
from register.roles import Role
from tests.factories import ChildFactory, InstitutionFactory, commune
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db


def url(institution):
    return f"/api/v1/institutions/{institution.pk}/closure/"


def history(child, *steps):
    before = ""
    for day, status in steps:
        StatusEvent.objects.create(
            kind="child", subject_id=child.pk, from_status=before, to_status=status,
            from_province_id="02" if before else None, to_province_id="02", on=day,
        )  # fmt: skip
        before = status


@pytest.fixture
def closing():
    institution = InstitutionFactory()
    decided = today() - days(10)
    stays = ChildFactory(institution=institution, status="in_residential_care")
    history(stays, (today() - days(100), "in_residential_care"))
    goes_home = ChildFactory(institution=institution, status="awaiting_placement")
    history(goes_home, (today() - days(100), "awaiting_placement"))
    later = ChildFactory(institution=institution, status="in_residential_care")  # arrived after the decision
    history(later, (today() - days(2), "in_residential_care"))
    placed_before = ChildFactory(institution=institution, status="reunified")  # gone before the decision
    history(placed_before, (today() - days(100), "in_residential_care"), (today() - days(50), "reunified"))
    return institution, decided, stays, goes_home


def decide(client, institution, decided, **overrides):
    body = {"decided_on": decided.isoformat(), "target_date": (decided + days(180)).isoformat(), "reason": "Unsafe"}
    return client.post(url(institution), body | overrides, format="json")


def test_a_decision_makes_the_institution_closing_and_keeps_its_children_of_that_day(client_for, closing):
    institution, decided, stays, goes_home = closing
    response = decide(client_for(Role.PLACEMENT_OFFICER), institution, decided)
    assert response.status_code == 201, response.json()
    body = response.json()
    institution.refresh_from_db()
    assert institution.status == Institution.Status.CLOSING
    assert {c["reference"]: c["status_at_decision"] for c in body["children"]} == {
        stays.reference: "in_residential_care",
        goes_home.reference: "awaiting_placement",
    }
    assert body["summary"] == {
        "total": 2, "placed": 0, "reunified": 0, "adopted": 0, "aged_out": 0, "exited": 0, "waiting": 2,
    }  # fmt: skip
    assert body["days_left"] == 170
    assert AuditEntry.objects.filter(model="monitoring.InstitutionClosure", action="create").count() == 1
    assert AuditEntry.objects.filter(model="register.Institution", object_id=str(institution.pk)).exists()


def test_the_closure_follows_each_child_where_they_went(client_for, closing):
    institution, decided, stays, goes_home = closing
    officer = client_for(Role.PLACEMENT_OFFICER)
    decide(officer, institution, decided)
    placement = place([stays], start_date=today() - days(40))  # its 7- and 30-day visits are overdue
    Child.objects.filter(pk=goes_home.pk).update(status="reunified")
    body = officer.get(url(institution)).json()
    assert body["summary"]["placed"] == 1 and body["summary"]["reunified"] == 1 and body["summary"]["waiting"] == 0
    row = next(c for c in body["children"] if c["child"] == str(stays.pk))
    assert (row["status"], row["placement"], row["care_type"], row["visits_overdue"]) == (
        "placed", str(placement.pk), "long_term", 2,
    )  # fmt: skip


def test_a_second_decision_is_a_conflict_and_bad_dates_name_the_field(client_for, closing):
    institution, decided, *_ = closing
    officer = client_for(Role.PLACEMENT_OFFICER)
    bad = decide(officer, institution, decided, target_date=(decided - days(1)).isoformat())
    assert bad.status_code == 400 and "target_date" in bad.json()
    assert decide(officer, institution, decided, decided_on="soon").json().keys() == {"decided_on"}
    assert decide(officer, institution, decided).status_code == 201
    assert decide(officer, institution, decided).status_code == 409


def test_another_provinces_institution_answers_404_and_a_registrar_403(client_for):
    other = InstitutionFactory(commune=commune("120101"))
    officer = client_for(Role.PLACEMENT_OFFICER)
    assert decide(officer, other, datetime.date.today()).status_code == 404
    assert officer.get(url(other)).status_code == 404
    assert Institution.objects.get(pk=other.pk).status == "open"
    assert decide(client_for(Role.REGISTRAR), InstitutionFactory(), datetime.date.today()).status_code == 403


def test_no_closure_yet_answers_404(client_for):
    assert client_for(Role.SUPERVISOR).get(url(InstitutionFactory())).status_code == 404


def test_the_closure_page_shows_the_decision_the_children_and_the_plans(client, closing):
    from tests.factories import make_user

    institution, decided, stays, goes_home = closing
    officer = make_user(Role.PLACEMENT_OFFICER)
    client.force_login(officer)
    assert "No closure was recorded" in client.get(f"/institutions/{institution.pk}/closure/").content.decode()
    from monitoring.services import closure_record

    closure_record(
        actor=officer, institution=institution, decided_on=decided, target_date=decided + days(30), reason="x"
    )
    html = client.get(f"/institutions/{institution.pk}/closure/").content.decode()
    assert 'data-testid="days-left">20<' in html
    assert stays.reference in html and goes_home.reference in html
    assert "No batch plan yet." in html
    other = InstitutionFactory(commune=commune("120101"))
    assert client.get(f"/institutions/{other.pk}/closure/").status_code == 404
