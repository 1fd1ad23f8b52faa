"""What a page tells its script about working offline (web/static/web/offline.js)."""

from django import template

from register.middleware import AbsoluteSessionLifetimeMiddleware
from register.roles import Role

register = template.Library()


@register.simple_tag(takes_context=True)
def offline_login_at(context) -> str:
    """When this session logged in (seconds): the phone erases what it kept 14 days after it."""
    request = context.get("request")
    session = getattr(request, "session", None)
    return str(session.get(AbsoluteSessionLifetimeMiddleware.KEY, "")) if session is not None else ""


@register.filter
def works_offline(user) -> bool:
    """Social workers' pages work with no connection (the visits they follow)."""
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.SOCIAL_WORKER)
