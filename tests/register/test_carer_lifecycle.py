"""POST /api/v1/carers/{id}/status/ and /review/: the lifecycle, approval requirements, the yearly review."""

import datetime

import pytest

from register.errors import DomainError
from register.models import AuditEntry, Carer, CarerStatusChange, TrainingModule
from register.roles import Role
from register.selectors.carers import carer_approval_missing
from register.services.carers import add_years, carer_set_status
from tests.factories import CarerFactory
from tests.register.carers_factories import (
    CarerCheckFactory,
    CarerTrainingFactory,
    meet_requirements,
    unapproved_carer,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today
ALL_MISSING = ["home_assessment", "police_clearance", "health_check", "reference", "core_training"]


def move(api, carer, status, reason=""):
    return api.post(f"/api/v1/carers/{carer.pk}/status/", {"status": status, "reason": reason}, format="json")


def test_full_lifecycle_from_enquiry_to_approval(client_for):
    api = client_for(Role.REGISTRAR)
    carer = unapproved_carer(status="enquiry")
    assert move(api, carer, "assessment").json()["status"] == "assessment"
    assert move(api, carer, "training").json()["status"] == "training"
    meet_requirements(carer)
    response = move(api, carer, "approved", "All checks passed.")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "approved"
    assert body["approved_on"] == TODAY().isoformat()
    assert body["review_due"] == add_years(TODAY(), 1).isoformat()
    assert body["approval_missing"] == []
    history = list(CarerStatusChange.objects.filter(carer=carer).order_by("changed_at", "id"))
    assert [(h.from_status, h.to_status) for h in history] == [
        ("enquiry", "assessment"),
        ("assessment", "training"),
        ("training", "approved"),
    ]
    assert history[-1].reason == "All checks passed." and history[-1].changed_by == api.user
    assert [h["to_status"] for h in body["status_history"]] == ["approved", "training", "assessment"]


def test_every_status_change_is_audited(client_for):
    api = client_for(Role.REGISTRAR)
    carer = meet_requirements(unapproved_carer())
    move(api, carer, "approved", "ok")
    entry = AuditEntry.objects.get(model="register.Carer", object_id=str(carer.pk), action="update")
    assert entry.actor == api.user
    assert entry.changes["status"] == ["training", "approved"]
    assert entry.changes["approved_on"] == [None, TODAY().isoformat()]
    assert entry.changes["reason"] == [None, "ok"]


def test_approval_without_anything_names_every_missing_requirement(client_for):
    carer = unapproved_carer()
    response = move(client_for(Role.REGISTRAR), carer, "approved")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "approval_requirements_missing"
    assert body["missing"] == ALL_MISSING
    assert body["detail"]
    carer.refresh_from_db()
    assert carer.status == "training" and carer.approved_on is None
    assert not CarerStatusChange.objects.filter(carer=carer).exists()
    assert not AuditEntry.objects.filter(model="register.Carer").exists()


@pytest.mark.parametrize("requirement", ALL_MISSING)
def test_each_missing_requirement_is_named_alone(client_for, requirement):
    carer = meet_requirements(unapproved_carer(), skip=(requirement,))
    response = move(client_for(Role.REGISTRAR), carer, "approved")
    assert response.status_code == 400
    assert response.json()["missing"] == [requirement]


def test_one_passed_reference_is_not_enough(client_for):
    carer = meet_requirements(unapproved_carer(), skip=("reference",))
    CarerCheckFactory(carer=carer, kind="reference")
    CarerCheckFactory(carer=carer, kind="reference", result="failed")
    CarerCheckFactory(carer=carer, kind="reference", result="pending")
    assert move(client_for(Role.REGISTRAR), carer, "approved").json()["missing"] == ["reference"]
    CarerCheckFactory(carer=carer, kind="reference")
    assert move(client_for(Role.REGISTRAR), carer, "approved").status_code == 200


def test_failed_and_pending_checks_do_not_count(client_for):
    carer = meet_requirements(unapproved_carer(), skip=("police_clearance", "health_check"))
    CarerCheckFactory(carer=carer, kind="police_clearance", result="failed")
    CarerCheckFactory(carer=carer, kind="health_check", result="pending")
    assert move(client_for(Role.REGISTRAR), carer, "approved").json()["missing"] == [
        "police_clearance",
        "health_check",
    ]


def test_expired_checks_do_not_count_but_one_expiring_today_does(client_for):
    carer = meet_requirements(unapproved_carer(), skip=("police_clearance", "health_check"))
    CarerCheckFactory(
        carer=carer,
        kind="police_clearance",
        checked_on=TODAY() - datetime.timedelta(days=400),
        expires_on=TODAY() - datetime.timedelta(days=1),
    )
    CarerCheckFactory(carer=carer, kind="health_check", expires_on=TODAY())
    assert move(client_for(Role.REGISTRAR), carer, "approved").json()["missing"] == ["police_clearance"]


def test_another_module_required_for_approval_is_named(client_for):
    TrainingModule.objects.filter(code="infant_care").update(required_for_approval=True)
    carer = meet_requirements(unapproved_carer())
    assert move(client_for(Role.REGISTRAR), carer, "approved").json()["missing"] == ["infant_care_training"]
    CarerTrainingFactory(carer=carer, module_id="infant_care")
    assert move(client_for(Role.REGISTRAR), carer, "approved").status_code == 200


@pytest.mark.parametrize(
    "start, target",
    [
        ("enquiry", "training"),
        ("enquiry", "approved"),
        ("assessment", "enquiry"),
        ("assessment", "approved"),
        ("training", "on_hold"),
        ("training", "assessment"),
        ("approved", "training"),
        ("approved", "approved"),
        ("on_hold", "enquiry"),
        ("deregistered", "enquiry"),
        ("deregistered", "approved"),
        ("deregistered", "deregistered"),
    ],
)
def test_moves_the_lifecycle_does_not_allow_are_invalid_transitions(client_for, start, target):
    carer = meet_requirements(CarerFactory(status=start))
    response = move(client_for(Role.REGISTRAR), carer, target)
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["from"], body["to"]) == ("invalid_transition", start, target)
    assert body["detail"]
    carer.refresh_from_db()
    assert carer.status == start
    assert not CarerStatusChange.objects.exists()


