"""The reminder sweep and delivery. The database is the source of truth: the sweep derives reminders
from open visits and carers' reviews (get-or-create on their unique key), claims due ones with a lease,
and hands them to workers; anything lost in flight is found again by the next sweep.

One pass (`reminder_sweep`):
1. derive: create the reminders whose moment has come, skipping ones a later reminder replaced;
2. cancel: pending reminders whose visit is no longer open (completed, cancelled, placement ended);
3. release: reminders whose lease expired (a worker died mid-send) go back to `pending`;
4. claim: due pending reminders (in working hours, except urgent ones) become `sending` with a lease.
Then each claimed reminder is delivered (`reminder_deliver`), by a worker or inline.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.channels import CHANNELS, PermanentError, TransientError, channel_for
from notifications.models import Kind, Notification, Reminder, ReminderPolicy
from register.models import Carer, Child, Placement, User, Visit
from register.roles import Role
from register.rules.visits import open_due_by_q, recent_urgent_outcome_q

log = logging.getLogger(__name__)

# Reminders to the same people, in the order they fall due: a later one replaces an earlier one
# that was not sent yet (it would arrive late and say something no longer true).
SOCIAL_WORKER_KINDS = (Kind.VISIT_DUE_SOON, Kind.VISIT_DUE, Kind.VISIT_OVERDUE)
SUPERVISOR_KINDS = (Kind.VISIT_ESCALATED,)


# --- Working hours ------------------------------------------------------------------------------
def working_hours(value: str | None = None) -> tuple[datetime.time, datetime.time | None]:
    """Parse REMINDER_WORKING_HOURS ("07:00-18:00"); an end of 24:00 means midnight."""
    text = (value if value is not None else settings.REMINDER_WORKING_HOURS).strip()
    try:
        start_text, end_text = text.split("-")
        start = datetime.time.fromisoformat(start_text.strip())
        end = None if end_text.strip() == "24:00" else datetime.time.fromisoformat(end_text.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"REMINDER_WORKING_HOURS must look like 07:00-18:00 (or 00:00-24:00), not {text!r}"
        ) from exc
    if end is not None and end <= start:
        raise ImproperlyConfigured(f"REMINDER_WORKING_HOURS must end after it starts: {text!r}")
    return start, end


def in_working_hours(now: datetime.datetime) -> bool:
    start, end = working_hours()
    local = timezone.localtime(now).time()
    return local >= start and (end is None or local < end)


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in Cambodia."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- 1. Derive --------------------------------------------------------------------------------
@dataclass
class SweepResult:
    created: int = 0
    skipped: int = 0
    cancelled: int = 0
    released: int = 0
    claimed: list = field(default_factory=list)


def _moments(due: datetime.date, policy: ReminderPolicy) -> dict[str, datetime.date]:
    return {
        Kind.VISIT_DUE_SOON: due - datetime.timedelta(days=policy.due_soon_days_before),
        Kind.VISIT_DUE: due,
        Kind.VISIT_OVERDUE: due + datetime.timedelta(days=policy.overdue_days_after),
        Kind.VISIT_ESCALATED: due + datetime.timedelta(days=policy.escalate_days_after),
    }


def _create(reminder: Reminder) -> bool:
    """Insert unless the same (visit or carer, kind) exists already; True when created."""
    try:
        with transaction.atomic():
            reminder.save(force_insert=True)
        return True
    except IntegrityError:
        return False


def reminders_derive(*, now: datetime.datetime, policy: ReminderPolicy, result: SweepResult) -> None:
    today = timezone.localdate(now)
    horizon = today + datetime.timedelta(days=policy.due_soon_days_before)
    visits = list(
        Visit.objects.filter(open_due_by_q(horizon), placement__status=Placement.Status.ACTIVE).values_list(
            "id", "due_date", "placement__province_id"
        )
    )
    existing: dict = {}
    for visit_id, kind, status in Reminder.objects.filter(visit_id__in=[v[0] for v in visits]).values_list(
        "visit_id", "kind", "status"
    ):
        existing.setdefault(visit_id, {})[kind] = status

    for visit_id, due, province in visits:
        moments = _moments(due, policy)
        have = existing.get(visit_id, {})
        for audience in (SOCIAL_WORKER_KINDS, SUPERVISOR_KINDS):
            due_kinds = [k for k in audience if moments[k] <= today]
            if not due_kinds:
                continue
            latest = due_kinds[-1]
            if latest not in have:
                created = _create(
                    Reminder(
                        kind=latest,
                        visit_id=visit_id,
                        province_id=province,
                        due_at=_start_of(moments[latest]),
                        next_attempt_at=_start_of(moments[latest]),
                    )
                )
                result.created += created
            # Earlier ones of the same audience not sent yet are replaced by the later one.
            earlier = [k for k in audience[: audience.index(latest)] if have.get(k) == Reminder.Status.PENDING]
            if earlier:
                result.skipped += Reminder.objects.filter(
                    visit_id=visit_id, kind__in=earlier, status=Reminder.Status.PENDING
                ).update(status=Reminder.Status.SKIPPED)

    # Urgent outcomes: at once, to the province's supervisors.
    urgent = (
        Visit.objects.filter(recent_urgent_outcome_q(today))
        .exclude(reminders__kind=Kind.VISIT_URGENT)
        .values_list("id", "placement__province_id")
    )
    for visit_id, province in urgent:
        result.created += _create(
            Reminder(kind=Kind.VISIT_URGENT, visit_id=visit_id, province_id=province, due_at=now, next_attempt_at=now)
        )

    # Yearly reviews coming up: to the province's registrars.
    reviews = Carer.objects.filter(
        status=Carer.Status.APPROVED,
        review_due__lte=today + datetime.timedelta(days=policy.review_due_days_before),
        review_due__gte=today - datetime.timedelta(days=policy.review_due_days_before),
    ).exclude(reminders__kind=Kind.APPROVAL_REVIEW_DUE, reminders__review_due=F("review_due"))
    for carer_id, review_due, province in reviews.values_list("id", "review_due", "province_id"):
        moment = _start_of(review_due - datetime.timedelta(days=policy.review_due_days_before))
        result.created += _create(
            Reminder(
                kind=Kind.APPROVAL_REVIEW_DUE,
                carer_id=carer_id,
                review_due=review_due,
                province_id=province,
                due_at=moment,
                next_attempt_at=moment,
            )
        )


# --- 2. Cancel, 3. release ------------------------------------------------------------------------
def reminders_cancel_stale(*, result: SweepResult) -> None:
    """Pending reminders of visits that were completed, cancelled or whose placement ended."""
    stale = (
        Reminder.objects.filter(status=Reminder.Status.PENDING, visit__isnull=False)
        .exclude(kind=Kind.VISIT_URGENT)
        .filter(~Q(visit__state=Visit.State.OPEN) | ~Q(visit__placement__status=Placement.Status.ACTIVE))
    )
    result.cancelled += stale.update(status=Reminder.Status.CANCELLED)
    # A carer no longer approved needs no review reminder.
    result.cancelled += (
        Reminder.objects.filter(status=Reminder.Status.PENDING, kind=Kind.APPROVAL_REVIEW_DUE)
        .exclude(carer__status=Carer.Status.APPROVED)
        .update(status=Reminder.Status.CANCELLED)
    )


def leases_release(*, now: datetime.datetime, result: SweepResult) -> None:
    result.released += Reminder.objects.filter(status=Reminder.Status.SENDING, lease_until__lt=now).update(
        status=Reminder.Status.PENDING, lease_until=None
    )


# --- 4. Claim -------------------------------------------------------------------------------------
def reminders_claim(*, now: datetime.datetime, policy: ReminderPolicy, batch: int) -> list:
    """Mark up to `batch` due reminders `sending` with a lease and return their ids. On PostgreSQL
    the rows are locked with SKIP LOCKED, so two sweeps at once claim different rows; elsewhere each
    row is claimed by a conditional UPDATE whose row count says whether this sweep won it."""
    due = Reminder.objects.filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now)
    if not in_working_hours(now):
        due = due.filter(kind=Kind.VISIT_URGENT)
    lease = now + datetime.timedelta(seconds=policy.lease_seconds)
    claim = {"status": Reminder.Status.SENDING, "lease_until": lease, "attempts": F("attempts") + 1}
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(
                due.select_for_update(skip_locked=True).order_by("next_attempt_at").values_list("id", flat=True)[:batch]
            )
            Reminder.objects.filter(id__in=ids).update(**claim)
            return ids
        won = []
        for reminder_id in due.order_by("next_attempt_at").values_list("id", flat=True)[:batch]:
            if Reminder.objects.filter(id=reminder_id, status=Reminder.Status.PENDING).update(**claim) == 1:
                won.append(reminder_id)
        return won


def reminder_sweep(*, now: datetime.datetime | None = None, batch: int = 500) -> SweepResult:
    """One pass of the sweep; returns what it did, with the ids of the reminders it claimed."""
    now = now or timezone.now()
    policy = ReminderPolicy.current()
    result = SweepResult()
    reminders_derive(now=now, policy=policy, result=result)
    reminders_cancel_stale(result=result)
    leases_release(now=now, result=result)
    # Back-pressure: claim no more than the workers can take before the leases run out.
    in_flight = Reminder.objects.filter(status=Reminder.Status.SENDING).count()
    result.claimed = reminders_claim(now=now, policy=policy, batch=max(0, batch - in_flight))
    return result


# --- Delivery -------------------------------------------------------------------------------------
def recipients(reminder: Reminder) -> list[User]:
    def staff(role: str):
        return list(
            User.objects.filter(is_active=True, groups__name=role, provinces__code=reminder.province_id).distinct()
        )

    if reminder.kind in SOCIAL_WORKER_KINDS:
        worker = reminder.visit.placement.social_worker
        # No social worker assigned: the supervisors must know the visit is coming.
        return [worker] if worker and worker.is_active else staff(Role.SUPERVISOR)
    if reminder.kind in (Kind.VISIT_ESCALATED, Kind.VISIT_URGENT):
        return staff(Role.SUPERVISOR)
    if reminder.kind == Kind.POSSIBLE_DUPLICATE:
        return list(User.objects.filter(is_active=True, groups__name=Role.NATIONAL_ADMIN).distinct())
    return staff(Role.REGISTRAR)


def message(reminder: Reminder, language: str) -> str:
    """The text of a reminder in the recipient's language. References and dates only: no child's
    name travels over SMS or Telegram."""
    with translation.override(language):
        if reminder.visit_id:
            visit = reminder.visit
            values = {"carer": visit.placement.carer.reference, "date": visit.due_date.isoformat()}
            texts = {
                Kind.VISIT_DUE_SOON: _("Follow-up visit to family %(carer)s is due on %(date)s."),
                Kind.VISIT_DUE: _("Follow-up visit to family %(carer)s is due today (%(date)s)."),
                Kind.VISIT_OVERDUE: _("Follow-up visit to family %(carer)s is overdue (due %(date)s)."),
                Kind.VISIT_ESCALATED: _(
                    "Escalated: the follow-up visit to family %(carer)s due %(date)s has not been done."
                ),
                Kind.VISIT_URGENT: _("Urgent: a follow-up visit to family %(carer)s found a child at risk."),
            }
            return texts[reminder.kind] % values
        if reminder.kind == Kind.POSSIBLE_DUPLICATE:
            # The matched record's reference only: who was being registered is never said.
            record = reminder.carer or reminder.child
            return _(
                "Possible duplicate: a record being registered in another province matches %(reference)s. "
                "See the list of possible duplicates."
            ) % {"reference": record.reference}
        return _("The approval of family %(carer)s is due for its yearly review on %(date)s.") % {
            "carer": reminder.carer.reference,
            "date": reminder.review_due.isoformat(),
        }


def possible_duplicate_reminders_create(*, kind: str, record_ids, now: datetime.datetime | None = None) -> int:
    """A notice to national administrators that a record being registered matched these records
    (of a province other than the registrar's; issue 14). One per record a day, however many times
    the registrar tries; delivered by the sweep. Returns how many were created."""
    now = now or timezone.now()
    model = Carer if kind == "carer" else Child
    created = 0
    for pk, province in model.objects.filter(pk__in=list(record_ids)).values_list("pk", "province_id"):
        subject = {"carer_id": pk} if kind == "carer" else {"child_id": pk}
        already = Reminder.objects.filter(
            kind=Kind.POSSIBLE_DUPLICATE, created_at__gte=now - datetime.timedelta(days=1), **subject
        )
        if already.exists():
            continue
        Reminder.objects.create(
            kind=Kind.POSSIBLE_DUPLICATE, province_id=province, due_at=now, next_attempt_at=now, **subject
        )
        created += 1
    return created


def _backoff(policy: ReminderPolicy, attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=policy.backoff_seconds * 2 ** max(attempts - 1, 0))


def reminder_deliver(*, reminder_id, now: datetime.datetime | None = None) -> str | None:
    """Deliver one claimed reminder to each of its recipients. The reminder row stays locked while
    it is delivered, and only a `sending` one is taken, so a task delivered twice sends once."""
    policy = ReminderPolicy.current()
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("visit__placement__carer", "visit__placement__social_worker", "carer")
            .filter(pk=reminder_id, status=Reminder.Status.SENDING)
            .first()
        )
        if reminder is None:
            return None
        now = now or timezone.now()
        if (
            reminder.visit_id
            and reminder.kind != Kind.VISIT_URGENT
            and (reminder.visit.state != Visit.State.OPEN or reminder.visit.placement.status != Placement.Status.ACTIVE)
        ):
            reminder.status = Reminder.Status.CANCELLED
            reminder.save(update_fields=["status"])
            return reminder.status

        people = recipients(reminder)
        for person in people:
            Notification.objects.get_or_create(
                reminder=reminder,
                recipient=person,
                defaults={"kind": reminder.kind, "channel": channel_for(person).name},
            )
        transient: list[str] = []
        pending = reminder.notifications.filter(status=Notification.Status.PENDING).select_related("recipient")
        for note in pending:
            try:
                CHANNELS.get(note.channel, CHANNELS["inbox"]).notify(
                    note, message(reminder, note.recipient.preferred_language)
                )
            except TransientError as exc:
                note.attempts += 1
                note.last_error = str(exc)[:500]
                note.save(update_fields=["attempts", "last_error"])
                transient.append(str(exc))
                continue
            except PermanentError as exc:
                note.status, note.last_error = Notification.Status.FAILED, str(exc)[:500]
                note.attempts += 1
                note.save(update_fields=["status", "attempts", "last_error"])
                continue
            note.status, note.sent_at = Notification.Status.SENT, timezone.now()
            note.attempts += 1
            note.save(update_fields=["status", "sent_at", "attempts"])

        reminder.lease_until = None
        if transient and reminder.attempts < policy.max_attempts:
            reminder.status = Reminder.Status.PENDING
            reminder.next_attempt_at = now + _backoff(policy, reminder.attempts)
            reminder.last_error = "; ".join(transient)[:500]
        elif transient:
            reminder.status = Reminder.Status.FAILED
            reminder.last_error = "; ".join(transient)[:500]
            reminder.notifications.filter(status=Notification.Status.PENDING).update(status=Notification.Status.FAILED)
        elif not people or reminder.notifications.filter(status=Notification.Status.FAILED).exists():
            reminder.status = Reminder.Status.FAILED
            reminder.last_error = reminder.last_error or ("no one to notify" if not people else "")
        else:
            reminder.status = Reminder.Status.SENT
            reminder.sent_at = timezone.now()
        reminder.save(update_fields=["status", "lease_until", "next_attempt_at", "last_error", "sent_at"])
        return reminder.status


def notification_mark_read(*, user, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
