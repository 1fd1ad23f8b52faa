"""Celery tasks of matching: thin, they take ids and call one service."""

from celery import shared_task
from django.dispatch import receiver

from matching import services


@shared_task(name="matching.run_batch_plan", acks_late=True)
def run_batch_plan(plan_id: str) -> str | None:
    plan = services.batch_plan_run(plan_id=plan_id)
    return plan.status if plan else None


@receiver(services.batch_plan_queued, dispatch_uid="matching.run_batch_plan")
def _queue_batch_plan(sender, plan_id: str, **kwargs) -> None:
    # The service asks for the plan to be computed; queuing is this module's business.
    run_batch_plan.delay(plan_id)


@shared_task(name="matching.requeue_stale_batch_plans")
def requeue_stale_batch_plans() -> int:
    """Plans are rows first and tasks second: a plan whose task was lost (broker restart) is queued
    again, and one left `running` by a killed worker is run again."""
    return services.batch_plans_requeue_stale()
