from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "web"
    verbose_name = _("Pages")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from web.middleware import remember_what_is_owed

        user_logged_in.connect(remember_what_is_owed, dispatch_uid="web.two_factor_owed")
