"""register.rules.vacancies: the database annotation and the Python function give every family the
same free places."""

import numpy as np
import pytest

from register.models import Carer, Placement
from register.rules.vacancies import (
    _children_in_care_sql,
    carer_free_places,
    carers_with_vacancies,
    free_places,
    has_vacancy_q,
    with_vacancies,
)
from tests.factories import CarerFactory
from tests.register.carers_factories import place

pytestmark = pytest.mark.django_db


def test_free_places_is_capacity_less_children_never_below_zero():
    assert free_places(3, 1) == 2
    assert free_places(2, 2) == 0
    assert free_places(1, 3) == 0
    assert isinstance(free_places(3, 1), int)


def test_free_places_on_arrays_is_the_same_formula_element_by_element():
    capacity = np.array([1, 2, 3, 4, 12])
    placed = np.array([0, 3, 3, 1, 5])
    assert free_places(capacity, placed).tolist() == [free_places(c, p) for c, p in zip(capacity, placed, strict=True)]


def test_the_annotation_and_the_python_function_agree_for_every_family():
    scenes = [(1, 0, 0), (1, 1, 0), (2, 1, 2), (3, 2, 1), (3, 4, 0), (4, 0, 3), (12, 5, 5)]
    for capacity, active, ended in scenes:
        carer = CarerFactory(max_children=capacity)
        if active:
            place(carer, active)
        if ended:
            place(carer, ended, active=False)
    annotated = {c.pk: (c.vacancies, c.children_placed) for c in with_vacancies(Carer.objects.all())}
    assert len(annotated) == len(scenes)
    for carer in Carer.objects.all():
        assert annotated[carer.pk][0] == carer_free_places(carer=carer)
    assert sorted(v for v, _placed in annotated.values()) == sorted(free_places(c, a) for c, a, _e in scenes)
    with_places = set(with_vacancies(Carer.objects.all()).filter(has_vacancy_q()).values_list("pk", flat=True))
    assert with_places == {pk for pk, (v, _p) in annotated.items() if v > 0}
    full = set(with_vacancies(Carer.objects.all()).filter(has_vacancy_q(False)).values_list("pk", flat=True))
    assert full == set(annotated) - with_places


def test_the_annotated_families_built_once_are_read_afresh_on_every_call():
    # carers_with_vacancies copies one annotated queryset built per process (issue 18): each call
    # reads the register as it is now, never the rows or the places of an earlier call.
    carer = CarerFactory(max_children=2)
    first = carers_with_vacancies()
    assert first.get(pk=carer.pk).vacancies == 2
    place(carer, 1)
    second = carers_with_vacancies()
    assert second is not first
    assert second.get(pk=carer.pk).vacancies == 1
    other = CarerFactory(max_children=1)
    assert set(carers_with_vacancies().values_list("pk", flat=True)) == {carer.pk, other.pk}
    assert str(carers_with_vacancies().query) == str(with_vacancies(Carer.objects.all()).query)


def test_children_in_care_counts_right_where_the_outer_query_also_reads_placements():
    # ChildrenInCare's SQL is compiled once and names the placement tables as they are: a query
    # that joins placements itself, or holds the families as a subquery of placements, must still
    # count each family's own children (the inner tables shadow the outer ones, never mix with them).
    carer, full, other = CarerFactory(max_children=3), CarerFactory(max_children=1), CarerFactory(max_children=2)
    place(carer, 1)
    place(carer, 2, active=False)
    place(full, 1)
    expected = {c.pk: carer_free_places(carer=c) for c in (carer, full, other)}
    assert expected == {carer.pk: 2, full.pk: 0, other.pk: 2}

    joined = with_vacancies(Carer.objects.filter(placements__isnull=False)).distinct()
    assert dict(joined.values_list("pk", "vacancies")) == {carer.pk: 2, full.pk: 0}
    with_room = with_vacancies(Carer.objects.all()).filter(has_vacancy_q()).values("pk")
    placements_of_families_with_room = Placement.objects.filter(carer__in=with_room)
    assert set(placements_of_families_with_room.values_list("carer_id", flat=True)) == {carer.pk}
    assert placements_of_families_with_room.count() == 2


def test_the_count_of_children_in_care_is_compiled_once_per_database():
    _children_in_care_sql.cache_clear()
    carer = CarerFactory(max_children=2)
    place(carer, 1)
    for _ in range(3):
        assert with_vacancies(Carer.objects.filter(pk=carer.pk)).filter(has_vacancy_q()).get().vacancies == 1
    assert _children_in_care_sql.cache_info().misses == 1
