"""A spreadsheet import of families as a job: the uploaded file, its dry run, then the real import
run by a worker, with the progress a page polls. The row is the source of truth; the task only
carries its id."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CarerImportJob(models.Model):
    class Status(models.TextChoices):
        CHECKED = "checked", _("checked")  # dry run done, waiting for the registrar's go
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(_("file name"), max_length=255)
    # The file itself, kept only until the import ran: it holds personal data.
    content = models.BinaryField(default=bytes, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKED)
    progress = models.FloatField(default=0.0)
    rows = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"row", "field", "message"}]
    carers = models.JSONField(default=list)  # [{"row", "id", "reference"}], once imported
    error = models.TextField(blank=True)  # why the job as a whole failed
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("family import")
        verbose_name_plural = _("family imports")

    def __str__(self) -> str:
        return self.filename

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def ready(self) -> bool:
        """Checked and every row valid (the file was kept): the import may start."""
        return self.status == self.Status.CHECKED and self.rows > 0 and not self.errors
