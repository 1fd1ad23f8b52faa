"""The placement officer's pages: the match workbench (ask, read the ranking and its reasons,
explain one family, compare two or three, place with one confirmation) and batch plans for a
closing institution. They call the services the API calls (matching/api.py), so a page and a
client get the same answers; runs and plans are read through matching.selectors (scoped: 404)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import selectors, services
from matching.explanations import contributions, explanation, in_words, sentences
from matching.models import BatchPlan
from register.audit import audit_reads
from register.errors import DomainError
from register.models import Carer, Child
from register.selectors.carers import carer_get, carer_list
from register.selectors.children import child_list, institution_get
from register.services.placements import placement_create
from web.access import capability_required, user_can
from web.errors import add_service_errors
from web.forms.matching import (
    BatchPlanCreateForm,
    ExplainForm,
    MatchRequestForm,
    OutcomesFilterForm,
    OutreachForm,
    PlaceForm,
    ProposalConfirmForm,
    placeable_children,
    social_worker_choices,
)
from web.rendering import render_fragment_or_page, wants_fragment
from web.templatetags.web_matching import placement_path

COMPARE_MAX = 3
EXPLAIN_PICK_LIMIT = 200  # families offered in the explain list; the search finds the others
SEARCH_HITS = 10


# --- Match workbench ------------------------------------------------------------------------------
@capability_required("matches.run")
def match_workbench(request):
    """GET: pick a child (or a sibling group); POST: run the match and show it."""
    search = request.GET.get("q", "").strip()[:100]
    if request.method == "POST":
        form = MatchRequestForm(request.POST, user=request.user, search=search)
        if form.is_valid():
            try:
                run = services.match_run_create(
                    actor=request.user, child=form.cleaned_data["child"], limit=form.cleaned_data["limit"]
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("web:match_run", id=run.pk)
    else:
        initial = {"limit": 20}
        if request.GET.get("child"):
            initial["child"] = request.GET["child"]
        form = MatchRequestForm(user=request.user, search=search, initial=initial)
    # The pick list shows each child's name, age and institution: a read of their records.
    audit_reads(actor=request.user, instances=form.shown)
    runs = selectors.match_runs(user=request.user).select_related("child").order_by("-created_at")[:10]
    context = {"form": form, "search": search, "runs": runs}
    return render(request, "web/matching/workbench.html", context)


def _run_or_404(request, id):
    return get_object_or_404(selectors.match_runs(user=request.user), pk=id)


def _run_children(request, run) -> list[Child]:
    """The run's children as the register knows them now, in the run's order (asked-for child first)."""
    rows = child_list(user=request.user).filter(pk__in=run.children).select_related("institution", "sibling_group")
    found = {str(c.pk): c for c in rows}
    return [found[i] for i in run.children if i in found]


@capability_required("matches.run")
def match_run(request, id):
    run = _run_or_404(request, id)
    return render(request, "web/matching/run.html", _run_context(request, run))


def _run_context(request, run, *, refused: tuple[str, object] | None = None) -> dict:
    """What the run's page shows; `refused`: (family id, form) of a call that was not recorded."""
    children = _run_children(request, run)
    audit_reads(actor=request.user, instances=children)  # the children's names are on the page
    carers = carer_list(user=request.user).filter(pk__in=[c["carer"] for c in run.candidates]).select_related("commune")
    carers = {str(c.pk): c for c in carers}
    # Only families the reader may see: a national administrator's run ranks every province's.
    candidates = []
    for c in run.candidates:
        if c["carer"] in carers:
            reasons, words = in_words(c)
            candidates.append({**c, "contributions": reasons, "explanation": words, "family": carers[c["carer"]]})
    excluded = sorted(run.excluded_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    calls = _calls_by_family(run)
    for c in candidates:
        c["calls"] = calls.get(c["carer"], [])
        if refused and refused[0] == c["carer"]:
            c["outreach_form"] = refused[1]
    return {
        "run": run,
        "children": children,
        "candidates": candidates,
        "placed": _placed_from_run(request.user, run, candidates),
        "excluded": excluded,
        "explain_form": ExplainForm(),
        "explain_choices": _explain_choices(request.user),
        "can_place": user_can(request.user, "placements.write"),
        "placeable": any(c.status in Child.PLACEABLE for c in children),
        "refused": refused,
    }


def _calls_by_family(run) -> dict[str, list]:
    """The run's calls grouped by family, newest first (prefetched by the selector)."""
    calls: dict[str, list] = {}
    for call in run.outreach.all():
        calls.setdefault(str(call.carer_id), []).append(call)
    return calls


def _ranked_above(candidates: list[dict], rank: int | None) -> list[dict]:
    """The families the run ranked above `rank`, each with its latest call (None: not called)."""
    if rank is None:
        return list(candidates)
    return [c for c in candidates if c["rank"] < rank]


def _placed_from_run(user, run, candidates: list[dict]) -> list[dict]:
    """Placements made from this run, with the families ranked above the one chosen and their calls:
    whoever reads the run later sees who was passed over and why."""
    placements = selectors.placements_from_run(user=user, run=run).select_related("carer")
    return [{"placement": p, "above": _ranked_above(candidates, p.match_rank)} for p in placements]


@capability_required("matches.run")
def match_outreach(request, id):
    """Record a call to one of the run's families (as POST /api/v1/matches/{id}/outreach/)."""
    run = _run_or_404(request, id)
    if request.method != "POST":
        return redirect("web:match_run", id=run.pk)
    form = OutreachForm(request.POST)
    carer_id = request.POST.get("carer", "")
    if form.is_valid():
        carer_id = str(form.cleaned_data["carer"])
        try:
            services.match_outreach_record(
                actor=request.user,
                run=run,
                carer_id=carer_id,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if not form.errors and not request.htmx:
        return redirect(reverse("web:match_run", args=[run.pk]) + f"#carer-{carer_id}")
    run = _run_or_404(request, id)  # with the call just recorded
    stored = next((c for c in run.candidates if c["carer"] == carer_id), None)
    if not request.htmx or stored is None:
        # The run again, the refusal beside the family (or at the top when it is not on the run).
        context = _run_context(request, run, refused=(carer_id, form))
        return render(request, "web/matching/run.html", context, status=400 if stored is None else 200)
    context = {
        "run": run,
        "c": {
            **stored,
            "calls": _calls_by_family(run).get(carer_id, []),
            "outreach_form": form if form.errors else None,
            "family": carer_list(user=request.user).filter(pk=carer_id).first(),  # names its buttons
        },
    }
    return render(request, "web/matching/_outreach.html", context)


def _explain_choices(user) -> list[Carer]:
    return list(carer_list(user=user).only("pk", "reference", "household_name")[:EXPLAIN_PICK_LIMIT])


@capability_required("matches.run")
def match_explain(request, id):
    """Why one family ranks where it does, or is left out: as GET /api/v1/matches/{id}/explain/."""
    run = _run_or_404(request, id)
    form = ExplainForm(request.GET or None)
    result, family, hits = None, None, []
    if form.is_valid():
        if form.cleaned_data["carer"]:
            family = carer_list(user=request.user).filter(pk=form.cleaned_data["carer"]).first()
            if family is None:
                form.add_error("carer", _("No such family in your provinces."))
        else:
            hits = _search_families(request.user, form.cleaned_data["q"])
            if len(hits) == 1:
                family, hits = hits[0], []
            elif not hits:
                form.add_error("q", _("No family of your provinces has this reference, name or phone."))
        if family is not None:
            result = services.match_explain(run=run, carer_id=str(family.pk), actor=request.user)
            if result:
                result["explanation"] = explanation(result) if result["eligible"] else sentences(result["facts"])
                result["contributions"] = contributions(result["contributions"])
            else:  # not among the families matching sees (as the API's 404)
                form.add_error(None, _("No such family in your provinces."))
                family, result = None, None
    context = {"run": run, "form": form, "result": result, "family": family, "hits": hits}
    if wants_fragment(request):
        return render(request, "web/matching/_explain.html", context)
    context["explain_choices"] = _explain_choices(request.user)
    return render(request, "web/matching/explain.html", context)


def _search_families(user, text: str) -> list[Carer]:
    # The carers selector's search (names, reference, phone however typed), as the API's `?search=`.
    return list(carer_list(user=user, filters={"search": text})[:SEARCH_HITS])


@capability_required("matches.run")
def match_compare(request, id):
    """Two or three families side by side: their score components and the facts that matter."""
    run = _run_or_404(request, id)
    wanted = list(dict.fromkeys(_uuids(request.GET.getlist("carer"))))
    if not 2 <= len(wanted) <= COMPARE_MAX:
        messages.error(request, _("Choose two or three families to compare."))
        return redirect("web:match_run", id=run.pk)
    families = {str(c.pk): c for c in carer_list(user=request.user).filter(pk__in=wanted)}
    if len(families) != len(wanted):
        raise Http404
    stored = {c["carer"]: c for c in run.candidates}
    columns = []
    for carer_id in wanted:
        candidate = stored.get(carer_id)
        if candidate is None:  # not in the ranking shown: explain it against the run
            candidate = services.match_explain(run=run, carer_id=carer_id, actor=request.user)
        columns.append(
            {
                "family": families[carer_id],
                "rank": candidate.get("rank"),
                "score": candidate.get("score"),
                "distance_km": candidate.get("distance_km"),
                "components": candidate.get("components") or {},
                "contributions": contributions(candidate.get("contributions", [])),
                "eligible": candidate.get("eligible", True),
                "reasons": candidate.get("reasons", []),
                "explanation": explanation(candidate)
                if candidate.get("eligible", True)
                else sentences(candidate["facts"]),
            }
        )
    context = {
        "run": run,
        "columns": columns,
        "can_place": user_can(request.user, "placements.write"),
    }
    return render(request, "web/matching/compare.html", context)


def _uuids(values) -> list[str]:
    out = []
    for value in values:
        try:
            out.append(str(uuid.UUID(str(value))))
        except ValueError:
            raise Http404 from None
    return out


@capability_required("matches.run", "placements.write")
def match_place(request, id, carer):
    """Place the run's children with a family: one confirmation (GET shows it), then the placement
    service, which re-checks every rule under its locks (POST)."""
    run = _run_or_404(request, id)
    family = carer_get(user=request.user, id=carer)
    children = _run_children(request, run)
    waiting = [c for c in children if c.status in Child.PLACEABLE]
    offered = waiting or children  # placed already: still show who, so the refusal reads clearly
    first = children[0] if children else None
    stored = next((c for c in run.candidates if c["carer"] == str(family.pk)), None)
    # The families ranked above this one, and what each said when called: a choice that skips them
    # is made knowingly, and the placement keeps the rank.
    calls = _calls_by_family(run)
    higher = _ranked_above(run.candidates, stored["rank"] if stored else None)
    families = {str(f.pk): f for f in carer_list(user=request.user).filter(pk__in=[c["carer"] for c in higher])}
    above = [
        {**c, "calls": calls.get(c["carer"], []), "family": families[c["carer"]]}
        for c in higher
        if c["carer"] in families  # only families the reader may see
    ]
    kwargs = {"children": offered, "province_code": family.province_id}
    if request.method == "POST":
        form = PlaceForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                placement = placement_create(
                    actor=request.user,
                    carer=family,
                    children=data["children"],
                    start_date=data["start_date"],
                    care_type=data["care_type"],
                    match_id=run.pk,
                    social_worker=data["social_worker"] or None,
                    split_reason=data["split_reason"],
                    override_reason=data["override_reason"],
                )
            except (DomainError, ValidationError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Placement recorded: %(children)s with %(family)s.")
                    % {
                        "children": ", ".join(c.reference for c in offered if str(c.pk) in data["children"]),
                        "family": f"{family.reference} {family.household_name}",
                    },
                )
                return HttpResponseRedirect(placement_path(placement.pk))
    else:
        form = PlaceForm(
            initial={
                "children": [str(c.pk) for c in offered],
                "start_date": timezone.localdate(),
                "care_type": first.care_type_needed if first else None,
            },
            **kwargs,
        )
    audit_reads(actor=request.user, instances=offered)
    context = {
        "run": run,
        "family": family,
        "children": offered,
        "candidate": stored,
        "contributions": contributions(stored.get("contributions", [])) if stored else [],
        "above": above,
        "form": form,
        "keep_together": any(c.sibling_group_id and c.sibling_group.keep_together for c in offered),
    }
    return render(request, "web/matching/place.html", context)


# --- Outcomes -------------------------------------------------------------------------------------
@capability_required("matches.run")
def matching_outcomes(request):
    """Placements made from match runs, per policy version and rank chosen, and their breakdowns (as
    GET /api/v1/matching-outcomes/)."""
    form = OutcomesFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    results = selectors.matching_outcomes(
        user=request.user,
        province=filters.get("province") or None,
        policy_version=filters.get("policy_version"),
        today=timezone.localdate(),
    )
    return render(request, "web/matching/outcomes.html", {"form": form, "results": results})


# --- Batch plans ----------------------------------------------------------------------------------
@capability_required("matches.run")
def batch_plan_list(request):
    """The user's plans, and a form to plan for an institution (closing ones first)."""
    if request.method == "POST":
        form = BatchPlanCreateForm(request.POST, user=request.user)
        if form.is_valid():
            institution = institution_get(user=request.user, id=form.cleaned_data["institution"].pk)
            # The same children the API takes: the institution's, waiting for a family, in scope.
            children = list(placeable_children(request.user).filter(institution=institution))
            try:
                plan = services.batch_plan_create(actor=request.user, children=children, institution=institution)
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("web:batch_plan_detail", id=plan.pk)
    else:
        form = BatchPlanCreateForm(user=request.user)
    plans = selectors.batch_plans(user=request.user).select_related("institution").order_by("-created_at")[:50]
    return render(request, "web/matching/batch_list.html", {"form": form, "plans": plans})


def _plan_or_404(request, id) -> BatchPlan:
    return get_object_or_404(selectors.batch_plans(user=request.user).select_related("institution"), pk=id)


def _plan_context(request, plan: BatchPlan, *, forms: dict | None = None, failures: dict | None = None) -> dict:
    """What the plan's body shows; `forms` and `failures` carry a refused confirmation per proposal."""
    forms, failures = forms or {}, failures or {}
    context = {"plan": plan, "polling": plan.status in (BatchPlan.Status.QUEUED, BatchPlan.Status.RUNNING)}
    if plan.status != BatchPlan.Status.DONE:
        return context
    ids = {i for p in plan.proposals for i in p["children"]} | {i for u in plan.unassigned for i in u["children"]}
    children = {str(c.pk): c for c in child_list(user=request.user).filter(pk__in=ids)}
    audit_reads(actor=request.user, instances=list(children.values()))
    carers = {str(c.pk): c for c in carer_list(user=request.user).filter(pk__in=[p["carer"] for p in plan.proposals])}
    can_confirm = user_can(request.user, "placements.write")
    workers: dict[str, list] = {}  # province -> choices, read once for all the plan's forms
    proposals = []
    for index, p in enumerate(plan.proposals):
        family = carers.get(p["carer"])
        form = forms.get(index)
        if form is None and can_confirm and not p.get("placement") and family is not None:
            if family.province_id not in workers:
                workers[family.province_id] = social_worker_choices(family.province_id)
            form = ProposalConfirmForm(
                initial={"start_date": timezone.localdate()}, workers=workers[family.province_id], prefix=f"p{index}"
            )
        proposals.append(
            {
                "index": index,
                "children": [children.get(i) for i in p["children"]],
                "family": family,
                "score": p["score"],
                "points": round(100 * p["score"] * len(p["children"])),
                "contributions": contributions(p.get("contributions", [])),
                "placement": p.get("placement"),
                "form": form,
                "failure": failures.get(index),
            }
        )
    unassigned = [
        {"children": [children.get(i) for i in u["children"]], "reason": u["reason"]} for u in plan.unassigned
    ]
    confirmed = sum(1 for p in plan.proposals if p.get("placement"))
    context.update(
        proposals=proposals,
        unassigned=unassigned,
        confirmed=confirmed,
        can_confirm=can_confirm,
        placed_children=sum(len(p["children"]) for p in plan.proposals),
        unassigned_children=sum(len(u["children"]) for u in plan.unassigned),
    )
    return context


@capability_required("matches.run")
def batch_plan_detail(request, id):
    plan = _plan_or_404(request, id)
    context = _plan_context(request, plan)
    # htmx polls the body while the plan is queued or running; the body it gets back stops polling
    # once the plan is done or failed.
    return render_fragment_or_page(request, "web/matching/_plan_body.html", "web/matching/batch_detail.html", context)


@capability_required("matches.run", "placements.write")
def batch_plan_confirm(request, id, index):
    """Confirm one proposal: batch_proposal_confirm places it through the placement service."""
    plan = _plan_or_404(request, id)
    if request.method != "POST":
        return redirect("web:batch_plan_detail", id=plan.pk)
    if not 0 <= index < len(plan.proposals):
        raise Http404
    proposal = plan.proposals[index]
    family = carer_list(user=request.user).filter(pk=proposal["carer"]).first()
    province = family.province_id if family else plan.province_id
    form = ProposalConfirmForm(request.POST, workers=social_worker_choices(province), prefix=f"p{index}")
    failure = None
    if form.is_valid():
        try:
            placement = services.batch_proposal_confirm(
                actor=request.user,
                plan=plan,
                index=index,
                start_date=form.cleaned_data["start_date"],
                social_worker=form.cleaned_data["social_worker"] or None,
                override_reason=form.cleaned_data["override_reason"],
            )
        except (DomainError, ValidationError) as exc:
            add_service_errors(form, exc)
            failure = getattr(exc, "code", "invalid")
        else:
            if not request.htmx:
                messages.success(request, _("Proposal %(n)s confirmed: the placement is recorded.") % {"n": index + 1})
                return redirect(reverse("web:batch_plan_detail", args=[plan.pk]) + f"#proposal-{index}")
            plan.refresh_from_db()
            return _render_proposal(request, plan, index, placement=placement)
    else:
        failure = "invalid"
    plan.refresh_from_db()
    if request.htmx:
        return _render_proposal(request, plan, index, form=form, failure=failure)
    context = _plan_context(request, plan, forms={index: form}, failures={index: failure})
    return render(request, "web/matching/batch_detail.html", context)


def _render_proposal(request, plan, index, *, form=None, failure=None, placement=None):
    context = _plan_context(request, plan, forms={index: form} if form else None, failures={index: failure})
    row = context["proposals"][index]
    # The row, and the plan's figures out of band: "Proposals confirmed" counts the one just made.
    return render(request, "web/matching/_proposal_swap.html", {**context, "p": row, "just_placed": placement})


urlpatterns = [
    path("match/", match_workbench, name="match_workbench"),
    path("match/<uuid:id>/", match_run, name="match_run"),
    path("match/<uuid:id>/explain/", match_explain, name="match_explain"),
    path("match/<uuid:id>/compare/", match_compare, name="match_compare"),
    path("match/<uuid:id>/outreach/", match_outreach, name="match_outreach"),
    path("match/<uuid:id>/place/<uuid:carer>/", match_place, name="match_place"),
    path("match/outcomes/", matching_outcomes, name="matching_outcomes"),
    path("batch-plans/", batch_plan_list, name="batch_plan_list"),
    path("batch-plans/<uuid:id>/", batch_plan_detail, name="batch_plan_detail"),
    path("batch-plans/<uuid:id>/proposals/<int:index>/confirm/", batch_plan_confirm, name="batch_plan_confirm"),
]
