"""register.rules.vacancies: the database annotation and the Python function give every family the
same free places."""

import numpy as np
import pytest

from register.models import Carer
from register.rules.vacancies import (
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
