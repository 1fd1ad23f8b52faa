"""`manage.py run_reminder_sweep`: one pass of the periodic sweep, now. Running it twice creates
nothing twice. Due reminders are then delivered here, batch after batch, or queued for the workers
as delivery batches with --enqueue."""

from django.core.management.base import BaseCommand

from notifications import services
from notifications.tasks import deliver


class Command(BaseCommand):
    help = "Run one pass of the reminder sweep now."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Queue delivery batches for the Celery workers.")
        parser.add_argument(
            "--batch", type=int, default=0, help="Reminders claimed per delivery batch (default REMINDER_BATCH_SIZE)."
        )

    def handle(self, *args, enqueue, batch, **options):
        batch = batch or services.batch_size()
        result = services.reminder_sweep()
        claimed = 0
        outcomes: dict[str, int] = {}
        if enqueue:
            for _ in range(services.delivery_batches_wanted(batch=batch)):
                deliver.delay()
        else:
            while True:
                delivered = services.reminders_deliver_due(batch=batch)
                claimed += len(delivered.claimed)
                for status in delivered.outcomes.values():
                    outcomes[status] = outcomes.get(status, 0) + 1
                if not delivered.full:
                    break
        self.stdout.write(
            f"created {result.created}, skipped {result.skipped}, cancelled {result.cancelled}, "
            f"released {result.released}, claimed {claimed}"
            + ("".join(f", {k} {v}" for k, v in sorted(outcomes.items())) if outcomes else "")
        )
