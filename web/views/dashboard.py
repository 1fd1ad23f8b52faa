"""The dashboard: a snapshot of each of the user's provinces."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from register.models import Carer
from register.selectors.dashboard import dashboard_snapshot

FIGURES = ("families_with_places", "children_waiting", "active_placements", "visits_overdue", "urgent_unacknowledged")


@login_required
def dashboard(request):
    provinces = dashboard_snapshot(user=request.user)
    for p in provinces:
        p.stage_rows = [(label, p.carers_by_status.get(value, 0)) for value, label in Carer.Status.choices]
    totals = None
    if len(provinces) > 1:
        totals = {name: sum(getattr(p, name) for p in provinces) for name in FIGURES}
        totals["carers"] = sum(p.carers_total for p in provinces)
    context = {"provinces": provinces, "totals": totals, "stage_title": _("Carers by stage")}
    return render(request, "web/dashboard.html", context)
