"""Writing follow-up visits: scheduling them from the visit policy, extending schedules, recording
a visit made."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from register.audit import TIMESTAMPS, audit_created, audit_write, audited_update, diff, snapshot
from register.errors import ConflictError, DomainError
from register.models import AuditEntry, Placement, Visit, VisitPolicy
from register.models.placements import VisitLateRecord
from register.roles import OWN_RECORDS_ONLY
from register.rules.visits import is_urgent_outcome, today
from register.selectors.visits import visit_get_for_update
from register.signals import visit_completed_urgent
from register.visit_schedule import visit_due_dates

# Used when the database holds no visit policy at all (migrations create one; a test database
# flushed by a transactional test may not): API.md's default cadence.
DEFAULT_POLICY = {"offsets_days": [7, 30, 60, 90], "repeat_every_days": 90, "horizon_days": 730}


def visit_policy_current() -> VisitPolicy:
    """The visit policy in force: the newest version."""
    try:
        return VisitPolicy.current()
    except VisitPolicy.DoesNotExist:
        return VisitPolicy(**DEFAULT_POLICY)


def schedule_until(*, start_date: datetime.date, policy: VisitPolicy, on: datetime.date | None = None):
    """How far ahead a placement's visits are written: the policy's horizon from its start, and at
    least from today (a backdated placement still gets its visits for the coming horizon)."""
    return max(start_date, on or today()) + datetime.timedelta(days=policy.horizon_days)


def visits_schedule(*, actor, placement: Placement, policy: VisitPolicy | None = None, on=None) -> list[Visit]:
    """Add the placement's visits that fall due after its last scheduled one, up to the horizon.
    The caller holds the placement's lock (or has just created it) inside its transaction; a second
    call adds nothing, and the unique (placement, sequence) constraint backs that up."""
    policy = policy or visit_policy_current()
    # Extra visits (asked for when an urgent outcome was acknowledged) do not move the schedule.
    last = placement.visits.aggregate(
        last_due=Max("due_date", filter=Q(follow_up_of__isnull=True)), last_seq=Max("sequence")
    )
    dates = visit_due_dates(
        placement.start_date,
        offsets_days=list(policy.offsets_days),
        repeat_every_days=policy.repeat_every_days,
        until=schedule_until(start_date=placement.start_date, policy=policy, on=on),
    )
    if last["last_due"] is not None:
        dates = [d for d in dates if d > last["last_due"]]
    sequence = last["last_seq"] or 0
    visits = []
    for due in dates:
        sequence += 1
        visits.append(Visit(placement=placement, sequence=sequence, due_date=due))
    Visit.objects.bulk_create(visits)
    for visit in visits:
        audit_created(actor=actor, instance=visit, province=placement.province_id)
    return visits


def visit_schedules_extend(*, actor=None, on: datetime.date | None = None) -> int:
    """Add the next visits to every active placement whose schedule ends within the horizon
    (a daily job). Each placement is extended in its own short transaction under its row lock, so
    this can run beside placements being ended, and twice at once, without a duplicate visit.
    Returns the number of visits added."""
    on = on or today()
    policy = visit_policy_current()
    # A placement needs more visits once one more repeat would still fall inside the horizon.
    reach = on + datetime.timedelta(days=policy.horizon_days - policy.repeat_every_days)
    candidates = (
        Placement.objects.filter(status=Placement.Status.ACTIVE)
        .annotate(last_due=Max("visits__due_date"))
        .filter(Q(last_due__isnull=True) | Q(last_due__lte=reach))
        .order_by("id")
        .values_list("id", flat=True)
    )
    added = 0
    for placement_id in list(candidates):
        with transaction.atomic():
            placement = Placement.objects.select_for_update().filter(pk=placement_id).first()
            if placement is None or placement.status != Placement.Status.ACTIVE:
                continue
            added += len(visits_schedule(actor=actor, placement=placement, policy=policy, on=on))
    return added


def visit_complete(
    *,
    actor,
    visit: Visit,
    visited_on: datetime.date,
    outcome: str,
    notes: str = "",
    client_id: uuid.UUID | None = None,
    recorded_at: datetime.datetime | None = None,
) -> Visit:
    """Record that a visit was made. Only an open visit can be completed; the date must lie between
    the placement's start and today.

    A record from a phone carries `client_id` (made once per record) and `recorded_at`: the same
    `client_id` again writes nothing (the phone retries when it cannot tell whether we answered).
    A record that arrives after someone else completed the visit, or after the placement ended, is
    kept beside the visit as a late record (the people who recorded it went there and saw the
    child: what they saw must reach a supervisor), then refused with 409 and the late record's id."""
    late = None
    with transaction.atomic():
        # The visit's lock orders a completion and a late record arriving at the same moment (and two
        # retries of one record): the second sees what the first wrote.
        visit = visit_get_for_update(visit_id=visit.pk)
        placement = visit.placement
        if getattr(actor, "role", None) in OWN_RECORDS_ONLY and placement.social_worker_id != actor.pk:
            # The API never shows such a visit to them (404); this guards other callers.
            raise PermissionDenied
        if client_id is not None:
            if visit.client_id == client_id:
                return visit  # a retry of the completion we hold
            late = VisitLateRecord.objects.filter(client_id=client_id).first()
            if (late is not None and late.visit_id != visit.pk) or (
                late is None and Visit.objects.filter(client_id=client_id).exists()
            ):
                raise ValidationError({"client_id": [_("This record id was already used for another visit.")]})
        if late is None:
            _check_completion(placement=placement, visited_on=visited_on, outcome=outcome)
            reason = _late_reason(visit)
            if reason is not None:
                late = VisitLateRecord.objects.create(
                    visit=visit,
                    client_id=client_id,
                    reason=reason,
                    visited_on=visited_on,
                    outcome=outcome,
                    notes=notes or "",
                    recorded_at=recorded_at,
                    recorded_by=actor,
                )
                audit_created(actor=actor, instance=late, province=placement.province_id)
            else:
                _complete(
                    actor=actor,
                    visit=visit,
                    visited_on=visited_on,
                    outcome=outcome,
                    notes=notes,
                    client_id=client_id,
                    recorded_at=recorded_at,
                )
    if late is not None:
        # Raised after the commit: the late record stays whatever the caller does with the refusal.
        raise ConflictError(_late_sentence(late.reason, visit), code=late.reason, late_record=str(late.pk))
    return visit


