"""The home page ("/"), and "Today": the register's figures of the day.

Whoever may read the indicators (registrars, placement officers, supervisors, national
administrators) is sent to the reform page, the national snapshot, which opens with "Today". A social
worker's home is "Today" alone: the figures of their own work.

The figures are register.selectors.dashboard's (one definition); this module only says which list
is behind each one, for a reader who may open that list, with that list's own filter parameters,
so that following a number shows the records it counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from register.models import Child
from register.selectors.dashboard import dashboard_snapshot
from web.access import list_link, user_can


@dataclass(frozen=True)
class Figure:
    name: str  # the ProvinceSnapshot attribute
    label: str
    url_name: str
    capability: str  # the list page's own
    query: tuple[tuple[str, str], ...]  # that list's filter parameters (a key may repeat)
    warn: str = ""  # the tile's class when the figure is not 0


TODAY = (
    # The carer list's filters: approved, a free place, the yearly review not overdue (the review
    # filter is the API's; the page's form has it as a box left unticked).
    Figure(
        "families_with_places",
        _("Families with free places"),
        "web:carer_list",
        "carers.read",
        (("status", "approved"), ("has_vacancy", "true"), ("review_overdue", "false")),
    ),
    Figure(
        "children_waiting",
        _("Children waiting"),
        "web:child_list",
        "children.read",
        tuple(("status", status.value) for status in Child.PLACEABLE),
    ),
    Figure(
        "active_placements", _("Active placements"), "web:placement_list", "placements.read", (("status", "active"),)
    ),
    # The follow-up queue's "at least 1 day overdue": every overdue visit, escalated ones included
    # (its priority=overdue leaves the escalated ones out).
    Figure(
        "visits_overdue",
        _("Visits overdue"),
        "web:followup_queue",
        "followup.read",
        (("days_overdue_min", "1"),),
        warn="warn",
    ),
    Figure(
        "urgent_unacknowledged",
        _("Urgent outcomes not acknowledged"),
        "web:followup_queue",
        "followup.read",
        (("priority", "urgent"),),
        warn="alarm",
    ),
)


def figure_url(user, figure: Figure, province: str | None) -> str | None:
    """The list behind a figure, for a reader who may open it (None otherwise)."""
    return list_link(user, figure.url_name, figure.capability, figure.query, province)


def _cells(user, snapshot, province: str | None) -> list[dict]:
    return [
        {
            "name": f.name,
            "label": f.label,
            "value": getattr(snapshot, f.name),
            "url": figure_url(user, f, province),
            "warn": f.warn if getattr(snapshot, f.name) else "",
        }
        for f in TODAY
    ]


@dataclass
class Totals:
    """The figures summed over several provinces (the same attributes as a ProvinceSnapshot)."""

    families_with_places: int
    free_places: int
    children_waiting: int
    active_placements: int
    visits_overdue: int
    urgent_unacknowledged: int


def today_context(user) -> dict:
    """What web/includes/today.html draws: the figures over all the user's provinces (or their one
    province), and with several, a row per province; each figure with the link to its list."""
    provinces = dashboard_snapshot(user=user)
    if not provinces:
        return {"provinces": [], "totals": None, "rows": []}
    if len(provinces) == 1:
        (only,) = provinces
        totals, scope = only, f"{only.code} {only.name}"
        total_province = only.code
    else:
        names = ("families_with_places", "free_places", *(f.name for f in TODAY[1:]))
        totals = Totals(**{n: sum(getattr(p, n) for p in provinces) for n in dict.fromkeys(names)})
        scope = _("The whole country") if user.is_national else _("All your provinces")
        total_province = None
    rows = (
        [{"code": p.code, "name": p.name, "cells": _cells(user, p, p.code)} for p in provinces]
        if len(provinces) > 1
        else []
    )
    return {
        "provinces": provinces,
        "scope": scope,
        "totals": _cells(user, totals, total_province),
        "free_places": totals.free_places,
        "rows": rows,
        "labels": [f.label for f in TODAY],
    }


@login_required
def dashboard(request):
    if user_can(request.user, "indicators.read"):
        return redirect("web:reform")
    return render(request, "web/dashboard.html", {"today": today_context(request.user)})
