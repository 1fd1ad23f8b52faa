"""Reads of the notifications app: a person's inbox and the follow-up queue."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification, Reminder, ReminderPolicy
from register.models import Visit as Visit  # the queue's model, named by its FilterSet
from register.rules.visits import (
    DUE,
    OVERDUE,
    open_due_by_q,
    overdue_by_at_least_q,
    status_q,
    today,
    unacknowledged_urgent_q,
)
from register.selectors.visits import visit_list

WEEK_DAYS = 7  # the queue looks this far ahead


class Priority(models.IntegerChoices):
    """The follow-up queue's priorities; the number orders the queue, most urgent first. Only the
    queue computes them (never stored), so naming them needs no migration."""

    URGENT_OUTCOME = 0, _("urgent")  # a visit recorded with an urgent outcome, until a supervisor acknowledges it
    ESCALATED = 1, _("escalated")  # overdue past the reminder policy's escalation point
    OVERDUE = 2, _("overdue")
    DUE_TODAY = 3, _("due today")
    DUE_THIS_WEEK = 4, _("due this week")

    @property
    def code(self) -> str:
        """The priority as API.md writes it (`urgent`, `escalated`, `overdue`, `due_today`, ...)."""
        return _CODES[self]

    @classmethod
    def from_code(cls, code: str) -> Priority:
        return _BY_CODE[code]


_CODES = {
    Priority.URGENT_OUTCOME: "urgent",
    Priority.ESCALATED: "escalated",
    Priority.OVERDUE: "overdue",
    Priority.DUE_TODAY: "due_today",
    Priority.DUE_THIS_WEEK: "due_this_week",
}
_BY_CODE = {code: priority for priority, code in _CODES.items()}

# The API's priority codes, most urgent first.
PRIORITIES = [p.code for p in Priority]


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
    """Visits that need someone's attention, most urgent first: urgent outcomes no supervisor has
    acknowledged yet (however old: they leave the queue only when someone says what was done),
    visits overdue past the escalation point, overdue, due today, due this week. Each row carries
    its `priority` (a Priority number, URGENT_OUTCOME first) and whether a reminder about it failed
    to reach anyone."""
    today_ = on or today()
    escalate = ReminderPolicy.current().escalate_days_after
    queryset = visit_list(user=user, on=today_).filter(
        open_due_by_q(today_ + datetime.timedelta(days=WEEK_DAYS)) | unacknowledged_urgent_q()
    )
    return queryset.annotate(
        priority=Case(
            When(unacknowledged_urgent_q(), then=Value(Priority.URGENT_OUTCOME.value)),
            When(overdue_by_at_least_q(escalate, today_), then=Value(Priority.ESCALATED.value)),
            When(status_q(OVERDUE, today_), then=Value(Priority.OVERDUE.value)),
            When(status_q(DUE, today_), then=Value(Priority.DUE_TODAY.value)),
            default=Value(Priority.DUE_THIS_WEEK.value),
            output_field=IntegerField(),
        ),
        delivery_failed=Exists(Reminder.objects.filter(visit=OuterRef("pk"), status=Reminder.Status.FAILED)),
    ).order_by("priority", "due_date", "placement_id", "sequence")


def follow_up_counts(queryset: QuerySet) -> dict[str, int]:
    """The queue's counts, in two aggregate queries."""
    counts = queryset.order_by().aggregate(
        # "overdue" counts the escalated ones too: they are overdue as well.
        overdue=Count("id", filter=Q(priority__in=(Priority.ESCALATED, Priority.OVERDUE))),
        due_today=Count("id", filter=Q(priority=Priority.DUE_TODAY)),
        due_this_week=Count("id", filter=Q(priority=Priority.DUE_THIS_WEEK)),
        escalated=Count("id", filter=Q(priority=Priority.ESCALATED)),
        urgent=Count("id", filter=Q(priority=Priority.URGENT_OUTCOME)),
    )
    # API.md's name for the same figure: the queue holds an urgent outcome until it is acknowledged.
    counts["urgent_unacknowledged"] = counts["urgent"]
    # Counted apart: an aggregate filtered on an EXISTS annotation miscounts on some databases.
    counts["delivery_failed"] = queryset.filter(delivery_failed=True).count()
    return counts