def _check_completion(*, placement: Placement, visited_on: datetime.date, outcome: str) -> None:
    if outcome not in Visit.Outcome.values:
        raise ValidationError({"outcome": [_("Choose settled, concerns or urgent.")]})
    if visited_on > today():
        raise ValidationError({"visited_on": [_("The visit date cannot be in the future.")]})
    if visited_on < placement.start_date:
        raise ValidationError(
            {
                "visited_on": [
                    _("The visit date cannot be before the placement started (%(start)s).")
                    % {"start": placement.start_date.isoformat()}
                ]
            }
        )


def _late_reason(visit: Visit) -> str | None:
    """Why a completion of this visit can no longer be taken (None: it can). Any other state than
    open is refused as before."""
    if visit.state == Visit.State.COMPLETED:
        return VisitLateRecord.Reason.VISIT_ALREADY_COMPLETED
    if visit.placement.status == Placement.Status.ENDED:
        return VisitLateRecord.Reason.PLACEMENT_ENDED
    if visit.state != Visit.State.OPEN:
        raise DomainError(
            _("This visit is %(state)s: only an open visit can be completed.") % {"state": visit.get_state_display()},
            code="invalid_transition",
        )
    return None


def _late_sentence(reason: str, visit: Visit) -> str:
    if reason == VisitLateRecord.Reason.VISIT_ALREADY_COMPLETED:
        return _(
            "This visit had already been recorded (visited on %(date)s). Your record is kept beside it for "
            "the supervisor to read."
        ) % {"date": visit.completed_on.isoformat() if visit.completed_on else "?"}
    return _(
        "The placement ended on %(date)s, before your record arrived. Your record is kept beside the visit "
        "for the supervisor to read."
    ) % {"date": visit.placement.end_date.isoformat() if visit.placement.end_date else "?"}


