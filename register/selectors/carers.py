"""Reading the register of foster families. Every query of carers passes through the caller's
jurisdiction here, so the API, the pages and the admin share one rule of who sees which family.

Vacancies (free places) are register.rules.vacancies' annotation, computed by the database (one
subquery per page, never one query per carer).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from register.models import (
    Carer,
    CarerCheck,
    CarerStatusChange,
    CarerTraining,
    HouseholdMember,
    SafeguardingConcern,
)
from register.querysets import json_list_contains
from register.rules.approval import carer_approval_missing, review_overdue_q
from register.rules.vacancies import carers_with_vacancies, has_vacancy_q
from register.scoping import scope_to_user
from register.selectors.names import carers_named


def carer_list(*, user, filters: Mapping[str, Any] | None = None) -> QuerySet[Carer]:
    """The carers the user may see (their provinces; national administrators all), with vacancies,
    ordered by reference. `filters` takes the keys of `carer_filter`."""
    return carer_filter(_seen_by(user, carers_with_vacancies()), **(filters or {}))


def _seen_by(user, queryset: QuerySet) -> QuerySet:
    """The families of `queryset` the user may see, in the lists' order (by reference)."""
    return scope_to_user(queryset, user).order_by("reference")


# What a list row shows of a family (register/api/carers.py, carer_row): its own columns and the
# vacancies annotation. The list reads them as values, not model instances (issue 18: a page of 50
# families cost about 2 ms of CPU to build as instances).
CARER_LIST_VALUES = (
    "id", "reference", "status", "household_name", "given_name", "family_name", "given_name_latin",
    "family_name_latin", "sex", "date_of_birth", "national_id", "phone", "commune_id", "village_id", "district_id",
    "province_id", "address", "lat", "lon", "languages", "religion", "ethnicity", "max_children", "age_min",
    "age_max", "sexes_accepted", "max_sibling_group", "care_types", "needs_supported", "approved_on", "review_due",
    "vacancies",
)  # fmt: skip


def carer_list_rows(*, user) -> QuerySet:
    """`carer_list` as dicts of CARER_LIST_VALUES, the list's rows: scoped and ordered the same way,
    filtered by the same `carer_filter`. The values query is built once per process and copied for
    each call, as `carers_with_vacancies` is: naming its 32 columns again cost about 0.3 ms of CPU on
    every list request (issue 18)."""
    return _seen_by(user, _carer_rows().all())


@cache
def _carer_rows() -> QuerySet:
    return carers_with_vacancies().values(*CARER_LIST_VALUES)  # never evaluated itself: only copied


def carer_list_values_of(carer: Carer) -> dict:
    """The same dict for a family read as an instance (with its vacancies annotated)."""
    return {name: getattr(carer, name) for name in CARER_LIST_VALUES}


def carer_get(*, user, id) -> Carer:
    """One carer the user may see, with vacancies; Http404 otherwise (as for one that does not exist)."""
    return _get(carer_list(user=user), id)


def carer_detail_get(*, user, id) -> Carer:
    """One carer with everything its record page shows prefetched (household, checks, trainings,
    concerns, status history) and `approval_missing` computed from them. A record merged into
    another is found too (its `merged_into` names the record kept), though it is in no list."""
    merged_too = scope_to_user(carers_with_vacancies(), user, include_merged=True)
    carer = _get(carer_detail_prefetch(merged_too), id)
    carer.approval_missing = carer_approval_missing(carer=carer)
    return carer


def carer_merged_into(*, user, id):
    """The id of the family a family the user may see was merged into, or None (not merged, or not
    theirs to see: the page then answers as for any other family)."""
    try:
        uuid.UUID(str(id))
    except ValueError:
        return None
    merged = scope_to_user(Carer.objects.filter(pk=id, merged_into__isnull=False), user, include_merged=True)
    return merged.values_list("merged_into_id", flat=True).first()


