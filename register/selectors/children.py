"""Reading institutions, children and sibling groups: every query passes through the caller's
jurisdiction here, so views, services and the admin share one rule of who sees which child."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from register.models import Carer, CarerExclusion, Child, Institution, KinLink, PlacementChild, SiblingGroup
from register.roles import OWN_RECORDS_ONLY
from register.scoping import scope_to_user


def institution_list(*, user) -> QuerySet[Institution]:
    """The institutions of the user's provinces."""
    return scope_to_user(Institution.objects.all(), user)


def institution_get(*, user, id) -> Institution:
    """One institution the user may see; Http404 otherwise (as for one that does not exist)."""
    return _get(institution_list(user=user), id)


def child_list(*, user, include_merged: bool = False) -> QuerySet[Child]:
    """The children the user may see: those of their provinces; a social worker sees only the
    children of the placements they follow (as the placement's social worker, active or ended).
    Kin and exclusions come prefetched, so a page of any size costs the same few queries; only
    those naming a family the user may see (a child's aunt may live in another province)."""
    families = scope_to_user(Carer.objects.all(), user).values("pk")
    queryset = scope_to_user(
        Child.objects.prefetch_related(
            Prefetch("kin", queryset=KinLink.objects.filter(carer__in=families).order_by("id")),
            Prefetch("excluded_carers", queryset=CarerExclusion.objects.filter(carer__in=families).order_by("id")),
        ),
        user,
        include_merged=include_merged,
    )
    if _own_records_only(user):
        followed = PlacementChild.objects.filter(placement__social_worker=user).values("child_id")
        queryset = queryset.filter(pk__in=followed)
    return queryset


def child_get(*, user, id, include_merged: bool = False) -> Child:
    """One child the user may see; Http404 otherwise. Callers that show the record to a person log
    the read (register.audit.audit_read). `include_merged`: a record merged into another is found too
    (its `merged_into` names the record kept), for the record's own page and API answer."""
    return _get(child_list(user=user, include_merged=include_merged), id)


def child_merged_into(*, user, id):
    """The id of the child a child the user may see was merged into, or None."""
    try:
        uuid.UUID(str(id))
    except ValueError:
        return None
    return (
        child_list(user=user, include_merged=True)
        .filter(pk=id, merged_into__isnull=False)
        .values_list("merged_into_id", flat=True)
        .first()
    )


def sibling_group_list(*, user) -> QuerySet[SiblingGroup]:
    """The sibling groups with at least one child the user may see, with the ids of their children
    in the user's provinces (a brother may live in another province)."""
    visible = child_list(user=user).filter(sibling_group__isnull=False).values("sibling_group_id")
    in_provinces = scope_to_user(Child.objects.all(), user).values("pk")
    children = Child.objects.filter(pk__in=in_provinces).order_by("reference").only("id", "sibling_group_id")
    return SiblingGroup.objects.filter(pk__in=visible).prefetch_related(Prefetch("children", queryset=children))


def sibling_group_get(*, user, id) -> SiblingGroup:
    return _get(sibling_group_list(user=user), id)


def _own_records_only(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return not user.is_national and user.role in OWN_RECORDS_ONLY


def _get(queryset: QuerySet, id):
    try:
        pk = id if isinstance(id, uuid.UUID) else uuid.UUID(str(id))
    except (TypeError, ValueError, AttributeError) as exc:
        raise Http404 from exc
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
