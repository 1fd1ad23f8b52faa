"""The fast order (one sort by score, then only the runs of equal scores by distance and id, with ids
compared as cached integer ranks) equals the plain order: one lexsort on (score rounded to 9
decimals descending, home distance ascending with unknown last, carer id string ascending)."""

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.core import COMPONENTS, EXCLUSION_CODES, Weights, rank
from matching.core.evaluate import Evaluation
from matching.core.ranking import order_eligible
from tests.matching.core_data import random_carers, random_unit


def reference_order(scores: np.ndarray, home_km: np.ndarray, eligible: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The tie-break written out plainly: a full lexsort with the id strings themselves."""
    index = np.flatnonzero(eligible)
    score = np.round(scores[index], 9)
    distance = np.nan_to_num(home_km[index], nan=np.inf)
    return index[np.lexsort((ids[index], distance, -score))]


def _evaluation(scores, home_km, eligible, id_rank):
    n = len(scores)
    reasons = np.zeros((n, len(EXCLUSION_CODES)), dtype=bool)
    reasons[~eligible, 0] = True
    scored = np.flatnonzero(eligible)
    return Evaluation(
        reasons=reasons,
        scored=scored,
        values=np.zeros((scored.size, len(COMPONENTS))),
        applicable=np.ones(len(COMPONENTS), dtype=bool),
        scores=np.where(eligible, scores, np.nan),
        home_km=home_km,
        school_km=np.full(n, np.nan),
        is_kin=np.zeros(n, dtype=bool),
        weights=np.ones(len(COMPONENTS)),
        id_rank=id_rank,
    )


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 400),
    st.integers(1, 6),  # distinct scores: few, so most families tie on score
    st.integers(1, 4),  # distinct distances: few, so families tie on distance too
    st.floats(0.0, 0.5),  # share of unknown distances (NaN, ranked last among equal scores)
    st.booleans(),  # integer id ranks (as evaluate() gives) or the id strings
)
def test_the_fast_order_is_the_plain_lexsort(seed, n, n_scores, n_distances, unknown, with_ranks):
    rng = np.random.default_rng(seed)
    # Scores that differ only below the 9th decimal must tie, and distinct ones must not.
    levels = rng.random(n_scores)
    scores = levels[rng.integers(0, n_scores, n)] + rng.choice([0.0, 1e-12, -1e-12], n)
    home_km = rng.choice(rng.uniform(0, 80, n_distances), n)
    home_km[rng.random(n) < unknown] = np.nan
    eligible = rng.random(n) < 0.8
    ids = np.array([f"{v:08x}" for v in rng.choice(16**8, n, replace=False)])  # unique, not in index order
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[np.argsort(ids, kind="stable")] = np.arange(n)
    evaluation = _evaluation(scores, home_km, eligible, id_rank if with_ranks else None)
    fast = order_eligible(evaluation, ids)
    assert fast.tolist() == reference_order(evaluation.scores, home_km, eligible, ids).tolist()


def test_the_plain_order_would_catch_a_broken_tie_break():
    """The property above is not vacuous: orders that drop a tie-break differ from the reference."""
    rng = np.random.default_rng(7)
    n = 200
    scores = rng.choice([0.3, 0.6], n)
    home_km = rng.choice([5.0, 9.0, np.nan], n)
    eligible = np.ones(n, dtype=bool)
    ids = np.array([f"{v:08x}" for v in rng.choice(16**8, n, replace=False)])
    expected = reference_order(scores, home_km, eligible, ids).tolist()
    no_distance = np.lexsort((ids, -np.round(scores, 9))).tolist()
    by_index = np.lexsort((np.arange(n), np.nan_to_num(home_km, nan=np.inf), -np.round(scores, 9))).tolist()
    assert no_distance != expected and by_index != expected
    evaluation = _evaluation(scores, home_km, eligible, None)
    assert order_eligible(evaluation, ids).tolist() == expected


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 300), st.integers(1, 4))
def test_rank_orders_as_the_plain_lexsort_on_families_with_equal_scores_and_distances(seed, n, copies):
    """Through rank(): families repeated `copies` times (equal scores and distances, some unknown),
    under ids that do not follow the index, and weights that make many scores equal."""
    base = random_carers(n, seed)
    rng = np.random.default_rng(seed)
    carers = base.take(np.repeat(np.arange(n), copies))
    ids = np.array([f"c{v:09d}" for v in rng.choice(10**9, len(carers), replace=False)])
    lat = carers.lat.copy()
    lat[rng.random(len(carers)) < 0.1] = np.nan
    carers = dataclasses.replace(carers, ids=ids, lat=lat)
    unit = random_unit(seed, 1 + seed % 2, carer_ids=ids, kin_share=0.05)
    for weights in (Weights(), Weights(kinship=0, home_proximity=0, school_proximity=0, skills=0, age_fit=0)):
        ranking = rank(unit, carers, weights)
        ev = ranking.evaluation
        assert ranking.order.tolist() == reference_order(ev.scores, ev.home_km, ev.eligible, ids).tolist()
