"""The follow-up queue as a spreadsheet: the API's `?format=csv` and the supervisor's page share it,
so the two cannot drift apart."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from notifications import selectors
from register.exports import csv_bytes
from register.rules.visits import VISIT_STATUS_CHOICES, days_overdue, status_of

CSV_EXPORT_LIMIT = 10000
TOO_MANY_ROWS = _(
    "A spreadsheet holds at most %(limit)s visits and this list has %(count)s: narrow it with the filters "
    "(province, district, social worker, priority) and export again."
)

CSV_COLUMNS = [
    "priority",
    "due_date",
    "days_overdue",
    "status",
    "province",
    "district",
    "carer",
    "placement",
    "social_worker",
    "delivery_failed",
    "id",
    # For people (issue 17): references and names a supervisor may read, and the codes above in the
    # reader's language. Children by reference only: a name would be a read of the child's record.
    "priority_label",
    "status_label",
    "family_reference",
    "household",
    "primary_carer",
    "phone",
    "district_name",
    "children",
    "social_worker_name",
]
STATUS_LABELS = dict(VISIT_STATUS_CHOICES)


def follow_up_row(visit) -> dict:
    """One visit of `selectors.follow_up_queue` (its placement and carer loaded) as the export's
    columns, written as the API's queue items write them."""
    placement = visit.placement
    status = status_of(visit)
    worker = placement.social_worker
    return {
        "priority": selectors.PRIORITIES[visit.priority],
        "due_date": visit.due_date.isoformat(),
        "days_overdue": days_overdue(status=status, due_date=visit.due_date),
        "status": status,
        "province": placement.province_id,
        "district": placement.carer.district_id,
        "carer": str(placement.carer_id),
        "placement": str(visit.placement_id),
        "social_worker": worker.username if worker else None,
        "delivery_failed": bool(visit.delivery_failed),
        "id": str(visit.id),
        "priority_label": str(selectors.Priority(visit.priority).label),
        "status_label": str(STATUS_LABELS.get(status, status)),
        "family_reference": placement.carer.reference,
        "household": placement.carer.household_name,
        "primary_carer": f"{placement.carer.given_name} {placement.carer.family_name}",
        "phone": placement.carer.phone,
        "district_name": placement.carer.district.name,
        "children": " ".join(sorted(m.child.reference for m in placement.memberships.all())),
        "social_worker_name": (worker.get_full_name() or worker.username) if worker else None,
    }


def follow_up_csv(queryset) -> bytes:
    """The queue as a spreadsheet (register.exports: every cell safe from formulas). A queue longer
    than CSV_EXPORT_LIMIT visits is refused, not cut short: a supervisor must not take a partial
    list for the whole. ValidationError on `format`, asking to narrow the list with the filters."""
    total = queryset.count()
    if total > CSV_EXPORT_LIMIT:
        raise ValidationError(
            {"format": [TOO_MANY_ROWS % {"limit": CSV_EXPORT_LIMIT, "count": total}]}, code="export_too_large"
        )
    rows = queryset.select_related("placement__carer__district", "placement__social_worker").prefetch_related(
        "placement__memberships__child"
    )[:CSV_EXPORT_LIMIT]
    return csv_bytes(CSV_COLUMNS, (follow_up_row(visit) for visit in rows))
