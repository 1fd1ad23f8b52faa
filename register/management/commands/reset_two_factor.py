"""`manage.py reset_two_factor USERNAME`: remove a user's authenticator (a lost or replaced phone).

At their next login they set up a new one (if their role requires it, before anything else). The
reset is audited; the actor is recorded as the operating-system user who ran the command."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from register import two_factor
from register.models import User


class Command(BaseCommand):
    help = "Remove a staff user's two-factor authenticator so that they can set up a new one."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        actor = User(username=f"manage.py ({getpass.getuser()})")  # unsaved: the trail keeps the name only
        removed = two_factor.reset(user, actor=actor)
        if removed:
            self.stdout.write(f"Two-factor authentication of {username} reset; they set it up again at next login.")
        else:
            self.stdout.write(f"{username} had no two-factor authenticator; nothing to reset.")
