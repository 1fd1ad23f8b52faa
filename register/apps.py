from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from register.collation import register_sqlite_collation


class RegisterConfig(AppConfig):
    name = "register"
    verbose_name = _("Register")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Logins, logouts and failed logins land in the audit trail (register/auth_audit.py).
        # Services ask for their tasks through signals that the tasks module answers (the tasks
        # import the services, never the reverse): connect those receivers in every process.
        from register import auth_audit, tasks  # noqa: F401

        # The sessions and tokens inventory, and signing out everywhere on a password change.
        from register.services import sessions  # noqa: F401

        # Names sorted in Khmer order on SQLite too (register/collation.py).
        connection_created.connect(register_sqlite_collation, dispatch_uid="register_khmer_collation")
