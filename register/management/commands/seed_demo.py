"""`manage.py seed_demo`: a synthetic demo register (no real people) and the demo staff accounts."""

import argparse
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from register.demo import SeedError, seed_register
from register.models import Carer, User
from register.roles import Role
from register.services.users import staff_user_save

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed on purpose: demo accounts exist only on demo machines
DEMO_ACCOUNTS = [
    ("registrar", Role.REGISTRAR, ["02"]),
    ("officer", Role.PLACEMENT_OFFICER, ["02", "12"]),
    ("worker", Role.SOCIAL_WORKER, ["02"]),
    ("supervisor", Role.SUPERVISOR, ["02", "12"]),
    ("admin", Role.NATIONAL_ADMIN, []),
]
# Names of the demo people (synthetic), so that pickers show a person, not a login name.
DEMO_NAMES = {
    "registrar": ("Sophea", "Chan"),
    "officer": ("Vanna", "Keo"),
    "worker": ("Sokha", "Chea"),
    "supervisor": ("Dara", "Meas"),
    "admin": ("Rithy", "Sok"),
}


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number, 0 or more, not {value!r}")
    return number


class Command(BaseCommand):
    help = "Create the demo staff accounts and a synthetic demo register on the real gazetteer."

    def add_arguments(self, parser):
        parser.add_argument("--carers", type=_count, default=300, help="Foster families to create (default 300).")
        parser.add_argument("--children", type=_count, default=200, help="Children to create (default 200).")
        parser.add_argument("--institutions", type=_count, default=12, help="Institutions to create (default 12).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Skip the accounts if they exist, and the register data if there are carers already.",
        )
        parser.add_argument("--allow-production", action="store_true", help="Seed even when DEBUG is off.")

    def handle(self, *args, if_empty, allow_production, carers, children, institutions, seed, **options):
        # SETTINGS_MODULE is None under override_settings (a live test server): read the variable too.
        module = settings.SETTINGS_MODULE or os.environ.get("DJANGO_SETTINGS_MODULE", "")
        if not settings.DEBUG and not allow_production and "test" not in module:
            raise CommandError("Refusing to seed demo data with DEBUG off; pass --allow-production if you mean it.")
        if if_empty and User.objects.filter(username="admin").exists():
            self.stdout.write("Demo accounts are there already.")
        else:
            with transaction.atomic():
                self._accounts()
        if if_empty and Carer.objects.exists():
            self.stdout.write("Demo register data is there already.")
        else:
            try:
                result = seed_register(carers=carers, children=children, institutions=institutions, seed=seed)
            except SeedError as exc:
                raise CommandError(str(exc)) from exc
            self._print_summary(result, seed)
        self._print_logins()

    def _print_summary(self, result, seed: int) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nDemo register created (seed {seed}) in {result.seconds:.1f} s"))
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:<28} {count:>9,}")

    def _accounts(self) -> None:
        for username, role, provinces in DEMO_ACCOUNTS:
            # Through the account service, as create_staff_user: validated and audited alike.
            staff_user_save(
                actor=None,
                username=username,
                role=role,
                provinces=provinces,
                email=f"{username}@example.org",
                password=DEMO_PASSWORD,
                first_name=DEMO_NAMES[username][0],
                last_name=DEMO_NAMES[username][1],
            )

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
        for username, role, provinces in DEMO_ACCOUNTS:
            where = ", ".join(provinces) or "all provinces"
            self.stdout.write(f"  {username:<12} {role:<18} {where}")
        site = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"  # the port `make run` will serve on
        self.stdout.write(f"  Pages: {site}/   Admin: {site}/admin/   API docs: {site}/api/v1/docs/\n")