@pytest.mark.parametrize("start", ["enquiry", "assessment", "training", "approved", "on_hold"])
def test_any_status_may_be_deregistered(client_for, start):
    carer = CarerFactory(status=start)
    response = move(client_for(Role.SUPERVISOR), carer, "deregistered", "Moved abroad.")
    assert response.status_code == 200
    assert response.json()["status"] == "deregistered"


def test_hold_and_back_to_approved_rechecks_requirements(client_for):
    api = client_for(Role.REGISTRAR)
    carer = CarerFactory(status="approved")
    meet_requirements(carer, skip=("health_check",))
    assert move(api, carer, "on_hold", "Family illness.").json()["status"] == "on_hold"
    response = move(api, carer, "approved")
    assert response.status_code == 400 and response.json()["missing"] == ["health_check"]
    CarerCheckFactory(carer=carer, kind="health_check")
    response = move(api, carer, "approved")
    assert response.status_code == 200
    assert response.json()["approved_on"] == TODAY().isoformat()


def test_unknown_status_names_the_field(client_for):
    response = move(client_for(Role.REGISTRAR), CarerFactory(), "retired")
    assert response.status_code == 400 and "status" in response.json()


@pytest.mark.parametrize("role", [Role.PLACEMENT_OFFICER, Role.SOCIAL_WORKER])
def test_roles_without_carers_write_cannot_change_status(client_for, role):
    carer = unapproved_carer(status="enquiry")
    assert move(client_for(role), carer, "assessment").status_code == 403
    assert move(client_for(role), carer, "deregistered").status_code == 403


def test_carer_of_another_province_is_404_on_status(client_for):
    carer = unapproved_carer(status="enquiry")
    assert move(client_for(Role.REGISTRAR, provinces=("12",)), carer, "assessment").status_code == 404


