"""Children's pages: the list (filters, pages of 25, htmx updates of the results) and one child's
record. Reads go through register/selectors/children.py, so scoping is the API's; every child shown
is logged as read, as the API logs it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from register.audit import audit_read, audit_reads
from register.models import Child, KinLink
from register.selectors.children import child_list, child_merged_into
from web.access import capability_required, user_can
from web.forms.children import ChildFilterForm
from web.pagination import paginate
from web.rendering import render_fragment_or_page


@capability_required("children.read")
def child_list_page(request):
    form = ChildFilterForm(request.GET or None, user=request.user)
    children = form.filter(child_list(user=request.user)).select_related("institution", "province")
    page = paginate(request, children.order_by("reference"), per_page=form.per_page)
    audit_reads(actor=request.user, instances=page.object_list)
    context = {"form": form, "page": page}
    # htmx asks for the results only (the filters stay as typed); a plain GET gets the whole page.
    return render_fragment_or_page(request, "web/children/_results.html", "web/children/list.html", context)


@capability_required("children.read")
def child_detail(request, id):
    merged_into = child_merged_into(user=request.user, id=id)
    if merged_into is not None:
        # A child merged into another (a duplicate): its page is the one kept.
        messages.info(request, _("This record was merged into another: here is the child kept."))
        return redirect("web:child_detail", id=merged_into)
    # The children selector, so that scoping and a social worker's own-records rule are the API's.
    child = get_object_or_404(
        child_list(user=request.user).select_related(
            "institution",
            "institution__province",
            "home_commune__district",
            "home_commune__province",
            "school_commune__district",
            "school_commune__province",
            "sibling_group",
            "province",
        ),
        pk=id,
    )
    siblings = []
    if child.sibling_group_id:
        siblings = list(
            child_list(user=request.user)
            .filter(sibling_group_id=child.sibling_group_id)
            .exclude(pk=child.pk)
            .order_by("reference")
        )
    kin = KinLink.objects.filter(child=child).select_related("carer").order_by("id")
    exclusions = child.excluded_carers.select_related("carer").order_by("created_at", "id")
    memberships = child.memberships.select_related("placement__carer").order_by("-placement__start_date")
    audit_read(actor=request.user, instance=child)
    if siblings:
        # The siblings' names are on the page too.
        audit_reads(actor=request.user, instances=siblings)
    context = {
        "child": child,
        "siblings": siblings,
        "kin": kin,
        "exclusions": exclusions,
        "memberships": memberships,
        "can_match": user_can(request.user, "matches.run") and child.status in Child.PLACEABLE,
    }
    return render(request, "web/children/detail.html", context)


urlpatterns = [
    path("children/", child_list_page, name="child_list"),
    path("children/<uuid:id>/", child_detail, name="child_detail"),
]
