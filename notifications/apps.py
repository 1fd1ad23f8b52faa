from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Listen to the register's hooks (an urgent visit outcome runs the sweep at once). The
        # import also registers the tasks in every process, not only in workers.
        from notifications import receivers  # noqa: F401
