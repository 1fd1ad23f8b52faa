"""Logging in and out of the pages. Lockout is django-axes' and the login throttle is
register/throttling.py's (both the same as the API's): a locked account or a throttled attempt is
told so beside the form, in the user's language."""

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from register.throttling import LoginThrottled
from web.lockout import throttled, throttled_message


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "This account is locked after %(limit)s failed logins. Try again in %(minutes)s minutes "
            "or ask an administrator to unlock it."
        ),
    }

    throttled_for = 0  # seconds to wait, when the login throttle refused this attempt

    def clean(self):
        try:
            return super().clean()
        except LoginThrottled as refused:  # raised by authenticate(), before any password check
            self.throttled_for = refused.wait
            raise forms.ValidationError(throttled_message(refused.wait), code="throttled") from None
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

    def form_invalid(self, form):
        response = super().form_invalid(form)
        # The form stays usable; the status and Retry-After tell scripts when to come back.
        return throttled(response, form.throttled_for) if form.throttled_for else response

    # The login (and a failed one) is recorded by register/auth_audit.py from Django's auth signals.


class LogoutView(auth_views.LogoutView):
    """The logout is recorded by register/auth_audit.py (Django's user_logged_out signal)."""
