"""The menu each role sees: one list, filtered by the capabilities of register/roles.py, so a page
a role may not open is never offered to it. Also the template context processor that puts it,
with the user's role and provinces, on every page."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from notifications.selectors import inbox_unread_count
from register.roles import Role
from web.access import user_can


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    capability: str | None = None  # None: every logged-in user
    roles: frozenset[str] | None = None  # further limited to these roles (national admins always)
    unless: str | None = None  # offered only to users without this capability


MENU = [
    # The home ("/"): "Today" for those who may not read the indicators (social workers); the
    # others' home is the reform page, so they are offered that one item, not a second way to it.
    Item(_("Today"), "web:dashboard", unless="indicators.read"),
    Item(_("The reform"), "web:reform", "indicators.read"),
    Item(_("Families missing"), "web:capacity_gaps", "capacity.read"),
    Item(_("My visits"), "web:my_visits", "visits.complete", roles=frozenset({Role.SOCIAL_WORKER})),
    Item(_("Carers"), "web:carer_list", "carers.read"),
    Item(_("Import"), "web:carer_import", "carers.write"),
    Item(_("Children"), "web:child_list", "children.write"),
    Item(_("Match"), "web:match_workbench", "matches.run"),
    Item(_("Batch plans"), "web:batch_plan_list", "matches.run"),
    Item(_("Placements"), "web:placement_list", "placements.write"),
    Item(_("Follow-up queue"), "web:followup_queue", "followup.read", roles=frozenset({Role.SUPERVISOR})),
    Item(_("Possible duplicates"), "web:duplicate_list", "duplicates.resolve"),
    Item(_("Notifications"), "web:notifications"),
]


def menu_for(user) -> list[dict]:
    items = []
    for item in MENU:
        if item.capability and not user_can(user, item.capability):
            continue
        if item.roles and not (user.is_national or user.role in item.roles):
            continue
        if item.unless and user_can(user, item.unless):
            continue
        items.append({"label": item.label, "url": reverse(item.url_name), "name": item.url_name})
    return items


def context(request) -> dict:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    match = getattr(request, "resolver_match", None)
    return {
        "menu": menu_for(user),
        "current_url_name": f"{match.namespace}:{match.url_name}" if match and match.namespace else "",
        "role_label": Role(user.role).label if user.role else "",
        "unread_notifications": inbox_unread_count(user=user),
    }
