"""`manage.py run_reminder_sweep`: one pass of the periodic sweep, now. Running it twice creates
nothing twice. Claimed reminders are delivered here, or queued for the workers with --enqueue."""

from django.core.management.base import BaseCommand

from notifications import services
from notifications.tasks import deliver


class Command(BaseCommand):
    help = "Run one pass of the reminder sweep now."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Queue deliveries for the Celery workers.")
        parser.add_argument("--batch", type=int, default=500, help="Most reminders claimed in this pass.")

    def handle(self, *args, enqueue, batch, **options):
        result = services.reminder_sweep(batch=batch)
        outcomes: dict[str, int] = {}
        for reminder_id in result.claimed:
            if enqueue:
                deliver.delay(str(reminder_id))
            else:
                status = services.reminder_deliver(reminder_id=reminder_id) or "taken elsewhere"
                outcomes[status] = outcomes.get(status, 0) + 1
        self.stdout.write(
            f"created {result.created}, skipped {result.skipped}, cancelled {result.cancelled}, "
            f"released {result.released}, claimed {len(result.claimed)}"
            + ("".join(f", {k} {v}" for k, v in sorted(outcomes.items())) if outcomes else "")
        )