def _complete(*, actor, visit: Visit, visited_on, outcome, notes, client_id, recorded_at) -> None:
    placement = visit.placement
    before = snapshot(visit)
    visit.state = Visit.State.COMPLETED
    visit.completed_on = visited_on
    visit.outcome = outcome
    visit.notes = notes or ""
    visit.completed_by = actor if getattr(actor, "pk", None) else None
    visit.client_id = client_id
    visit.recorded_at = recorded_at
    visit.save(
        update_fields=[
            "state",
            "completed_on",
            "outcome",
            "notes",
            "completed_by",
            "client_id",
            "recorded_at",
            "updated_at",
        ]
    )
    audit_write(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=visit,
        changes=diff(before, snapshot(visit)),
        province=placement.province_id,
    )
    if outcome == Visit.Outcome.URGENT:
        # The supervisors must hear at once, not at the next minute's sweep. The register knows no
        # notifications app: it says what happened, after commit, to whoever listens.
        transaction.on_commit(lambda pk=visit.pk: visit_completed_urgent.send(sender=Visit, visit_id=pk))


# How far ahead an extra visit may be asked for when an urgent outcome is acknowledged.
EXTRA_VISIT_MAX_DAYS = 365


def visit_acknowledge(*, actor, visit: Visit, action: str, next_visit_on: datetime.date | None = None) -> Visit:
    """A supervisor says what was done about an urgent outcome: who and when are kept with it, and
    an extra visit is scheduled when a date is given. Acknowledged once: a second supervisor acting
    at the same moment is refused (409), not recorded over the first."""
    action = (action or "").strip()
    if not action:
        raise ValidationError({"action": [_("Say what was done about it.")]})
    if next_visit_on is not None and not today() <= next_visit_on <= today() + datetime.timedelta(
        days=EXTRA_VISIT_MAX_DAYS
    ):
        raise ValidationError({"next_visit_on": [_("Choose a date from today to a year ahead.")]})
    with transaction.atomic():
        # The placement first, then the visit: the order placement_end locks them in.
        placement = Placement.objects.select_for_update().get(pk=visit.placement_id)
        visit = visit_get_for_update(visit_id=visit.pk)
        if not is_urgent_outcome(state=visit.state, outcome=visit.outcome):
            raise DomainError(_("Only a visit with an urgent outcome is acknowledged."), code="invalid_transition")
        if visit.acknowledged_at is not None:
            raise ConflictError(
                _("%(name)s already acknowledged this urgent outcome.")
                % {"name": visit.acknowledged_by.get_full_name() or visit.acknowledged_by.username},
                code="visit_already_acknowledged",
            )
        if next_visit_on is not None and placement.status != Placement.Status.ACTIVE:
            raise ConflictError(
                _("The placement has ended: no further visit can be scheduled."), code="placement_ended"
            )
        with audited_update(actor=actor, instance=visit, province=placement.province_id, ignore=TIMESTAMPS):
            visit.acknowledged_at = timezone.now()
            visit.acknowledged_by = actor
            visit.acknowledgement = action
            visit.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement", "updated_at"])
        if next_visit_on is not None:
            sequence = (placement.visits.aggregate(last=Max("sequence"))["last"] or 0) + 1
            extra = Visit.objects.create(
                placement=placement, sequence=sequence, due_date=next_visit_on, follow_up_of=visit
            )
            audit_created(actor=actor, instance=extra, province=placement.province_id)
    return visit
