"""Where each account is signed in (its browser sessions and API tokens), revoking them, and the rule
that a password change signs the account out everywhere but in the changer's own current session.

Sessions: a login (Django's `user_logged_in`, which the pages, the admin and the two-factor step all
send) records a UserSession row and keeps its id in the session's data; register.middleware refuses
a session whose row is gone and marks the row seen at most once a minute. Tokens: a token's row is
written when knox saves it and marked seen by the middleware after the API authenticated it.

Password changes: one receiver pair on the User model compares the stored password hash before and
after every save, so no way of changing a password can skip it (the account services, the admin's
forms, `manage.py changepassword`, `createsuperuser`-style scripts, a disabled password). Django's
own `password_validation.password_changed` hook runs only after `set_password()` (not for
`set_unusable_password()` or a hash set directly) and has no "old value" to compare, so it would miss
paths; Django's session auth hash already refuses other sessions after a change, but knox tokens
know nothing of the password and must be deleted here.

Connected in RegisterConfig.ready(). Imports no knox (the layers' contract): a user's tokens are
reached through knox's reverse relation, `user.auth_token_set`.
"""

from __future__ import annotations

import contextvars
import datetime
import ipaddress
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from register.audit import audit_event, audit_write
from register.client_ip import client_ip
from register.models import ApiTokenUse, AuditEntry, User, UserSession

# The key, in a session's data, of its UserSession row's id.
SESSION_ID_KEY = "_inventory_id"
# How stale "last seen" may get: one write a minute per session or token at most.
SEEN_EVERY = datetime.timedelta(minutes=1)
# Rows of sessions that ended long enough ago to be sure are dropped at the owner's next login.
GRACE = datetime.timedelta(minutes=5)

# The request being served (register.middleware sets it): who changes a password, from which
# session, and where a new API token is asked from. None outside a request (a command, a task).
_serving: contextvars.ContextVar = contextvars.ContextVar("register_serving_request", default=None)


# Who changes a password, when a service knows it better than the request does (a command).
_password_changer: contextvars.ContextVar = contextvars.ContextVar("register_password_changer", default=None)


@contextmanager
def _bound(var: contextvars.ContextVar, value):
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)


def password_changed_by(actor):
    """Within: a password saved was changed by `actor` (for the audit entry of what it ended)."""
    return _bound(_password_changer, actor)


def serving(request):
    """Within: the request being served (the session and token hooks read who and where from it)."""
    return _bound(_serving, request)


def client_address(request) -> str | None:
    """The address the request came from, as the login throttle reads it (register/client_ip.py:
    X-Forwarded-For only from our own proxies); None when it is not an address."""
    value = (client_ip(request) or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _user_agent(request) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:300]


def _session_ages() -> tuple[datetime.timedelta, datetime.timedelta]:
    """(idle, absolute): a session ends `idle` after its last request, `absolute` after its login."""
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    absolute = datetime.timedelta(seconds=getattr(settings, "SESSION_ABSOLUTE_AGE", settings.SESSION_COOKIE_AGE))
    return idle, absolute


def session_expiry(row: UserSession) -> datetime.datetime:
    idle, absolute = _session_ages()
    return min(row.created_at + absolute, row.last_seen_at + idle)


# --- Browser sessions ------------------------------------------------------------------------------


