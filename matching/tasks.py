"""Celery tasks of matching: thin, they take ids and call one service."""

from celery import shared_task

from matching import services


@shared_task(name="matching.run_batch_plan", acks_late=True)
def run_batch_plan(plan_id: str) -> str | None:
    plan = services.batch_plan_run(plan_id=plan_id)
    return plan.status if plan else None


@shared_task(name="matching.requeue_stale_batch_plans")
def requeue_stale_batch_plans() -> int:
    """Plans are rows first and tasks second: a plan whose task was lost (broker restart) is queued
    again, and one left `running` by a killed worker is run again."""
    return services.batch_plans_requeue_stale()
