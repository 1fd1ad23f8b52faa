"""The pure ranking core: no database, no Django."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.core import EXCLUSION_CODES, Weights, explain_candidate, rank
from matching.core.types import Child, Unit
from tests.matching.core_data import random_carers, random_unit

W = Weights()


def one_carer(**overrides):
    base = random_carers(1, seed=1)
    values = {name: getattr(base, name).copy() for name in base.__dataclass_fields__ if name != "vocab"}
    values.update(
        approved=np.array([True]),
        review_ok=np.array([True]),
        vacancies=np.array([2]),
        age_min=np.array([0]),
        age_max=np.array([17]),
        sexes=np.array([3]),
        max_sibling_group=np.array([3]),
        care_types=np.array([15]),
        needs_supported=np.array([255]),
        open_concern=np.array([False]),
        lat=np.array([12.0]),
        lon=np.array([104.0]),
        languages=np.array([1]),
        religion=np.array([0]),
        ethnicity=np.array([0]),
    )
    for k, v in overrides.items():
        values[k] = np.array([v])
    return type(base)(**values, vocab=base.vocab)


def child_unit(**overrides):
    fields = {
        "children": (Child("k", 8, 0, 0),),
        "care_type": 2,
        "languages": (0,),
        "religion": 0,
        "ethnicity": 0,
        "home_lat": 12.0,
        "home_lon": 104.0,
    }
    fields.update(overrides)
    return Unit(**fields)


def test_a_fitting_family_is_eligible_and_scored_within_0_and_1():
    ranking = rank(child_unit(), one_carer(), W)
    assert ranking.eligible_count == 1
    assert 0.0 <= ranking.evaluation.scores[0] <= 1.0


def test_each_hard_filter_excludes_with_its_code():
    cases = {
        "not_approved": ({"approved": False}, {}),
        "approval_review_overdue": ({"review_ok": False}, {}),
        "no_vacancy": ({"vacancies": 0}, {}),
        "age_out_of_range": ({"age_min": 10}, {}),
        "sex_not_accepted": ({"sexes": 2}, {}),
        "sibling_group_too_large": ({"max_sibling_group": 1}, {"children": (Child("a", 8, 0, 0), Child("b", 9, 1, 0))}),
        "need_not_supported": ({"needs_supported": 0}, {"children": (Child("a", 8, 0, 16),)}),
        "care_type_not_offered": ({"care_types": 1}, {}),
        "safeguarding_concern": ({"open_concern": True}, {}),
        "excluded_for_child": ({}, {"excluded": frozenset({"c0000000"})}),
    }
    assert set(cases) == set(EXCLUSION_CODES)
    for code, (carer, unit) in cases.items():
        ranking = rank(child_unit(**unit), one_carer(**carer), W)
        assert ranking.eligible_count == 0, code
        assert code in ranking.reasons_of(0), code
        facts = explain_candidate(ranking, child_unit(**unit), 0)
        assert f"excluded.{code}" in [f.code for f in facts]


def test_kin_are_eligible_for_kinship_care_whatever_care_types_they_offer():
    unit = child_unit(care_type=3, kin=frozenset({"c0000000"}))
    assert rank(unit, one_carer(care_types=0b0100), W).eligible_count == 1
    assert rank(child_unit(care_type=3), one_carer(care_types=0b0100), W).eligible_count == 0


def test_kin_rank_above_an_otherwise_identical_stranger():
    carers = random_carers(2, seed=3)
    carers = carers.take(np.array([0, 0]))
    carers = type(carers)(
        **{
            **{k: getattr(carers, k) for k in carers.__dataclass_fields__},
            "ids": np.array(["a", "b"]),
            "approved": np.array([True, True]),
            "review_ok": np.array([True, True]),
            "vacancies": np.array([3, 3]),
            "age_min": np.array([0, 0]),
            "age_max": np.array([17, 17]),
            "sexes": np.array([3, 3]),
            "care_types": np.array([15, 15]),
            "needs_supported": np.array([255, 255]),
            "open_concern": np.array([False, False]),
            "max_sibling_group": np.array([4, 4]),
        }
    )
    ranking = rank(child_unit(kin=frozenset({"b"})), carers, W)
    assert [carers.ids[i] for i in ranking.order] == ["b", "a"]


def test_nearer_family_ranks_higher_all_else_equal():
    far = one_carer(lat=13.5)
    near = one_carer(lat=12.05)
    both = type(far)(
        **{
            k: np.concatenate([getattr(far, k), getattr(near, k)]) if k != "vocab" else far.vocab
            for k in far.__dataclass_fields__
        }
    )
    both = type(both)(**{**{k: getattr(both, k) for k in both.__dataclass_fields__}, "ids": np.array(["far", "near"])})
    ranking = rank(child_unit(), both, W)
    assert [both.ids[i] for i in ranking.order] == ["near", "far"]
    assert ranking.evaluation.home_km[1] < 10 < ranking.evaluation.home_km[0]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 300))
def test_nothing_ineligible_is_ranked_and_every_ranked_family_passes_every_filter(seed, size, n):
    carers = random_carers(n, seed)
    unit = random_unit(seed, size, carer_ids=carers.ids, kin_share=0.05)
    ranking = rank(unit, carers, W)
    ranked = set(ranking.order.tolist())
    for i in range(n):
        assert (i in ranked) == (ranking.reasons_of(i) == [])
    for i in ranking.order:
        assert carers.vacancies[i] >= unit.size
        assert carers.approved[i] and carers.review_ok[i] and not carers.open_concern[i]
        assert all(carers.age_min[i] <= c.age <= carers.age_max[i] for c in unit.children)
    scores = ranking.evaluation.scores[ranking.order]
    assert np.all((scores >= 0) & (scores <= 1))
    assert np.all(np.diff(np.round(scores, 9)) <= 0), "best first"
    assert ranking.eligible_count + ranking.excluded_count == n


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 200), st.randoms(use_true_random=False))
def test_ranking_does_not_depend_on_input_order(seed, n, rnd):
    carers = random_carers(n, seed)
    unit = random_unit(seed, 1, carer_ids=carers.ids, kin_share=0.05)
    perm = np.array(rnd.sample(range(n), n))
    first = [carers.ids[i] for i in rank(unit, carers, W).order]
    shuffled = carers.take(perm)
    second = [shuffled.ids[i] for i in rank(unit, shuffled, W).order]
    assert first == second


def test_weights_must_be_non_negative():
    import pytest

    with pytest.raises(ValueError, match="non-negative"):
        Weights.from_mapping({"kinship": -1})


def test_the_core_imports_no_django():
    import subprocess
    import sys

    code = "import sys, matching.core; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
