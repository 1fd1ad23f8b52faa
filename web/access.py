"""Who may open which page: the capabilities of register/roles.py, the same ones the API asks.

Records outside the user's provinces never reach a page: views read through the register's
selectors, which scope every queryset, so such a record answers 404 as on the API."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from register.roles import role_has


def user_can(user, capability: str) -> bool:
    """Whether an active, logged-in user has `capability` (superusers have every one)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or role_has(user.role, capability)


def list_link(user, url_name: str, capability: str, query, province: str | None = None) -> str | None:
    """The address of a list page with its filter parameters (`query`: pairs, a key may repeat), and
    the province's when one is given, for a reader who may open that list (None otherwise): the link
    behind a figure that counts that list's records."""
    if not user_can(user, capability):
        return None
    pairs = [*query, *([("province", province)] if province else [])]
    return f"{reverse(url_name)}?{urlencode(pairs)}"


def capability_required(*capabilities: str):
    """Decorate a view: log in first, then 403 unless the user has every capability named."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not all(user_can(request.user, c) for c in capabilities):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator
