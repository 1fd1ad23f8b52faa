"""Spreadsheet imports run as jobs, so that a page can show a real import's progress: the dry run
in the request (quick), then the import itself in a worker through `carer_import`, which stays
all-or-nothing and audits as it always does.

A job is a row first and a task second: the task takes the job's id and runs only a queued job
(locked, status checked), so a task delivered twice imports once; a job whose task was lost is
queued again by `carer_import_jobs_requeue_stale`."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from typing import BinaryIO

from django.db import connection, connections, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from register.audit import audit_write
from register.errors import DomainError
from register.models import AuditEntry, CarerImportJob
from register.services.imports import MAX_BYTES, ImportFileError, carer_import

log = logging.getLogger(__name__)
J = CarerImportJob.Status
# "Run this job's import": register.tasks answers by queuing run_carer_import. A signal, so that the
# tasks module imports this one and never the reverse (no import cycle, not even inside a function);
# register/apps.py imports the tasks module in every process, which connects the receiver.
# Arguments: `job_id`.
carer_import_job_queued = Signal()

PROGRESS_SQL = "UPDATE register_carerimportjob SET progress = %s WHERE id = %s"


def carer_import_job_check(*, actor, file: BinaryIO, filename: str) -> CarerImportJob:
    """Dry-run the file and keep it as a job: its counts and row errors now, its content for the
    import to come (only when every row is valid). Raises ImportFileError, storing nothing, when
    the file cannot be read as a table."""
    content = file.read(MAX_BYTES + 1)
    if isinstance(content, str):
        content = content.encode("utf-8")
    result = carer_import(actor=actor, file=io.BytesIO(content), filename=filename, dry_run=True)
    with transaction.atomic():
        job = CarerImportJob.objects.create(
            created_by=actor if getattr(actor, "pk", None) else None,
            filename=(filename or "")[:255],
            content=content if not result.errors and result.rows else b"",
            rows=result.rows,
            valid=result.valid,
            errors=[{"row": e.row, "field": e.field, "message": e.message} for e in result.errors],
        )
        # Who uploaded which file, of how many rows, is on the trail from the upload: a file kept
        # for import is personal data held, whether or not it is ever run.
        audit_write(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=job,
            changes={
                "filename": [None, job.filename],
                "rows": [None, job.rows],
                "valid": [None, job.valid],
                "errors": [None, len(job.errors)],
            },
        )
    return job


def carer_import_job_start(*, actor, job: CarerImportJob) -> CarerImportJob:
    """Queue the real import of a checked job; the worker picks it up once this commits. Starting
    a job that is already queued, running or finished changes nothing (a double click)."""
    with transaction.atomic():
        job = CarerImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != J.CHECKED:
            return job
        if not job.ready:
            raise DomainError(_("This file has errors: correct them and upload it again."), code="import_not_ready")
        job.status = J.QUEUED
        job.progress = 0.0
        job.save(update_fields=["status", "progress"])
        job_id = str(job.pk)
        transaction.on_commit(lambda: carer_import_job_queued.send(sender=CarerImportJob, job_id=job_id))
    return job


def carer_import_job_run(*, job_id) -> CarerImportJob | None:
    """Run a queued job: import its file through `carer_import` (all or nothing), then record the
    outcome and drop the file. Only a queued job is taken (row lock and status), so running it
    twice imports once."""
    with transaction.atomic():
        job = CarerImportJob.objects.select_for_update().filter(pk=job_id, status=J.QUEUED).first()
        if job is None:
            return None
        job.status, job.started_at = J.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    progress = _ProgressWriter(job.pk)
    outcome: dict = {"content": b"", "finished_at": None}
    try:
        result = carer_import(
            actor=job.created_by,
            file=io.BytesIO(bytes(job.content)),
            filename=job.filename,
            dry_run=False,
            progress=progress,
        )
    except ImportFileError as exc:
        outcome |= {"status": J.FAILED, "error": exc.message}
    except Exception:  # a failed job must say so, never stay "running"
        log.exception("carer import job %s failed", job.pk)
        outcome |= {"status": J.FAILED, "error": _("The import stopped on an unexpected error; nothing was written.")}
    else:
        outcome |= {
            "status": J.DONE if result.created and not result.errors else J.FAILED,
            "rows": result.rows,
            "valid": result.valid,
            "created": result.created,
            "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in result.errors],
            "carers": [{"row": c.row, "id": str(c.carer.pk), "reference": c.carer.reference} for c in result.carers],
        }
        if outcome["status"] == J.DONE:
            outcome["progress"] = 1.0
    finally:
        progress.close()
    outcome["finished_at"] = timezone.now()
    CarerImportJob.objects.filter(pk=job.pk).update(**outcome)
    job.refresh_from_db()
    return job


def carer_import_jobs_requeue_stale(*, queued_minutes: int = 5, running_minutes: int = 30) -> int:
    """Queue again the jobs whose task was lost (broker restart) or whose worker was killed. A
    running job's import is one transaction, so a killed one wrote nothing and may run again."""
    now = timezone.now()
    CarerImportJob.objects.filter(status=J.RUNNING, started_at__lt=now - timedelta(minutes=running_minutes)).update(
        status=J.QUEUED, progress=0.0
    )
    stale = list(
        CarerImportJob.objects.filter(
            status=J.QUEUED, created_at__lt=now - timedelta(minutes=queued_minutes)
        ).values_list("pk", flat=True)
    )
    for job_id in stale:
        carer_import_job_queued.send(sender=CarerImportJob, job_id=str(job_id))
    return len(stale)


class _ProgressWriter:
    """Writes a job's progress as the import reports it, at most once per percent. The import
    creates families inside one transaction, where an update of the job's row would be seen only
    at commit: there it writes on a connection of its own, so that the polling page sees the bar
    move. (SQLite allows one writer at a time, so there the bar jumps at the end.)"""

    def __init__(self, job_id):
        self.job_id = job_id
        self.last = -1.0
        self._side = None

    def __call__(self, fraction: float) -> None:
        fraction = round(min(max(fraction, 0.0), 1.0), 2)
        if fraction < self.last + 0.01:
            return
        self.last = fraction
        if connection.in_atomic_block and connection.vendor != "sqlite":
            if self._side is None:
                self._side = connections.create_connection("default")
            with self._side.cursor() as cursor:
                cursor.execute(PROGRESS_SQL, [fraction, self.job_id])
        elif not connection.in_atomic_block:
            CarerImportJob.objects.filter(pk=self.job_id).update(progress=fraction)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
