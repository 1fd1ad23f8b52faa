"""What a page tells its script about working offline (web/static/web/offline.js)."""

from django import template

from register.roles import Role

register = template.Library()


@register.filter
def works_offline(user) -> bool:
    """Social workers' pages work with no connection (the visits they follow)."""
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.SOCIAL_WORKER)
