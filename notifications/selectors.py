"""Reads of the notifications app: a person's inbox and the follow-up queue."""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from notifications.models import Notification, Reminder, ReminderPolicy
from register.models import Visit
from register.selectors.visits import visit_list

URGENT_DAYS = 7
WEEK_DAYS = 7

# Priority numbers of `follow_up_queue`, most urgent first.
PRIORITIES = ["urgent", "escalated", "overdue", "due_today", "due_this_week"]


def inbox(*, user) -> QuerySet:
    return (
        Notification.objects.filter(recipient=user)
        .select_related("reminder", "reminder__visit", "reminder__visit__placement")
        .order_by("-created_at")
    )


def inbox_unread_count(*, user) -> int:
    """How many of the user's notifications are unread (the menu shows it on every page)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def follow_up_queue(*, user, on: datetime.date | None = None) -> QuerySet:
    """Visits that need someone's attention, most urgent first: urgent outcomes of the last week,
    visits overdue past the escalation point, overdue, due today, due this week. Each row carries
    its `priority` (0 = most urgent) and whether a reminder about it failed to reach anyone."""
    today = on or timezone.localdate()
    escalate = ReminderPolicy.current().escalate_days_after
    open_visit = Q(state=Visit.State.OPEN)
    queryset = visit_list(user=user, on=today).filter(
        (open_visit & Q(due_date__lte=today + datetime.timedelta(days=WEEK_DAYS)))
        | Q(
            state=Visit.State.COMPLETED,
            outcome=Visit.Outcome.URGENT,
            completed_on__gte=today - datetime.timedelta(days=URGENT_DAYS),
        )
    )
    return queryset.annotate(
        priority=Case(
            When(state=Visit.State.COMPLETED, then=Value(0)),
            When(open_visit & Q(due_date__lte=today - datetime.timedelta(days=escalate)), then=Value(1)),
            When(open_visit & Q(due_date__lt=today), then=Value(2)),
            When(open_visit & Q(due_date=today), then=Value(3)),
            default=Value(4),
            output_field=IntegerField(),
        ),
        delivery_failed=Exists(Reminder.objects.filter(visit=OuterRef("pk"), status=Reminder.Status.FAILED)),
    ).order_by("priority", "due_date", "placement_id", "sequence")


def follow_up_counts(queryset: QuerySet) -> dict[str, int]:
    """The queue's counts, in two aggregate queries."""
    counts = queryset.order_by().aggregate(
        overdue=Count("id", filter=Q(priority__in=(1, 2))),
        due_today=Count("id", filter=Q(priority=3)),
        due_this_week=Count("id", filter=Q(priority=4)),
        escalated=Count("id", filter=Q(priority=1)),
        urgent=Count("id", filter=Q(priority=0)),
    )
    # Counted apart: an aggregate filtered on an EXISTS annotation miscounts on some databases.
    counts["delivery_failed"] = queryset.filter(delivery_failed=True).count()
    return counts
