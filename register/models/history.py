"""The dated history of the register's statuses: the facts monitoring counts month by month.

One row per change of a carer's, a child's or a placement's status (or of the province a child is
in), with the day it took effect. Rows are written by the services in the same transaction as the
change (register/services/history.py) and never edited, so a past month's figures stay as they were.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StatusEvent(models.Model):
    class Kind(models.TextChoices):
        CARER = "carer", _("foster family")
        CHILD = "child", _("child")
        PLACEMENT = "placement", _("placement")

    kind = models.CharField(_("record type"), max_length=10, choices=Kind.choices)
    # The carer, child or placement (a plain id: one table for three kinds of record).
    subject_id = models.UUIDField()
    # Empty when the record was created: its first status.
    from_status = models.CharField(_("from"), max_length=25, blank=True)
    to_status = models.CharField(_("to"), max_length=25)
    # Where the record was counted before and after the change: counts by province move with it.
    from_province = models.ForeignKey(
        "register.Province", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_province = models.ForeignKey("register.Province", on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("took effect on"))
    # A placement's end reason (breakdown, reunified, ...), a carer's lifecycle step has its own table.
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # Written by the backfill from what was registered before this history existed: its dates are
    # the best the register knew (placements' dates, approvals, the audit trail), not a record.
    backfilled = models.BooleanField(_("backfilled"), default=False)

    class Meta:
        ordering = ["on", "recorded_at", "id"]
        verbose_name = _("status event")
        verbose_name_plural = _("status events")
        indexes = [
            models.Index(fields=["kind", "on"], name="statusevent_kind_on"),
            models.Index(fields=["kind", "subject_id", "on"], name="statusevent_subject"),
            # Monitoring's counts: the moves into and out of a status, by month.
            models.Index(fields=["kind", "to_status", "on"], name="statusevent_to_status"),
            models.Index(fields=["kind", "from_status", "on"], name="statusevent_from_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id} {self.from_status or '∅'} → {self.to_status} {self.on}"
