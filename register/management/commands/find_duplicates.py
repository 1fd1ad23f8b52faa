from django.core.management.base import BaseCommand

from register.services.duplicates import duplicates_find


class Command(BaseCommand):
    help = (
        "Find possible duplicates among the families and children already registered (the same phone, "
        "national ID or partner id; a close name with the same date of birth [and home commune for "
        "children]) and list them for review (the scheduler runs the same job nightly). Running it "
        "twice records nothing twice, and a pair judged not the same is not reopened."
    )

    def handle(self, *args, **options):
        result = duplicates_find()
        self.stdout.write(
            f"{result.created} new pair(s); open: {result.carers} between families, {result.children} between children."
        )
