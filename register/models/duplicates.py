"""Pairs of records that may be the same person registered twice (issue 14): found on the way in
(a registrar confirmed a creation despite a match) or afterwards (`find_duplicates`, nightly), and
resolved by a supervisor or a national administrator: not the same, or merged."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class DuplicatePair(models.Model):
    class Kind(models.TextChoices):
        CARER = "carer", _("family")
        CHILD = "child", _("child")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        NOT_DUPLICATE = "not_duplicate", _("not the same")
        MERGED = "merged", _("merged")

    class Source(models.TextChoices):
        CREATION = "creation", _("confirmed at registration")
        FINDER = "finder", _("found in the register")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The two records, the smaller id first (so a pair exists once whichever way it was found).
    carer_a = models.ForeignKey("register.Carer", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    carer_b = models.ForeignKey("register.Carer", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    child_a = models.ForeignKey("register.Child", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    child_b = models.ForeignKey("register.Child", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(_("found"), max_length=10, choices=Source.choices, default=Source.FINDER)
    # Why the registrar registered the record despite the match (`duplicate_reviewed`), if so.
    registration_note = models.TextField(_("registrar's note"), blank=True)
    found_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    kept = models.UUIDField(_("record kept"), null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "id"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        indexes = [models.Index(fields=["status", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["carer_a", "carer_b"], condition=Q(kind="carer"), name="one_duplicate_pair_per_carers"
            ),
            models.UniqueConstraint(
                fields=["child_a", "child_b"], condition=Q(kind="child"), name="one_duplicate_pair_per_children"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="carer",
                        carer_a__isnull=False,
                        carer_b__isnull=False,
                        child_a__isnull=True,
                        child_b__isnull=True,
                    )
                    & Q(carer_a__lt=F("carer_b"))
                )
                | (
                    Q(
                        kind="child",
                        child_a__isnull=False,
                        child_b__isnull=False,
                        carer_a__isnull=True,
                        carer_b__isnull=True,
                    )
                    & Q(child_a__lt=F("child_b"))
                ),
                name="duplicate_pair_two_records_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_ids[0]} ~ {self.record_ids[1]}"

    @property
    def record_ids(self) -> tuple:
        if self.kind == self.Kind.CARER:
            return (self.carer_a_id, self.carer_b_id)
        return (self.child_a_id, self.child_b_id)
