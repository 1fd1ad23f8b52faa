"""The batch planner: a real MILP solver (HiGHS) over pruned candidates; no database."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.core import PlanUnit, Weights, plan_assignments, rank
from matching.core.planner import greedy
from tests.matching.core_data import random_carers, random_unit


def build_units(n_units: int, carers, seed: int):
    units = []
    for u in range(n_units):
        size = 1 if u % 4 else 2
        unit = random_unit(seed * 1000 + u, size)
        ranking = rank(unit, carers, Weights())
        units.append(
            PlanUnit(key=f"u{u}", size=size, candidates=ranking.order, scores=ranking.evaluation.scores[ranking.order])
        )
    return units


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 5000), st.integers(1, 25), st.integers(5, 120))
def test_plan_respects_vacancies_and_is_never_below_greedy(seed, n_units, n_carers):
    carers = random_carers(n_carers, seed)
    units = build_units(n_units, carers, seed)
    plan = plan_assignments(units, carers.vacancies, k_start=2)
    by_key = {u.key: u for u in units}
    load = np.zeros(n_carers, int)
    for key, c in plan.assignments.items():
        assert c in by_key[key].candidates, "only eligible families are assigned"
        load[c] += by_key[key].size  # a unit goes whole to one family: a group is never split
    assert np.all(load <= carers.vacancies)
    assert plan.total_score + 1e-9 >= plan.greedy_total_score
    assert set(plan.assignments) | set(plan.unassigned) == set(by_key)
    assert not set(plan.assignments) & set(plan.unassigned)


def test_optimal_beats_greedy_where_greedy_is_myopic():
    # Family 0 has one place; unit A likes it a bit more than family 1, unit B can only go to family 0.
    a = PlanUnit("A", 1, np.array([0, 1]), np.array([0.9, 0.85]))
    b = PlanUnit("B", 1, np.array([0]), np.array([0.8]))
    plan = plan_assignments([a, b], np.array([1, 1]))
    assert plan.assignments == {"A": 1, "B": 0}
    assert plan.optimal and plan.total_score == 1.65
    assert greedy([a, b], np.array([1, 1])) == {"A": 0}
    assert plan.greedy_total_score == 0.9


def test_pruned_candidates_grow_until_no_unit_is_left_out_for_want_of_them():
    # Five units all prefer family 0 (one place); with K=1 four would be left out.
    units = [PlanUnit(f"u{i}", 1, np.array([0, i + 1]), np.array([0.9, 0.5])) for i in range(5)]
    plan = plan_assignments(units, np.ones(6, int), k_start=1)
    assert plan.unassigned == {}
    assert plan.rounds >= 2


def test_units_without_families_are_reported_with_a_reason():
    units = [
        PlanUnit("none", 1, np.array([], int), np.array([])),
        PlanUnit("a", 2, np.array([0]), np.array([0.7])),
        PlanUnit("b", 2, np.array([0]), np.array([0.6])),
    ]
    plan = plan_assignments(units, np.array([2]))
    assert plan.assignments == {"a": 0}
    assert plan.unassigned == {"none": "no_eligible_family", "b": "no_vacancy_left"}
