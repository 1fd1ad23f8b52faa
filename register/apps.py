from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
