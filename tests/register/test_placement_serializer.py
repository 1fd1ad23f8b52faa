"""register/api/placements.py's PlacementSerializer and VisitSerializer: the written-out renderings
(placement_row, visit_row) give exactly what DRF's generic rendering of the declared fields gives, for
visits in every state and placements active and ended, with and without a social worker."""

import json

import pytest
from django.utils import timezone
from rest_framework import serializers

from register.api.placements import PlacementSerializer, VisitSerializer
from register.models import Visit
from register.roles import Role
from register.selectors.placements import placement_list
from register.selectors.visits import visit_list
from register.services.placements import placement_end
from tests.factories import ChildFactory, make_user
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db


def same(fast: dict, slow: dict) -> bool:
    return json.dumps(fast) == json.dumps(slow)


@pytest.fixture
def placements():
    officer = make_user(Role.PLACEMENT_OFFICER)
    worker = make_user(Role.SOCIAL_WORKER)
    active = place([ChildFactory(), ChildFactory()], social_worker=worker, start_date=today() - days(40), actor=officer)
    Visit.objects.filter(placement=active, sequence=1).update(
        state=Visit.State.COMPLETED, completed_on=today() - days(30), outcome="concerns", notes="Needs a school place."
    )
    Visit.objects.filter(placement=active, sequence=2).update(state=Visit.State.MISSED)
    Visit.objects.filter(placement=active, sequence=3).update(due_date=today())
    Visit.objects.filter(placement=active, sequence=4).update(due_date=today() - days(3))
    ended = place(start_date=today() - days(100), actor=officer)
    placement_end(actor=officer, placement=ended, end_date=today() - days(2), reason="reunified")
    return [active, ended]


def test_visits_render_as_the_generic_serializer_does(placements):
    supervisor = make_user(Role.SUPERVISOR)
    visits = list(visit_list(user=supervisor))
    assert {VisitSerializer(v).data["status"] for v in visits} >= {"completed", "missed", "due", "overdue"}
    assert {VisitSerializer(v).data["status"] for v in visits} >= {"scheduled", "cancelled"}
    for visit in visits:
        assert same(VisitSerializer(visit).data, serializers.Serializer.to_representation(VisitSerializer(), visit))
    assert list(VisitSerializer(visits[0]).data) == list(VisitSerializer().fields)


def test_placements_render_as_the_generic_serializer_does(placements):
    supervisor = make_user(Role.SUPERVISOR)
    rows = list(placement_list(user=supervisor))
    assert {p.status for p in rows} == {"active", "ended"}
    for placement in rows:
        fast = PlacementSerializer(placement).data
        assert same(fast, serializers.Serializer.to_representation(PlacementSerializer(), placement))
        assert fast["visits"] and all(
            same(v, serializers.Serializer.to_representation(VisitSerializer(), visit))
            for v, visit in zip(fast["visits"], placement.visits.all(), strict=True)
        )
    assert list(PlacementSerializer(rows[0]).data) == list(PlacementSerializer().fields)


def test_a_moment_renders_in_the_api_time_zone(placements):
    placement = placement_list(user=make_user(Role.SUPERVISOR)).first()
    expected = serializers.DateTimeField().to_representation(placement.created_at)
    assert PlacementSerializer(placement).data["created_at"] == expected
    assert timezone.get_current_timezone_name() in ("Asia/Phnom_Penh", "UTC")
