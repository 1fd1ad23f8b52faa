"""Celery tasks of notifications: thin, they take ids and call one service."""

from celery import shared_task
from django.db import transaction

from notifications import services


@shared_task(name="notifications.sweep", acks_late=True)
def sweep() -> dict:
    """The periodic pass (beat, every minute): derive, cancel, release, claim; then one delivery task
    per claimed reminder, sent after the claim is committed."""
    result = services.reminder_sweep()
    for reminder_id in result.claimed:
        transaction.on_commit(lambda rid=str(reminder_id): deliver.delay(rid))
    return {"created": result.created, "claimed": len(result.claimed), "released": result.released}


@shared_task(name="notifications.deliver", acks_late=True)
def deliver(reminder_id: str) -> str | None:
    return services.reminder_deliver(reminder_id=reminder_id)


@shared_task(name="notifications.possible_duplicate", acks_late=True)
def possible_duplicate(kind: str, record_ids: list[str]) -> int:
    """National administrators told of a match outside a registrar's provinces (issue 14)."""
    return services.possible_duplicate_reminders_create(kind=kind, record_ids=record_ids)
