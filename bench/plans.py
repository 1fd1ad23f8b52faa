"""Batch plans: one closing institution (37 children), 500 and 1,000 children, against 20,000
families, with the solver's time, total score, the greedy baseline and optimality. Target: the plan
for 1,000 children in <= 10 s, optimal or within 1 % of the optimum (printed, with whether it holds)."""

import time

from django.db.models import Count

from bench.matching import bench_user, province_sets
from bench.setup import table
from matching import adapter, services
from matching.models import BatchPlan, MatchingPolicy
from register.models import Child, Institution
from register.scoping import scope_to_user

TARGET_SECONDS = 10.0
TARGET_GAP = 0.01


def run() -> None:
    provinces = province_sets([20_000])[20_000]
    user = bench_user("bench-plans", provinces)
    adapter.forget_cache()
    families = len(adapter.carers_for(user))
    waiting = scope_to_user(Child.objects.filter(status__in=adapter.PLACEABLE), user).order_by("reference")
    institution = (
        Institution.objects.filter(province_id__in=provinces, children__status__in=adapter.PLACEABLE)
        .annotate(n=Count("children"))
        .filter(n__gte=37)
        .order_by("n")
        .first()
    )
    cases = []
    if institution:
        cases.append(("one institution", list(waiting.filter(institution=institution)[:37])))
    cases += [("500 children", list(waiting[:500])), ("1,000 children", list(waiting[:1000]))]
    rows, largest = [], None
    policy = MatchingPolicy.current()
    for label, children in cases:
        plan = BatchPlan.objects.create(
            children=[str(c.pk) for c in children], province_id=provinces[0], policy=policy, requested_by=user
        )
        started = time.perf_counter()
        services.batch_plan_run(plan_id=plan.pk)
        seconds = time.perf_counter() - started
        plan.refresh_from_db()
        placed = sum(len(p["children"]) for p in plan.proposals)
        largest = (seconds, 0.0 if plan.optimal else (plan.gap or 0.0))
        rows.append(
            [
                label,
                f"{len(children):,}",
                plan.stats.get("units", 0),
                f"{families:,}",
                f"{seconds:.2f}",
                f"{plan.total_score:.3f}",
                f"{plan.greedy_total_score:.3f}",
                "optimal" if plan.optimal else f"gap {plan.gap:.4%}",
                placed,
                len(plan.unassigned),
            ]
        )
        BatchPlan.objects.filter(pk=plan.pk).delete()
    table(
        "Batch plans (HiGHS MILP over the top-K families per unit; total = sum of children x score)",
        ["case", "children", "units", "families", "seconds", "total", "greedy", "optimality", "placed", "left out"],
        rows,
    )
    if largest is not None:
        seconds, gap = largest
        table(
            "Batch plans against their target",
            ["figure", "measured", "target", "holds"],
            [
                [
                    "seconds, 1,000 children",
                    f"{seconds:.2f}",
                    f"<= {TARGET_SECONDS:g}",
                    _yes(seconds <= TARGET_SECONDS),
                ],
                ["gap to the optimum", f"{gap:.2%}", f"<= {TARGET_GAP:.0%}", _yes(gap <= TARGET_GAP)],
            ],
        )


def _yes(holds: bool) -> str:
    return "yes" if holds else "NO"
