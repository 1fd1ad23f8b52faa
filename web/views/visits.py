"""The social worker's pages, made for a phone: the visits to do (today's and overdue ones first,
then the coming weeks) and recording a visit in a few taps.

Only visits the user may see are ever found (register.selectors.visits scopes them): a social
worker opening a visit of someone else's placement gets 404, as on the API."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from register.audit import audit_reads
from register.errors import DomainError
from register.models import Visit
from register.roles import Role
from register.rules.ages import age_on
from register.rules.visits import (
    SCHEDULED,
    days_overdue_of,
    is_unacknowledged_urgent,
    open_due_by_q,
    status_q,
    today,
)
from register.selectors.visits import visit_list
from register.services.visits import visit_acknowledge, visit_complete
from web.access import capability_required, user_can
from web.errors import add_service_errors
from web.forms.visits import VisitAcknowledgeForm, VisitRecordForm

COMING_DAYS = 30  # how far ahead "coming visits" looks
LIST_LIMIT = 100  # a social worker follows a few dozen placements; this is a guard, not a page


def _annotate(visits):
    for visit in visits:
        visit.days_late = days_overdue_of(visit)
    return visits


def _with_children(request, visits):
    """Each visit's children, by given name and age: what the social worker needs at the door. Their
    names are personal data of children, so showing them is a logged read, as on the child pages."""
    on = today()
    children = []
    for visit in visits:
        visit.child_rows = [
            {"given_name": m.child.given_name, "age": age_on(m.child.date_of_birth, on)}
            for m in visit.placement.memberships.all()
        ]
        children.extend(m.child for m in visit.placement.memberships.all())
    audit_reads(actor=request.user, instances=list({child.pk: child for child in children}.values()))
    return visits


def _visits_with_family(user):
    return visit_list(user=user).select_related(
        "placement__carer", "placement__carer__commune", "placement__carer__village"
    )


@capability_required("visits.complete")
def my_visits(request):
    """The open visits of the placements the user follows, soonest first."""
    on = today()
    mine = (
        _visits_with_family(request.user)
        .filter(placement__social_worker=request.user, state=Visit.State.OPEN)
        .prefetch_related("placement__memberships__child")
    )
    now = _annotate(list(mine.filter(open_due_by_q(on))[:LIST_LIMIT]))  # due today or overdue
    horizon = on + datetime.timedelta(days=COMING_DAYS)
    coming = _annotate(list(mine.filter(status_q(SCHEDULED, on) & open_due_by_q(horizon))[:LIST_LIMIT]))
    _with_children(request, now + coming)
    return render(request, "web/visits/my_visits.html", {"now": now, "coming": coming, "coming_days": COMING_DAYS})


def _after_recording(request, visit):
    if request.user.role == Role.SOCIAL_WORKER:
        return redirect("web:my_visits")
    return redirect("web:placement_detail", id=visit.placement_id)


@capability_required("visits.complete")
def visit_record(request, id):
    visit = get_object_or_404(
        _visits_with_family(request.user)
        # The page names each child: one query for them all, not one per child.
        .prefetch_related("placement__memberships__child"),
        pk=id,
    )
    _annotate([visit])
    _with_children(request, [visit])
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
                if request.headers.get("X-Visit-Form") == "fetch":
                    # The page's script sent it (offline.js): it goes on to the next page itself.
                    return HttpResponse(status=204)
                return _after_recording(request, visit)
        status = 400
    context = {
        "visit": visit,
        "form": form,
        "recordable": visit.state == Visit.State.OPEN,
        "after": _after_url(request, visit),
        "acknowledge_form": _acknowledge_form(request, visit),
    }
    return render(request, "web/visits/record.html", context, status=status)


def _after_url(request, visit) -> str:
    if request.user.role == Role.SOCIAL_WORKER:
        return reverse("web:my_visits")
    return reverse("web:placement_detail", kwargs={"id": visit.placement_id})


def _acknowledge_form(request, visit, data=None):
    """The form to say what was done about an urgent outcome, for those who may (None otherwise)."""
    if not user_can(request.user, "visits.acknowledge"):
        return None
    if not is_unacknowledged_urgent(state=visit.state, outcome=visit.outcome, acknowledged_at=visit.acknowledged_at):
        return None
    return VisitAcknowledgeForm(data)


@require_POST
@capability_required("visits.acknowledge")
def visit_acknowledge_page(request, id):
    visit = get_object_or_404(
        _visits_with_family(request.user).prefetch_related("placement__memberships__child"), pk=id
    )
    form = VisitAcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            visit_acknowledge(actor=request.user, visit=visit, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Acknowledged: the urgent outcome has left the queue."))
            return redirect("web:visit_record", id=visit.pk)
    _annotate([visit])
    _with_children(request, [visit])
    context = {
        "visit": visit,
        "form": VisitRecordForm(),
        "recordable": False,
        "after": _after_url(request, visit),
        "acknowledge_form": form,
    }
    return render(request, "web/visits/record.html", context, status=400)


urlpatterns = [
    path("visits/", my_visits, name="my_visits"),
    path("visits/<uuid:id>/record/", visit_record, name="visit_record"),
    path("visits/<uuid:id>/acknowledge/", visit_acknowledge_page, name="visit_acknowledge"),
]
