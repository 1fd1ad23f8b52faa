"""Template helpers of the placement officer's pages: ages, the words of matching's codes (score
components, exclusion and plan reasons), and links to pages of other areas."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.explanations import COMPONENT_LABELS, EXCLUSION_LABELS
from register.rules.ages import age_on

register = template.Library()

# Why a plan left a unit without a family (matching/core/planner.py).
UNASSIGNED_LABELS = {
    "no_eligible_family": _("no family of your provinces can take them"),
    "no_vacancy_left": _("the families that could take them are full in this plan"),
}


@register.filter
def age(date_of_birth) -> int | str:
    """A child's age in whole years today."""
    if not date_of_birth:
        return ""
    return age_on(date_of_birth, timezone.localdate())


@register.filter
def components(values: dict) -> list[tuple[str, float]]:
    """A candidate's score components as (label, value) pairs, in the policy's order."""
    values = values or {}
    ordered = [k for k in COMPONENT_LABELS if k in values] + [k for k in values if k not in COMPONENT_LABELS]
    return [(str(COMPONENT_LABELS.get(k, k)), values[k]) for k in ordered]


EFFECT_LABELS = {
    "for": _("counts for the family"),
    "against": _("counts against the family"),
    "neutral": _("counts neither for nor against"),
}


@register.filter
def contribution_rows(contributions: list[dict]) -> list[dict]:
    """Contributions as the pages draw them, on the score's scale of 100: each factor's points and
    the most it could have added (its weight's share), its value as a bar, and the sentence."""
    total = sum(c["weight"] for c in contributions or [])
    rows = []
    for c in contributions or []:
        share = c["weight"] / total if total > 0 else 0.0
        rows.append(
            {
                "factor": c["factor"],
                "label": str(COMPONENT_LABELS.get(c["factor"], c["factor"])),
                "effect": c["effect"],
                "effect_label": str(EFFECT_LABELS.get(c["effect"], c["effect"])),
                "bar": round(100 * c["value"], 1),
                "points": round(100 * c["points"], 1),
                "most": round(100 * share, 1),
                "text": c["text"],
            }
        )
    return rows


@register.filter
def points(total) -> str:
    """A plan's total (the sum of children times score, scores in [0, 1]) on the pages' scale of 100 per child."""
    if total is None:
        return "—"
    return f"{100 * float(total):.0f}"


@register.filter
def component_label(code: str) -> str:
    return str(COMPONENT_LABELS.get(code, code))


@register.filter
def exclusion_label(code: str) -> str:
    return str(EXCLUSION_LABELS.get(code, code))


@register.filter
def unassigned_label(code: str) -> str:
    return str(UNASSIGNED_LABELS.get(code, code))


@register.simple_tag
def carer_url(pk) -> str:
    return reverse("web:carer_detail", args=[pk])


@register.simple_tag
def placement_url(pk) -> str:
    return placement_path(pk)


def placement_path(pk) -> str:
    return reverse("web:placement_detail", args=[pk])
