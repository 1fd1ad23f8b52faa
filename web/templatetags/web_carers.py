"""Template helpers of the registrar's pages."""

from __future__ import annotations

from django import template

from register.models import Carer

register = template.Library()

# A family's stage as a badge colour: approved is good to go, on hold needs a look, deregistered is out.
BADGES = {Carer.Status.APPROVED: "ok", Carer.Status.ON_HOLD: "warn", Carer.Status.DEREGISTERED: "bad"}


@register.filter
def status_badge(status) -> str:
    return BADGES.get(status, "")
