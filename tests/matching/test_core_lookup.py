"""The families' ids looked up by binary search in the ids sorted once per CarerArrays (kin, partial
kin, exclusions, one family to explain) find what comparing every id string finds."""

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.matching.core_data import random_carers

ids_strategy = st.lists(st.sampled_from(["a", "b", "c", "ab", "b0", "zz", "c0000001", ""]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(ids_strategy, ids_strategy)
def test_mask_of_is_isin_on_the_strings(family_ids, wanted):
    """Whatever the ids (repeated ones, the empty string, prefixes of one another) and whatever is
    asked (unknown ids, repeats, ids longer than the families' dtype)."""
    carers = dataclasses.replace(random_carers(len(family_ids), 0), ids=np.array(family_ids, dtype=str))
    asked = {*wanted, "a-longer-id-than-any-family-has"}
    expected = np.isin(carers.ids, list(asked)) if len(carers) else np.zeros(0, bool)
    assert carers.mask_of(asked).tolist() == expected.tolist()
    assert carers.mask_of(set()).tolist() == [False] * len(carers)
    for one in wanted:
        index = carers.index_of(one)
        hits = np.flatnonzero(carers.ids == one)
        assert index == (int(hits[0]) if hits.size else None)


def test_id_rank_sorts_as_the_ids():
    carers = random_carers(500, 3).take(np.random.default_rng(3).permutation(500))
    assert np.array_equal(np.argsort(carers.id_rank), np.argsort(carers.ids, kind="stable"))
    assert carers.ids[carers.id_order].tolist() == sorted(carers.ids.tolist())
