from django.core.management.base import BaseCommand

from register.services.visits import visit_schedules_extend


class Command(BaseCommand):
    help = (
        "Add the next follow-up visits to active placements whose schedule ends within the visit policy's "
        "horizon (the scheduler runs the same job daily). Running it twice adds nothing twice."
    )

    def handle(self, *args, **options):
        added = visit_schedules_extend()
        self.stdout.write(f"{added} visit(s) added.")