def session_started(request, user) -> UserSession | None:
    """Record a login's session (its row replaces the one the session had, if any)."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    now = timezone.now()
    idle, absolute = _session_ages()
    with transaction.atomic():
        previous = session.get(SESSION_ID_KEY)
        if previous:
            UserSession.objects.filter(pk=previous).delete()
        # Rows of sessions that have certainly ended: kept no longer than their owner's next login.
        UserSession.objects.filter(user=user).filter(
            Q(last_seen_at__lt=now - idle - GRACE) | Q(created_at__lt=now - absolute - GRACE)
        ).delete()
        row = UserSession.objects.create(
            user=user,
            user_agent=_user_agent(request),
            ip_address=client_address(request),
            created_at=now,
            last_seen_at=now,
        )
    session[SESSION_ID_KEY] = str(row.pk)
    return row


def session_ended(request) -> None:
    session = getattr(request, "session", None)
    row_id = session.get(SESSION_ID_KEY) if session is not None else None
    if row_id:
        UserSession.objects.filter(pk=row_id).delete()


def session_seen(request) -> bool:
    """False when the logged-in session of `request` was revoked (its row is gone, or it has none:
    a session from before the inventory, which must log in again to be listed and revocable)."""
    row_id = request.session.get(SESSION_ID_KEY)
    if not row_id:
        return False
    try:
        row = UserSession.objects.only("last_seen_at", "user_id").get(pk=row_id)
    except (UserSession.DoesNotExist, ValidationError, ValueError, TypeError):
        return False  # gone, or a malformed id: refused either way
    if row.user_id != request.user.pk:
        return False
    now = timezone.now()
    if now - row.last_seen_at >= SEEN_EVERY:
        UserSession.objects.filter(pk=row.pk).update(last_seen_at=now)
    return True


def current_session_id(request) -> str | None:
    session = getattr(request, "session", None)
    return session.get(SESSION_ID_KEY) if session is not None else None


def sessions_of(user) -> list[UserSession]:
    """The user's browser sessions that have not ended, newest activity first, each with `expires`."""
    now = timezone.now()
    idle, absolute = _session_ages()
    rows = UserSession.objects.filter(user=user, last_seen_at__gt=now - idle, created_at__gt=now - absolute)
    rows = list(rows.order_by("-last_seen_at", "-created_at"))
    for row in rows:
        row.expires = session_expiry(row)
    return rows


def session_revoke(*, actor, session_id) -> UserSession:
    """End one of the actor's own browser sessions. Another user's session is not found
    (UserSession.DoesNotExist), as one that does not exist."""
    with transaction.atomic():
        row = UserSession.objects.select_for_update().get(pk=session_id, user=actor)
        audit_write(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            instance=row,
            changes={"user": [actor.username, None], "user_agent": [row.user_agent, None]},
        )
        row.delete()
    return row


# --- API tokens ------------------------------------------------------------------------------------


def _live_tokens(user):
    now = timezone.now()
    return user.auth_token_set.filter(Q(expiry__isnull=True) | Q(expiry__gt=now))


def tokens_of(user) -> list:
    """The user's API tokens that have not expired, newest first, each with `use` (its ApiTokenUse:
    `id`, `user_agent`, `ip_address`, `last_seen_at`). Never the token, nor its digest or key."""
    tokens = list(_live_tokens(user).order_by("-created"))
    digests = [t.digest for t in tokens]
    known = set(ApiTokenUse.objects.filter(token_digest__in=digests).values_list("token_digest", flat=True))
    if len(known) < len(digests):  # tokens made before the inventory: listed with what is known
        missing = [ApiTokenUse(token_digest=d) for d in digests if d not in known]
        ApiTokenUse.objects.bulk_create(missing, ignore_conflicts=True)
    uses = {u.token_digest: u for u in ApiTokenUse.objects.filter(token_digest__in=digests)}
    for token in tokens:
        token.use = uses[token.digest]
    return tokens


def token_revoke(*, actor, use_id) -> None:
    """Revoke one of the actor's own API tokens, named by its ApiTokenUse id; another user's token
    is not found (ApiTokenUse.DoesNotExist)."""
    with transaction.atomic():
        use = ApiTokenUse.objects.get(pk=use_id)
        token = actor.auth_token_set.filter(digest=use.token_digest).first()
        if token is None:
            raise ApiTokenUse.DoesNotExist
        audit_token_deleted(actor, token)
        token.delete()


