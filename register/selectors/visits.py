"""Reading follow-up visits: who sees which, and the listings with their derived status.

A visit's status (scheduled, due, overdue...) is a rule of its own, in register.rules.visits.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet

from register.models import PlacementChild, Visit
from register.models.placements import VisitLateRecord
from register.rules.visits import with_status
from register.scoping import scope_to_case_load

# --- Who sees which visits -----------------------------------------------------------------------


def visits_visible_to(user) -> QuerySet:
    """The visits `user` may read: those of placements in their provinces; a social worker only
    the visits of placements they are the social worker of."""
    return scope_to_case_load(
        Visit.objects.all(), user, province_field="placement__province", social_worker_field="placement__social_worker"
    )


def visit_list(*, user, on: datetime.date | None = None) -> QuerySet:
    """Visible visits with their status and everything their listing shows, in a fixed number of
    queries whatever the page size."""
    return with_status(
        visits_visible_to(user)
        .select_related("placement", "placement__social_worker", "acknowledged_by")
        .prefetch_related(
            Prefetch("placement__memberships", queryset=PlacementChild.objects.order_by("child_id")),
            late_records_prefetch(),
        ),
        on,
    ).order_by("due_date", "placement_id", "sequence")


def late_records_prefetch() -> Prefetch:
    """A visit's late records (records from phones that came after it was completed or its
    placement ended), with who recorded them, oldest first: one query for a whole page of visits."""
    return Prefetch(
        "late_records", queryset=VisitLateRecord.objects.select_related("recorded_by").order_by("received_at", "id")
    )


def visit_get_for_update(*, visit_id) -> Visit:
    """The visit row, locked until the end of the caller's transaction."""
    return Visit.objects.select_for_update().select_related("placement").get(pk=visit_id)
