"""An urgent visit outcome reaches notifications through the register's hook
(register.signals.visit_completed_urgent), sent after commit; notifications' receiver runs the
sweep at once, which tells the supervisors."""

import pytest
from django.utils import timezone

from notifications.models import Kind, Notification, Reminder
from register.services.visits import visit_complete
from register.signals import visit_completed_urgent

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """The visit ids the hook was sent for, in order."""
    calls = []

    def listen(sender, visit_id, **kwargs):
        calls.append(visit_id)

    visit_completed_urgent.connect(listen, dispatch_uid="test.heard")
    yield calls
    visit_completed_urgent.disconnect(dispatch_uid="test.heard")


def first_visit(placement):
    return placement.visits.order_by("due_date").first()


def complete(people, visit, outcome):
    return visit_complete(actor=people["worker"], visit=visit, visited_on=timezone.localdate(), outcome=outcome)


def test_the_hook_is_sent_only_once_the_visit_is_committed(place, people, heard, django_capture_on_commit_callbacks):
    visit = first_visit(place(days_ago=10))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        complete(people, visit, "urgent")
    assert heard == []  # not before the commit: the sweep would not find the visit completed
    for callback in callbacks:
        callback()
    assert heard == [visit.pk]


def test_an_urgent_outcome_tells_the_supervisors_at_once(place, people, any_time, django_capture_on_commit_callbacks):
    visit = first_visit(place(days_ago=10))
    with django_capture_on_commit_callbacks(execute=True):
        complete(people, visit, "urgent")
    assert Reminder.objects.filter(visit=visit, kind=Kind.VISIT_URGENT).exists()
    urgent = Notification.objects.filter(kind=Kind.VISIT_URGENT)
    assert {n.recipient for n in urgent} == set(people["supervisors"])


@pytest.mark.parametrize("outcome", ["settled", "concerns"])
def test_other_outcomes_send_nothing(place, people, heard, outcome, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complete(people, first_visit(place(days_ago=10)), outcome)
    assert heard == []
    assert not Reminder.objects.filter(kind=Kind.VISIT_URGENT).exists()
