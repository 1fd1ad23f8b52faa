"""Reads of the matching app, scoped to the caller's provinces."""

import contextlib
from collections.abc import Iterable

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from matching import adapter
from matching.core.preview import rerank_runs
from matching.models import BatchPlan, MatchOutreach, MatchRun
from register.models import Carer, Placement
from register.scoping import scope_to_user
from register.selectors.children import child_list


def match_runs(*, user):
    # With the calls made from each run (newest first): the run is the officer's worklist.
    calls = Prefetch("outreach", queryset=MatchOutreach.objects.select_related("by").order_by("-at", "-id"))
    return scope_to_user(MatchRun.objects.select_related("policy", "requested_by").prefetch_related(calls), user)


def latest_outreach(run: MatchRun) -> dict[str, MatchOutreach]:
    """Each family's latest call in the run (from the prefetched calls, newest first)."""
    latest: dict[str, MatchOutreach] = {}
    for call in run.outreach.all():
        latest.setdefault(str(call.carer_id), call)
    return latest


def placements_from_run(*, user, run: MatchRun):
    """Placements made from this run (they keep its id and the family's rank in it), in scope."""
    return scope_to_user(Placement.objects.filter(match_id=run.pk), user).order_by("created_at")


def batch_plans(*, user):
    return scope_to_user(BatchPlan.objects.select_related("policy"), user)


def visible_ids(*, user, carers: Iterable[str] = (), children: Iterable[str] = ()) -> set[str]:
    """Which of these carers' and children's ids the user may see. A run or plan filed under the
    user's province may still name another province's records (a national administrator's run ranks
    every province's families): whoever reads it sees only their own provinces' records in it."""
    carers, children = {str(i) for i in carers}, {str(i) for i in children}
    found = set()
    if carers:
        found |= {
            str(pk) for pk in scope_to_user(Carer.objects.filter(pk__in=carers), user).values_list("pk", flat=True)
        }
    if children:
        found |= {str(pk) for pk in child_list(user=user).filter(pk__in=children).values_list("pk", flat=True)}
    return found


def match_rank_for_placement(*, actor, match_id, carer_id, child_ids) -> int | None:
    """The family's rank in match run `match_id`, for a placement made from it (None: the run did not
    rank this family). The run must be one `actor` may read, and must have been asked for at least
    one of these children; otherwise a ValidationError on `match`. The placement service calls this
    through the hook matching/apps.py installs (the register does not import matching)."""
    run = None
    with contextlib.suppress(ValueError, ValidationError):  # not a UUID: as a run that does not exist
        run = match_runs(user=actor).filter(pk=match_id).first()
    if run is None:
        raise ValidationError({"match": [_("No match run with id %(id)s was found.") % {"id": match_id}]})
    if not {str(c) for c in run.children} & {str(c) for c in child_ids}:
        raise ValidationError({"match": [_("This match run was not made for any of the children named.")]})
    return next((c.get("rank") for c in run.candidates if c.get("carer") == str(carer_id)), None)


# --- Outcomes of placements made from match runs ---------------------------------------------------
# The rank of the family chosen, in bands; a placement whose family the run did not rank is "unranked".
RANK_BANDS: tuple[tuple[str, int, int | None], ...] = (("1", 1, 1), ("2-3", 2, 3), ("4-10", 4, 10), ("11+", 11, None))
UNRANKED = "unranked"
# Breakdown windows: reviews of placement breakdown count early endings within these spans.
WINDOWS = (("90d", 90), ("12m", 365))


def rank_band(rank: int | None) -> str:
    if rank is None:
        return UNRANKED
    for name, low, high in RANK_BANDS:
        if rank >= low and (high is None or rank <= high):
            return name
    return UNRANKED


