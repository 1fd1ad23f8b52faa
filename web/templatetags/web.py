"""Template helpers of the pages: labels of the register's codes in the user's language, and
charts drawn as SVG on the server (no chart library to download on a slow connection, no inline
style or script)."""

from __future__ import annotations

from django import template
from django.db import models

from register import choices
from register.errors import ErrorCode
from register.models import Carer, CarerCheck, Child, Institution, Placement, Visit
from register.rules.visits import VISIT_STATUS_CHOICES

register = template.Library()

# name used in templates -> the enumeration whose labels it shows
CHOICES: dict[str, type[models.TextChoices] | list[tuple[str, str]]] = {
    "sex": choices.Sex,
    "religion": choices.Religion,
    "ethnicity": choices.Ethnicity,
    "language": choices.Language,
    "care_type": choices.CareType,
    "need": choices.Need,
    "carer_status": Carer.Status,
    "child_status": Child.Status,
    "check_kind": CarerCheck.Kind,
    "check_result": CarerCheck.Result,
    "institution_kind": Institution.Kind,
    "placement_status": Placement.Status,
    "end_reason": Placement.EndReason,
    "visit_status": VISIT_STATUS_CHOICES,
    "visit_outcome": Visit.Outcome,
    "error_code": ErrorCode,
}


def _labels(name: str) -> dict[str, str]:
    source = CHOICES[name]
    pairs = source.choices if isinstance(source, type) else source
    return dict(pairs)


@register.filter
def label(value, name: str) -> str:
    """`{{ carer.status|label:"carer_status" }}`: the translated label of one code."""
    if value in (None, ""):
        return ""
    return str(_labels(name).get(value, value))


@register.filter
def labels(values, name: str) -> str:
    """`{{ carer.needs_supported|labels:"need" }}`: the labels of a list of codes, comma-separated."""
    table = _labels(name)
    return ", ".join(str(table.get(v, v)) for v in values or [])


@register.filter
def percent(value) -> int:
    """A fraction in [0, 1] as a whole percentage, for <meter> and score bars."""
    try:
        return max(0, min(100, round(float(value) * 100)))
    except (TypeError, ValueError):
        return 0


@register.inclusion_tag("web/includes/bar_chart.html")
def bar_chart(rows, *, title: str = "", width: int = 320, row_height: int = 26, label_width: int = 120):
    """A horizontal bar chart. `rows` is a list of (label, value) pairs; bars scale to the largest
    value. Each bar carries its number, so the chart reads without colour or a legend."""
    rows = [(str(text), int(value or 0)) for text, value in rows]
    top = max((value for _, value in rows), default=0) or 1
    bar_space = width - label_width - 48
    bars = [
        {
            "label": text,
            "value": value,
            "y": i * row_height,
            "text_y": round(i * row_height + row_height * 0.65),
            "width": max(1, round(bar_space * value / top)) if value else 0,
            "value_x": label_width + (round(bar_space * value / top) if value else 0) + 6,
        }
        for i, (text, value) in enumerate(rows)
    ]
    return {
        "title": title,
        "bars": bars,
        "width": width,
        "height": max(row_height, row_height * len(rows)),
        "label_width": label_width,
        "bar_height": row_height - 8,
    }
