"""The capacity gaps' shortcuts (families collapsed to profiles, children with the same facts asked
once, recently eligible profiles tried first) give the answer the eligibility rules give when every
family is asked one by one."""

import random

import numpy as np
import pytest

from matching.core.types import CarerArrays
from monitoring.capacity import _Families
from register.rules import eligibility


def families(rng: random.Random, n: int) -> CarerArrays:
    def ints(low, high):
        return np.array([rng.randint(low, high) for _ in range(n)])

    age_min = ints(0, 8)
    return CarerArrays(
        ids=np.array([f"f{i}" for i in range(n)]),
        approved=np.array([rng.random() < 0.8 for _ in range(n)]),
        review_ok=np.array([rng.random() < 0.9 for _ in range(n)]),
        vacancies=ints(0, 4),
        age_min=age_min,
        age_max=age_min + ints(2, 12),
        sexes=ints(1, 3),
        max_sibling_group=ints(1, 4),
        care_types=ints(1, 7),
        needs_supported=ints(0, 7),
        open_concern=np.array([rng.random() < 0.1 for _ in range(n)]),
        lat=np.full(n, np.nan),
        lon=np.full(n, np.nan),
        languages=np.zeros(n, dtype=int),
        religion=np.zeros(n, dtype=int),
        ethnicity=np.zeros(n, dtype=int),
        trained_needs=np.zeros(n, dtype=int),
        past_placements=np.zeros(n, dtype=int),
        breakdowns=np.zeros(n, dtype=int),
    )


def children(rng: random.Random) -> eligibility.Children:
    care_type = rng.randint(0, 2)
    return eligibility.Children(
        ages=tuple(rng.randint(0, 17) for _ in range(rng.choice([1, 1, 1, 2, 3]))),
        sexes=rng.randint(1, 3),
        needs=rng.choice([0, 0, 1, 2, 4, 3]),
        care_type=care_type,
        kinship=care_type == 2,
    )


def one_by_one(arrays: CarerArrays, kids, kin: set, excluded: set) -> tuple[bool, set]:
    ids = [str(i) for i in arrays.ids]
    relations = eligibility.Relations(
        kin=np.array([i in kin for i in ids]), excluded=np.array([i in excluded for i in ids])
    )
    rows = eligibility.failing(arrays, kids, relations)
    failed = rows.sum(axis=1)
    if (failed == 0).any():
        return True, set()
    nearest = rows[failed == failed.min()].any(axis=0)
    return False, {code for code, hit in zip(eligibility.EXCLUSION_CODES, nearest, strict=True) if hit}


@pytest.mark.parametrize("seed", range(6))
def test_every_verdict_is_the_rules_verdict_family_by_family(seed):
    rng = random.Random(seed)
    arrays = families(rng, rng.choice([3, 12, 40]))
    collapsed = _Families(arrays)
    verdicts = set()
    for _ in range(400):
        kids = children(rng)
        kin = {f"f{rng.randrange(len(arrays))}"} if rng.random() < 0.1 else set()
        excluded = {f"f{rng.randrange(len(arrays))}"} if rng.random() < 0.1 else set()
        expected = one_by_one(arrays, kids, kin, excluded)
        assert collapsed.verdict(kids, kin, excluded) == expected, (kids, kin, excluded)
        verdicts.add(expected[0])
    assert verdicts == {True, False}, "the draws should give children with and without a family"
