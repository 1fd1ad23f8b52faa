"""Words that are true: each sentence of an explanation, rendered for random families and children,
names the family's own values and the child's own, says a distance once (the school's only when a
school is recorded), and speaks of a sibling group as such. No database: the core's facts rendered
by matching/explanations.py in English and Khmer."""

import math

import numpy as np
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.core import Weights, contributions_of, explain_candidate, rank
from matching.core.geo import haversine_km
from matching.explanations import label, labels, sentence
from tests.matching.core_data import VOCAB, random_carers, random_unit

W = Weights()


def names(mask, kind):
    return [v for i, v in enumerate(VOCAB[kind]) if int(mask) & (1 << i)]


def check_family(carers, unit, ranking, index, language):
    parts = {c.factor: c for c in contributions_of(ranking, unit, index)}
    texts = {f: sentence(c.fact.code, c.fact.params) for f, c in parts.items()}
    several = unit.size > 1
    # The explanation is the contributions' sentences, one per factor.
    assert [sentence(f.code, f.params) for f in explain_candidate(ranking, unit, index)] == list(texts.values())

    religion = texts["religion"]
    assert str(label("religion", VOCAB["religion"][carers.religion[index]])) in religion
    assert str(label("religion", VOCAB["religion"][unit.religion])) in religion
    ethnicity = texts["ethnicity"]
    assert str(label("ethnicity", VOCAB["ethnicity"][carers.ethnicity[index]])) in ethnicity
    assert str(label("ethnicity", VOCAB["ethnicity"][unit.ethnicity])) in ethnicity

    km = haversine_km(unit.home_lat, unit.home_lon, carers.lat[index : index + 1], carers.lon[index : index + 1])[0]
    if math.isnan(km):
        assert parts["home_proximity"].fact.code == "location_unknown"
    else:
        assert parts["home_proximity"].fact.params["km"] == round(float(km), 1)
        assert f"{round(float(km), 1)}" in texts["home_proximity"]
    # Distances are said once each: only the two distance sentences speak of kilometres.
    if language == "en":
        assert [f for f, t in texts.items() if " km " in t] == [
            f for f in ("home_proximity", "school_proximity") if f in parts and parts[f].fact.code.endswith("distance")
        ]

    has_school = not (math.isnan(unit.school_lat) or math.isnan(unit.school_lon))
    assert ("school_proximity" in parts) == has_school
    if has_school and not math.isnan(km):
        school = haversine_km(
            unit.school_lat, unit.school_lon, carers.lat[index : index + 1], carers.lon[index : index + 1]
        )[0]
        assert parts["school_proximity"].fact.params["km"] == round(float(school), 1)

    if "language" in parts:
        spoken = names(carers.languages[index], "language")
        assert parts["language"].fact.params["spoken"] == spoken
        for code in spoken:
            assert str(label("language", code)) in texts["language"]
        assert str(label("language", VOCAB["language"][unit.languages[0]])) in texts["language"]

    if "skills" in parts:
        needs = names(unit.needs, "need")
        trained = names(carers.trained_needs[index], "need")
        params = parts["skills"].fact.params
        assert params["covered"] == [n for n in needs if n in trained]
        assert params["missing"] == [n for n in needs if n not in trained]
        if params["missing"]:
            assert str(labels("need", params["missing"])) in texts["skills"]

    experience = parts["experience"].fact
    assert experience.params.get("placements", 0) == carers.past_placements[index]
    if carers.past_placements[index]:
        assert f"{carers.past_placements[index]}" in texts["experience"]

    age = texts["age_fit"]
    assert f"{carers.age_min[index]}" in age and f"{carers.age_max[index]}" in age
    for child in unit.children:
        assert f"{child.age}" in age

    if language == "en":
        # A sibling group is named as such, a single child as the child.
        for factor in ("home_proximity", "age_fit", "religion", "ethnicity", "language"):
            if factor in texts and parts[factor].fact.code not in ("location_unknown",):
                assert ("siblings" in texts[factor]) == several, texts[factor]
                assert ("the child" in texts[factor]) == (not several), texts[factor]


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 100_000), st.integers(1, 3), st.integers(1, 80), st.sampled_from(["en", "km"]))
def test_every_sentence_names_the_familys_and_the_childs_own_values(seed, size, n, language):
    carers = random_carers(n, seed)
    unit = random_unit(seed, size, carer_ids=carers.ids, kin_share=0.1)
    ranking = rank(unit, carers, W)
    with translation.override(language):
        for index in ranking.order[:8]:
            check_family(carers, unit, ranking, int(index), language)


def test_a_buddhist_family_for_a_christian_child_is_said_to_be_buddhist():
    carers = random_carers(40, seed=5)
    unit = random_unit(5, 1)
    carers = type(carers)(
        **{
            **{k: getattr(carers, k) for k in carers.__dataclass_fields__},
            "religion": np.zeros(40, dtype=int),
        }
    )
    unit = type(unit)(**{**unit.__dict__, "religion": 2})
    ranking = rank(unit, carers, W)
    index = int(ranking.order[0])
    fact = next(c.fact for c in contributions_of(ranking, unit, index) if c.factor == "religion")
    with translation.override("en"):
        assert sentence(fact.code, fact.params) == "The family's religion: Buddhism; the child's: Christianity."


def test_plurals_of_exclusions_and_past_placements():
    with translation.override("en"):
        assert sentence("past_placements", {"placements": 1, "breakdowns": 0}) == (
            "1 past placement, 0 ended in breakdown."
        )
        assert sentence("excluded.no_vacancy", {"vacancies": 1, "children": 2}) == (
            "Has 1 free place for a group of 2 siblings."
        )
        assert sentence("excluded.no_vacancy", {"vacancies": 0, "children": 1}) == "Has no free place."