def token_seen(request) -> None:
    """Mark the API token a request was authenticated with as used (DRF sets `request.auth` on the
    Django request too)."""
    digest = getattr(getattr(request, "auth", None), "digest", None)
    if not isinstance(digest, str):
        return
    # At most one write a minute per token, decided by the cache, so that an API read does not
    # cost a database write (knox's own per-request update was removed for that reason).
    if not cache.add(f"register:token-seen:{digest}", True, SEEN_EVERY.total_seconds()):
        return
    now = timezone.now()
    ApiTokenUse.objects.filter(token_digest=digest).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - SEEN_EVERY)
    ).update(last_seen_at=now)


def audit_token_deleted(actor, token) -> None:
    """A deleted API token in the audit trail, filed under its key's first characters (never the
    secret) and its owner; every way a token is revoked writes this."""
    audit_event(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        model=token._meta.label,
        object_id=token.token_key,
        object_repr=token.user.username,
        changes={
            "user": [token.user.username, None],
            "expiry": [token.expiry.isoformat() if token.expiry else None, None],
        },
    )


# --- Everything at once ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revoked:
    sessions: int
    tokens: int


def revoke_all(*, actor, user, keep_session_id: str | None = None, reason: str) -> Revoked:
    """Sign `user` out everywhere: every browser session (but `keep_session_id`) and every API token,
    recorded as one logout entry of the user with what ended and why. Callers check who may do it."""
    with transaction.atomic():
        sessions = UserSession.objects.filter(user=user)
        if keep_session_id:
            sessions = sessions.exclude(pk=keep_session_id)
        session_count, _ = sessions.delete()
        tokens = user.auth_token_set.all()
        token_count = tokens.count()
        tokens.delete()
        audit_write(
            actor=actor,
            action=AuditEntry.Action.LOGOUT,
            instance=user,
            changes={
                "signed_in_sessions": [session_count, 0],
                "api_tokens": [token_count, 0],
                "reason": [None, reason],
            },
        )
    return Revoked(session_count, token_count)


# --- Receivers -------------------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="register.sessions.login")
def _on_login(sender, request, user, **kwargs):
    if request is not None:
        session_started(request, user)


@receiver(user_logged_out, dispatch_uid="register.sessions.logout")
def _on_logout(sender, request, user, **kwargs):
    if request is not None:
        session_ended(request)


@receiver(post_save, sender="knox.AuthToken", dispatch_uid="register.sessions.token_created")
def _on_token_created(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    request = _serving.get()
    ApiTokenUse.objects.get_or_create(
        token_digest=instance.digest,
        defaults={
            "user_agent": _user_agent(request) if request is not None else "",
            "ip_address": client_address(request) if request is not None else None,
        },
    )


@receiver(post_delete, sender="knox.AuthToken", dispatch_uid="register.sessions.token_deleted")
def _on_token_deleted(sender, instance, **kwargs):
    ApiTokenUse.objects.filter(token_digest=instance.digest).delete()


_BEFORE = "_password_before_save"


@receiver(pre_save, sender=User, dispatch_uid="register.sessions.password_before")
def _remember_password(sender, instance, raw=False, update_fields=None, **kwargs):
    instance.__dict__.pop(_BEFORE, None)
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None:
        instance.__dict__[_BEFORE] = stored


@receiver(post_save, sender=User, dispatch_uid="register.sessions.password_after")
def _revoke_on_password_change(sender, instance, created, raw=False, **kwargs):
    before = instance.__dict__.pop(_BEFORE, None)
    if created or raw or before is None or before == instance.password:
        return
    request = _serving.get()
    changer = _password_changer.get() or (getattr(request, "user", None) if request is not None else None)
    if not getattr(changer, "is_authenticated", False):
        changer = None
    # The changer keeps the session they changed their own password from (Django's views then call
    # update_session_auth_hash for it); every other session and every token of the account ends.
    keep = current_session_id(request) if changer is not None and changer.pk == instance.pk else None
    revoke_all(actor=changer, user=instance, keep_session_id=keep, reason="password changed")
