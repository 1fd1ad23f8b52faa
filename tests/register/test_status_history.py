"""The dated history of statuses (register.models.StatusEvent), written by the services in the same
transaction as each change, and the backfill of what was registered before it existed."""

import importlib

import pytest
from django.apps import apps

from register.errors import DomainError
from register.models import Carer, Child, Placement, StatusEvent
from register.roles import Role
from register.services.carers import carer_review, carer_set_status
from register.services.children import child_create, child_update
from register.services.placements import placement_end
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, commune, make_user
from tests.register.carers_factories import carer_payload, meet_requirements, unapproved_carer
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db


def events(subject):
    return list(
        StatusEvent.objects.filter(subject_id=subject.pk)
        .order_by("on", "id")
        .values_list("from_status", "to_status", "from_province_id", "to_province_id", "on", "reason")
    )


def test_a_family_registered_then_approved_leaves_two_dated_events(client_for):
    response = client_for(Role.REGISTRAR).post("/api/v1/carers/", carer_payload(), format="json")
    assert response.status_code == 201, response.json()
    carer = Carer.objects.get(pk=response.json()["id"])
    assert events(carer) == [("", "enquiry", None, "02", today(), "")]
    registrar = make_user(Role.REGISTRAR)
    carer = CarerFactory(status=Carer.Status.TRAINING, approved_on=None, review_due=None)
    meet_requirements(carer)
    carer_set_status(actor=registrar, carer=carer, status="approved")
    assert events(carer) == [("training", "approved", "02", "02", today(), "")]


def test_a_yearly_review_is_no_move_and_leaves_no_event():
    carer = meet_requirements(CarerFactory())
    carer_review(actor=make_user(Role.REGISTRAR), carer=carer)
    assert events(carer) == []


def test_a_refused_move_leaves_no_event():
    carer = unapproved_carer()
    with pytest.raises(DomainError):
        carer_set_status(actor=make_user(Role.REGISTRAR), carer=carer, status="approved")
    assert events(carer) == []


def test_a_child_recorded_then_placed_backdated_then_ended_keeps_each_day():
    officer = make_user(Role.PLACEMENT_OFFICER)
    institution = InstitutionFactory()
    child = child_create(actor=officer, data=_child_data(institution=institution))
    carer = CarerFactory(commune=commune("120101"))
    officer_both = make_user(Role.PLACEMENT_OFFICER, ("02", "12"))
    # Backdated before the child was recorded: counted from the day it was recorded.
    placement = place([child], carer=carer, start_date=today() - days(20), actor=officer_both)
    placement_end(actor=officer_both, placement=placement, end_date=today(), reason="breakdown")
    assert events(child) == [
        ("", "in_residential_care", None, "02", today(), ""),
        ("in_residential_care", "placed", "02", "12", today(), ""),
        ("placed", "awaiting_placement", "12", "02", today(), ""),
    ]
    assert events(placement) == [
        ("", "active", None, "12", today() - days(20), ""),
        ("active", "ended", "12", "12", today(), "breakdown"),
    ]


def test_a_placement_takes_its_start_date_and_its_end_date():
    child = ChildFactory(status=Child.Status.IN_RESIDENTIAL_CARE)
    placement = place([child], start_date=today() - days(40))
    placement_end(
        actor=make_user(Role.PLACEMENT_OFFICER), placement=placement, end_date=today() - days(5), reason="reunified"
    )
    assert events(child) == [
        ("in_residential_care", "placed", "02", "02", today() - days(40), ""),
        ("placed", "reunified", "02", "02", today() - days(5), ""),
    ]


def test_a_status_changed_by_hand_is_an_event_and_an_edit_without_one_is_not():
    officer = make_user(Role.PLACEMENT_OFFICER)
    child = ChildFactory(status=Child.Status.IN_RESIDENTIAL_CARE)
    child_update(actor=officer, child=child, data={"given_name": "Vanna"})
    assert events(child) == []
    child_update(actor=officer, child=child, data={"status": "exited"})
    assert events(child) == [("in_residential_care", "exited", "02", "02", today(), "")]


def test_a_refused_placement_leaves_no_event():
    child = ChildFactory(status=Child.Status.ADOPTED)
    with pytest.raises(DomainError):
        place([child])
    assert not StatusEvent.objects.exists()


def _child_data(**overrides):
    data = {
        "given_name": "Dara",
        "family_name": "Sok",
        "sex": "male",
        "date_of_birth": today() - days(365 * 7),
        "home_commune": commune("020101"),
        "languages": ["km"],
        "religion": "buddhism",
        "ethnicity": "khmer",
        "care_type_needed": "long_term",
    }
    return data | overrides


# --- the backfill --------------------------------------------------------------------------------

backfill = importlib.import_module("register.migrations.0014_backfill_status_events").backfill


def test_the_backfill_dates_what_the_register_knew():
    officer = make_user(Role.PLACEMENT_OFFICER)
    approved = CarerFactory(approved_on=today() - days(100))
    waiting = ChildFactory(status=Child.Status.IN_RESIDENTIAL_CARE)
    placed = ChildFactory(status=Child.Status.IN_RESIDENTIAL_CARE)
    placement = place([placed], carer=approved, start_date=today() - days(30), actor=officer)
    ended = place([ChildFactory()], start_date=today() - days(60), actor=officer)
    placement_end(actor=officer, placement=ended, end_date=today() - days(10), reason="reunified")
    StatusEvent.objects.all().delete()

    backfill(apps, None)

    assert all(StatusEvent.objects.values_list("backfilled", flat=True))
    # Approved (on paper) before it was typed in: an enquiry by then, approved on its approval date.
    assert events(approved) == [
        ("", "enquiry", None, "02", today() - days(100), ""),
        ("enquiry", "approved", "02", "02", today() - days(100), ""),
    ]
    assert events(waiting) == [("", "in_residential_care", None, "02", today(), "")]
    assert events(placed) == [
        ("", "in_residential_care", None, "02", today() - days(30), ""),
        ("in_residential_care", "placed", "02", "02", today() - days(30), ""),
    ]
    assert events(placement) == [("", "active", None, "02", today() - days(30), "")]
    reunified = ended.children.get()
    # No audit entry of its creation: a child with an institution is taken to have been in it.
    assert [e[1] for e in events(reunified)] == ["in_residential_care", "placed", "reunified"]
    assert events(ended)[-1] == ("active", "ended", "02", "02", today() - days(10), "reunified")
    assert Placement.objects.count() == 2


def test_the_backfill_writes_nothing_twice():
    place([ChildFactory()])
    StatusEvent.objects.all().delete()
    backfill(apps, None)
    written = StatusEvent.objects.count()
    backfill(apps, None)
    assert StatusEvent.objects.count() == written > 0
