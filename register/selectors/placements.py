"""Reading placements: who may see which, and counts the placement rules rest on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from register.models import Placement, PlacementChild, Visit
from register.models.placements import VisitLateRecord
from register.rules.visits import with_status
from register.scoping import scope_to_case_load
from register.selectors.visits import late_records_prefetch


def placements_visible_to(user) -> QuerySet:
    """The placements `user` may read: those in their provinces (the carer's province); a social
    worker only the placements they are the social worker of."""
    return scope_to_case_load(
        Placement.objects.all(), user, province_field="province", social_worker_field="social_worker"
    )


def with_details(queryset: QuerySet) -> QuerySet:
    """Everything a placement's representation shows, in a fixed number of queries."""
    return queryset.select_related("social_worker").prefetch_related(
        Prefetch("memberships", queryset=PlacementChild.objects.order_by("child_id")),
        Prefetch(
            "visits",
            queryset=with_status(Visit.objects.select_related("acknowledged_by").order_by("sequence")).prefetch_related(
                late_records_prefetch()
            ),
        ),
    )


# Newest start first; the id makes the order total (keyset pages).
LIST_ORDER = ("-start_date", "-created_at", "id")


def placement_list(*, user) -> QuerySet:
    return with_details(placements_visible_to(user)).order_by(*LIST_ORDER)


# --- The list as plain values ----------------------------------------------------------------------
# A page of placements nests every visit of each (about 11 a placement, 550 a page). Built as model
# instances through prefetches, that page spent most of its time making objects and related managers;
# read as values it is the same four queries (placements, children, visits, late records) and plain
# dicts. The API's list renders these (register/api/placements.py: placement_values_row); the detail
# keeps the instances (`placement_detail`), and a test holds the two renderings equal.

PLACEMENT_VALUES = (
    "id", "carer_id", "start_date", "end_date", "care_type", "status", "end_reason", "province_id", "match_id",
    "match_rank", "split_reason", "overrides", "created_at",
)  # fmt: skip
# A visit as a tuple, in this order (550 of them a page: tuples, not dicts).
VISIT_VALUES = (
    "id", "placement_id", "sequence", "due_date", "status", "completed_on", "outcome", "notes", "recorded_at",
    "acknowledged_at", "acknowledged_by__username", "acknowledgement", "follow_up_of_id",
)  # fmt: skip
LATE_RECORD_VALUES = (
    "id", "visit_id", "client_id", "reason", "visited_on", "outcome", "notes", "recorded_at", "received_at",
)  # fmt: skip


def placement_list_values(queryset: QuerySet) -> QuerySet:
    """`placement_list`'s rows (already scoped and filtered) as dicts: the placement's own columns and
    its social worker's username (`social_worker__username`), in the list's order. Keyset pages read their keys
    from the dicts (`start_date`, `created_at`, `id`)."""
    return queryset.order_by(*LIST_ORDER).values(*PLACEMENT_VALUES, "social_worker__username")


def placement_list_base(*, user) -> QuerySet:
    """The placements `user` may read, in the list's order, without the prefetches of the instances
    (the FilterSet filters this; `placement_list_values` then reads it)."""
    return placements_visible_to(user).order_by(*LIST_ORDER)


@dataclass(frozen=True)
class PageDetails:
    """What a page of placements nests, as plain values, by placement (and late records by visit)."""

    children: dict  # placement id -> [child ids, sorted]
    visits: dict  # placement id -> [visit tuples (VISIT_VALUES, in that order), by sequence]
    late_records: dict  # visit id -> [late record dicts (LATE_RECORD_VALUES and `recorded_by__username`), oldest first]


def placement_page_details(*, placement_ids: Iterable, with_visits: bool = True) -> PageDetails:
    """The children, visits (with their derived status) and late records of these placements: three
    queries whatever the number of placements or visits (none when there are no placements; only the
    children's without the visits)."""
    ids = list(placement_ids)
    children: dict = defaultdict(list)
    visits: dict = defaultdict(list)
    late_records: dict = defaultdict(list)
    if not ids:
        return PageDetails(children, visits, late_records)
    memberships = PlacementChild.objects.filter(placement_id__in=ids).order_by("child_id")
    for placement_id, child_id in memberships.values_list("placement_id", "child_id"):
        children[placement_id].append(child_id)
    if not with_visits:
        return PageDetails(children, visits, late_records)
    rows = (
        with_status(Visit.objects.filter(placement_id__in=ids))
        .order_by("placement_id", "sequence")
        .values_list(*VISIT_VALUES)
    )
    for row in rows:
        visits[row[1]].append(row)
    late = (
        VisitLateRecord.objects.filter(visit__placement_id__in=ids)
        .order_by("received_at", "id")
        .values(*LATE_RECORD_VALUES, "recorded_by__username")
    )
    for row in late:
        late_records[row["visit_id"]].append(row)
    return PageDetails(children, visits, late_records)


def placement_detail(*, placement_id) -> Placement:
    """One placement with its children and visits, whoever asks (callers scope first)."""
    return with_details(Placement.objects.all()).get(pk=placement_id)


def children_in_active_placements(*, child_ids: Iterable) -> list:
    """Which of these children are in an active placement already (sorted ids)."""
    return sorted(
        PlacementChild.objects.filter(active=True, child_id__in=list(child_ids)).values_list("child_id", flat=True),
        key=str,
    )
