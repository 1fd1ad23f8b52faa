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
from django.db.models import Count, Expression, F, Func, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Greatest

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
    return queryset.annotate(children_placed=ChildrenInCare(F("pk"))).annotate(
        vacancies=Greatest(F("max_children") - F("children_placed"), Value(0), output_field=IntegerField()),
    )


class ChildrenInCare(Expression):
    """How many children are in the care of the family whose id `carer_id` gives: the count of its
    `children_in_care()` memberships, as a correlated subquery.

    Django's Subquery compiles its inner query again on every use, twice in a list filtered by
    vacancy (about 0.3 ms of CPU a list request, issue 18). This one compiles that query once per
    database, from the same rule, and puts the family's column in it on each use."""

    output_field = IntegerField()

    def __init__(self, carer_id):
        super().__init__()
        self.carer_id = carer_id

    def get_source_expressions(self):
        return [self.carer_id]

    def set_source_expressions(self, exprs):
        (self.carer_id,) = exprs

    def as_sql(self, compiler, connection):
        carer_sql, carer_params = compiler.compile(self.carer_id)
        before, after, params_before, params_after = _children_in_care_sql(connection.alias)
        return f"({before}{carer_sql}{after})", (*params_before, *carer_params, *params_after)


class _FamilyColumn(Expression):
    """Where ChildrenInCare puts the family's column in the query compiled once."""

    MARK = "__family_id__"
    output_field = Carer._meta.pk

    def as_sql(self, compiler, connection):
        return self.MARK, ()


@cache
def _children_in_care_sql(alias: str) -> tuple[str, str, tuple, tuple]:
    """The memberships in care of one family, counted (0 when none, as COUNT without GROUP BY
    gives), compiled for database `alias`: the SQL before and after the family's column, and the
    parameters of each part."""
    counted = (
        children_in_care()
        .filter(placement__carer_id=_FamilyColumn())
        .order_by()
        .values(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
    )
    sql, params = counted.query.get_compiler(using=alias).as_sql()
    before, mark, after = sql.partition(_FamilyColumn.MARK)
    if not mark or _FamilyColumn.MARK in after:  # the family's column must appear exactly once
        raise RuntimeError(f"children in care: the family's column is not once in {sql}")
    placeholders = before.count("%s")
    return before, after, tuple(params[:placeholders]), tuple(params[placeholders:])


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
