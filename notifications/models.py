"""Reminders (one per visit or carer and kind: the unit of work of the sweep) and notifications (one
per reminder and recipient: the inbox item, and what is sent through the recipient's channel)."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    VISIT_DUE_SOON = "visit_due_soon", _("visit due soon")
    VISIT_DUE = "visit_due", _("visit due today")
    VISIT_OVERDUE = "visit_overdue", _("visit overdue")
    VISIT_ESCALATED = "visit_escalated", _("overdue visit escalated")
    VISIT_URGENT = "visit_urgent", _("urgent visit outcome")
    APPROVAL_REVIEW_DUE = "approval_review_due", _("approval review due")
    # A registrar met a record of another province that may be the same person (issue 14).
    POSSIBLE_DUPLICATE = "possible_duplicate", _("possible duplicate in another province")


class ReminderPolicy(models.Model):
    """Lead times and delivery limits. Versioned: a change is a new row; the newest is in force."""

    due_soon_days_before = models.PositiveSmallIntegerField(_("'due soon' days before the visit"), default=3)
    overdue_days_after = models.PositiveSmallIntegerField(
        _("'overdue' days after the visit"), default=1, validators=[MinValueValidator(1)]
    )
    escalate_days_after = models.PositiveSmallIntegerField(
        _("escalate to supervisors days after the visit"), default=7, validators=[MinValueValidator(1)]
    )
    review_due_days_before = models.PositiveSmallIntegerField(
        _("'review due' days before a carer's review"), default=30
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts before a delivery fails"), default=5, validators=[MinValueValidator(1)]
    )
    backoff_seconds = models.PositiveIntegerField(_("first retry after (seconds), doubling"), default=60)
    lease_seconds = models.PositiveIntegerField(
        _("a claimed reminder is released after (seconds)"), default=120, validators=[MinValueValidator(10)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policies")

    def __str__(self) -> str:
        return f"#{self.pk}"

    @classmethod
    def current(cls) -> "ReminderPolicy":
        policy = cls.objects.order_by("-created_at", "-id").first()
        return policy or cls()


class Reminder(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped (a later reminder replaced it)")
        CANCELLED = "cancelled", _("cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=25, choices=Kind.choices)
    visit = models.ForeignKey(
        "register.Visit", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    carer = models.ForeignKey(
        "register.Carer", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    # For possible duplicates of a child (a carer's are on `carer`).
    child = models.ForeignKey(
        "register.Child", null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    # For review reminders: which review (a carer is reviewed every year).
    review_due = models.DateField(null=True, blank=True)
    province = models.ForeignKey("register.Province", on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    # The delivery batch that claimed it (with the lease): a batch records only its own claims, so a
    # reminder released after its lease and claimed by another batch is never delivered by both.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "lease_until"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "kind"], condition=Q(visit__isnull=False), name="one_reminder_per_visit_and_kind"
            ),
            models.UniqueConstraint(
                fields=["carer", "kind", "review_due"],
                condition=Q(carer__isnull=False),
                name="one_reminder_per_carer_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.visit_id or self.carer_id}"


class Notification(models.Model):
    """What one person receives for one reminder: an inbox item, and a message on their channel."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=25, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "created_at"])]
        constraints = [models.UniqueConstraint(fields=["reminder", "recipient"], name="one_notification_per_recipient")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def delivery_reference(self) -> str:
        """The same for every attempt at this message, even when an attempt's row was rolled back
        (a worker killed mid-send): gateways deliver once per reference."""
        return f"{self.reminder_id}:{self.recipient_id}"
