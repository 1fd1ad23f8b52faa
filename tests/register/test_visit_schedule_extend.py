"""Extending active placements' visit schedules: the service, the Celery task and the command."""

from io import StringIO

import pytest
from django.core.management import call_command

from register.models import AuditEntry, Visit, VisitPolicy
from register.services.placements import placement_end
from register.services.visits import visit_schedules_extend
from register.tasks import extend_visit_schedules
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db


def offsets(placement):
    return [(v.due_date - placement.start_date).days for v in placement.visits.order_by("sequence")]


def test_the_next_visit_is_added_once_it_comes_within_the_horizon():
    placement = place()
    assert offsets(placement)[-1] == 720
    assert visit_schedules_extend(on=today() + days(79)) == 0  # 810 is still beyond 79 + 730
    assert visit_schedules_extend(on=today() + days(80)) == 1
    assert offsets(placement)[-2:] == [720, 810]
    assert list(placement.visits.order_by("sequence").values_list("sequence", flat=True)) == list(range(1, 13))


def test_extending_twice_adds_nothing_twice():
    placement = place()
    on = today() + days(400)
    first = visit_schedules_extend(on=on)
    assert first == 4  # 810, 900, 990, 1080
    assert visit_schedules_extend(on=on) == 0
    assert offsets(placement)[-1] == 1080
    assert AuditEntry.objects.filter(model="register.Visit", action="create").count() == 11 + 4


def test_ended_placements_get_no_more_visits():
    placement = place(start_date=today() - days(5))
    placement_end(actor=None, placement=placement, end_date=today(), reason="adopted")
    assert visit_schedules_extend(on=today() + days(400)) == 0


def test_new_visits_follow_the_policy_in_force():
    placement = place()
    VisitPolicy.objects.create(offsets_days=[7], repeat_every_days=30, horizon_days=730)
    visit_schedules_extend(on=today() + days(60))
    assert offsets(placement)[-4:] == [720, 727, 757, 787]  # 7 + 30k, after the old policy's last visit


def test_the_task_fills_a_schedule_with_missing_visits():
    placement = place()
    Visit.objects.filter(placement=placement, sequence__gt=8).delete()
    assert extend_visit_schedules.delay().get() == 3
    assert offsets(placement)[-3:] == [540, 630, 720]
    assert extend_visit_schedules.delay().get() == 0


def test_the_command_says_how_many_visits_it_added():
    placement = place()
    Visit.objects.filter(placement=placement, sequence=11).delete()
    out = StringIO()
    call_command("extend_visit_schedules", stdout=out)
    assert "1 visit(s) added" in out.getvalue()
    out = StringIO()
    call_command("extend_visit_schedules", stdout=out)
    assert "0 visit(s) added" in out.getvalue()
