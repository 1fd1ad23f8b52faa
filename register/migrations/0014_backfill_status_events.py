"""Backfill the dated history of statuses (StatusEvent) for what was registered before it existed.

What the register knew, and so what this writes (every row marked `backfilled`):
- carers: registered (an enquiry) on the day of their creation (or of their approval, if earlier); then each recorded lifecycle step
  (CarerStatusChange) on the day it was recorded; a family whose status is not the end of that chain
  moves to it on its approval date (approved, on hold), else on the day the record last changed.
  The family is counted in its present province all along (earlier moves were not dated).
- placements: made on their start date, ended on their end date with their reason.
- children: recorded on the day of their creation (or their first placement's start, if earlier) with
  the status their creation's audit entry gives (else: in residential care when they have an
  institution, else awaiting placement), in their institution's province (else their home
  commune's); placed on each placement's start date and back on its end date (the status its end
  reason gives); other changes by hand on the day the audit trail recorded them; and, if the chain
  still does not end where the child is now, a last move on the day the record last changed.
Dates are local (Asia/Phnom_Penh) days.
"""

from __future__ import annotations

from django.db import migrations
from django.utils import timezone

BATCH = 2000
# As register.services.placements.STATUS_AFTER_END says today (a migration keeps its own copy).
STATUS_AFTER_END = {
    "reunified": "reunified",
    "adopted": "adopted",
    "aged_out": "aged_out",
    "breakdown": "awaiting_placement",
    "moved": "awaiting_placement",
    "other": "awaiting_placement",
}


def _day(moment):
    return timezone.localdate(moment) if moment is not None else None


def _chain(kind, subject_id, steps, now_state, last_changed, Event):
    """Events for `steps` [(day, status, province, reason)] in day order, each from the state before it,
    and a last one to `now_state` when the chain does not end there."""
    events, state, last_day = [], ("", None), None
    steps = sorted(steps, key=lambda s: s[0])
    for day, status, province, reason in steps:
        if (status, province) == state:
            continue
        day = max(day, last_day) if last_day else day
        events.append(
            Event(
                kind=kind, subject_id=subject_id, from_status=state[0], to_status=status,
                from_province_id=state[1], to_province_id=province, on=day, reason=reason, backfilled=True,
            )
        )  # fmt: skip
        state, last_day = (status, province), day
    if now_state != state:
        day = max(last_changed, last_day) if last_day else last_changed
        events.append(
            Event(
                kind=kind, subject_id=subject_id, from_status=state[0], to_status=now_state[0],
                from_province_id=state[1], to_province_id=now_state[1], on=day, backfilled=True,
            )
        )  # fmt: skip
    return events


def backfill(apps, schema_editor):
    Event = apps.get_model("register", "StatusEvent")
    if Event.objects.exists():
        return
    Carer = apps.get_model("register", "Carer")
    CarerStatusChange = apps.get_model("register", "CarerStatusChange")
    Child = apps.get_model("register", "Child")
    Placement = apps.get_model("register", "Placement")
    PlacementChild = apps.get_model("register", "PlacementChild")
    AuditEntry = apps.get_model("register", "AuditEntry")
    out = []

    def flush(force=False):
        if out and (force or len(out) >= BATCH):
            Event.objects.bulk_create(out, batch_size=BATCH)
            out.clear()

    # Carers.
    changes = {}
    for carer_id, to_status, at in CarerStatusChange.objects.order_by("changed_at", "id").values_list(
        "carer_id", "to_status", "changed_at"
    ):
        changes.setdefault(carer_id, []).append((_day(at), to_status))
    for pk, province, status, created, updated, approved_on in Carer.objects.values_list(
        "pk", "province_id", "status", "created_at", "updated_at", "approved_on"
    ).iterator(chunk_size=BATCH):
        recorded = changes.get(pk, [])
        last = approved_on if status in ("approved", "on_hold") and approved_on else _day(updated)
        # A family approved (on paper) before it was typed in was an enquiry by then at the latest.
        first = min(_day(created), *(day for day, _ in recorded[:1]), *([approved_on] if approved_on else []))
        steps = [(first, "enquiry", province, "")]
        steps += [(day, to, province, "") for day, to in recorded]
        out += _chain("carer", pk, steps, (status, province), last, Event)
        flush()

    # Placements, and the children's moves they made.
    moves = {}  # child -> [(day, status, province, "")]
    placements = {}
    for pk, province, start, end, status, reason in Placement.objects.values_list(
        "pk", "province_id", "start_date", "end_date", "status", "end_reason"
    ).iterator(chunk_size=BATCH):
        placements[pk] = (province, start, end, status, reason)
        out.append(Event(kind="placement", subject_id=pk, to_status="active", to_province_id=province, on=start,
                         backfilled=True))  # fmt: skip
        if status == "ended" and end:
            out.append(Event(kind="placement", subject_id=pk, from_status="active", to_status="ended",
                             from_province_id=province, to_province_id=province, on=end, reason=reason,
                             backfilled=True))  # fmt: skip
        flush()
    first_start = {}
    child_places = {
        pk: (inst_province, home_province)
        for pk, inst_province, home_province in Child.objects.values_list(
            "pk", "institution__province_id", "home_commune__province_id"
        ).iterator(chunk_size=BATCH)
    }
    for placement_id, child_id in PlacementChild.objects.values_list("placement_id", "child_id").iterator(
        chunk_size=BATCH
    ):
        province, start, end, status, reason = placements[placement_id]
        steps = moves.setdefault(child_id, [])
        steps.append((start, "placed", province, ""))
        first_start[child_id] = min(start, first_start.get(child_id, start))
        if status == "ended" and end:
            inst_province, home_province = child_places[child_id]
            after = inst_province if reason != "reunified" and inst_province else home_province
            steps.append((end, STATUS_AFTER_END.get(reason, "awaiting_placement"), after, ""))

    # Children's status changes by hand, from the audit trail (those into or out of a placement are
    # dated by the placement above).
    created_status, by_hand = {}, {}
    entries = AuditEntry.objects.filter(model="register.Child", action__in=("create", "update")).order_by("at")
    for object_id, action, at, changed in entries.values_list("object_id", "action", "at", "changes").iterator(
        chunk_size=BATCH
    ):
        status = (changed or {}).get("status")
        if not isinstance(status, list) or len(status) != 2:
            continue
        if action == "create":
            created_status[object_id] = status[1]
        elif "placed" not in status:
            province = (changed.get("province_id") or [None, None])[1]
            by_hand.setdefault(object_id, []).append((_day(at), status[1], province))

    for pk, status, province, created, updated, inst_province, home_province in Child.objects.values_list(
        "pk", "status", "province_id", "created_at", "updated_at", "institution__province_id",
        "home_commune__province_id",
    ).iterator(chunk_size=BATCH):  # fmt: skip
        first_status = created_status.get(str(pk)) or ("in_residential_care" if inst_province else "awaiting_placement")
        first_day = min(_day(created), first_start.get(pk, _day(created)))
        steps = [(first_day, first_status, inst_province or home_province, "")]
        steps += moves.get(pk, [])
        place = inst_province or home_province
        for day, to, moved_to in by_hand.get(str(pk), []):
            place = moved_to or place
            steps.append((day, to, place, ""))
        out += _chain("child", pk, steps, (status, province), _day(updated), Event)
        flush()
    flush(force=True)


class Migration(migrations.Migration):
    dependencies = [("register", "0013_visit_phone_records_and_acknowledgement")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