def test_approval_capability_is_checked_for_approval_moves(client_for, monkeypatch):
    """Statuses up to training need carers.write; approving, holding, deregistering carers.approve."""
    from register import roles

    monkeypatch.setitem(roles.CAPABILITIES, "carers.approve", frozenset({Role.SUPERVISOR}))
    api = client_for(Role.REGISTRAR)
    carer = meet_requirements(unapproved_carer(status="assessment"))
    assert move(api, carer, "training").status_code == 200
    assert move(api, carer, "approved").status_code == 403
    assert move(api, carer, "deregistered").status_code == 403
    assert move(client_for(Role.SUPERVISOR), carer, "approved").status_code == 200


def test_service_rereads_the_row_so_a_stale_instance_cannot_repeat_a_move():
    carer = unapproved_carer(status="enquiry")
    stale = Carer.objects.get(pk=carer.pk)
    carer_set_status(actor=None, carer=carer, status="assessment")
    with pytest.raises(DomainError) as excinfo:
        carer_set_status(actor=None, carer=stale, status="assessment")
    assert excinfo.value.code == "invalid_transition"


# --- The yearly review --------------------------------------------------------------------------


def review(api, carer, reason="Yearly review done."):
    return api.post(f"/api/v1/carers/{carer.pk}/review/", {"reason": reason}, format="json")


def test_review_renews_the_approval_of_an_overdue_family(client_for):
    api = client_for(Role.SUPERVISOR)
    carer = meet_requirements(
        CarerFactory(
            status="approved",
            approved_on=TODAY() - datetime.timedelta(days=400),
            review_due=TODAY() - datetime.timedelta(days=35),
        )
    )
    response = review(api, carer)
    assert response.status_code == 200, response.json()
    assert response.json()["approved_on"] == TODAY().isoformat()
    assert response.json()["review_due"] == add_years(TODAY(), 1).isoformat()
    change = CarerStatusChange.objects.get(carer=carer)
    assert (change.from_status, change.to_status, change.reason) == ("approved", "approved", "Yearly review done.")
    entry = AuditEntry.objects.get(model="register.Carer", object_id=str(carer.pk))
    assert entry.changes["review_due"][1] == add_years(TODAY(), 1).isoformat()


def test_review_with_a_lapsed_check_names_it(client_for):
    carer = CarerFactory(status="approved")
    meet_requirements(carer, skip=("police_clearance",))
    CarerCheckFactory(
        carer=carer,
        kind="police_clearance",
        checked_on=TODAY() - datetime.timedelta(days=800),
        expires_on=TODAY() - datetime.timedelta(days=2),
    )
    response = review(client_for(Role.REGISTRAR), carer)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["missing"]) == (
        "approval_requirements_missing",
        ["police_clearance"],
    )


@pytest.mark.parametrize("status", ["enquiry", "training", "on_hold", "deregistered"])
def test_only_an_approved_family_is_reviewed(client_for, status):
    carer = meet_requirements(CarerFactory(status=status))
    response = review(client_for(Role.REGISTRAR), carer)
    assert response.status_code == 400 and response.json()["code"] == "carer_not_approved"


def test_review_needs_a_role_that_approves(client_for):
    carer = meet_requirements(CarerFactory(status="approved"))
    assert review(client_for(Role.PLACEMENT_OFFICER), carer).status_code == 403
    assert review(client_for(Role.REGISTRAR, provinces=("12",)), carer).status_code == 404


# --- Helpers ------------------------------------------------------------------------------------


def test_a_year_after_29_february_is_28_february():
    assert add_years(datetime.date(2024, 2, 29), 1) == datetime.date(2025, 2, 28)
    assert add_years(datetime.date(2025, 3, 1), 1) == datetime.date(2026, 3, 1)
    assert add_years(datetime.date(2023, 2, 28), 1) == datetime.date(2024, 2, 28)


def test_approval_missing_is_empty_when_everything_is_there():
    carer = meet_requirements(unapproved_carer())
    assert carer_approval_missing(carer=carer) == []
    assert carer_approval_missing(carer=carer, today=TODAY() + datetime.timedelta(days=1)) == []


def test_approval_missing_on_the_detail_follows_the_records(client_for):
    api = client_for(Role.SOCIAL_WORKER)
    carer = meet_requirements(unapproved_carer(), skip=("core_training", "reference"))
    body = api.get(f"/api/v1/carers/{carer.pk}/").json()
    assert body["approval_missing"] == ["reference", "core_training"]
