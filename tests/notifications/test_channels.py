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
    reminder_id = services.reminder_sweep().claimed[0]
    assert services.reminder_deliver(reminder_id=reminder_id) == "pending"  # 503: try again later
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
