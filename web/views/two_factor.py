"""Two-factor pages: turning it on (scan a QR code, type one code to confirm) and the second step of
each login. Who must use it is register/two_factor.py's rule; web.middleware sends a session that
owes a code here before anything else."""

from __future__ import annotations

import django_otp
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters

from register import throttling, two_factor
from register.audit import audit_write
from register.models import AuditEntry
from web.forms.two_factor import CodeForm
from web.lockout import throttled, throttled_message


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _complete_login(request, device) -> None:
    """The session verified with `device`, under a new session key, as after the password step."""
    django_otp.login(request, device)
    request.session.cycle_key()


def _refused(form, device) -> None:
    wait = two_factor.seconds_to_wait(device)
    if wait:
        form.add_error(
            "code",
            ngettext(
                "Too many wrong codes. Wait %(seconds)d second, then type the newest code.",
                "Too many wrong codes. Wait %(seconds)d seconds, then type the newest code.",
                wait,
            )
            % {"seconds": wait},
        )
    else:
        form.add_error("code", _("That code is not right or was already used. Type the newest code from the app."))


def _throttled(request, form) -> int:
    """A code is a login attempt too (register/throttling.py): the seconds to wait, with the
    reason beside the field, or 0 when the code may be checked."""
    try:
        throttling.check_login(request, request.user.get_username())
    except throttling.LoginThrottled as refused:
        form.add_error("code", throttled_message(refused.wait))
        return refused.wait
    return 0


@login_required
@sensitive_post_parameters("code")
def verify(request):
    """The second step of logging in, for a user who has an authenticator."""
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect("web:two_factor_setup")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    wait = 0
    if request.method == "POST" and form.is_valid() and not (wait := _throttled(request, form)):
        accepted = two_factor.verify(request.user, form.cleaned_data["code"])
        if accepted is not None:
            _complete_login(request, accepted)
            audit_write(
                actor=request.user,
                action=AuditEntry.Action.LOGIN,
                instance=request.user,
                changes={"second_factor": "verified"},
            )
            return redirect(_next_url(request))
        audit_write(
            actor=request.user,
            action=AuditEntry.Action.LOGIN_FAILED,
            instance=request.user,
            changes={"two_factor": "wrong code"},
        )
        _refused(form, two_factor.confirmed_device(request.user))
    response = render(request, "web/two_factor/verify.html", {"form": form, "next": _next_url(request)})
    return throttled(response, wait) if wait else response


@login_required
@sensitive_post_parameters("code")
def setup(request):
    """Turn two-factor on: the secret as a QR code and as text, and one code to prove the app has it.
    A user who already has it and is verified may set up a new phone the same way."""
    if two_factor.enabled_for(request.user) and not request.user.is_verified():
        return redirect("web:two_factor_verify")
    device = two_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    wait = 0
    if request.method == "POST" and form.is_valid() and not (wait := _throttled(request, form)):
        confirmed = two_factor.confirm(request.user, form.cleaned_data["code"])
        if confirmed is not None:
            _complete_login(request, confirmed)
            return redirect(_next_url(request))
        _refused(form, device)
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": two_factor.qr_svg(device),
        "secret": two_factor.secret_for_typing(device),
        "required": two_factor.required_for(request.user),
        "enabled": two_factor.enabled_for(request.user),
    }
    response = render(request, "web/two_factor/setup.html", context)
    return throttled(response, wait) if wait else response


urlpatterns = [
    path("login/code/", verify, name="two_factor_verify"),
    path("account/two-factor/", setup, name="two_factor_setup"),
]
