"""Logging in and out of the pages. Lockout is django-axes' (the same as the API's): a locked
account is told so beside the form, in the user's language."""

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "This account is locked after %(limit)s failed logins. Try again in %(minutes)s minutes "
            "or ask an administrator to unlock it."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                self.request.lockout_explained = True  # keep this page (web.lockout)
                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={
                        "limit": settings.AXES_FAILURE_LIMIT,
                        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
                    },
                ) from None
            raise


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    # The login (and a failed one) is recorded by register/auth_audit.py from Django's auth signals.


class LogoutView(auth_views.LogoutView):
    """The logout is recorded by register/auth_audit.py (Django's user_logged_out signal)."""
