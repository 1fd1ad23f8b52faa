"""A follow-up visit's status, and how late it is: the rule, written once.

A visit stores only what people did (`state`: open, completed, missed, cancelled). Whether an open
visit is scheduled, due or overdue depends on today's date, so it is derived, never stored (a stored
"overdue" flag would be stale by tomorrow).

Each part of the rule is written twice, side by side in this module and nowhere else: as a database
condition (to filter, count and order lists in SQL) and in Python (for a visit already in memory);
tests/register/test_visit_rules.py holds each pair equal over many dates. The API, the pages, the
admin, the dashboard, the follow-up queue and the reminder sweep all ask this module.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from register.models import Visit

SCHEDULED = "scheduled"
DUE = "due"
OVERDUE = "overdue"
DERIVED = (SCHEDULED, DUE, OVERDUE)  # the statuses of an open visit

# The derived statuses of API.md, in the order a person thinks of them.
VISIT_STATUS_CHOICES = [
    (SCHEDULED, _("scheduled")),
    (DUE, _("due today")),
    (OVERDUE, _("overdue")),
    (Visit.State.COMPLETED, _("completed")),
    (Visit.State.MISSED, _("missed")),
    (Visit.State.CANCELLED, _("cancelled")),
]

# An urgent outcome is news for this many days after the visit (the sweep tells the supervisors,
# the follow-up queue shows it first); older, it is history.
URGENT_OUTCOME_DAYS = 7


def today() -> datetime.date:
    """Today in Cambodia (settings.TIME_ZONE is Asia/Phnom_Penh), whatever the server's clock zone."""
    return timezone.localdate()


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# --- Status: the condition of each derived status, and the same in Python -------------------------


def status_q(status: str, on: datetime.date | None = None) -> Q:
    """The visits whose status on `on` is `status`, as a filter."""
    on = on or today()
    open_visit = Q(state=Visit.State.OPEN)
    if status == SCHEDULED:
        return open_visit & Q(due_date__gt=on)
    if status == DUE:
        return open_visit & Q(due_date=on)
    if status == OVERDUE:
        return open_visit & Q(due_date__lt=on)
    return Q(state=status)


def visit_status_expression(on: datetime.date | None = None) -> Case:
    """The status as a SQL expression, for `.annotate(status=...)`, filtering and ordering."""
    on = on or today()
    return Case(
        *(When(status_q(status, on), then=Value(status)) for status in DERIVED),
        default="state",
        output_field=CharField(),
    )


def visit_status(*, state: str, due_date: datetime.date, on: datetime.date | None = None) -> str:
    """The same rule as `status_q` and `visit_status_expression`, for one visit in memory."""
    on = on or today()
    if state != Visit.State.OPEN:
        return state
    if due_date > on:
        return SCHEDULED
    if due_date == on:
        return DUE
    return OVERDUE


def with_status(queryset: QuerySet, on: datetime.date | None = None) -> QuerySet:
    """Visits annotated with their derived `status`."""
    return queryset.annotate(status=visit_status_expression(on))


def status_of(visit: Visit, on: datetime.date | None = None) -> str:
    """The derived status of a visit: the annotation when the visit came from `with_status`,
    else the Python rule."""
    annotated = getattr(visit, "status", None)
    if annotated is not None and on is None:
        return annotated
    return visit_status(state=visit.state, due_date=visit.due_date, on=on)


# --- Lateness: days overdue, and open visits due by a day ------------------------------------------


def days_overdue(*, status: str, due_date: datetime.date, on: datetime.date | None = None) -> int:
    """Whole days since an overdue visit fell due; 0 for every other status."""
    if status != OVERDUE:
        return 0
    return ((on or today()) - due_date).days


def days_overdue_of(visit: Visit, on: datetime.date | None = None) -> int:
    """`days_overdue` of a visit, from its annotated status when it has one (see `status_of`)."""
    return days_overdue(status=status_of(visit, on), due_date=visit.due_date, on=on)


def open_due_by_q(day: datetime.date) -> Q:
    """Open visits due on or before `day`."""
    return Q(state=Visit.State.OPEN, due_date__lte=day)


def is_open_due_by(*, state: str, due_date: datetime.date, day: datetime.date) -> bool:
    """The same rule as `open_due_by_q`, for one visit in memory."""
    return state == Visit.State.OPEN and due_date <= day


def overdue_by_at_least_q(days: int, on: datetime.date | None = None) -> Q:
    """Open visits at least `days` days past their due date on `on`: for 1 or more, exactly the
    overdue visits whose `days_overdue` is at least `days`; 0 adds the visits due that day (the
    follow-up queue's "at least 0 days overdue" has always meant "due or overdue")."""
    return open_due_by_q((on or today()) - _days(days))


# --- Urgent outcomes --------------------------------------------------------------------------------


def recent_urgent_outcome_q(on: datetime.date | None = None) -> Q:
    """Visits completed with an urgent outcome within the last URGENT_OUTCOME_DAYS."""
    return Q(
        state=Visit.State.COMPLETED,
        outcome=Visit.Outcome.URGENT,
        completed_on__gte=(on or today()) - _days(URGENT_OUTCOME_DAYS),
    )


def is_recent_urgent_outcome(
    *, state: str, outcome: str, completed_on: datetime.date | None, on: datetime.date | None = None
) -> bool:
    """The same rule as `recent_urgent_outcome_q`, for one visit in memory."""
    return (
        state == Visit.State.COMPLETED
        and outcome == Visit.Outcome.URGENT
        and completed_on is not None
        and completed_on >= (on or today()) - _days(URGENT_OUTCOME_DAYS)
    )


def unacknowledged_urgent_q() -> Q:
    """Visits completed with an urgent outcome that no supervisor has acknowledged yet: the
    follow-up queue keeps them, however old, until someone says what was done."""
    return Q(state=Visit.State.COMPLETED, outcome=Visit.Outcome.URGENT, acknowledged_at__isnull=True)


def is_unacknowledged_urgent(*, state: str, outcome: str, acknowledged_at) -> bool:
    """The same rule as `unacknowledged_urgent_q`, for one visit in memory."""
    return state == Visit.State.COMPLETED and outcome == Visit.Outcome.URGENT and acknowledged_at is None


def is_urgent_outcome(*, state: str, outcome: str) -> bool:
    """A visit made that found a child at risk: what a supervisor acknowledges."""
    return state == Visit.State.COMPLETED and outcome == Visit.Outcome.URGENT
