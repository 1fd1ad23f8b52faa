"""Writing staff accounts: who they are, their role (a Django group), the provinces they work in,
their password, and unlocking or signing out an account.

Only national administrators manage accounts (a provincial user could otherwise give themselves
another province); `actor=None` is the operator of a management command. Each function writes in
one transaction with its audit entry; a password is recorded as a changed fingerprint, never a hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from register.audit import audit_created, audit_deleted, audit_write, audited_update, snapshot
from register.errors import DomainError
from register.models import AuditEntry, Province, User
from register.roles import Role
from register.services import sessions

# Fields of the account itself an administrator may set (relations are handled apart).
USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "phone",
    "preferred_language",
    "preferred_channel",
    "telegram_chat_id",
)
USER_RELATIONS = ("groups", "provinces", "user_permissions")


def user_create(*, actor, data: Mapping[str, Any], password: str | None = None) -> User:
    """Open an account. `data` holds USER_FIELDS and, optionally, USER_RELATIONS (lists of rows or
    keys); `password`, when given, must pass the password validators (else the account has none)."""
    _require_national(actor)
    _check_fields(data)
    with transaction.atomic():
        user = User(**{f: data[f] for f in USER_FIELDS if f in data})
        if password:
            _validate_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        _set_relations(user, data)
        audit_created(actor=actor, instance=user, state=_state)
    return user


def user_update(*, actor, user: User, data: Mapping[str, Any]) -> User:
    """Change an account (a partial update): its details, role groups, provinces, permissions."""
    _require_national(actor)
    _check_fields(data)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        with audited_update(actor=actor, instance=user, state=_state, ignore=("last_login",), when_changed=True):
            for field in USER_FIELDS:
                if field in data:
                    setattr(user, field, data[field])
            user.full_clean(exclude=["password"])
            user.save()
            _set_relations(user, data)
    return user


def user_set_password(*, actor, user: User, password: str | None) -> User:
    """Set an account's password (it must pass the password validators); None disables
    password-based login for the account. Its other sessions and all its API tokens end
    (register/services/sessions.py, on any change of the stored hash)."""
    _require_national(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        with audited_update(actor=actor, instance=user), sessions.password_changed_by(actor):
            if password is None:
                user.set_unusable_password()
            else:
                _validate_password(password, user)
                user.set_password(password)
            user.save(update_fields=["password"])
    return user


def user_sign_out_everywhere(*, actor, user: User):
    """End every browser session and API token of an account (a lost phone, a shared password),
    audited as one logout of the account. The administrator's own current session, if it is theirs,
    ends too: they asked for everywhere."""
    _require_national(actor)
    return sessions.revoke_all(actor=actor, user=user, reason="signed out by an administrator")


def user_delete(*, actor, user: User) -> None:
    """Remove an account that never acted (the audit trail protects the accounts that did)."""
    _require_national(actor)
    with transaction.atomic():
        audit_deleted(actor=actor, instance=user, state=_state)
        user.delete()


def group_create(*, actor, name: str, permissions: Iterable = ()) -> Group:
    """Add a group of Django permissions. The five roles are groups named after them (register.roles)."""
    _require_national(actor)
    with transaction.atomic():
        group = Group(name=name)
        group.full_clean()
        group.save()
        group.permissions.set(permissions)
        audit_created(actor=actor, instance=group, state=_group_state)
    return group


def group_update(*, actor, group: Group, data: Mapping[str, Any]) -> Group:
    """Rename a group or change its permissions (a renamed role group takes the role from everyone in it)."""
    _require_national(actor)
    with transaction.atomic():
        group = Group.objects.select_for_update().get(pk=group.pk)
        with audited_update(actor=actor, instance=group, state=_group_state, when_changed=True):
            if "name" in data:
                group.name = data["name"]
                group.full_clean()
                group.save()
            if "permissions" in data:
                group.permissions.set(data["permissions"])
    return group


def group_delete(*, actor, group: Group) -> None:
    _require_national(actor)
    with transaction.atomic():
        audit_deleted(actor=actor, instance=group, state=_group_state)
        group.delete()


def staff_user_save(
    *,
    actor,
    username: str,
    role: str,
    provinces: Iterable[str],
    email: str = "",
    password: str,
    first_name: str = "",
    last_name: str = "",
) -> tuple[User, bool]:
    """Create or update a staff account with one role and its provinces (`manage.py
    create_staff_user`, the demo accounts). National administrators are the admin's superusers and
    have no provinces of their own. Returns (user, created)."""
    codes = sorted(set(provinces))
    found = set(Province.objects.filter(code__in=codes).values_list("code", flat=True))
    if role != Role.NATIONAL_ADMIN and not codes:
        raise ValidationError({"provinces": [_("Give at least one province for this role.")]})
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            {"provinces": [_("Unknown province code(s): %(codes)s.") % {"codes": ", ".join(unknown)}]}
        )
    existing = User.objects.filter(username=username).first()
    data = {
        "username": username,
        "email": email or (existing.email if existing else ""),
        # Pickers show people by name (a social worker to follow a placement): kept when not given.
        "first_name": first_name or (existing.first_name if existing else ""),
        "last_name": last_name or (existing.last_name if existing else ""),
        "is_staff": True,  # may use the admin; what they see there still follows their role
        "is_superuser": role == Role.NATIONAL_ADMIN,
        "groups": [Group.objects.get(name=role)],
        "provinces": [] if role == Role.NATIONAL_ADMIN else codes,
    }
    with transaction.atomic():
        if existing is None:
            return user_create(actor=actor, data=data, password=password), True
        user = user_update(actor=actor, user=existing, data=data)
        return user_set_password(actor=actor, user=user, password=password), False


def access_attempt_delete(*, actor, attempt) -> None:
    """Delete a lockout record of django-axes: the account it locked may log in again."""
    _require_national(actor)
    with transaction.atomic():
        audit_write(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            instance=attempt,
            changes={
                "username": [attempt.username, None],
                "failures_since_start": [attempt.failures_since_start, None],
            },
        )
        attempt.delete()


def auth_token_revoke(*, actor, token) -> None:
    """Revoke an API token (django-rest-knox), filed under its key's first characters (not the
    secret) and its owner."""
    _require_national(actor)
    with transaction.atomic():
        sessions.audit_token_deleted(actor, token)
        token.delete()


# --- Helpers -------------------------------------------------------------------------------------


def _require_national(actor) -> None:
    if actor is not None and not (getattr(actor, "is_active", False) and getattr(actor, "is_national", False)):
        raise DomainError(_("Only a national administrator may do this."), code="national_only", status_code=403)


def _check_fields(data: Mapping[str, Any]) -> None:
    unknown = set(data) - set(USER_FIELDS) - set(USER_RELATIONS)
    if unknown:
        raise ValueError(f"Not editable user fields: {sorted(unknown)}")


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None


def _set_relations(user: User, data: Mapping[str, Any]) -> None:
    for name in USER_RELATIONS:
        if name in data:
            getattr(user, name).set(data[name])
    # Drop the cached role and provinces: they may just have changed.
    for attr in ("role", "province_codes"):
        user.__dict__.pop(attr, None)


def _state(user: User) -> dict[str, Any]:
    state = snapshot(user)
    if user.pk:
        for name in USER_RELATIONS:
            state[name] = sorted(str(pk) for pk in getattr(user, name).values_list("pk", flat=True))
    return state


def _group_state(group: Group) -> dict[str, Any]:
    state = snapshot(group)
    state["permissions"] = sorted(str(pk) for pk in group.permissions.values_list("pk", flat=True))
    return state
