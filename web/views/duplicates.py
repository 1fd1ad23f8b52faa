"""The possible-duplicates pages (issue 14): the list of pairs found (national administrators;
supervisors the pairs inside their provinces), one pair with its two records side by side and the
form that resolves it. Reads through register.selectors.duplicates, writes through
register.services.duplicates: the API's rules and scoping."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from register.audit import audit_reads
from register.errors import DomainError
from register.models import Carer, Child, DuplicatePair
from register.selectors import duplicates as selectors
from register.selectors.filters import DuplicatePairFilter
from register.services import duplicates as services
from register.services.duplicates import reasons_text
from web.access import capability_required
from web.errors import add_service_errors
from web.forms.duplicates import DuplicateFilterForm, ResolveForm
from web.pagination import paginate


def duplicates_context(check) -> dict:
    """A refused registration's check as a page shows it: the candidates in the user's provinces with
    their reasons in words, and whether one exists elsewhere (never which)."""
    return {
        "candidates": [
            {"id": c.id, "reference": c.reference, "reasons": reasons_text(c.reasons)} for c in check.candidates
        ],
        "elsewhere": check.elsewhere,
    }


@capability_required("duplicates.resolve")
def duplicate_list(request):
    form = DuplicateFilterForm(request.GET or None)
    filters = form.effective_filters() if form.is_bound else {"status": "open"}
    filterset = DuplicatePairFilter(filters, queryset=selectors.duplicate_pair_list(user=request.user))
    page = paginate(request, filterset.qs)
    rows = [{"pair": p, "records": _records(p), "reasons": reasons_text(p.reasons)} for p in page.object_list]
    return render(request, "web/duplicates/list.html", {"form": form, "page": page, "rows": rows})


@capability_required("duplicates.resolve")
def duplicate_detail(request, id, form=None):
    pair = selectors.duplicate_pair_get(user=request.user, id=id)
    records = _records(pair)
    if pair.kind == DuplicatePair.Kind.CHILD:
        audit_reads(actor=request.user, instances=records)  # two children's records shown
    form = form or ResolveForm(pair=pair, records=records)
    context = {"pair": pair, "records": records, "reasons": reasons_text(pair.reasons), "form": form}
    return render(request, "web/duplicates/detail.html", context, status=400 if form.is_bound else 200)


@require_POST
@capability_required("duplicates.resolve")
def duplicate_resolve(request, id):
    pair = selectors.duplicate_pair_get(user=request.user, id=id)
    form = ResolveForm(request.POST, pair=pair, records=_records(pair))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.duplicate_pair_resolve(
                actor=request.user,
                pair=pair,
                decision=data["decision"],
                keep=data["keep"] or None,
                reason=data["reason"],
            )
        except (ValidationError, DomainError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Possible duplicate resolved."))
            return redirect("web:duplicate_list")
    return duplicate_detail(request, id, form=form)


def _records(pair: DuplicatePair) -> list:
    if pair.kind == DuplicatePair.Kind.CARER:
        return list(
            Carer.objects.filter(pk__in=pair.record_ids).select_related("province", "commune").order_by("reference")
        )
    return list(
        Child.objects.filter(pk__in=pair.record_ids).select_related("province", "home_commune").order_by("reference")
    )


urlpatterns = [
    path("duplicates/", duplicate_list, name="duplicate_list"),
    path("duplicates/<uuid:id>/", duplicate_detail, name="duplicate_detail"),
    path("duplicates/<uuid:id>/resolve/", duplicate_resolve, name="duplicate_resolve"),
]
