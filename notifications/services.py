"""The reminder sweep and delivery. The database is the source of truth: the sweep derives reminders
from open visits and carers' reviews (get-or-create on their unique key); delivery batches claim due
ones with a lease and send them; anything lost in flight is found again by the next pass.

The sweep (`reminder_sweep`, every minute):
1. derive: create the reminders whose moment has come, skipping ones a later reminder replaced;
2. cancel: pending reminders whose visit is no longer open (completed, cancelled, placement ended);
3. release: reminders whose lease expired (a worker died mid-batch) go back to `pending`.
The dispatch pass (`reminders_dispatch`, every few seconds) derives urgent reminders and releases
expired leases; both then start delivery batches (`delivery_batches_wanted`).
A delivery batch (`reminders_deliver_due`): claims up to N due reminders (in working hours, except urgent
ones) with a lease and a claim token, then delivers and records each in its own transaction.
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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

    reminders_derive_urgent(now=now, result=result)

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


def reminders_derive_urgent(*, now: datetime.datetime, result: SweepResult) -> None:
    """Urgent outcomes: at once, to the province's supervisors (also run by the frequent dispatch pass)."""
    urgent = (
        Visit.objects.filter(recent_urgent_outcome_q(timezone.localdate(now)))
        .exclude(reminders__kind=Kind.VISIT_URGENT)
        .values_list("id", "placement__province_id")
    )
    for visit_id, province in urgent:
        result.created += _create(
            Reminder(kind=Kind.VISIT_URGENT, visit_id=visit_id, province_id=province, due_at=now, next_attempt_at=now)
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
    """Claims whose lease ran out (their worker died, or the queue that carried them was lost) go back
    to `pending`, to be claimed again by the next batch."""
    result.released += Reminder.objects.filter(status=Reminder.Status.SENDING, lease_until__lt=now).update(
        status=Reminder.Status.PENDING, lease_until=None, claim_token=None
    )


# --- 4. Claim -------------------------------------------------------------------------------------
def _due(now: datetime.datetime):
    """Reminders a batch may claim now: pending, their next attempt due, and in working hours unless
    urgent."""
    due = Reminder.objects.filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now)
    if not in_working_hours(now):
        due = due.filter(kind=Kind.VISIT_URGENT)
    return due


@dataclass
class Claim:
    """The reminders one batch claimed: `token` marks them as this batch's until each is recorded."""

    token: uuid.UUID
    ids: list


def reminders_claim(*, now: datetime.datetime, policy: ReminderPolicy, batch: int) -> Claim:
    """Mark up to `batch` due reminders `sending` with a lease and this claim's token, in one committed
    transaction. On PostgreSQL the rows are locked with SKIP LOCKED, so batches claiming at the same
    moment get disjoint sets; elsewhere each row is claimed by a conditional UPDATE whose row count says
    whether this batch won it."""
    due = _due(now)
    token = uuid.uuid4()
    lease = now + datetime.timedelta(seconds=policy.lease_seconds)
    claim = {
        "status": Reminder.Status.SENDING,
        "lease_until": lease,
        "claim_token": token,
        "attempts": F("attempts") + 1,
    }
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(
                due.select_for_update(skip_locked=True).order_by("next_attempt_at").values_list("id", flat=True)[:batch]
            )
            Reminder.objects.filter(id__in=ids, status=Reminder.Status.PENDING).update(**claim)
            return Claim(token, ids)
        won = []
        for reminder_id in list(due.order_by("next_attempt_at").values_list("id", flat=True)[:batch]):
            if Reminder.objects.filter(id=reminder_id, status=Reminder.Status.PENDING).update(**claim) == 1:
                won.append(reminder_id)
        return Claim(token, won)


def reminder_sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    """One pass of the sweep: derive, cancel, release. Claiming is the delivery batches' own step."""
    now = now or timezone.now()
    policy = ReminderPolicy.current()
    result = SweepResult()
    reminders_derive(now=now, policy=policy, result=result)
    reminders_cancel_stale(result=result)
    leases_release(now=now, result=result)
    return result


def reminders_dispatch(*, now: datetime.datetime | None = None) -> SweepResult:
    """The frequent light pass: urgent reminders derived, expired leases released. The full derive is the
    sweep's (the day's reminders change once a day; urgent ones must go at once)."""
    now = now or timezone.now()
    result = SweepResult()
    reminders_derive_urgent(now=now, result=result)
    leases_release(now=now, result=result)
    return result