def matching_outcomes(*, user, province: str | None = None, policy_version: int | None = None, today) -> list[dict]:
    """For each policy version: the placements made from its match runs (in the user's provinces),
    by the rank of the family chosen, and how many ended in breakdown within 90 days and within 12
    months. A rate's denominator is the placements old enough to tell (started at least that long
    ago, or already broken down within it), so recent placements do not flatter a new policy."""
    placements = scope_to_user(Placement.objects.filter(match_id__isnull=False), user)
    if province:
        placements = placements.filter(province_id=province)
    rows = list(placements.values_list("match_id", "match_rank", "start_date", "end_date", "end_reason"))
    policy_of = dict(MatchRun.objects.filter(pk__in={r[0] for r in rows}).values_list("pk", "policy_id"))
    bands = [name for name, *_ in RANK_BANDS] + [UNRANKED]
    versions: dict[int, dict] = {}
    for match_id, rank, start, end, reason in rows:
        version = policy_of.get(match_id)
        if version is None or (policy_version is not None and version != policy_version):
            continue
        by_band = versions.setdefault(version, {band: _empty_counts() for band in bands})
        counts = by_band[rank_band(rank)]
        counts["placements"] += 1
        for name, days in WINDOWS:
            broke = reason == Placement.EndReason.BREAKDOWN and end is not None and (end - start).days <= days
            if broke:
                counts[f"breakdowns_{name}"] += 1
            if broke or (today - start).days >= days:
                counts[f"observed_{name}"] += 1
    out = []
    for version in sorted(versions, reverse=True):
        by_band = versions[version]
        total = _empty_counts()
        for counts in by_band.values():
            for key, value in counts.items():
                total[key] += value
        out.append(
            {
                "policy_version": version,
                **_with_rates(total),
                "by_rank": [{"rank": band, **_with_rates(by_band[band])} for band in bands],
            }
        )
    return out


def _empty_counts() -> dict[str, int]:
    counts = {"placements": 0}
    for name, _days in WINDOWS:
        counts[f"observed_{name}"] = 0
        counts[f"breakdowns_{name}"] = 0
    return counts


def _with_rates(counts: dict[str, int]) -> dict:
    rates = {}
    for name, _days in WINDOWS:
        observed = counts[f"observed_{name}"]
        rates[f"breakdown_rate_{name}"] = round(counts[f"breakdowns_{name}"] / observed, 4) if observed else None
    return {**counts, **rates}


# --- A draft policy's effect on recent runs ---------------------------------------------------------
def policy_preview(*, user, weights, runs: int = 200) -> dict:
    """How `weights` (a draft policy) would have ranked the families of the last `runs` match runs
    of the user's provinces, against each run's own policy, both on the register as it is now:
    how often the first family changes, how far the family placed from the run moves, and Kendall's
    tau between the two orders (median over the runs). Nothing is stored."""
    recent = list(scope_to_user(MatchRun.objects.select_related("policy"), user).order_by("-created_at")[:runs])
    placed = dict(
        scope_to_user(Placement.objects.filter(match_id__in=[r.pk for r in recent]), user)
        .order_by("created_at")
        .values_list("match_id", "carer_id")
    )
    carers = adapter.carers_for(user)
    units = []
    for run in recent:
        carer = placed.get(run.pk)
        where = carers.index_of(str(carer)) if carer else None
        units.append((adapter.unit_from_json(run.inputs["unit"]), adapter.weights_of(run.policy), where))
    changed, shifts, taus, compared = 0, [], [], 0
    # A unit matched again under the same policy is evaluated once (matching.core.preview.rerank_runs).
    for result in rerank_runs(carers, units, weights):
        if result.top1_changed is None:
            continue
        compared += 1
        changed += result.top1_changed
        if result.placed_shift is not None:
            shifts.append(result.placed_shift)
        if result.kendall_tau is not None:
            taus.append(result.kendall_tau)
    return {
        "runs": compared,
        "top1_changed": changed,
        "placed_families": len(shifts),
        "mean_rank_shift_of_placed_family": round(sum(shifts) / len(shifts), 3) if shifts else None,
        "kendall_tau_median": round(float(np.median(taus)), 4) if taus else None,
    }
