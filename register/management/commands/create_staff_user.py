"""`manage.py create_staff_user USERNAME --role ROLE [--province CODE ...] [--email ADDRESS]`.

The password comes from STAFF_USER_PASSWORD, or is prompted for when that is unset (API.md)."""

import getpass
import os

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from register.models import Province, User
from register.roles import Role
from register.services.users import staff_user_save


class Command(BaseCommand):
    help = "Create (or update) a staff account with one role and its provinces."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--province", action="append", default=[], dest="provinces", metavar="CODE")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, provinces, email, **options):
        if role != Role.NATIONAL_ADMIN and not provinces:
            raise CommandError(f"--province is required for the role {role} (it may repeat).")
        found = set(Province.objects.filter(code__in=provinces).values_list("code", flat=True))
        unknown = sorted(set(provinces) - found)
        if unknown:
            raise CommandError(f"Unknown province code(s): {', '.join(unknown)}. Codes are two digits, 01 to 25.")
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise CommandError(f"--email: {exc.messages[0]}") from exc

        password = os.environ.get("STAFF_USER_PASSWORD") or self._prompt_password()
        user = User(username=username, email=email)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Password: " + " ".join(exc.messages)) from exc

        # Through the account service, as the admin writes accounts: validated and audited alike.
        try:
            user, created = staff_user_save(
                actor=None, username=username, role=role, provinces=sorted(found), email=email, password=password
            )
        except ValidationError as exc:
            messages = (f"{field}: {' '.join(items)}" for field, items in exc.message_dict.items())
            raise CommandError(" ".join(messages)) from exc
        verb = "Created" if created else "Updated"
        where = "all provinces" if role == Role.NATIONAL_ADMIN else ", ".join(sorted(found))
        self.stdout.write(self.style.SUCCESS(f"{verb} {username} ({role}; {where})."))

    def _prompt_password(self) -> str:
        if not os.isatty(0):
            raise CommandError("Set STAFF_USER_PASSWORD, or run in a terminal to be asked for the password.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first
