"""Logging in and out of the pages. Lockout is django-axes' (the same as the API's): a locked
account is told so beside the form, in the user's language."""

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from register.audit import audit_write
from register.models import AuditEntry


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

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_write(actor=form.get_user(), action=AuditEntry.Action.LOGIN, instance=form.get_user())
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            audit_write(actor=request.user, action=AuditEntry.Action.LOGOUT, instance=request.user)
        return super().post(request, *args, **kwargs)
