"""The follow-up queue as a spreadsheet: the API's `?format=csv` and the supervisor's page share it,
so the two cannot drift apart."""

from __future__ import annotations

import csv
import io

from notifications import selectors
from register.rules.visits import days_overdue, status_of

CSV_EXPORT_LIMIT = 10000

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
    """The queue as a spreadsheet, at most CSV_EXPORT_LIMIT rows. A byte-order mark first, so that
    Excel reads the UTF-8 as UTF-8."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for visit in queryset[:CSV_EXPORT_LIMIT]:
        writer.writerow(follow_up_row(visit))
    return out.getvalue().encode("utf-8-sig")
