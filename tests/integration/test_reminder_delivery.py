"""Reminders on the real stack: PostgreSQL, a private Redis the test may restart, real Celery workers
(killed with SIGKILL when the test says so) and a real local HTTP gateway."""

import datetime
import time

import pytest
from django.utils import timezone

from notifications.models import Kind, Notification, Reminder, ReminderPolicy
from register.roles import Role
from register.services.placements import placement_create
from tests.factories import CarerFactory, ChildFactory, make_user
from tests.notifications.gateway import Gateway


def wait_for(condition, timeout: float = 60, every: float = 0.25, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {message}")


@pytest.fixture
def scene(private_stack):
    redis, client, start_worker = private_stack
    with Gateway() as gateway:
        ReminderPolicy.objects.create(lease_seconds=10, backoff_seconds=1, max_attempts=5)
        officer = make_user(Role.PLACEMENT_OFFICER)
        worker_user = make_user(
            Role.SOCIAL_WORKER, preferred_channel="sms", phone="+85512345678", preferred_language="en"
        )
        supervisors = [make_user(Role.SUPERVISOR) for _ in range(2)]

        def place(days_ago: int):
            return placement_create(
                actor=officer,
                carer=CarerFactory(),
                children=[ChildFactory()],
                care_type="long_term",
                start_date=timezone.localdate() - datetime.timedelta(days=days_ago),
                social_worker=worker_user,
            )

        env = {"SMS_GATEWAY_URL": gateway.url + "/sms", "REMINDER_WORKING_HOURS": "00:00-24:00"}

        def worker(name="w1", concurrency=1):
            return start_worker(name, concurrency, **env)

        def sweep():
            client.send_task("notifications.sweep")

        yield {
            "redis": redis,
            "gateway": gateway,
            "worker": worker,
            "sweep": sweep,
            "place": place,
            "worker_user": worker_user,
            "supervisors": supervisors,
        }


def all_sent():
    return Reminder.objects.exists() and not Reminder.objects.exclude(status__in=["sent", "skipped"]).exists()


def test_two_sweeps_at_once_and_again_send_every_reminder_exactly_once(scene):
    for _ in range(6):
        scene["place"](days_ago=4)  # each: one visit_due_soon to the social worker (by SMS)
    scene["worker"](concurrency=2)
    scene["sweep"]()
    scene["sweep"]()
    wait_for(lambda: Reminder.objects.filter(status="sent").count() == 6, message="6 reminders sent")
    scene["sweep"]()
    time.sleep(2)
    assert Reminder.objects.count() == 6 and Notification.objects.count() == 6
    assert len(scene["gateway"].requests) == 6 and len(scene["gateway"].delivered) == 6


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_once(scene):
    gateway = scene["gateway"]
    gateway.delays = [8.0]  # the first send hangs until the worker is killed
    scene["place"](days_ago=4)
    first = scene["worker"]("w1")
    scene["sweep"]()
    assert gateway.received.wait(30), "the worker never reached the gateway"
    first.kill()
    assert Reminder.objects.get().status == "sending"
    scene["worker"]("w2")

    def sweep_until_sent():
        scene["sweep"]()
        return Reminder.objects.get().status == "sent"

    wait_for(sweep_until_sent, timeout=60, every=2, message="the reminder to be sent after the lease expired")
    assert Notification.objects.get().status == "sent"
    assert len(gateway.delivered) == 1, "the gateway delivers one message per reference"


def test_redis_restarted_without_persistence_loses_no_reminder(scene):
    for _ in range(5):
        scene["place"](days_ago=4)
    scene["sweep"]()  # queued in Redis; no worker is running yet
    time.sleep(1)
    scene["redis"].restart()  # every queued task is gone
    scene["worker"]()

    def sweep_until_sent():
        scene["sweep"]()
        return all_sent()

    wait_for(sweep_until_sent, timeout=90, every=2, message="all reminders sent after the restart")
    assert Notification.objects.count() == 5 and len(scene["gateway"].delivered) == 5


def test_a_gateway_failing_twice_then_succeeding_delivers_once_through_a_worker(scene):
    gateway = scene["gateway"]
    gateway.fail_next = [503, 503]
    scene["place"](days_ago=4)
    scene["worker"]()

    def sweep_until_sent():
        scene["sweep"]()
        return all_sent()

    wait_for(sweep_until_sent, timeout=60, every=1.5, message="delivery after two failures")
    assert len(gateway.requests) == 3 and len(gateway.delivered) == 1
    assert Reminder.objects.get().attempts == 3


def test_a_backdated_placement_reminds_overdue_and_escalates_once(scene):
    placement = scene["place"](days_ago=17)
    scene["worker"]()
    scene["sweep"]()
    wait_for(all_sent, message="overdue and escalated reminders sent")
    scene["sweep"]()
    time.sleep(2)
    kinds = sorted(Reminder.objects.values_list("kind", flat=True))
    assert kinds == [Kind.VISIT_ESCALATED, Kind.VISIT_OVERDUE]
    to_worker = Notification.objects.filter(recipient=scene["worker_user"])
    assert list(to_worker.values_list("kind", flat=True)) == [Kind.VISIT_OVERDUE]
    assert {n.recipient for n in Notification.objects.filter(kind=Kind.VISIT_ESCALATED)} == set(scene["supervisors"])
    overdue = placement.visits.order_by("due_date").first()
    assert (timezone.localdate() - overdue.due_date).days == 10
