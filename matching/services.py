"""Writes of the matching app: match runs and batch plans."""

from __future__ import annotations

import logging

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import adapter
from matching.core import PlanUnit, contributions_of, explain_candidate, plan_assignments, rank, rounded
from matching.models import BatchPlan, MatchingPolicy, MatchOutreach, MatchRun
from register.audit import audit_created, audit_write
from register.errors import ConflictError, DomainError
from register.models import AuditEntry, Carer, Child, Institution
from register.scoping import scope_to_user
from register.selectors.children import child_list

log = logging.getLogger(__name__)


def _facts_json(facts) -> list[dict]:
    return [{"code": f.code, "params": f.params} for f in facts]


SCORE_DIGITS = 4


def _scored(ranking, unit, index: int) -> dict:
    """An eligible family's score as stored: rounded, with its components and its contributions
    (what each factor added; Σ points = the stored score). The explanation is the contributions'
    facts, one sentence per factor, so the reasons and the bars always agree."""
    score = round(float(ranking.evaluation.scores[index]), SCORE_DIGITS)
    parts = rounded(contributions_of(ranking, unit, index), score, SCORE_DIGITS)
    return {
        "score": score,
        "components": ranking.components_of(index),
        "contributions": [
            {
                "factor": c.factor,
                "value": c.value,
                "weight": c.weight,
                "points": c.points,
                "effect": c.effect,
                "fact": {"code": c.fact.code, "params": c.fact.params},
            }
            for c in parts
        ],
    }


def _ensure_placeable(children: list[Child]) -> None:
    placed = [str(c.pk) for c in children if c.status not in adapter.PLACEABLE]
    if placed:
        raise ConflictError(
            _("These children are not waiting for a placement."), code="child_already_placed", children=placed
        )


def match_run_create(*, actor, child: Child, limit: int = 20) -> MatchRun:
    """Rank the families of the actor's jurisdiction for a child (with its keep-together siblings)."""
    policy = MatchingPolicy.current()
    limit = max(1, min(limit, policy.max_candidates))
    children = adapter.siblings_to_match(child)
    _ensure_placeable(children)
    unit = adapter.unit_for(children)
    carers = adapter.carers_for(actor)
    ranking = rank(unit, carers, adapter.weights_of(policy))

    candidates = []
    for position, index in enumerate(ranking.order[:limit], start=1):
        distance = ranking.evaluation.home_km[index]
        scored = _scored(ranking, unit, index)
        candidates.append(
            {
                "carer": str(carers.ids[index]),
                "rank": position,
                "score": scored["score"],
                "distance_km": None if np.isnan(distance) else round(float(distance), 1),
                "components": scored["components"],
                "contributions": scored["contributions"],
            }
        )
    with transaction.atomic():
        run = MatchRun.objects.create(
            child=child,
            children=[str(c.pk) for c in children],
            province_id=child.province_id,
            policy=policy,
            requested_by=actor,
            limit=limit,
            inputs={
                "unit": adapter.unit_to_json(unit),
                "carers_considered": len(carers),
                "provinces": "all" if actor.is_national else sorted(actor.province_codes),
            },
            candidates=candidates,
            eligible_count=ranking.eligible_count,
            excluded_count=ranking.excluded_count,
            excluded_by_reason=ranking.excluded_by_reason(),
        )
        audit_write(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=run,
            province=child.province_id,
            changes={"children": [None, run.children], "policy": [None, policy.version]},
        )
    return run


def match_explain(*, run: MatchRun, carer_id: str, actor) -> dict:
    """Why one family (in the actor's jurisdiction) ranks where it does in this run, or is left out:
    the run's children and policy against the family as the register knows it now."""
    carers = adapter.carers_for(actor)
    where = carers.index_of(carer_id)
    if where is None:
        return {}
    one = carers.take(np.array([where]))
    unit = adapter.unit_from_json(run.inputs["unit"])
    ranking = rank(unit, one, adapter.weights_of(run.policy))
    eligible = ranking.eligible_count == 1
    stored = next((c for c in run.candidates if c["carer"] == carer_id), None)
    scored = _scored(ranking, unit, 0) if eligible else {"score": None, "components": {}, "contributions": []}
    return {
        "carer": carer_id,
        "eligible": eligible,
        "reasons": ranking.reasons_of(0),
        "rank": stored["rank"] if stored else None,
        **scored,
        "facts": _facts_json(explain_candidate(ranking, unit, 0)) if not eligible else [],
    }


OUTREACH_NOTE_MAX = 2000


