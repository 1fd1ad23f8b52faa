from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register the tasks in every process, not only in workers (Celery's autodiscovery runs at
        # worker start): the web process asks for "notifications.sweep" by name when a visit's
        # outcome is urgent (register.services.visits), and found nothing without this import.
        from notifications import tasks  # noqa: F401
