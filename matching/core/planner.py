"""The plan for a whole institution: assign units (single children or keep-together sibling groups)
to families so that the total score is as high as possible, with no family given more children than
its vacancies and no group split.

Solved as a 0/1 integer programme with HiGHS (SciPy's `milp`):

    maximise   sum  size[u] * score[u, c] * x[u, c]
    subject to sum_c x[u, c] <= 1                     each unit placed at most once
               sum_u size[u] * x[u, c] <= vacancies[c] each family within its free places

Each unit keeps only its best K families (pruning keeps the programme small); K doubles for every unit
left out while it still has untried families, until no unit is left out for want of candidates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array


@dataclass(frozen=True, eq=False)
class PlanUnit:
    key: str  # the caller's handle for the unit (e.g. its first child's id)
    size: int  # children in the unit
    candidates: np.ndarray  # family indices, best first (already ordered, eligible only)
    scores: np.ndarray  # score of each candidate, aligned with `candidates`


@dataclass
class Plan:
    assignments: dict[str, int]  # unit key -> family index
    unassigned: dict[str, str]  # unit key -> reason code: no_eligible_family | no_vacancy_left
    total_score: float
    greedy_total_score: float
    optimal: bool
    bound: float  # the solver's upper bound on the best total (equals total_score when optimal)
    gap: float  # (bound - total) / bound
    seconds: float
    rounds: int
    solver: str = "highs"
    stats: dict = field(default_factory=dict)


def greedy(units: list[PlanUnit], vacancies: np.ndarray, k: dict[str, int] | None = None) -> dict[str, int]:
    """The baseline: take (unit, family) pairs by value, highest first, while places remain."""
    pairs = []
    for u in units:
        limit = len(u.candidates) if k is None else k[u.key]
        for c, s in zip(u.candidates[:limit], u.scores[:limit], strict=True):
            pairs.append((-u.size * float(s), u.key, int(c), u.size))
    pairs.sort()
    free = vacancies.astype(int).copy()
    done: dict[str, int] = {}
    for _, key, c, size in pairs:
        if key not in done and free[c] >= size:
            done[key] = c
            free[c] -= size
    return done


def _value(units_by_key: dict[str, PlanUnit], assignment: dict[str, int]) -> float:
    total = 0.0
    for key, c in assignment.items():
        u = units_by_key[key]
        total += u.size * float(u.scores[np.flatnonzero(u.candidates == c)[0]])
    return total


def _solve(units: list[PlanUnit], vacancies: np.ndarray, k: dict[str, int], time_limit: float):
    cols_unit, cols_carer, cols_value, cols_size = [], [], [], []
    for ui, u in enumerate(units):
        kk = k[u.key]
        cands = u.candidates[:kk]
        cols_unit.append(np.full(cands.size, ui))
        cols_carer.append(cands)
        cols_value.append(u.size * u.scores[:kk])
        cols_size.append(np.full(cands.size, u.size))
    unit_of = np.concatenate(cols_unit) if cols_unit else np.zeros(0, int)
    carer_of = np.concatenate(cols_carer) if cols_carer else np.zeros(0, int)
    value = np.concatenate(cols_value) if cols_value else np.zeros(0)
    size = np.concatenate(cols_size) if cols_size else np.zeros(0)
    n_vars = unit_of.size
    if n_vars == 0:
        return {}, 0.0, True, 0.0

    used, carer_row = np.unique(carer_of, return_inverse=True)
    var = np.arange(n_vars)
    a_units = csr_array((np.ones(n_vars), (unit_of, var)), shape=(len(units), n_vars))
    a_carers = csr_array((size.astype(float), (carer_row, var)), shape=(used.size, n_vars))
    result = milp(
        -value,
        integrality=np.ones(n_vars),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(a_units, -np.inf, 1),
            LinearConstraint(a_carers, -np.inf, vacancies[used].astype(float)),
        ],
        options={"time_limit": time_limit, "mip_rel_gap": 1e-6, "disp": False},
    )
    if result.x is None:
        return {}, 0.0, False, float(value.sum())
    chosen = np.flatnonzero(result.x > 0.5)
    assignment = {units[int(unit_of[i])].key: int(carer_of[i]) for i in chosen}
    bound = -float(result.mip_dual_bound) if getattr(result, "mip_dual_bound", None) is not None else float("nan")
    return assignment, float(-result.fun), result.status == 0, bound


def plan_assignments(
    units: list[PlanUnit],
    vacancies: np.ndarray,
    *,
    k_start: int = 8,
    time_limit: float = 8.0,
    progress: Callable[[float], None] | None = None,
) -> Plan:
    started = time.perf_counter()
    by_key = {u.key: u for u in units}
    k = {u.key: min(k_start, len(u.candidates)) for u in units}
    rounds = 0
    while True:
        rounds += 1
        remaining = max(0.5, time_limit - (time.perf_counter() - started))
        assignment, total, optimal, bound = _solve(units, vacancies, k, remaining)
        left_out = [u for u in units if u.key not in assignment and k[u.key] < len(u.candidates)]
        if progress:
            progress(min(0.95, 0.5 + 0.1 * rounds))
        if not left_out or time.perf_counter() - started > time_limit:
            break
        for u in left_out:
            k[u.key] = min(len(u.candidates), max(1, k[u.key]) * 2)

    greedy_assignment = greedy(units, vacancies)
    greedy_total = _value(by_key, greedy_assignment)
    if total + 1e-9 < greedy_total:
        # Only possible when the solver ran out of time: never hand back less than the baseline.
        assignment, total, optimal = greedy_assignment, greedy_total, False
    if not np.isfinite(bound) or bound < total:
        bound = total
    unassigned = {
        u.key: ("no_eligible_family" if len(u.candidates) == 0 else "no_vacancy_left")
        for u in units
        if u.key not in assignment
    }
    gap = (bound - total) / bound if bound > 0 else 0.0
    return Plan(
        assignments=assignment,
        unassigned=unassigned,
        total_score=round(total, 6),
        greedy_total_score=round(greedy_total, 6),
        optimal=optimal and gap <= 1e-6,
        bound=round(bound, 6),
        gap=round(max(gap, 0.0), 8),
        seconds=time.perf_counter() - started,
        rounds=rounds,
        stats={"variables": int(sum(k.values()))},
    )
