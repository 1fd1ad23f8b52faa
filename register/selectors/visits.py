"""Reading follow-up visits, and the one place where a visit's status is derived.

A visit stores only what people did (`state`: open, completed, missed, cancelled). Whether an open
visit is scheduled, due or overdue depends on today's date, so it is derived, never stored (a stored
"overdue" flag would be stale by tomorrow). The rule is written twice, side by side: as a SQL
expression (to filter and order lists) and in Python (for a visit already in memory); a test checks
that the two agree on every case.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from register.models import PlacementChild, Visit
from register.roles import OWN_RECORDS_ONLY
from register.scoping import scope_to_user

SCHEDULED = "scheduled"
DUE = "due"
OVERDUE = "overdue"

# The derived statuses of API.md, in the order a person thinks of them.
VISIT_STATUS_CHOICES = [
    (SCHEDULED, _("scheduled")),
    (DUE, _("due today")),
    (OVERDUE, _("overdue")),
    (Visit.State.COMPLETED, _("completed")),
    (Visit.State.MISSED, _("missed")),
    (Visit.State.CANCELLED, _("cancelled")),
]


def today() -> datetime.date:
    """Today in Cambodia (settings.TIME_ZONE is Asia/Phnom_Penh), whatever the server's clock zone."""
    return timezone.localdate()


# --- The derivation: SQL and Python, kept together ----------------------------------------------


def visit_status_expression(on: datetime.date | None = None) -> Case:
    """The status as a SQL expression, for `.annotate(status=...)`, filtering and ordering."""
    on = on or today()
    return Case(
        When(Q(state=Visit.State.OPEN) & Q(due_date__gt=on), then=Value(SCHEDULED)),
        When(Q(state=Visit.State.OPEN) & Q(due_date=on), then=Value(DUE)),
        When(Q(state=Visit.State.OPEN) & Q(due_date__lt=on), then=Value(OVERDUE)),
        default="state",
        output_field=CharField(),
    )


def visit_status(*, state: str, due_date: datetime.date, on: datetime.date | None = None) -> str:
    """The same rule as `visit_status_expression`, for one visit in memory."""
    on = on or today()
    if state != Visit.State.OPEN:
        return state
    if due_date > on:
        return SCHEDULED
    if due_date == on:
        return DUE
    return OVERDUE


def days_overdue(*, status: str, due_date: datetime.date, on: datetime.date | None = None) -> int:
    """Whole days since an overdue visit fell due; 0 for every other status."""
    if status != OVERDUE:
        return 0
    return ((on or today()) - due_date).days


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


# --- Who sees which visits -----------------------------------------------------------------------


def visits_visible_to(user) -> QuerySet:
    """The visits `user` may read: those of placements in their provinces; a social worker only
    the visits of placements they are the social worker of."""
    queryset = scope_to_user(Visit.objects.all(), user, province_field="placement__province")
    if getattr(user, "role", None) in OWN_RECORDS_ONLY:
        queryset = queryset.filter(placement__social_worker=user)
    return queryset


def visit_list(*, user, on: datetime.date | None = None) -> QuerySet:
    """Visible visits with their status and everything their listing shows, in a fixed number of
    queries whatever the page size."""
    return with_status(
        visits_visible_to(user)
        .select_related("placement", "placement__social_worker")
        .prefetch_related(
            Prefetch("placement__memberships", queryset=PlacementChild.objects.order_by("child_id")),
        ),
        on,
    ).order_by("due_date", "placement_id", "sequence")


def visit_get_for_update(*, visit_id) -> Visit:
    """The visit row, locked until the end of the caller's transaction."""
    return Visit.objects.select_for_update().select_related("placement").get(pk=visit_id)
