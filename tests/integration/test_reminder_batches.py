"""Delivery in batches on the real stack: PostgreSQL (SKIP LOCKED claims from several connections at
once), a private Redis, real Celery workers (killed with SIGKILL) and a real local SMS gateway."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from notifications import services
from notifications.models import Notification, Reminder, ReminderPolicy
from tests.notifications.gateway import Gateway


def wait_for(condition, timeout: float = 60, every: float = 0.25, message: str = "condition", then=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if then:
            then()
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {message}")


def due_reminders(total: int, *, lease_seconds: int) -> list:
    """`total` reminders due now, each to the same social worker by SMS (the chaos run's scene)."""
    from bench.chaos import scene

    scene(-(-total // 100) * 100)  # its placements have a hundred visits each
    ReminderPolicy.objects.create(lease_seconds=lease_seconds, backoff_seconds=1, max_attempts=5)
    keep = list(Reminder.objects.order_by("due_at").values_list("id", flat=True)[:total])
    Reminder.objects.exclude(id__in=keep).delete()
    past = timezone.now() - datetime.timedelta(seconds=1)
    Reminder.objects.update(due_at=past, next_attempt_at=past)
    return keep


def references() -> set[str]:
    """The reference each reminder's message carries: the reminder and the recipient, nothing else."""
    from register.models import User

    worker = User.objects.get(username="chaos-worker")
    return {f"{rid}:{worker.pk}" for rid in Reminder.objects.values_list("id", flat=True)}


def test_batches_claiming_at_once_on_postgresql_get_disjoint_sets(real_stack, transactional_db, settings):
    settings.REMINDER_WORKING_HOURS = "00:00-24:00"
    ids = due_reminders(400, lease_seconds=60)
    policy = ReminderPolicy.current()
    start = threading.Barrier(4)
    claims: list[list] = [[] for _ in range(4)]
    errors: list[Exception] = []

    def claimer(n: int) -> None:
        try:
            start.wait()
            while claim := services.reminders_claim(now=timezone.now(), policy=policy, batch=25).ids:
                claims[n].append(claim)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=claimer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    won = [i for mine in claims for batch in mine for i in batch]
    assert len(won) == len(set(won)) == 400 and set(won) == set(ids)
    assert all(len(batch) <= 25 for mine in claims for batch in mine)
    assert sum(1 for mine in claims if mine) >= 2, "the claimers did not overlap"
    assert {(r.status, r.attempts) for r in Reminder.objects.all()} == {("sending", 1)}


@pytest.fixture
def stack(private_stack):
    _redis, client, start_worker = private_stack
    with Gateway() as gateway:
        env = {
            "SMS_GATEWAY_URL": gateway.url + "/sms",
            "REMINDER_WORKING_HOURS": "00:00-24:00",
            "REMINDER_BATCH_SIZE": "20",
        }

        def worker(name: str, concurrency: int = 1):
            return start_worker(name, concurrency, **env)

        def dispatch():
            client.send_task("notifications.dispatch")

        yield {"gateway": gateway, "worker": worker, "dispatch": dispatch}


def test_two_workers_deliver_batches_and_each_reminder_reaches_the_gateway_once(stack):
    due_reminders(300, lease_seconds=60)
    stack["worker"]("w1", 2)
    stack["worker"]("w2", 2)
    stack["dispatch"]()
    wait_for(
        lambda: Reminder.objects.filter(status="sent").count() == 300,
        every=1,
        then=stack["dispatch"],
        message="300 reminders sent",
    )
    gateway = stack["gateway"]
    assert len(gateway.requests) == 300 and set(gateway.delivered) == references()
    assert Notification.objects.filter(status="sent").count() == 300
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {1}  # none claimed twice


def test_a_batch_whose_worker_dies_is_delivered_after_its_lease_once_at_the_gateway(stack):
    gateway = stack["gateway"]
    ids = due_reminders(15, lease_seconds=10)  # one batch of 15 (batches of up to 20)
    gateway.delays = [0.0] * 5 + [8.0]  # five sends answered, the sixth hangs until its worker is killed
    first = stack["worker"]("w1")
    stack["dispatch"]()
    wait_for(lambda: len(gateway.requests) == 5 and gateway.received.is_set(), message="five sends")
    wait_for(lambda: Reminder.objects.filter(status="sent").count() == 5, message="five recorded")
    time.sleep(1)  # the sixth is at the gateway, hanging
    first.kill()
    assert Reminder.objects.filter(status="sending").count() == 10  # the rest of the killed batch
    stack["worker"]("w2")
    wait_for(
        lambda: Reminder.objects.filter(status="sent").count() == 15,
        every=1,
        then=stack["dispatch"],
        message="the killed batch delivered after its lease",
    )
    sent = [r["body"]["reference"] for r in gateway.requests]
    assert set(gateway.delivered) == references() and len(gateway.delivered) == 15
    # The one that hung was sent again, with the same reference (the gateway turned it away); the ones
    # recorded before the kill were not.
    assert len(sent) == 16 and sent.count(sent[5]) == 2
    attempts = dict(Reminder.objects.values_list("id", "attempts"))
    assert sorted(attempts[i] for i in ids) == [1] * 5 + [2] * 10
    assert Notification.objects.filter(status="sent").count() == 15


def test_a_pass_that_finds_another_running_returns_at_once(real_stack, transactional_db):
    from notifications.tasks import sweep

    holding, done = threading.Event(), threading.Event()

    def other_pass() -> None:
        try:
            with services.exclusive("sweep") as held:
                assert held
                holding.set()
                done.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_pass)
    thread.start()
    try:
        assert holding.wait(30)
        with services.exclusive("sweep") as held:
            assert not held
        assert sweep.apply().get() == {"skipped": "a sweep is running"}
        with services.exclusive("dispatch") as held:
            assert held  # another pass's lock is its own
    finally:
        done.set()
        thread.join(30)
    with services.exclusive("sweep") as held:
        assert held  # freed when the other pass ended
