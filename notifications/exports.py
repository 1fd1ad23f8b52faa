"""The follow-up queue as a spreadsheet: the API's `?format=csv` and the supervisor's page share it,
so the two cannot drift apart."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from notifications import selectors
from register.exports import csv_bytes
from register.rules.visits import days_overdue, status_of

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
]


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
    return csv_bytes(CSV_COLUMNS, (follow_up_row(visit) for visit in queryset[:CSV_EXPORT_LIMIT]))
