"""Reading placements: who may see which, and counts the placement rules rest on."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from register.models import Placement, PlacementChild, Visit
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


def placement_list(*, user) -> QuerySet:
    return with_details(placements_visible_to(user)).order_by("-start_date", "-created_at", "id")


def placement_detail(*, placement_id) -> Placement:
    """One placement with its children and visits, whoever asks (callers scope first)."""
    return with_details(Placement.objects.all()).get(pk=placement_id)


def children_in_active_placements(*, child_ids: Iterable) -> list:
    """Which of these children are in an active placement already (sorted ids)."""
    return sorted(
        PlacementChild.objects.filter(active=True, child_id__in=list(child_ids)).values_list("child_id", flat=True),
        key=str,
    )
