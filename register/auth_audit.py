"""Logins, logouts and failed logins in the audit trail, from Django's own auth signals, so that every
way in is recorded the same way: the pages, the admin, and any later step (two-factor) that ends in
`django.contrib.auth.login`. The API's token login and logout do not go through `login()`/`logout()`;
register/api/auth.py records those itself. Failed logins are recorded from `authenticate()`, which
every login form and the token view call, including attempts refused because the account is locked.

Connected in RegisterConfig.ready()."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from register.audit import audit_write
from register.models import AuditEntry


def _via(request) -> dict:
    # Which interface was used (a path, never a credential): the page, the admin or the API.
    path = getattr(request, "path", "") or ""
    return {"via": [None, path[:200]]} if path else {}


@receiver(user_logged_in, dispatch_uid="register.audit_login")
def audit_login(sender, request, user, **kwargs):
    audit_write(actor=user, action=AuditEntry.Action.LOGIN, instance=user, changes=_via(request))


@receiver(user_logged_out, dispatch_uid="register.audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None and getattr(user, "pk", None):
        audit_write(actor=user, action=AuditEntry.Action.LOGOUT, instance=user, changes=_via(request))


@receiver(user_login_failed, dispatch_uid="register.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    """Who tried (the username typed; the account, if there is one), when, and whether the account
    was locked. Django has already masked the password in `credentials`; it is not stored anyway."""
    username = str(credentials.get("username") or "")[:150]
    user = get_user_model().objects.filter(username=username).only("pk").first() if username else None
    changes = _via(request)
    if getattr(request, "axes_locked_out", False):
        changes["locked_out"] = [None, True]
    AuditEntry.objects.create(
        actor=None,  # nobody proved who they are
        actor_username=username or "?",
        action=AuditEntry.Action.LOGIN_FAILED,
        model=get_user_model()._meta.label,
        object_id=str(user.pk) if user else "",
        object_repr=username,
        changes=changes,
    )
