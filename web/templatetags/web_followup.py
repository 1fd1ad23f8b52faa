"""Template helpers of the follow-up pages: the words and badge colours of queue priorities, visit
statuses and outcomes (`{% load web_followup %}`)."""

from __future__ import annotations

from django import template

from notifications.selectors import Priority
from register.models import Visit
from register.rules.visits import DUE, OVERDUE, SCHEDULED

register = template.Library()

PRIORITY_BADGES = {
    Priority.URGENT_OUTCOME.code: "bad",
    Priority.ESCALATED.code: "bad",
    Priority.OVERDUE.code: "warn",
    Priority.DUE_TODAY.code: "warn",
    Priority.DUE_THIS_WEEK.code: "",
}
STATUS_BADGES = {
    OVERDUE: "bad",
    DUE: "warn",
    SCHEDULED: "",
    Visit.State.COMPLETED: "ok",
    Visit.State.MISSED: "bad",
    Visit.State.CANCELLED: "",
}
OUTCOME_BADGES = {"settled": "ok", "concerns": "warn", "urgent": "bad"}


@register.filter
def priority_label(code: str) -> str:
    """The words of a queue priority's code (`due_today`: "due today"), in the user's language."""
    try:
        return str(Priority.from_code(code).label)
    except KeyError:
        return code


@register.filter
def priority_badge(code: str) -> str:
    """The badge class of a queue priority (bad, warn or none)."""
    return PRIORITY_BADGES.get(code, "")


@register.filter
def status_badge(code: str) -> str:
    """The badge class of a visit's derived status."""
    return STATUS_BADGES.get(code, "")


@register.filter
def outcome_badge(code: str) -> str:
    return OUTCOME_BADGES.get(code, "")
