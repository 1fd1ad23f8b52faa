"""Reading a closure: its children at the decision, where each went, each placement's follow-up."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils import timezone

from matching.selectors import batch_plans
from monitoring.models import InstitutionClosure
from register.models import Child, Institution, PlacementChild, Visit
from register.rules.visits import OVERDUE, status_q, today
from register.scoping import scope_to_user

SUMMARY = ("placed", "reunified", "adopted", "aged_out", "exited", "waiting")


def institution_for_closure(*, user, id) -> Institution:
    """An institution of the user's provinces; 404 as for one that does not exist otherwise."""
    return get_object_or_404(scope_to_user(Institution.objects.all(), user), pk=id)


def closure_of(*, institution: Institution) -> InstitutionClosure | None:
    return InstitutionClosure.objects.filter(institution=institution).first()


def closure_report(*, user, closure: InstitutionClosure) -> dict:
    """The closure as API.md gives it, with the days left to its target and the batch plans made for
    the institution. A fixed number of queries, whatever the number of children."""
    members = list(
        closure.children.select_related("child")
        .order_by("child__reference")
        .values_list("child_id", "child__reference", "status_at_decision", "child__status")
    )
    ids = [m[0] for m in members]
    # Each child's latest placement (the active one if any), with its overdue visits.
    latest = {}
    rows = (
        PlacementChild.objects.filter(child_id__in=ids)
        .order_by("child_id", "active", "placement__start_date", "placement__created_at")
        .values_list("child_id", "placement_id", "placement__care_type")
    )
    for child_id, placement_id, care_type in rows:
        latest[child_id] = (placement_id, care_type)  # the last one wins: the active one, else the latest
    overdue = dict(
        Visit.objects.filter(status_q(OVERDUE, today()), placement_id__in=[p for p, _ in latest.values()])
        .order_by()
        .values("placement_id")
        .annotate(n=Count("id"))
        .values_list("placement_id", "n")
    )
    summary = dict.fromkeys(SUMMARY, 0)
    children = []
    for pk, reference, at_decision, status in members:
        summary["waiting" if status in Child.PLACEABLE else status] += 1
        placement_id, care_type = latest.get(pk, (None, None))
        children.append(
            {
                "child": str(pk),
                "reference": reference,
                "status_at_decision": at_decision,
                "status": status,
                "placement": str(placement_id) if placement_id else None,
                "care_type": care_type,
                "visits_overdue": overdue.get(placement_id, 0),
            }
        )
    plans = batch_plans(user=user).filter(institution_id=closure.institution_id).order_by("-created_at")
    return {
        "decided_on": closure.decided_on.isoformat(),
        "target_date": closure.target_date.isoformat(),
        "reason": closure.reason,
        "days_left": (closure.target_date - timezone.localdate()).days,
        "summary": {"total": len(members), **summary},
        "children": children,
        "batch_plans": [
            {
                "id": str(p.pk),
                "status": p.status,
                "created_at": p.created_at.isoformat(),
                "proposals": len(p.proposals or []),
                "unassigned": len(p.unassigned or []),
            }
            for p in plans[:20]
        ],
    }
