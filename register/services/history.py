"""Recording the dated history of statuses (register.models.StatusEvent).

Every service that changes a carer's, a child's or a placement's status, or moves a child to another
province, calls one of these inside its own transaction, so the change and its event are committed
together or not at all. Monitoring's indicators read these rows, never today's statuses.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Max
from django.utils import timezone

from register.models import Carer, Child, Placement, StatusEvent

K = StatusEvent.Kind


def carer_event_record(*, carer: Carer, from_status: str, move_to: str | None = None) -> StatusEvent:
    """A family's move to `carer.status` (from_status "" when it was just registered), or to the
    province `move_to` (its commune changed province), today."""
    return StatusEvent.objects.create(
        kind=K.CARER,
        subject_id=carer.pk,
        from_status=from_status,
        to_status=carer.status,
        from_province_id=carer.province_id if from_status else None,
        to_province_id=move_to or carer.province_id,
        on=timezone.localdate(),
    )


def child_events_record(
    *, changes: Iterable[tuple[Child, str, str | None]], on: datetime.date | None = None
) -> list[StatusEvent]:
    """Children whose status or province changed: (child as it is now, status before, province before),
    with status "" and province None for a child just recorded. A change with neither moved writes nothing.

    The day is `on` (a placement's start or end date) but never earlier than the child's last
    event: a placement backdated before the child was recorded counts from the day it was recorded,
    so the counts by month never go below zero."""
    changes = [(c, s, p) for c, s, p in changes if (s, p) != (c.status, c.province_id)]
    if not changes:
        return []
    day = on or timezone.localdate()
    latest = dict(
        StatusEvent.objects.filter(kind=K.CHILD, subject_id__in=[c.pk for c, _, _ in changes])
        .values("subject_id")
        .annotate(last=Max("on"))
        .values_list("subject_id", "last")
    )
    return StatusEvent.objects.bulk_create(
        StatusEvent(
            kind=K.CHILD,
            subject_id=child.pk,
            from_status=status,
            to_status=child.status,
            from_province_id=province,
            to_province_id=child.province_id,
            on=max(day, latest.get(child.pk) or day),
        )
        for child, status, province in changes
    )


def placement_event_record(*, placement: Placement, from_status: str) -> StatusEvent:
    """A placement made (from_status "", on its start date) or ended (on its end date, with its reason)."""
    ended = placement.status == Placement.Status.ENDED
    return StatusEvent.objects.create(
        kind=K.PLACEMENT,
        subject_id=placement.pk,
        from_status=from_status,
        to_status=placement.status,
        from_province_id=placement.province_id if from_status else None,
        to_province_id=placement.province_id,
        on=placement.end_date if ended else placement.start_date,
        reason=placement.end_reason if ended else "",
    )
