"""Contributions: what each factor added to a family's score (pure core, no database)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.core import COMPONENTS, EFFECTS, Weights, contributions_of, rank, rounded
from matching.core.contributions import effect_of
from tests.matching.core_data import random_carers, random_unit
from tests.matching.test_core_ranking import child_unit, one_carer

W = Weights()


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 3), st.integers(1, 120))
def test_points_add_up_to_the_score_and_each_is_weight_times_value_over_the_weights(seed, size, n):
    carers = random_carers(n, seed)
    unit = random_unit(seed, size, carer_ids=carers.ids, kin_share=0.1)
    ranking = rank(unit, carers, W)
    ev = ranking.evaluation
    for index in ranking.order[:10]:
        parts = contributions_of(ranking, unit, index)
        # One per factor that applies, in the components' order.
        assert [c.factor for c in parts] == [name for name, a in zip(COMPONENTS, ev.applicable, strict=True) if a]
        total_weight = sum(c.weight for c in parts)
        for c in parts:
            assert c.weight == getattr(W, c.factor)
            assert 0.0 <= c.value <= 1.0
            assert c.points == pytest.approx(c.weight * c.value / total_weight)
            assert c.effect == effect_of(c.value) and c.effect in EFFECTS
        score = float(ev.scores[index])
        assert sum(c.points for c in parts) == pytest.approx(score, abs=1e-12)
        shown = rounded(parts, score, 4)
        assert abs(sum(c.points for c in shown) - round(score, 4)) <= 1e-9
        assert all(abs(a.points - b.points) <= 1e-4 for a, b in zip(parts, shown, strict=True))


def test_a_factor_counts_for_above_half_against_below_and_is_neutral_at_half():
    assert effect_of(1.0) == "for" and effect_of(0.51) == "for"
    assert effect_of(0.0) == "against" and effect_of(0.49) == "against"
    assert effect_of(0.5) == "neutral"


def test_a_different_religion_counts_against_and_the_same_for():
    same = {c.factor: c for c in contributions_of(rank(child_unit(), one_carer(), W), child_unit(), 0)}
    other = {c.factor: c for c in contributions_of(rank(child_unit(), one_carer(religion=2), W), child_unit(), 0)}
    assert same["religion"].effect == "for" and same["religion"].points > 0
    assert other["religion"].effect == "against" and other["religion"].points == 0
    assert other["religion"].fact.params == {"family": "christianity", "child": "buddhism", "children": 1}


def test_school_distance_counts_only_when_a_school_is_recorded():
    without = contributions_of(rank(child_unit(), one_carer(), W), child_unit(), 0)
    assert "school_proximity" not in [c.factor for c in without]
    unit = child_unit(school_lat=12.5, school_lon=104.0)
    school = {c.factor: c for c in contributions_of(rank(unit, one_carer(), W), unit, 0)}["school_proximity"]
    assert school.fact.code == "school_distance" and 55 < school.fact.params["km"] < 56


def test_a_family_with_no_history_is_neutral_on_experience():
    parts = {
        c.factor: c for c in contributions_of(rank(child_unit(), one_carer(past_placements=0), W), child_unit(), 0)
    }
    assert parts["experience"].value == 0.5 and parts["experience"].effect == "neutral"
    assert parts["experience"].fact.code == "no_past_placements"


def test_rounding_keeps_the_sum_equal_to_the_rounded_score_even_with_zero_weights():
    weights = Weights(kinship=0, religion=0, ethnicity=0)
    ranking = rank(child_unit(), one_carer(), weights)
    parts = contributions_of(ranking, child_unit(), 0)
    score = float(ranking.evaluation.scores[0])
    assert [c.points for c in parts if c.weight == 0] == [0.0, 0.0, 0.0]
    assert abs(sum(c.points for c in rounded(parts, score)) - round(score, 4)) <= 1e-9
    assert np.isclose(sum(c.points for c in parts), score)