def delivery_batches_wanted(*, now: datetime.datetime | None = None, batch: int, parallel: int = 2) -> int:
    """How many delivery batches to start: enough for what is due, up to `parallel`, less the batches
    already at work (each batch that claims a full one starts the next itself, so a backlog keeps every
    worker busy between passes, and a pass adds work only when less is under way)."""
    now = now or timezone.now()
    due = _due(now).values("id")[: parallel * batch].count()
    if not due:
        return 0
    in_flight = Reminder.objects.filter(status=Reminder.Status.SENDING).count()
    return max(0, min(parallel, -(-due // batch)) - -(-in_flight // batch))


# --- One pass at a time ---------------------------------------------------------------------------
@contextmanager
def exclusive(name: str) -> Iterator[bool]:
    """Yields whether this process holds the named lock; the caller skips its work when it does not.
    A PostgreSQL session advisory lock: taken without waiting, freed on exit, and freed by PostgreSQL
    if the worker dies (its connection closes), so a killed pass never blocks the next. Elsewhere
    (SQLite, one process) always held."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = zlib.crc32(f"notifications.{name}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


# --- Delivery -------------------------------------------------------------------------------------
def recipients(reminder: Reminder, *, staff: dict | None = None) -> list[User]:
    """Who is told of a reminder. `staff` keeps a batch's lists of a province's staff by role, so a batch
    asks once per role and province."""
    known = {} if staff is None else staff

    def staff_of(role: str):
        key = (role, reminder.province_id)
        if key not in known:
            known[key] = list(
                User.objects.filter(is_active=True, groups__name=role, provinces__code=reminder.province_id).distinct()
            )
        return known[key]

    if reminder.kind in SOCIAL_WORKER_KINDS:
        worker = reminder.visit.placement.social_worker
        # No social worker assigned: the supervisors must know the visit is coming.
        return [worker] if worker and worker.is_active else staff_of(Role.SUPERVISOR)
    if reminder.kind in (Kind.VISIT_ESCALATED, Kind.VISIT_URGENT):
        return staff_of(Role.SUPERVISOR)
    if reminder.kind == Kind.POSSIBLE_DUPLICATE:
        return list(User.objects.filter(is_active=True, groups__name=Role.NATIONAL_ADMIN).distinct())
    return staff_of(Role.REGISTRAR)


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


_clock = time.monotonic  # a batch's deadline is measured on it (tests move it)


def batch_size() -> int:
    return settings.REMINDER_BATCH_SIZE


def _backoff(policy: ReminderPolicy, attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=policy.backoff_seconds * 2 ** max(attempts - 1, 0))


@dataclass
class BatchResult:
    size: int
    claimed: list = field(default_factory=list)
    outcomes: dict = field(default_factory=dict)  # reminder id -> its status after this batch
    released: int = 0  # claimed but not reached before the batch's deadline: pending again at once

    @property
    def full(self) -> bool:
        """A full claim: more may be due."""
        return bool(self.claimed) and len(self.claimed) >= self.size


def reminders_deliver_due(
    *, now: datetime.datetime | None = None, batch: int | None = None, on_full: Callable[[], None] | None = None
) -> BatchResult:
    """One delivery batch: claim up to `batch` due reminders (committed, with a lease), call `on_full`
    when the claim is full (the task queues the next batch there, so another worker starts on it
    while this one sends), then deliver and record each claimed reminder in turn."""
    policy = ReminderPolicy.current()
    batch = batch or batch_size()
    claim = reminders_claim(now=now or timezone.now(), policy=policy, batch=batch)
    result = BatchResult(size=batch, claimed=list(claim.ids))
    if on_full is not None and result.full:
        on_full()
    reminders_deliver_claimed(claim, policy=policy, now=now, result=result)
    return result


def reminders_deliver_claimed(
    claim: Claim, *, policy: ReminderPolicy, now: datetime.datetime | None = None, result: BatchResult | None = None
) -> BatchResult:
    """Deliver the reminders of one claim, each in its own transaction: the reminder's row is locked and
    taken only while it is `sending` under this claim's token, so a reminder whose lease ran out and
    that another batch took is left to that batch, and each outcome is committed as soon as it is known
    (a worker killed mid-batch leaves the rest `sending`, released after the lease). A fault in one
    reminder is recorded on it and the batch goes on. Past half the lease the rest goes back to
    `pending` at once rather than wait for the lease."""
    result = result or BatchResult(size=len(claim.ids), claimed=list(claim.ids))
    if not claim.ids:
        return result
    deadline = _clock() + policy.lease_seconds / 2
    reminders = (
        Reminder.objects.filter(id__in=claim.ids, claim_token=claim.token)
        .select_related("visit__placement__carer", "visit__placement__social_worker", "carer", "child")
        .order_by("next_attempt_at")
    )
    staff: dict = {}
    for index, reminder in enumerate(reminders):
        if index and _clock() > deadline:
            break
        try:
            status = _deliver_one(reminder, token=claim.token, policy=policy, now=now, staff=staff)
        except Exception as exc:  # this reminder's fault, not the batch's: recorded on it, the rest go on
            log.exception("reminder %s: delivery failed", reminder.pk)
            status = _record_fault(reminder, token=claim.token, policy=policy, now=now, error=exc)
        if status is not None:
            result.outcomes[reminder.pk] = status
    result.released += Reminder.objects.filter(
        id__in=claim.ids, claim_token=claim.token, status=Reminder.Status.SENDING
    ).update(status=Reminder.Status.PENDING, lease_until=None, claim_token=None, attempts=F("attempts") - 1)
    return result


def _lock_claimed(reminder: Reminder, token: uuid.UUID) -> bool:
    """Lock the reminder's row if it is still `sending` under this claim (in the caller's transaction),
    reading afresh its attempts and its visit's state (the batch loaded its reminders before sending)."""
    row = (
        Reminder.objects.select_for_update(of=("self",))
        .filter(pk=reminder.pk, status=Reminder.Status.SENDING, claim_token=token)
        .values_list("attempts", "visit__state", "visit__placement__status")
        .first()
    )
    if row is None:
        return False
    reminder.attempts = row[0]
    if reminder.visit_id:
        reminder.visit.state, reminder.visit.placement.status = row[1], row[2]
    return True


def _deliver_one(
    reminder: Reminder, *, token: uuid.UUID, policy: ReminderPolicy, now: datetime.datetime | None, staff: dict
) -> str | None:
    """Deliver one claimed reminder to each of its recipients; its status after, or None when it is no
    longer this claim's."""
    with transaction.atomic():
        if not _lock_claimed(reminder, token):
            return None
        now = now or timezone.now()
        reminder.lease_until = None
        reminder.claim_token = None
        if (
            reminder.visit_id
            and reminder.kind != Kind.VISIT_URGENT
            and (reminder.visit.state != Visit.State.OPEN or reminder.visit.placement.status != Placement.Status.ACTIVE)
        ):
            reminder.status = Reminder.Status.CANCELLED
            reminder.save(update_fields=["status", "lease_until", "claim_token"])
            return reminder.status

        people = recipients(reminder, staff=staff)
        Notification.objects.bulk_create(
            [
                Notification(reminder=reminder, recipient=person, kind=reminder.kind, channel=channel_for(person).name)
                for person in people
            ],
            ignore_conflicts=True,
        )
        notes = list(reminder.notifications.select_related("recipient").order_by("created_at", "id"))
        transient: list[str] = []
        for note in notes:
            if note.status != Notification.Status.PENDING:
                continue
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

        if transient and reminder.attempts < policy.max_attempts:
            reminder.status = Reminder.Status.PENDING
            reminder.next_attempt_at = now + _backoff(policy, reminder.attempts)
            reminder.last_error = "; ".join(transient)[:500]
        elif transient:
            reminder.status = Reminder.Status.FAILED
            reminder.last_error = "; ".join(transient)[:500]
            reminder.notifications.filter(status=Notification.Status.PENDING).update(status=Notification.Status.FAILED)
        elif not people or any(n.status == Notification.Status.FAILED for n in notes):
            reminder.status = Reminder.Status.FAILED
            reminder.last_error = reminder.last_error or ("no one to notify" if not people else "")
        else:
            reminder.status = Reminder.Status.SENT
            reminder.sent_at = timezone.now()
        reminder.save(
            update_fields=["status", "lease_until", "claim_token", "next_attempt_at", "last_error", "sent_at"]
        )
        return reminder.status


def _record_fault(
    reminder: Reminder, *, token: uuid.UUID, policy: ReminderPolicy, now: datetime.datetime | None, error: Exception
) -> str | None:
    """An unexpected error delivering one reminder (its transaction rolled back): tried again after the
    back-off like a transient failure, failed once its attempts run out."""
    with transaction.atomic():
        if not _lock_claimed(reminder, token):
            return None
        now = now or timezone.now()
        retry = reminder.attempts < policy.max_attempts
        status = Reminder.Status.PENDING if retry else Reminder.Status.FAILED
        Reminder.objects.filter(pk=reminder.pk).update(
            status=status,
            lease_until=None,
            claim_token=None,
            next_attempt_at=now + _backoff(policy, reminder.attempts) if retry else F("next_attempt_at"),
            last_error=f"{type(error).__name__}: {error}"[:500],
        )
        if not retry:
            reminder.notifications.filter(status=Notification.Status.PENDING).update(status=Notification.Status.FAILED)
        return status


def notification_mark_read(*, user, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
