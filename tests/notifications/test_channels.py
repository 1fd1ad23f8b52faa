import pytest

from notifications import services
from notifications.models import Notification, Reminder
from tests.notifications.test_reminder_sweep import sweep_and_deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_worker(people):
    worker = people["worker"]
    worker.preferred_channel = "sms"
    worker.phone = "+85512345678"
    worker.save()
    return worker


def test_a_gateway_failing_twice_then_succeeding_delivers_once(place, sms_worker, gateway, any_time, settings):
    gateway.fail_next = [503, 503]
    place(days_ago=4)
    services.reminder_sweep()
    assert list(services.reminders_deliver_due().outcomes.values()) == ["pending"]  # 503: try again later
    reminder = Reminder.objects.get()
    assert reminder.next_attempt_at > reminder.due_at and "503" in reminder.last_error
    # Back-off has passed: two more attempts.
    for _ in range(2):
        Reminder.objects.update(next_attempt_at=reminder.due_at)
        sweep_and_deliver()
    assert Reminder.objects.get().status == "sent"
    assert len(gateway.requests) == 3 and len(gateway.delivered) == 1
    sent = gateway.requests[-1]
    assert sent["body"]["to"] == "+85512345678" and sent["auth"] == "Bearer test-token"
    note = Notification.objects.get()
    assert note.status == "sent" and note.attempts == 3


def test_a_permanent_failure_marks_the_reminder_failed(place, sms_worker, gateway, any_time, client_for):
    gateway.always = 400
    place(days_ago=4)
    sweep_and_deliver()
    assert Reminder.objects.get().status == "failed"
    assert Notification.objects.get().status == "failed"
    assert len(gateway.requests) == 1


def test_attempts_run_out_after_the_policy_limit(place, sms_worker, gateway, any_time):
    gateway.always = 503
    place(days_ago=4)
    sweep_and_deliver()
    for _ in range(5):
        Reminder.objects.filter(status="pending").update(next_attempt_at=Reminder.objects.get().due_at)
        sweep_and_deliver()
    reminder = Reminder.objects.get()
    assert reminder.status == "failed" and reminder.attempts == 5
    assert len(gateway.requests) == 5


def test_an_unconfigured_gateway_is_a_permanent_failure_not_a_silent_success(place, sms_worker, any_time, settings):
    settings.SMS_GATEWAY_URL = ""
    place(days_ago=4)
    sweep_and_deliver()
    assert Notification.objects.get().last_error == "SMS_GATEWAY_URL is not set"


def test_telegram_channel_posts_to_the_bot_api(place, people, gateway, any_time, settings):
    settings.TELEGRAM_BOT_TOKEN = "123:abc"
    settings.TELEGRAM_API_URL = gateway.url
    worker = people["worker"]
    worker.preferred_channel, worker.telegram_chat_id = "telegram", "4242"
    worker.save()
    place(days_ago=4)
    sweep_and_deliver()
    assert gateway.requests[0]["path"] == "/bot123:abc/sendMessage"
    assert gateway.requests[0]["body"]["chat_id"] == "4242"
    assert Notification.objects.get().status == "sent"


def test_email_channel_uses_django_mail(place, people, any_time, mailoutbox):
    worker = people["worker"]
    worker.preferred_channel = "email"
    worker.save()
    place(days_ago=4)
    sweep_and_deliver()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [worker.email]


def test_failures_inside_a_batch_touch_only_their_own_reminder(place, sms_worker, gateway, any_time, monkeypatch):
    """One send answered 503 and one reminder whose message cannot be made: those two are tried again
    after the back-off; the rest of the batch is sent, each once, with its own reference."""
    placements = [place(days_ago=4) for _ in range(4)]
    services.reminder_sweep()
    broken = Reminder.objects.get(visit__placement=placements[2])
    real_message = services.message

    def message(reminder, language):
        if reminder.pk == broken.pk:
            raise ValueError("no text for this one")
        return real_message(reminder, language)

    monkeypatch.setattr(services, "message", message)
    gateway.fail_next = [503]  # the batch's first send
    result = services.reminders_deliver_due(batch=10)
    assert sorted(result.outcomes.values()) == ["pending", "pending", "sent", "sent"]
    faulty = Reminder.objects.get(pk=broken.pk)
    assert faulty.status == "pending" and faulty.last_error == "ValueError: no text for this one"
    assert faulty.next_attempt_at > faulty.due_at and faulty.claim_token is None
    assert not Notification.objects.filter(reminder=faulty).exists()  # its transaction rolled back
    first = [r["body"]["reference"] for r in gateway.requests]
    assert len(first) == 3 and len(set(first)) == 3
    # After the back-off: the two are sent, the 503 one with the reference of its first attempt.
    monkeypatch.setattr(services, "message", real_message)
    Reminder.objects.filter(status="pending").update(next_attempt_at=faulty.due_at)
    assert sorted(services.reminders_deliver_due(batch=10).outcomes.values()) == ["sent", "sent"]
    references = [r["body"]["reference"] for r in gateway.requests]
    assert references[3:].count(first[0]) == 1 and len(gateway.delivered) == 4
    assert set(gateway.delivered) == {n.delivery_reference for n in Notification.objects.all()}
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
