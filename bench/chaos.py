"""The chaos run: 10,000 due reminders through real Celery workers and a local SMS gateway, while one
worker is killed with SIGKILL and Redis is restarted without persistence. It counts what reached the
gateway: delivered, lost (must be 0), duplicated (must be 0), and the delay from due to sent.

It runs on its own database (`fosterreg_chaos`, made afresh) and its own Redis, so the seeded bench
register and the machine's Redis are never touched."""

import datetime
import os
import sys
import time
import uuid

from bench.setup import table

TOTAL = 10_000
PER_PLACEMENT = 100


def scene(total: int) -> None:
    """Families, placements and one open visit per reminder, and the reminders themselves, due over
    the first 20 seconds of the run (bulk inserts: this is set-up, not what is measured)."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from notifications.models import Kind, Reminder, ReminderPolicy
    from register.models import Carer, Commune, Placement, User, Visit
    from register.roles import Role

    ReminderPolicy.objects.create(lease_seconds=15, backoff_seconds=2, max_attempts=8)
    worker = User.objects.create(
        username="chaos-worker", phone="+85512000000", preferred_channel="sms", preferred_language="km"
    )
    worker.groups.set([Group.objects.get(name=Role.SOCIAL_WORKER)])
    commune = Commune.objects.select_related("district").get(code="020101")
    today = timezone.localdate()
    placements = total // PER_PLACEMENT
    carers = Carer.objects.bulk_create(
        [
            Carer(
                reference=f"FC-02-9{i:05d}",
                status="approved",
                household_name=f"Chaos {i}",
                given_name="A",
                family_name="B",
                sex="female",
                date_of_birth=datetime.date(1980, 1, 1),
                phone=f"+8551290{i:04d}",
                commune=commune,
                district=commune.district,
                province_id="02",
                languages=["km"],
                religion="buddhism",
                ethnicity="khmer",
                max_children=4,
                age_min=0,
                age_max=17,
                sexes_accepted=["female", "male"],
                max_sibling_group=4,
                care_types=["long_term"],
                approved_on=today,
                review_due=today.replace(year=today.year + 1),
            )
            for i in range(placements)
        ]
    )
    rows = Placement.objects.bulk_create(
        [
            Placement(carer=c, start_date=today, care_type="long_term", province_id="02", social_worker=worker)
            for c in carers
        ]
    )
    visits = Visit.objects.bulk_create(
        [Visit(placement=p, sequence=s, due_date=today) for p in rows for s in range(PER_PLACEMENT)], batch_size=2000
    )
    start = timezone.now()
    Reminder.objects.bulk_create(
        [
            Reminder(
                id=uuid.uuid4(),
                kind=Kind.VISIT_DUE,
                visit=v,
                province_id="02",
                due_at=start + datetime.timedelta(seconds=20 * i / total),
                next_attempt_at=start + datetime.timedelta(seconds=20 * i / total),
            )
            for i, v in enumerate(visits)
        ],
        batch_size=2000,
    )


WORKERS = 2
TARGETS = {"lost": 0, "duplicated": 0, "p99 delay s": 60.0}


def beat_entries() -> list[tuple[str, float, dict]]:
    """The reminder tasks of the Celery beat schedule, with their intervals and options: the run sends
    them as beat would (not more often), so its figures are those of the deployed schedule."""
    from django.conf import settings

    return [
        (entry["task"], float(entry["schedule"]), entry.get("options", {}))
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"].startswith("notifications.")
    ]


def run() -> None:
    from celery import Celery
    from django.core.management import call_command

    from notifications.models import Notification, Reminder
    from tests.notifications.gateway import Gateway
    from tests.support import PrivateRedis, Worker

    call_command("migrate", verbosity=0)
    scene(TOTAL)
    redis = PrivateRedis().start()
    client = Celery("chaos", broker=redis.url)
    client.conf.update(task_serializer="json", accept_content=["json"], broker_connection_retry_on_startup=True)
    events = []
    schedule = beat_entries()
    with Gateway() as gateway:
        env = {"REDIS_URL": redis.url, "SMS_GATEWAY_URL": gateway.url + "/sms", "REMINDER_WORKING_HOURS": "00:00-24:00"}
        workers = [Worker(f"c{i}", 1, extra_env=env, control=client).start() for i in range(1, WORKERS + 1)]
        started = time.monotonic()
        next_send = {task: started for task, _, _ in schedule}
        killed = restarted = False
        try:
            while time.monotonic() - started < 900:
                for task, every, options in schedule:  # what beat sends, at beat's intervals
                    if time.monotonic() >= next_send[task]:
                        client.send_task(task, **options)
                        next_send[task] += every
                sent = Reminder.objects.filter(status="sent").count()
                if not killed and sent >= TOTAL * 0.3:
                    workers[0].kill()
                    workers[0] = Worker("c3", 1, extra_env=env, control=client).start()
                    killed = True
                    events.append(f"a worker SIGKILLed at {sent:,} sent")
                if killed and not restarted and sent >= TOTAL * 0.6:
                    redis.restart()
                    restarted = True
                    events.append(f"Redis restarted, its queue lost, at {sent:,} sent")
                if sent >= TOTAL:
                    break
                time.sleep(0.5)
        finally:
            for w in workers:
                w.kill()
            redis.stop()
        seconds = time.monotonic() - started

    sent = Reminder.objects.filter(status="sent").count()
    rows = list(Notification.objects.filter(status="sent").values_list("sent_at", "reminder__due_at"))
    delays = sorted((sent_at - due_at).total_seconds() for sent_at, due_at in rows)
    delivered = len(gateway.delivered)  # distinct references the gateway accepted: messages phones got
    retries = len(gateway.requests) - delivered
    sending = [sent_at for sent_at, _ in rows]
    span = (max(sending) - min(sending)).total_seconds() if len(sending) > 1 else 0.0
    per_worker = len(sending) / span / WORKERS if span else 0.0

    def pct(p: float) -> float | None:
        return delays[min(len(delays) - 1, int(p * len(delays)))] if delays else None

    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    lost, duplicated, p99 = TOTAL - sent, max(0, delivered - sent), pct(0.99)
    table(
        f"Chaos run: {TOTAL:,} reminders, {WORKERS} workers, local SMS gateway; " + "; ".join(events),
        [
            "due",
            "delivered",
            "lost",
            "duplicated",
            "repeated requests",
            "p50 delay s",
            "p99 delay s",
            "reminders/s per worker",
            "run s",
        ],
        [
            [
                f"{TOTAL:,}",
                f"{delivered:,}",
                f"{lost:,}",
                f"{duplicated:,}",
                f"{retries:,}",
                fmt(pct(0.5)),
                fmt(p99),
                f"{per_worker:.0f}",
                f"{seconds:.0f}",
            ]
        ],
    )
    print(
        "lost = reminders never sent; duplicated = messages beyond one per reminder that reached a phone;\n"
        "repeated requests = sends the gateway saw again for a message it had delivered (after a kill or a "
        "lost answer), which its reference turned away;\n"
        "reminders/s per worker = messages sent / seconds from the first send to the last / workers (the "
        "reminders fall due over the first 20 s, so early on the rate is what falls due);\n"
        "beat schedule sent: " + ", ".join(f"{task} every {every:g} s" for task, every, _ in schedule)
    )
    figures = {"lost": lost, "duplicated": duplicated, "p99 delay s": p99}
    table(
        "Chaos run against its targets",
        ["figure", "measured", "target", "holds"],
        [
            [
                name,
                fmt(value) if isinstance(value, float) or value is None else f"{value:,}",
                f"≤ {target:g}" if name.startswith("p99") else f"{target:g}",
                "yes" if value is not None and value <= target else "NO",
            ]
            for name, target in TARGETS.items()
            for value in [figures[name]]
        ]
        + [["reminders/s per worker", f"{per_worker:.0f}", "(reported)", "-"]],
    )


def main() -> int:
    os.environ["DATABASE_URL"] = os.environ.get(
        "CHAOS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fosterreg_chaos"
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["CELERY_EAGER"] = "0"
    from bench.setup import ensure_database

    ensure_database(os.environ["DATABASE_URL"], fresh=True)
    import django

    django.setup()
    run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
