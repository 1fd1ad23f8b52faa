"""A family's free places (vacancies): the rule, written once.

A child is in a family's care while its membership of one of the family's placements is active;
the family's free places are its capacity (`max_children`) less those children, never below zero.
Written here twice, side by side: as a database annotation (a list of families with their free
places, one subquery whatever its length) and in Python (one family, or NumPy arrays of many);
tests/register/test_vacancy_rules.py holds the two equal. The carer list and filters, the
dashboard, the placement service and matching's loader all ask this module.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from register.models import Carer, PlacementChild

# The memberships that take up a place (a child who left keeps an inactive membership).
IN_CARE = Q(active=True)


def children_in_care() -> QuerySet[PlacementChild]:
    """Every membership that takes up a place in some family."""
    return PlacementChild.objects.filter(IN_CARE)


def children_in_care_by_carer() -> QuerySet:
    """Rows of (`placement__carer_id`, `n`): how many children each family has in its care, for
    every family with at least one (one grouped query for the whole register)."""
    return children_in_care().order_by().values("placement__carer_id").annotate(n=Count("pk"))


# --- Python: one family, or arrays of families -------------------------------------------------------


def free_places(capacity: Any, placed: Any) -> Any:
    """Capacity less the children in care, never below zero. Takes ints (returns an int) or NumPy
    arrays (returns an array, element by element), so matching's loader uses the same formula."""
    result = np.maximum(np.subtract(capacity, placed), 0)
    return int(result) if np.ndim(result) == 0 else result


def carer_children_placed(*, carer_id) -> int:
    """How many children are in this family's care now."""
    return children_in_care().filter(placement__carer_id=carer_id).count()


def carer_free_places(*, carer: Carer) -> int:
    """This family's free places now (one query). The placement service calls it with the carer's
    row locked, so that no other placement takes the place between the count and the write."""
    return free_places(carer.max_children, carer_children_placed(carer_id=carer.pk))


# --- The database: the same rule as an annotation ---------------------------------------------------


def with_vacancies(queryset: QuerySet[Carer]) -> QuerySet[Carer]:
    """Annotate `children_placed` (children in the family's care) and `vacancies` (its free
    places: max_children - children_placed, at least 0) with one correlated subquery."""
    placed = (
        children_in_care()
        .filter(placement__carer=OuterRef("pk"))
        .order_by()
        .values("placement__carer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        children_placed=Coalesce(Subquery(placed, output_field=IntegerField()), Value(0)),
    ).annotate(
        vacancies=Greatest(F("max_children") - F("children_placed"), Value(0), output_field=IntegerField()),
    )


def carers_with_vacancies() -> QuerySet[Carer]:
    """Every family, annotated as `with_vacancies` does: a new queryset on each call, copied from one
    built once per process, as DRF copies a view's `queryset`. Building the annotation's subquery
    cost about 0.8 ms of CPU on every list request (issue 18); copying it, next to nothing."""
    return _every_carer_with_vacancies().all()


@cache
def _every_carer_with_vacancies() -> QuerySet[Carer]:
    return with_vacancies(Carer.objects.all())  # never evaluated itself: only copied


def has_vacancy_q(has_vacancy: bool = True) -> Q:
    """Families with (or without) a free place; needs the annotation of `with_vacancies`."""
    return Q(vacancies__gt=0) if has_vacancy else Q(vacancies__lte=0)
