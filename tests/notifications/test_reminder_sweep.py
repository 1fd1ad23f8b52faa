import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications import services
from notifications.models import Kind, Notification, Reminder, ReminderPolicy
from register.models import Visit
from register.roles import Role
from register.services.placements import placement_end
from register.services.visits import visit_complete
from tests.factories import CarerFactory, make_user

pytestmark = pytest.mark.django_db


def local(hour: int, days: int = 0) -> datetime.datetime:
    """Today (in Cambodia) plus `days`, at `hour` o'clock local time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def sweep_and_deliver(now=None):
    """A sweep, then delivery batches until one claims less than a full batch (what the workers do)."""
    result = services.reminder_sweep(now=now)
    while services.reminders_deliver_due(now=now).full:
        pass
    return result


def test_a_visit_due_in_three_days_reminds_the_social_worker_once(place, people, any_time):
    placement = place(days_ago=4)  # first visit due at day 7: in 3 days
    sweep_and_deliver()
    sweep_and_deliver()
    reminders = Reminder.objects.all()
    assert [(r.kind, r.status) for r in reminders] == [(Kind.VISIT_DUE_SOON, "sent")]
    note = Notification.objects.get()
    assert note.recipient == people["worker"] and note.channel == "inbox" and note.status == "sent"
    assert reminders[0].visit.placement == placement


def test_a_backdated_placement_gets_overdue_and_escalated_only_and_nothing_twice(place, people, any_time):
    place(days_ago=17)  # visit at day 7 is 10 days overdue; the one at day 30 is not yet near
    sweep_and_deliver()
    sweep_and_deliver()
    kinds = sorted(Reminder.objects.values_list("kind", flat=True))
    assert kinds == [Kind.VISIT_ESCALATED, Kind.VISIT_OVERDUE]
    to_worker = Notification.objects.filter(recipient=people["worker"])
    assert list(to_worker.values_list("kind", flat=True)) == [Kind.VISIT_OVERDUE]
    escalated = Notification.objects.filter(kind=Kind.VISIT_ESCALATED)
    assert {n.recipient for n in escalated} == set(people["supervisors"])
    assert Notification.objects.count() == 3


def test_a_pending_reminder_is_skipped_when_a_later_one_falls_due(place, settings):
    settings.REMINDER_WORKING_HOURS = "07:00-07:01"  # nothing goes out in this test's hours
    place(days_ago=4)
    services.reminder_sweep(now=local(3))  # due-soon created, not claimed at night
    assert Reminder.objects.get().status == "pending"
    services.reminder_sweep(now=local(3, days=4))
    assert dict(Reminder.objects.values_list("kind", "status")) == {
        Kind.VISIT_DUE_SOON: "skipped",
        Kind.VISIT_OVERDUE: "pending",
    }


def test_only_urgent_reminders_go_out_outside_working_hours(place, people, settings):
    settings.REMINDER_WORKING_HOURS = "07:00-18:00"
    placement = place(days_ago=10)
    visit = placement.visits.order_by("due_date").first()
    night = local(22)
    services.reminder_sweep(now=night)
    assert services.reminders_deliver_due(now=night).claimed == []
    visit_complete(
        actor=people["worker"], visit=visit, visited_on=timezone.localdate(), outcome="urgent", notes="child at risk"
    )
    services.reminder_sweep(now=night)
    result = services.reminders_deliver_due(now=night)
    assert [Reminder.objects.get(pk=r).kind for r in result.claimed] == [Kind.VISIT_URGENT]
    urgent = Notification.objects.filter(kind=Kind.VISIT_URGENT)
    assert {n.recipient for n in urgent} == set(people["supervisors"])


def test_completing_the_visit_or_ending_the_placement_cancels_pending_reminders(place, people, settings):
    settings.REMINDER_WORKING_HOURS = "07:00-07:01"
    night = local(2)
    first = place(days_ago=4)
    second = place(days_ago=4)
    services.reminder_sweep(now=night)
    assert Reminder.objects.filter(status="pending").count() == 2
    visit = first.visits.order_by("due_date").first()
    visit_complete(actor=people["worker"], visit=visit, visited_on=timezone.localdate(), outcome="settled")
    placement_end(actor=people["officer"], placement=second, end_date=timezone.localdate(), reason="reunified")
    services.reminder_sweep(now=night)
    assert set(Reminder.objects.values_list("status", flat=True)) == {"cancelled"}


def test_an_expired_lease_is_released_and_the_reminder_delivered_once(place, any_time):
    place(days_ago=4)
    services.reminder_sweep()
    policy = ReminderPolicy.current()
    dead = services.reminders_claim(now=timezone.now(), policy=policy, batch=10)
    assert Reminder.objects.get().status == "sending"
    # The batch's worker died: nobody delivers. Later the lease expires, the sweep releases it and
    # the next batch takes it again.
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert services.reminder_sweep(now=later).released == 1
    again = services.reminders_deliver_due(now=later)
    assert again.claimed == dead.ids and again.outcomes == {dead.ids[0]: "sent"}
    # The dead batch's claim is no longer its own: running it (a task delivered twice) does nothing.
    assert services.reminders_deliver_claimed(dead, policy=policy).outcomes == {}
    assert Notification.objects.count() == 1 and Reminder.objects.get().attempts == 2


def test_review_reminders_go_to_the_provinces_registrars(any_time, db):
    registrar = make_user(Role.REGISTRAR)
    make_user(Role.REGISTRAR, provinces=("12",))
    carer = CarerFactory(approved_on=timezone.localdate() - datetime.timedelta(days=340))
    sweep_and_deliver()
    sweep_and_deliver()
    note = Notification.objects.get()
    assert (note.kind, note.recipient, note.reminder.carer) == (Kind.APPROVAL_REVIEW_DUE, registrar, carer)


def test_run_reminder_sweep_command_twice_creates_nothing_twice(place, any_time, capsys):
    place(days_ago=17)
    call_command("run_reminder_sweep")
    call_command("run_reminder_sweep")
    out = capsys.readouterr().out
    assert "created 2" in out and "created 0" in out
    assert Notification.objects.count() == 3


def test_working_hours_setting_is_validated(settings):
    from django.core.exceptions import ImproperlyConfigured

    for bad in ("7-18", "18:00-07:00", "nonsense"):
        with pytest.raises(ImproperlyConfigured):
            services.working_hours(bad)
    assert services.working_hours("00:00-24:00") == (datetime.time(0, 0), None)


def test_messages_name_no_child_and_speak_khmer(place, people, any_time):
    people["worker"].preferred_language = "km"
    people["worker"].save()
    placement = place(days_ago=4)
    sweep_and_deliver()
    reminder = Reminder.objects.get()
    text_en = services.message(reminder, "en")
    child = placement.children.get()
    assert placement.carer.reference in text_en and child.given_name not in text_en
    assert services.message(reminder, "km") != text_en
    assert Visit.objects.filter(pk=reminder.visit_id).exists()


def test_batches_claim_no_more_than_their_size_and_never_the_same_reminder(place, any_time):
    for _ in range(5):
        place(days_ago=4)
    services.reminder_sweep()
    policy = ReminderPolicy.current()
    claims = [services.reminders_claim(now=timezone.now(), policy=policy, batch=2) for _ in range(4)]
    assert [len(c.ids) for c in claims] == [2, 2, 1, 0]
    ids = [i for c in claims for i in c.ids]
    assert len(set(ids)) == 5 and set(ids) == set(Reminder.objects.values_list("id", flat=True))
    assert len({c.token for c in claims}) == 4
    assert {(r.status, r.attempts) for r in Reminder.objects.all()} == {("sending", 1)}


def test_a_pass_starts_batches_for_what_is_due_less_the_batches_at_work(place, any_time):
    for _ in range(5):
        place(days_ago=4)
    services.reminder_sweep()
    assert services.delivery_batches_wanted(batch=2, parallel=2) == 2
    assert services.delivery_batches_wanted(batch=10, parallel=2) == 1
    services.reminders_claim(now=timezone.now(), policy=ReminderPolicy.current(), batch=2)
    assert services.delivery_batches_wanted(batch=2, parallel=2) == 1  # one batch's worth is at work
    while services.reminders_deliver_due(batch=2).full:
        pass
    assert services.delivery_batches_wanted(batch=2, parallel=2) == 0  # nothing due


def test_a_full_batch_queues_the_next_before_it_sends(place, any_time):
    for _ in range(3):
        place(days_ago=4)
    services.reminder_sweep()
    seen = []

    def on_full():
        seen.append(Notification.objects.count())  # nothing sent yet when the next batch is queued

    assert services.reminders_deliver_due(batch=2, on_full=on_full).full and seen == [0]
    assert not services.reminders_deliver_due(batch=2, on_full=on_full).full and seen == [0]
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}


def test_a_batch_past_half_its_lease_gives_the_rest_back_at_once(place, any_time, monkeypatch):
    for _ in range(3):
        place(days_ago=4)
    services.reminder_sweep()
    clock = iter(range(0, 10_000, 1_000))  # each look at the clock: 1,000 s later
    monkeypatch.setattr(services, "_clock", lambda: next(clock))
    result = services.reminders_deliver_due(batch=3)
    assert len(result.claimed) == 3 and list(result.outcomes.values()) == ["sent"] and result.released == 2
    rest = Reminder.objects.exclude(status="sent")
    assert {(r.status, r.attempts, r.lease_until, r.claim_token) for r in rest} == {("pending", 0, None, None)}


def test_run_reminder_sweep_command_delivers_batch_after_batch(place, any_time, capsys):
    for _ in range(5):
        place(days_ago=4)
    call_command("run_reminder_sweep", "--batch", "2")
    assert "claimed 5, sent 5" in capsys.readouterr().out
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
