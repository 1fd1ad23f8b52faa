"""The social worker's pages, made for a phone: the visits to do (today's and overdue ones first,
then the coming weeks) and recording a visit in a few taps.

Only visits the user may see are ever found (register.selectors.visits scopes them): a social
worker opening a visit of someone else's placement gets 404, as on the API."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from register.errors import DomainError
from register.models import Visit
from register.roles import Role
from register.rules.visits import SCHEDULED, days_overdue_of, open_due_by_q, status_q, today
from register.selectors.visits import visit_list
from register.services.visits import visit_complete
from web.access import capability_required
from web.errors import add_service_errors
from web.forms.visits import VisitRecordForm

COMING_DAYS = 30  # how far ahead "coming visits" looks
LIST_LIMIT = 100  # a social worker follows a few dozen placements; this is a guard, not a page


def _annotate(visits):
    for visit in visits:
        visit.days_late = days_overdue_of(visit)
    return visits


@capability_required("visits.complete")
def my_visits(request):
    """The open visits of the placements the user follows, soonest first."""
    on = today()
    mine = (
        visit_list(user=request.user)
        .filter(placement__social_worker=request.user, state=Visit.State.OPEN)
        .select_related("placement__carer", "placement__carer__commune", "placement__carer__village")
    )
    now = _annotate(list(mine.filter(open_due_by_q(on))[:LIST_LIMIT]))  # due today or overdue
    horizon = on + datetime.timedelta(days=COMING_DAYS)
    coming = _annotate(list(mine.filter(status_q(SCHEDULED, on) & open_due_by_q(horizon))[:LIST_LIMIT]))
    return render(request, "web/visits/my_visits.html", {"now": now, "coming": coming, "coming_days": COMING_DAYS})


def _after_recording(request, visit):
    if request.user.role == Role.SOCIAL_WORKER:
        return redirect("web:my_visits")
    return redirect("web:placement_detail", id=visit.placement_id)


@capability_required("visits.complete")
def visit_record(request, id):
    visit = get_object_or_404(
        visit_list(user=request.user)
        .select_related("placement__carer", "placement__carer__commune", "placement__carer__village")
        # The page names each child: one query for them all, not one per child.
        .prefetch_related("placement__memberships__child"),
        pk=id,
    )
    _annotate([visit])
    form = VisitRecordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                visit_complete(actor=request.user, visit=visit, **form.cleaned_data)
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                if form.cleaned_data["outcome"] == Visit.Outcome.URGENT:
                    messages.warning(request, _("Visit recorded. The supervisors have been told it is urgent."))
                else:
                    messages.success(request, _("Visit recorded."))
                return _after_recording(request, visit)
        status = 400
    context = {"visit": visit, "form": form, "recordable": visit.state == Visit.State.OPEN}
    return render(request, "web/visits/record.html", context, status=status)


urlpatterns = [
    path("visits/", my_visits, name="my_visits"),
    path("visits/<uuid:id>/record/", visit_record, name="visit_record"),
]
