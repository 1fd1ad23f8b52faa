"""Template helpers of the follow-up pages: the words and badge colours of queue priorities, visit
statuses and outcomes (`{% load web_followup %}`)."""

from __future__ import annotations

from django import template

from web.forms.followup import PRIORITY_LABELS

register = template.Library()

PRIORITY_BADGES = {"urgent": "bad", "escalated": "bad", "overdue": "warn", "due_today": "warn", "due_this_week": ""}
STATUS_BADGES = {"overdue": "bad", "due": "warn", "completed": "ok", "missed": "bad", "scheduled": "", "cancelled": ""}
OUTCOME_BADGES = {"settled": "ok", "concerns": "warn", "urgent": "bad"}


@register.filter
def priority_label(code: str) -> str:
    return str(PRIORITY_LABELS.get(code, code))


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
