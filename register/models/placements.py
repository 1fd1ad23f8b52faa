"""Placements of children with families, and their follow-up visits."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from register.choices import CareType


class Placement(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")

    class EndReason(models.TextChoices):
        REUNIFIED = "reunified", _("reunified with family")
        ADOPTED = "adopted", _("adopted")
        BREAKDOWN = "breakdown", _("placement breakdown")
        AGED_OUT = "aged_out", _("aged out")
        MOVED = "moved", _("moved")
        OTHER = "other", _("other reason")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    carer = models.ForeignKey("register.Carer", on_delete=models.PROTECT, related_name="placements")
    children = models.ManyToManyField("register.Child", through="PlacementChild", related_name="placements")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    care_type = models.CharField(_("care type"), max_length=20, choices=CareType.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=EndReason.choices, blank=True)
    # The match run that proposed it (matching.MatchRun); an id, not a key: register knows no matching.
    match_id = models.UUIDField(null=True, blank=True)
    # The family's rank in that run (null: the run did not rank it).
    match_rank = models.PositiveIntegerField(_("rank in the match"), null=True, blank=True)
    # Fit rules set aside by the officer who placed, each with why: [{"code", "reason", "by", "at"}].
    # Written once, at creation, by the placement service.
    overrides = models.JSONField(_("rules overridden"), default=list, blank=True, editable=False)
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="placements"
    )
    split_reason = models.TextField(_("reason for separating siblings"), blank=True)
    # The carer's province: scoping and the follow-up queue filter on it.
    province = models.ForeignKey("register.Province", on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Indexed: matching notices a placement made or ended anywhere by its newest value.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-created_at"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        indexes = [models.Index(fields=["province", "status"]), models.Index(fields=["carer", "status"])]

    def __str__(self) -> str:
        return f"{self.carer_id} {self.start_date}"


class PlacementChild(models.Model):
    """A child in a placement. `active` mirrors the placement's status so that the database itself
    guarantees one active placement per child (a partial unique index)."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="memberships")
    child = models.ForeignKey("register.Child", on_delete=models.PROTECT, related_name="memberships")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(active=True), name="one_active_placement_per_child"),
            models.UniqueConstraint(fields=["placement", "child"], name="child_once_per_placement"),
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} / {self.child_id}"


class Visit(models.Model):
    """A follow-up visit. Whether it is scheduled, due or overdue is derived from today's date
    (never stored, so never stale); `state` records only what people did."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        COMPLETED = "completed", _("completed")
        MISSED = "missed", _("missed")
        CANCELLED = "cancelled", _("cancelled")

    class Outcome(models.TextChoices):
        SETTLED = "settled", _("settled")
        CONCERNS = "concerns", _("concerns")
        URGENT = "urgent", _("urgent")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="visits")
    sequence = models.PositiveSmallIntegerField()
    due_date = models.DateField(_("due date"), db_index=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    completed_on = models.DateField(_("visited on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A completion recorded on a phone: the id the phone made for it once (a retry sends the same id
    # and writes nothing twice) and when it was recorded there, perhaps days before it reached us.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    recorded_at = models.DateTimeField(_("recorded on the phone at"), null=True, blank=True)
    # An urgent outcome followed through: who acted, when, and what they did.
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledgement = models.TextField(_("action taken"), blank=True)
    # An extra visit asked for when an urgent outcome was acknowledged: the visit it follows up.
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)  # monitoring's history_version

    class Meta:
        ordering = ["due_date", "sequence"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["state", "due_date"])]
        constraints = [
            models.UniqueConstraint(fields=["placement", "sequence"], name="one_visit_per_sequence"),
            models.CheckConstraint(
                condition=~Q(state="completed") | (Q(completed_on__isnull=False) & ~Q(outcome="")),
                name="completed_visit_has_date_and_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} #{self.sequence} {self.due_date}"


class VisitLateRecord(models.Model):
    """A visit recorded (on a phone, often offline) that reached the register after the visit was
    completed by someone else or its placement had ended. Kept beside the visit, never dropped, for
    the supervisor to read; the visit's own completion is left as it was."""

    class Reason(models.TextChoices):
        VISIT_ALREADY_COMPLETED = "visit_already_completed", _("the visit was already completed")
        PLACEMENT_ENDED = "placement_ended", _("the placement had ended")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="late_records")
    # Unique: the phone's retry of a late record finds it and writes nothing twice.
    client_id = models.UUIDField(null=True, blank=True, unique=True)
    reason = models.CharField(_("why it came late"), max_length=30, choices=Reason.choices)
    visited_on = models.DateField(_("visited on"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Visit.Outcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(_("recorded on the phone at"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["received_at"]
        verbose_name = _("late visit record")
        verbose_name_plural = _("late visit records")

    def __str__(self) -> str:
        return f"{self.visit_id} {self.reason}"
