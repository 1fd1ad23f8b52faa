"""Celery tasks of the register. Thin: each calls one service, which does the work in the database
(the source of truth), so a task delivered twice or lost and re-run does no harm."""

from celery import shared_task
from django.dispatch import receiver

from register.services.duplicates import duplicates_find
from register.services.import_jobs import (
    carer_import_job_queued,
    carer_import_job_run,
    carer_import_jobs_requeue_stale,
)
from register.services.visits import visit_schedules_extend


@shared_task(name="register.extend_visit_schedules")
def extend_visit_schedules() -> int:
    """Add the next follow-up visits to active placements whose schedule ends within the visit
    policy's horizon (daily, from beat). Idempotent. Returns the number of visits added."""
    return visit_schedules_extend()


@shared_task(name="register.run_carer_import", acks_late=True)
def run_carer_import(job_id: str) -> str | None:
    """The real import of a checked spreadsheet (a CarerImportJob). Runs only a queued job."""
    job = carer_import_job_run(job_id=job_id)
    return job.status if job else None


@receiver(carer_import_job_queued, dispatch_uid="register.run_carer_import")
def _queue_carer_import(sender, job_id: str, **kwargs) -> None:
    # The service asks for the job to run; queuing is this module's business (see import_jobs).
    run_carer_import.delay(job_id)


@shared_task(name="register.requeue_stale_carer_imports")
def requeue_stale_carer_imports() -> int:
    """Imports whose task was lost or whose worker was killed are queued again."""
    return carer_import_jobs_requeue_stale()


@shared_task(name="register.purge_expired_tokens")
def purge_expired_tokens() -> int:
    """Delete API tokens past their expiry (they are already refused; this keeps the table small)."""
    from django.utils import timezone
    from knox.models import AuthToken

    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


@shared_task(name="register.find_duplicates")
def find_duplicates() -> dict:
    """Possible duplicates among the records already registered (nightly, from beat). Idempotent."""
    result = duplicates_find()
    return {"created": result.created, "carers": result.carers, "children": result.children}