def match_outreach_record(*, actor, run: MatchRun, carer_id, outcome: str, note: str = "") -> MatchOutreach:
    """Record a call to one of the run's families and what came of it. The family must be one the
    run ranked and the actor may see: the run is the officer's list of families to call."""
    errors = {}
    if outcome not in MatchOutreach.Outcome.values:
        errors["outcome"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(MatchOutreach.Outcome.values)}]
    note = (note or "").strip()
    if len(note) > OUTREACH_NOTE_MAX:
        errors["note"] = [_("At most %(n)s characters.") % {"n": OUTREACH_NOTE_MAX}]
    carer_id = str(carer_id)
    ranked = {c["carer"] for c in run.candidates}
    carer = None
    if carer_id in ranked:
        carer = scope_to_user(Carer.objects.filter(pk=carer_id), actor).first()
    if carer is None:
        errors["carer"] = [_("This family is not among the families this match ranked.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        call = MatchOutreach.objects.create(run=run, carer=carer, outcome=outcome, note=note, by=actor)
        audit_created(actor=actor, instance=call, province=carer.province_id)
    return call


# --- Batch plans ----------------------------------------------------------------------------------

# "Compute this plan": matching.tasks answers by queuing run_batch_plan. A signal, so that the tasks
# module imports this one and never the reverse (no import cycle, not even inside a function);
# matching/apps.py imports the tasks module in every process, which connects the receiver.
# Arguments: `plan_id`.
batch_plan_queued = Signal()


def batch_plan_create(*, actor, children: list[Child], institution: Institution | None = None) -> BatchPlan:
    """Queue a plan for these children (an institution's, or a list); a worker computes it."""
    if not children:
        raise DomainError(_("There are no children waiting for a placement to plan for."), code="no_children")
    # Callers pass children they looked up in scope; the service refuses the others all the same.
    visible = set(child_list(user=actor).filter(pk__in=[c.pk for c in children]).values_list("pk", flat=True))
    if any(c.pk not in visible for c in children):
        raise DomainError(_("No such child in your provinces."), code="not_found", status_code=404)
    _ensure_placeable(children)
    policy = MatchingPolicy.current()
    province = institution.province_id if institution else children[0].province_id
    with transaction.atomic():
        plan = BatchPlan.objects.create(
            institution=institution,
            children=[str(c.pk) for c in children],
            province_id=province,
            policy=policy,
            requested_by=actor,
        )
        audit_write(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=plan,
            province=province,
            changes={"children": [None, plan.children]},
        )
        transaction.on_commit(lambda: batch_plan_queued.send(sender=BatchPlan, plan_id=str(plan.pk)))
    return plan


def _units_of(children: list[Child]) -> list[list[Child]]:
    """Keep-together sibling groups (with their unplaced siblings) and single children."""
    seen: set = set()
    units = []
    for child in children:
        if child.pk in seen:
            continue
        group = adapter.siblings_to_match(child)
        group = [c for c in group if c.pk not in seen]
        seen.update(c.pk for c in group)
        units.append(group)
    return units


def batch_plan_run(*, plan_id) -> BatchPlan | None:
    """Compute a queued plan. Safe to run twice: only a queued plan is taken (row lock + status)."""
    with transaction.atomic():
        plan = BatchPlan.objects.select_for_update().filter(pk=plan_id, status=BatchPlan.Status.QUEUED).first()
        if plan is None:
            return None
        plan.status = BatchPlan.Status.RUNNING
        plan.started_at = timezone.now()
        plan.save(update_fields=["status", "started_at"])
    try:
        _compute(plan)
    except Exception as exc:  # a failed plan must say so, never stay "running"
        log.exception("batch plan %s failed", plan.pk)
        BatchPlan.objects.filter(pk=plan.pk).update(
            status=BatchPlan.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
    plan.refresh_from_db()
    return plan


def _compute(plan: BatchPlan) -> None:
    actor = plan.requested_by
    children = list(
        Child.objects.filter(pk__in=plan.children, status__in=adapter.PLACEABLE)
        .select_related("sibling_group")
        .order_by("reference")
    )
    groups = _units_of(children)
    carers = adapter.carers_for(actor)
    weights = adapter.weights_of(plan.policy)
    units: list[PlanUnit] = []
    core_units = []
    for i, group in enumerate(groups):
        unit = adapter.unit_for(group)
        ranking = rank(unit, carers, weights)
        core_units.append(unit)
        units.append(
            PlanUnit(
                key=str(i), size=len(group), candidates=ranking.order, scores=ranking.evaluation.scores[ranking.order]
            )
        )
        if i % 25 == 0:
            BatchPlan.objects.filter(pk=plan.pk).update(progress=round(0.5 * (i + 1) / len(groups), 3))

    def progress(value: float) -> None:
        BatchPlan.objects.filter(pk=plan.pk).update(progress=value)

    result = plan_assignments(
        units,
        carers.vacancies,
        k_start=plan.policy.plan_k_start,
        time_limit=plan.policy.plan_time_limit_s,
        progress=progress,
    )
    proposals = []
    for key, index in sorted(result.assignments.items(), key=lambda kv: int(kv[0])):
        # The unit against its family alone: the same score as in the plan (a family's score does not
        # depend on the others), with its contributions, without keeping every unit's ranking.
        unit = core_units[int(key)]
        scored = _scored(rank(unit, carers.take(np.array([index])), weights), unit, 0)
        proposals.append(
            {
                "children": [str(c.pk) for c in groups[int(key)]],
                "carer": str(carers.ids[index]),
                "score": scored["score"],
                "contributions": scored["contributions"],
            }
        )
    unassigned = [
        {"children": [str(c.pk) for c in groups[int(k)]], "reason": reason}
        for k, reason in sorted(result.unassigned.items(), key=lambda kv: int(kv[0]))
    ]
    BatchPlan.objects.filter(pk=plan.pk).update(
        status=BatchPlan.Status.DONE,
        progress=1.0,
        proposals=proposals,
        unassigned=unassigned,
        total_score=result.total_score,
        greedy_total_score=result.greedy_total_score,
        optimal=result.optimal,
        bound=result.bound,
        gap=result.gap,
        finished_at=timezone.now(),
        stats={
            **result.stats,
            "units": len(units),
            "rounds": result.rounds,
            "seconds": round(result.seconds, 3),
            "carers_considered": len(carers),
        },
    )


def batch_plans_requeue_stale(*, queued_minutes: int = 5, running_minutes: int = 30) -> int:
    now = timezone.now()
    stale_running = BatchPlan.objects.filter(
        status=BatchPlan.Status.RUNNING, started_at__lt=now - timezone.timedelta(minutes=running_minutes)
    )
    stale_running.update(status=BatchPlan.Status.QUEUED)
    stale = list(
        BatchPlan.objects.filter(
            status=BatchPlan.Status.QUEUED, created_at__lt=now - timezone.timedelta(minutes=queued_minutes)
        ).values_list("pk", flat=True)
    )
    for plan_id in stale:
        batch_plan_queued.send(sender=BatchPlan, plan_id=str(plan_id))
    return len(stale)


def _proposal_in_scope(actor, proposal: dict) -> bool:
    carers = scope_to_user(Carer.objects.filter(pk=proposal["carer"]), actor)
    children = child_list(user=actor).filter(pk__in=proposal["children"])
    return carers.exists() and children.count() == len(set(proposal["children"]))


def batch_proposal_confirm(
    *, actor, plan: BatchPlan, index: int, start_date, social_worker=None, override_reason: str = ""
):
    """Turn one proposal of a plan into a placement, through the placement service (which locks the
    family and re-checks every rule: the register may have changed since the plan was made)."""
    from register.services.placements import placement_create

    with transaction.atomic():
        plan = BatchPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != BatchPlan.Status.DONE:
            raise DomainError(_("The plan is not ready yet."), code="plan_not_ready")
        if not 0 <= index < len(plan.proposals) or not _proposal_in_scope(actor, plan.proposals[index]):
            # A proposal naming another province's family or child (a national administrator's plan)
            # is not the actor's to confirm: it answers as a proposal that does not exist.
            raise DomainError(_("There is no proposal %(n)s in this plan.") % {"n": index}, code="no_such_proposal")
        proposal = plan.proposals[index]
        if proposal.get("placement"):
            raise ConflictError(
                _("This proposal was confirmed already."), code="proposal_confirmed", placement=proposal["placement"]
            )
        carer = Carer.objects.filter(pk=proposal["carer"]).first()
        if carer is None:
            raise DomainError(_("The proposed family is no longer on the register."), code="carer_not_found")
        placement = placement_create(
            actor=actor,
            carer=carer,
            children=proposal["children"],
            start_date=start_date,
            care_type=Child.objects.get(pk=proposal["children"][0]).care_type_needed,
            social_worker=social_worker,
            override_reason=override_reason,
        )
        plan.proposals[index] = {**proposal, "placement": str(placement.pk)}
        plan.save(update_fields=["proposals"])
    return placement
