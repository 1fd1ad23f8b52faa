"""Children's pages: the list (filters, pages of 25, htmx updates of the results) and one child's
record. Reads go through register/selectors/children.py, so scoping is the API's; every child shown
is logged as read, as the API logs it."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from register.audit import audit_read, audit_reads
from register.models import Child, KinLink
from register.selectors.children import child_get, child_list
from web.access import capability_required, user_can
from web.forms.children import ChildFilterForm


@capability_required("children.read")
def child_list_page(request):
    form = ChildFilterForm(request.GET or None, user=request.user)
    children = form.filter(child_list(user=request.user)).select_related("institution", "province")
    page = Paginator(children.order_by("reference"), form.per_page).get_page(request.GET.get("page"))
    audit_reads(actor=request.user, instances=page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    # htmx asks for the results only (the filters stay as typed); a plain GET gets the whole page.
    template = "web/children/_results.html" if request.htmx else "web/children/list.html"
    return render(request, template, context)


@capability_required("children.read")
def child_detail(request, id):
    child = child_get(user=request.user, id=id)
    child = (
        Child.objects.select_related(
            "institution",
            "institution__province",
            "home_commune__district",
            "home_commune__province",
            "school_commune__district",
            "school_commune__province",
            "sibling_group",
            "province",
        )
    ).get(pk=child.pk)
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