def carer_detail_prefetch(queryset: QuerySet[Carer]) -> QuerySet[Carer]:
    return queryset.prefetch_related(
        Prefetch("household_members", queryset=HouseholdMember.objects.order_by("date_of_birth", "id")),
        Prefetch("checks", queryset=CarerCheck.objects.order_by("-checked_on", "-created_at")),
        Prefetch("trainings", queryset=CarerTraining.objects.select_related("module").order_by("module_id")),
        Prefetch("concerns", queryset=SafeguardingConcern.objects.order_by("-raised_on", "-created_at")),
        Prefetch(
            "status_changes",
            queryset=CarerStatusChange.objects.select_related("changed_by").order_by("-changed_at", "-id"),
        ),
    )


# --- Filters (the API's FilterSet delegates here, so every caller filters the same way) ----------


def carer_filter(
    queryset: QuerySet[Carer],
    *,
    status: str | None = None,
    province: str | None = None,
    district: str | None = None,
    commune: str | None = None,
    care_type: str | None = None,
    needs_supported: Iterable[str] | None = None,
    has_vacancy: bool | None = None,
    review_overdue: bool | None = None,
    search: str | None = None,
) -> QuerySet[Carer]:
    if status:
        queryset = queryset.filter(status=status)
    if province:
        queryset = queryset.filter(province_id=province)
    if district:
        queryset = queryset.filter(district_id=district)
    if commune:
        queryset = queryset.filter(commune_id=commune)
    if care_type:
        queryset = queryset.filter(json_list_contains("care_types", care_type))
    if needs_supported:
        queryset = carers_supporting_needs(queryset, needs_supported)
    if has_vacancy is not None:
        queryset = carers_by_vacancy(queryset, has_vacancy)
    if review_overdue is not None:
        queryset = carers_by_review_overdue(queryset, review_overdue)
    if search:
        queryset = carers_matching(queryset, search)
    return queryset


def carers_supporting_needs(queryset: QuerySet[Carer], needs: Iterable[str]) -> QuerySet[Carer]:
    """Carers supporting every one of `needs`."""
    for need in dict.fromkeys(needs):
        queryset = queryset.filter(json_list_contains("needs_supported", need))
    return queryset


def carers_by_vacancy(queryset: QuerySet[Carer], has_vacancy: bool) -> QuerySet[Carer]:
    """Needs the `vacancies` annotation of carers_with_vacancies."""
    return queryset.filter(has_vacancy_q(has_vacancy))


def carers_by_review_overdue(queryset: QuerySet[Carer], overdue: bool) -> QuerySet[Carer]:
    q = review_overdue_q()
    return queryset.filter(q) if overdue else queryset.exclude(q)


def carers_matching(queryset: QuerySet[Carer], text: str) -> QuerySet[Carer]:
    """Carers found by `text` (register.selectors.names): the primary carer's names in either script,
    close romanised names, the household name, the reference, the phone typed as 012 345 678,
    +855 12 345 678 or 85512345678."""
    return carers_named(queryset, text)


def _get(queryset: QuerySet, id) -> Any:
    try:
        uuid.UUID(str(id))
    except ValueError:
        raise Http404 from None
    try:
        return queryset.get(pk=id)
    except queryset.model.DoesNotExist:
        raise Http404 from None


# --- The records under a carer ------------------------------------------------------------------


def carer_check_list(*, carer: Carer) -> QuerySet[CarerCheck]:
    return CarerCheck.objects.filter(carer=carer).order_by("-checked_on", "-created_at", "id")


def carer_training_list(*, carer: Carer) -> QuerySet[CarerTraining]:
    return CarerTraining.objects.filter(carer=carer).select_related("module").order_by("-completed_on", "module_id")


def carer_concern_list(*, carer: Carer, status: str | None = None) -> QuerySet[SafeguardingConcern]:
    queryset = SafeguardingConcern.objects.filter(carer=carer).order_by("-raised_on", "-created_at", "id")
    return queryset.filter(status=status) if status else queryset


def carer_concern_get(*, carer: Carer, id) -> SafeguardingConcern:
    """One concern of this carer; Http404 for another carer's or an unknown one."""
    return _get(carer_concern_list(carer=carer), id)
