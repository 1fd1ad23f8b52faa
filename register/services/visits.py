"""Writing follow-up visits: scheduling them from the visit policy, extending schedules, recording
a visit made."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from register.audit import audit_created, audit_write, diff, snapshot
from register.errors import DomainError
from register.models import AuditEntry, Placement, Visit, VisitPolicy
from register.roles import OWN_RECORDS_ONLY
from register.rules.visits import today
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
    last = placement.visits.aggregate(last_due=Max("due_date"), last_seq=Max("sequence"))
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


def visit_complete(*, actor, visit: Visit, visited_on: datetime.date, outcome: str, notes: str = "") -> Visit:
    """Record that a visit was made. Only an open visit can be completed; the date must lie between
    the placement's start and today."""
    with transaction.atomic():
        visit = visit_get_for_update(visit_id=visit.pk)
        placement = visit.placement
        if getattr(actor, "role", None) in OWN_RECORDS_ONLY and placement.social_worker_id != actor.pk:
            # The API never shows such a visit to them (404); this guards other callers.
            raise PermissionDenied
        if visit.state != Visit.State.OPEN:
            raise DomainError(
                _("This visit is %(state)s: only an open visit can be completed.")
                % {"state": visit.get_state_display()},
                code="invalid_transition",
            )
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
        before = snapshot(visit)
        visit.state = Visit.State.COMPLETED
        visit.completed_on = visited_on
        visit.outcome = outcome
        visit.notes = notes or ""
        visit.completed_by = actor if getattr(actor, "pk", None) else None
        visit.save(update_fields=["state", "completed_on", "outcome", "notes", "completed_by", "updated_at"])
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
    return visit
