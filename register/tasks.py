"""Celery tasks of the register. Thin: each calls one service, which does the work in the database
(the source of truth), so a task delivered twice or lost and re-run does no harm."""

from celery import shared_task

from register.services.visits import visit_schedules_extend


@shared_task(name="register.extend_visit_schedules")
def extend_visit_schedules() -> int:
    """Add the next follow-up visits to active placements whose schedule ends within the visit
    policy's horizon (daily, from beat). Idempotent. Returns the number of visits added."""
    return visit_schedules_extend()
