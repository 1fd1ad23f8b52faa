from django.core.management.base import BaseCommand
from django.db import transaction

from register.models import Commune, District, Province, Village
from register.reference_data import load_gazetteer


class Command(BaseCommand):
    help = "Create or update provinces, districts, communes and villages from the shipped gazetteer."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_gazetteer(Province, District, Commune, Village)
        self.stdout.write(", ".join(f"{n} {k}" for k, n in counts.items()))
