"""The supervisor's pages: the follow-up queue (with its spreadsheet export), the placements of
their provinces, and one placement with its visits and the actions on it.

Filtering is the FilterSets the API uses too (register.selectors.filters, notifications.filters) and
the export is notifications.exports' CSV, the API's, so the page and
`GET /api/v1/follow-up-queue/?format=csv` cannot drift apart."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import selectors as queue_selectors
from notifications.exports import follow_up_csv
from notifications.filters import QueueFilter
from register.audit import audit_reads
from register.errors import DomainError
from register.rules.visits import SCHEDULED, days_overdue_of, status_of
from register.selectors.filters import PlacementFilter
from register.selectors.placements import placement_list
from register.services.placements import placement_assign_social_worker, placement_end
from web.access import capability_required, user_can
from web.errors import add_service_errors
from web.forms.followup import AssignSocialWorkerForm, PlacementEndForm, PlacementFilterForm, QueueFilterForm
from web.pagination import paginate, query_without_page
from web.rendering import render_fragment_or_page

MAX_PAGE_SIZE = 200  # as the API's follow-up queue


def _with_children(queryset, lookup: str):
    # Children's references on every row, in one more query whatever the page size (the selectors
    # prefetch the memberships already, in child order).
    return queryset.prefetch_related(f"{lookup}__child")


# --- The follow-up queue ---------------------------------------------------------------------------


def _queue(request):
    """The caller's queue, filtered as the API filters it; and the same without the priority
    filters, for the tiles (so that each tile keeps its count while it is chosen)."""
    base = queue_selectors.follow_up_queue(user=request.user).select_related(
        "placement__carer", "placement__carer__district"
    )
    base = _with_children(base, "placement__memberships")
    filtered = QueueFilter(request.GET, queryset=base, request=request)
    unprioritised = request.GET.copy()
    for key in ("priority", "days_overdue_min", "delivery_failed", "page"):
        unprioritised.pop(key, None)
    for_counts = QueueFilter(unprioritised, queryset=base, request=request)
    return filtered, for_counts


@capability_required("followup.read")
def followup_queue(request):
    form = QueueFilterForm(request.GET or None, user=request.user)
    form.is_valid()  # to show a wrong value beside its control; the FilterSet ignores such a value
    filtered, for_counts = _queue(request)
    page = paginate(request, filtered.qs, maximum=MAX_PAGE_SIZE)
    for visit in page:
        visit.priority_code = queue_selectors.Priority(visit.priority).code
        visit.days_late = days_overdue_of(visit)
    counts = queue_selectors.follow_up_counts(for_counts.qs)
    context = {"form": form, "page": page, "counts": counts, "filters": query_without_page(request)}
    return render_fragment_or_page(request, "web/followup/_queue.html", "web/followup/queue.html", context)


@capability_required("followup.read")
def followup_export(request):
    """The filtered queue as a spreadsheet, the API's columns (`?format=csv`)."""
    filtered, _counts = _queue(request)
    try:
        content = follow_up_csv(filtered.qs)
    except ValidationError as exc:
        # Too long to export whole: back to the queue, its filters kept, with the message.
        for message in exc.messages:
            messages.error(request, message)
        query = query_without_page(request)
        return redirect(reverse("web:followup_queue") + (f"?{query}" if query else ""))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="follow-up-queue.csv"'
    return response


# --- Placements ------------------------------------------------------------------------------------


@capability_required("placements.read")
def placement_list_page(request):
    form = PlacementFilterForm(request.GET or None, user=request.user)
    form.is_valid()
    queryset = _with_children(placement_list(user=request.user).select_related("carer"), "memberships")
    filtered = PlacementFilter(request.GET, queryset=queryset, request=request)
    page = paginate(request, filtered.qs, maximum=MAX_PAGE_SIZE)
    for placement in page:
        # Visits are prefetched in order: the first open one is the next to do.
        placement.next_visit = next((v for v in placement.visits.all() if v.state == "open"), None)
    context = {"form": form, "page": page, "filters": query_without_page(request)}
    return render_fragment_or_page(request, "web/placements/_list.html", "web/placements/list.html", context)


def _placement_for(request, id):
    """A placement the caller may read, with its carer, children and visits; 404 otherwise."""
    queryset = placement_list(user=request.user).select_related("carer", "carer__commune")
    queryset = _with_children(queryset, "memberships")
    return get_object_or_404(queryset, pk=id)


def _render_placement(request, placement, *, end_form=None, assign_form=None, status=200):
    children = [m.child for m in placement.memberships.all()]
    # The page shows the children's names: a read of their records, logged as the API logs one.
    audit_reads(actor=request.user, instances=children)
    may_write = user_can(request.user, "placements.write")
    active = placement.status == placement.Status.ACTIVE
    may_record = user_can(request.user, "visits.complete") and active
    visits = list(placement.visits.all())
    next_open = next((v for v in visits if v.state == v.State.OPEN), None)
    for visit in visits:
        visit.days_late = days_overdue_of(visit)
        # Offered for what is due or overdue, and for the next visit (a visit made a little early).
        visit.offer_record = (
            may_record and visit.state == visit.State.OPEN and (status_of(visit) != SCHEDULED or visit is next_open)
        )
    context = {
        "placement": placement,
        "children": children,
        "visits": visits,
        "end_form": end_form or (PlacementEndForm() if may_write and active else None),
        "assign_form": assign_form or (AssignSocialWorkerForm(placement=placement) if may_write and active else None),
    }
    return render(request, "web/placements/detail.html", context, status=status)


@capability_required("placements.read")
def placement_detail(request, id):
    return _render_placement(request, _placement_for(request, id))


def _placement_action(request, placement, form, *, form_name: str, write, message: str):
    """A placement's action: the service writes (its refusal stands beside the field), then back to
    the placement's page; a refused form is shown again on that page."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect("web:placement_detail", id=placement.pk)
    return _render_placement(request, placement, status=400, **{form_name: form})


@require_POST
@capability_required("placements.write")
def placement_end_page(request, id):
    placement = _placement_for(request, id)
    return _placement_action(
        request,
        placement,
        PlacementEndForm(request.POST),
        form_name="end_form",
        write=lambda data: placement_end(actor=request.user, placement=placement, **data),
        message=_("The placement has ended. Its future visits are cancelled."),
    )


@require_POST
@capability_required("placements.write")
def placement_assign_page(request, id):
    placement = _placement_for(request, id)
    return _placement_action(
        request,
        placement,
        AssignSocialWorkerForm(request.POST, placement=placement),
        form_name="assign_form",
        write=lambda data: placement_assign_social_worker(
            actor=request.user, placement=placement, social_worker=data["social_worker"] or None
        ),
        message=_("The social worker of this placement has changed."),
    )


urlpatterns = [
    path("follow-up/", followup_queue, name="followup_queue"),
    path("follow-up/export.csv", followup_export, name="followup_export"),
    path("placements/", placement_list_page, name="placement_list"),
    path("placements/<uuid:id>/", placement_detail, name="placement_detail"),
    path("placements/<uuid:id>/end/", placement_end_page, name="placement_end"),
    path("placements/<uuid:id>/social-worker/", placement_assign_page, name="placement_assign"),
]
