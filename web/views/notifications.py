"""The user's own notifications: unread ones first, each leading to its visit or family, marked as
read with the same service as `POST /api/v1/notifications/{id}/read/`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications import selectors, services
from notifications.models import Kind
from register.models import Visit
from register.selectors.visits import visits_visible_to
from web.access import user_can
from web.pagination import PAGE_SIZE, paginate


def _inbox(user):
    return selectors.inbox(user=user).select_related(
        "recipient", "reminder__visit__placement__carer", "reminder__carer"
    )


def _decorate(request, notes):
    """What each row shows: its message in the user's language and where it leads."""
    may_record = user_can(request.user, "visits.complete")
    may_read_placements = user_can(request.user, "placements.read")
    # An urgent outcome's notes are shown here, never in the SMS or Telegram text, and only to a
    # reader who may read that visit now (one query for the page).
    urgent = {note.reminder.visit_id for note in notes if note.kind == Kind.VISIT_URGENT and note.reminder.visit_id}
    readable = set()
    if urgent and user_can(request.user, "visits.read"):
        readable = set(visits_visible_to(request.user).filter(pk__in=urgent).values_list("pk", flat=True))
    for note in notes:
        note.text = services.message(note.reminder, request.LANGUAGE_CODE)
        visit = note.reminder.visit
        note.visit = visit
        note.may_record = bool(visit and may_record and visit.state == Visit.State.OPEN)
        note.may_open_placement = bool(visit and may_read_placements)
        note.may_open_visit = bool(visit and visit.pk in readable and may_record)
        note.notes = visit.notes if visit and visit.pk in readable else ""
    return notes


@login_required
def notification_list(request):
    only_unread = request.GET.get("unread") == "1"
    queryset = _inbox(request.user)
    if only_unread:
        queryset = queryset.filter(read_at__isnull=True)
    # Unread first, newest first within each.
    queryset = queryset.order_by(
        Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "-created_at",
        "id",
    )
    page = paginate(request, queryset, per_page=PAGE_SIZE)
    page.object_list = _decorate(request, list(page.object_list))
    context = {"page": page, "only_unread": only_unread, "unread": selectors.inbox_unread_count(user=request.user)}
    return render(request, "web/notifications/list.html", context)


@require_POST
@login_required
def notification_read(request, id):
    # Another person's notification is not found: the inbox holds the caller's own only.
    note = get_object_or_404(_inbox(request.user), pk=id)
    services.notification_mark_read(user=request.user, notification=note)
    if request.htmx:
        _decorate(request, [note])
        context = {"note": note, "unread": selectors.inbox_unread_count(user=request.user), "oob": True}
        return render(request, "web/notifications/_row.html", context)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    return redirect(back or "web:notifications")


urlpatterns = [
    path("notifications/", notification_list, name="notifications"),
    path("notifications/<uuid:id>/read/", notification_read, name="notification_read"),
]
