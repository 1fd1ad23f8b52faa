"""Celery tasks of notifications: thin, they take ids and call one service."""

import logging

from celery import shared_task

from notifications import services

log = logging.getLogger(__name__)


def _start_batches(count: int) -> None:
    for _ in range(count):
        deliver.delay()


def _one_pass(name: str, work) -> dict:
    """Run a pass (`work`: the service doing it) unless another is running, then start the delivery
    batches it leaves wanted."""
    with services.exclusive(name) as held:
        if not held:
            return {"skipped": f"a {name} is running"}
        result = work()
        batches = services.delivery_batches_wanted(batch=services.batch_size())
    _start_batches(batches)
    return {"created": result.created, "released": result.released, "batches": batches}


@shared_task(name="notifications.sweep", acks_late=True)
def sweep() -> dict:
    """The full pass (beat, every minute): derive, cancel, release; then start delivery batches. One at a
    time: a sweep that finds another running returns at once."""
    return _one_pass("sweep", services.reminder_sweep)


@shared_task(name="notifications.dispatch", acks_late=True, ignore_result=True)
def dispatch() -> dict:
    """The light pass (beat, every few seconds): urgent reminders derived, expired leases released, and
    delivery batches started when reminders are due and fewer batches are at work. One at a time."""
    return _one_pass("dispatch", services.reminders_dispatch)


def _next_batch() -> None:
    try:
        deliver.delay()
    except Exception:  # the broker is down: the next pass starts batches again; this one still sends
        log.warning("could not queue the next reminder batch", exc_info=True)


@shared_task(name="notifications.deliver", acks_late=True, ignore_result=True)
def deliver(*_legacy) -> dict:
    """One delivery batch: claim up to REMINDER_BATCH_SIZE due reminders, and when the claim is full queue
    the next batch before sending (another worker takes it meanwhile), then send and record each.
    Takes no ids (a message of the former one-reminder task, with an id, runs a batch as well); run
    eagerly, the batches follow one another in a loop instead."""
    eager = deliver.app.conf.task_always_eager
    outcomes: dict[str, int] = {}
    while True:
        result = services.reminders_deliver_due(on_full=None if eager else _next_batch)
        for status in result.outcomes.values():
            outcomes[status] = outcomes.get(status, 0) + 1
        if not (eager and result.full):
            return outcomes


@shared_task(name="notifications.possible_duplicate", acks_late=True)
def possible_duplicate(kind: str, record_ids: list[str]) -> int:
    """National administrators told of a match outside a registrar's provinces (issue 14)."""
    return services.possible_duplicate_reminders_create(kind=kind, record_ids=record_ids)
